/*
 * PATCH /api/endpoints/{id} (admin or the owning provider): new
 * reference values, stored as a new version; the next attestation is
 * appraised against them. The current passport stays what it was.
 */
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/endpoint_reply.h"
#include "handlers/handlers.h"
#include "handlers/reappraise.h"
#include "handlers/registry_util.h"
#include "verify/core/expected.h"

static const struct json_field fields[] = {
        {"reference_values", JSON_OBJECT, true, false},
        {"model", JSON_OBJECT, false, false},
};

struct tx_args {
	const struct auth *who;
	const char *id;
	const json_t *reference; /* without the model digest */
	const char *model_name;  /* NULL: unchanged */
	const char *model_digest;
	int version;
	char sha256[72];
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	struct db_endpoint_ref ref;
	enum db_status st;
	json_t *doc = NULL, *detail = NULL;
	char *text = NULL;

	if ((st = db_endpoint_ref(c, a->id, &ref)) != DB_OK)
		return st;
	if (!a->who->admin &&
	    strcmp(ref.provider_id, a->who->provider_id) != 0) {
		st = DB_NOT_FOUND;
		goto out;
	}
	doc = json_deep_copy(a->reference);
	if (a->model_digest != NULL)
		json_object_set_new(doc, "model", json_string(a->model_digest));
	else
		json_object_set(doc, "model",
		                json_object_get(ref.doc, "model"));
	reg_doc_sha256(doc, a->sha256);
	a->version = ref.version + 1;
	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	if ((st = db_reference_insert(c, a->id, a->version, text, a->sha256,
	                              a->who->actor)) != DB_OK)
		goto out;
	if ((st = db_endpoint_set_reference(c, a->id, a->version, a->model_name,
	                                    a->model_digest)) != DB_OK)
		goto out;
	detail = json_pack("{s:i, s:s}", "reference_version", a->version,
	                   "sha256", a->sha256);
	st = db_audit_insert(c, a->who->actor, "endpoint.updated", a->id,
	                     detail);
out:
	json_decref(detail);
	json_decref(doc);
	json_decref(ref.doc);
	free(text);
	return st;
}

enum MHD_Result
handler_endpoints_patch(struct request *r)
{
	struct auth who;
	struct tx_args a = {0};
	const json_t *model;
	const char *key;
	json_t *doc, *val;
	char field[96];
	enum MHD_Result ret = MHD_YES;
	enum db_status st;
	bool bad = false;

	if (!auth_authenticate(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        false)) == NULL)
		return MHD_YES;
	a.reference = json_object_get(doc, "reference_values");
	if (json_object_get(a.reference, "model") != NULL) {
		ret = reply_error(r, TP_ERR_invalid_field,
		                  "reference_values.model");
		goto out;
	}
	if (!expected_validate(a.reference, field, sizeof(field))) {
		ret = reply_error(r, TP_ERR_invalid_field, "reference_values");
		goto out;
	}
	if ((model = json_object_get(doc, "model")) != NULL) {
		json_object_foreach((json_t *)model, key, val)
		{
			if ((strcmp(key, "name") != 0 &&
			     strcmp(key, "digest") != 0) ||
			    !json_is_string(val)) {
				ret = reply_error(r, TP_ERR_invalid_field,
				                  "model");
				goto out;
			}
		}
		a.model_name = reg_string(r, model, "name", 200, &bad);
		if (!bad)
			a.model_digest =
			        reg_string(r, model, "digest", 200, &bad);
		if (bad)
			goto out;
	}
	a.who = &who;
	a.id = r->param;
	if ((st = db_tx(transaction, &a)) != DB_OK) {
		ret = reg_reply_db(r, st, TP_ERR_endpoint_not_found);
		goto out;
	}
	/* New reference values queue a re-appraisal job (migration 0007's
	 * trigger): work it off now rather than at the next interval. */
	reappraise_wake();
	ret = endpoint_reply(r, 200, r->param, NULL);
out:
	json_decref(doc);
	return ret;
}
