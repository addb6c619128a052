#include <string.h>

#include "db/passport_row.h"

json_t *
passport_row_summary(const PGresult *res, int row)
{
	json_t *o = json_pack(
	        "{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "id",
	        PQgetvalue(res, row, 0), "status", PQgetvalue(res, row, 1),
	        "ear_status", PQgetvalue(res, row, 2), "tee_type",
	        PQgetvalue(res, row, 3), "hardware_attested",
	        strcmp(PQgetvalue(res, row, 4), "t") == 0, "created_at",
	        PQgetvalue(res, row, 5), "verified_at", PQgetvalue(res, row, 6),
	        "expires_at", PQgetvalue(res, row, 7), "evidence_sha256",
	        PQgetvalue(res, row, 8));

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "endpoint_id",
	                    PQgetisnull(res, row, 9)
	                            ? json_null()
	                            : json_string(PQgetvalue(res, row, 9)));
	return o;
}
