/* The 503 of the collateral service, shared by the handlers that use it. */
#include <stdio.h>

#include "collateral/collateral.h"
#include "handlers/handlers.h"

enum MHD_Result
reply_collateral_error(struct request *r, int status, const char *artifact,
                       int64_t retry)
{
	enum tp_err code;
	char ra[24];
	json_t *err;

	switch ((enum coll_status)status) {
	case COLL_OFFLINE_MISSING:
		code = TP_ERR_collateral_offline_missing;
		break;
	case COLL_VENDOR_INVALID:
		code = TP_ERR_collateral_vendor_invalid;
		break;
	case COLL_NOT_FOUND:
		code = TP_ERR_collateral_not_found;
		break;
	case COLL_DB_UNAVAILABLE:
		code = TP_ERR_database_unavailable;
		break;
	default:
		code = TP_ERR_collateral_unavailable;
	}
	/* The artifact name is ours (kind/key from the parsed evidence,
	 * hex and fixed words), never client text. */
	err = json_pack("{s:s, s:s, s:s, s:s}", "code", tp_err_code(code),
	                "message", tp_err_message(code), "field", "collateral",
	                "artifact", artifact);
	snprintf(ra, sizeof(ra), "%lld", (long long)(retry > 0 ? retry : 1));
	return reply_json_retry(r, (unsigned)tp_err_status(code),
	                        json_pack("{s:o}", "error", err), ra);
}
