#include <stdlib.h>
#include <string.h>

#include "db/passport_row.h"

bool
passport_row_read(struct db_row *r, struct db_passport *p)
{
	db_row_copy(r, "id", p->id, sizeof(p->id));
	db_row_copy(r, "status", p->status, sizeof(p->status));
	db_row_copy(r, "ear_status", p->ear_status, sizeof(p->ear_status));
	db_row_copy(r, "tee_type", p->tee_type, sizeof(p->tee_type));
	p->hardware_attested = db_row_bool(r, "hardware_attested");
	p->created_at = db_row_time(r, "created_at");
	p->verified_at = db_row_time(r, "verified_at");
	p->expires_at = db_row_time(r, "expires_at");
	db_row_copy(r, "evidence_sha256", p->evidence_sha256,
	            sizeof(p->evidence_sha256));
	db_row_copy(r, "endpoint_id", p->endpoint_id, sizeof(p->endpoint_id));
	db_row_copy(r, "cursor_created", p->cursor, sizeof(p->cursor));
	return r->ok;
}

void
db_passport_clear(struct db_passport *p)
{
	if (p == NULL)
		return;
	free(p->claims_json);
	free(p->token);
	free(p->revoked_at_text);
	free(p->reappraisal_json);
	p->claims_json = NULL;
	p->token = NULL;
	p->revoked_at_text = NULL;
	p->reappraisal_json = NULL;
}

void
db_passport_list_free(struct db_passport *p, size_t n)
{
	for (size_t i = 0; p != NULL && i < n; i++)
		db_passport_clear(&p[i]);
	free(p);
}
