#include "db/registry.h"
#include "handlers/db_json.h"
#include "handlers/endpoint_reply.h"
#include "handlers/registry_util.h"
#include "server/app.h"

enum MHD_Result
endpoint_reply(struct request *r, unsigned status, const char *id,
               json_t *verdict)
{
	enum db_status st = DB_UNAVAILABLE;
	PGconn *c = db_conn();
	struct db_endpoint e;
	json_t *view;

	if (c != NULL)
		st = db_endpoint_get(c, id, config_now(&app.cfg), &e);
	if (st != DB_OK) {
		json_decref(verdict);
		return reg_reply_db(r, st, TP_ERR_endpoint_not_found);
	}
	view = db_json_endpoint(&e);
	db_endpoint_clear(&e);
	if (verdict != NULL && view != NULL)
		json_object_set_new(view, "verdict", verdict);
	else
		json_decref(verdict);
	return reply_json(r, status, view);
}

enum MHD_Result
endpoint_reply_invalid(struct request *r, json_t *verdict)
{
	json_t *body = json_pack(
	        "{s:{s:s, s:s}, s:o}", "error", "code",
	        tp_err_code(TP_ERR_attestation_invalid), "message",
	        tp_err_message(TP_ERR_attestation_invalid), "verdict", verdict);

	return reply_json(
	        r, (unsigned)tp_err_status(TP_ERR_attestation_invalid), body);
}

const char *
endpoint_nonce_code(enum db_nonce_result res)
{
	switch (res) {
	case DB_NONCE_UNKNOWN:
		return tp_err_code(TP_ERR_nonce_unknown);
	case DB_NONCE_EXPIRED:
		return tp_err_code(TP_ERR_nonce_expired);
	case DB_NONCE_REPLAYED:
		return tp_err_code(TP_ERR_nonce_replayed);
	case DB_NONCE_OK:
		break;
	}
	return NULL;
}
