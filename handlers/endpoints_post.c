/*
 * POST /api/endpoints (provider key): registers an inference endpoint.
 * The evidence is verified against the reference values sent with it;
 * the endpoint, its reference values (version 1), its passport and the
 * audit entry are committed together, and only when the verdict is
 * valid. Otherwise nothing is created and the 422 carries the verdict.
 */
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/attestation.h"
#include "handlers/endpoint_reply.h"
#include "handlers/endpoint_tls.h"
#include "handlers/handlers.h"
#include "handlers/registry_util.h"
#include "server/app.h"
#include "server/metrics.h"
#include "verify/core/expected.h"

static const struct json_field fields[] = {
        {"url", JSON_STRING, true, false},
        {"model", JSON_OBJECT, true, false},
        {"provider", JSON_STRING, false, false},
        {"tee_type", JSON_STRING, false, false}, /* deprecated alias */
        {"reference_values", JSON_OBJECT, true, false},
        {"attestation", JSON_STRING, true, false},
        {"runtime_data", JSON_STRING, false, false},
        {"nonce", JSON_STRING, false, false},
        {"event_log", JSON_STRING, false, false},
        {"event_log_table", JSON_STRING, false, false},
        {"collateral", JSON_OBJECT, false, true},
        {"devices", JSON_ARRAY, false, false},
        {"tls_binding", JSON_STRING, false, false},
};

/* The request, decoded. */
struct input {
	json_t *doc;
	const char *url;
	const char *model_name;
	const char *model_digest;
	enum tp_provider tee;
	enum tls_binding_layout tls_layout; /* where a TLS key is bound */
	json_t *reference; /* the "expected" document (new reference) */
	char sha256[72];
};

/*
 * model: {"name", "digest"}; reference_values: "runtime", "config",
 * "auditors" as in a verify request's "expected" (the model digest is
 * added from model.digest). Replies 400 on failure.
 */
static bool
parse_input(struct request *r, struct input *in)
{
	const json_t *model, *ref;
	const char *key, *s;
	json_t *val;
	char field[96];
	bool bad = false;

	memset(in, 0, sizeof(*in));
	if ((in->doc =
	             request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                          false)) == NULL)
		return false;
	if ((in->url = reg_string(r, in->doc, "url", 2048, &bad)) == NULL)
		return false;
	model = json_object_get(in->doc, "model");
	json_object_foreach((json_t *)model, key, val)
	{
		if (strcmp(key, "name") != 0 && strcmp(key, "digest") != 0) {
			reply_error(r, TP_ERR_unknown_field, "model");
			return false;
		}
		if (!json_is_string(val)) {
			reply_error(r, TP_ERR_invalid_field, "model");
			return false;
		}
	}
	if ((in->model_name = reg_string(r, model, "name", 200, &bad)) ==
	            NULL ||
	    (in->model_digest = reg_string(r, model, "digest", 200, &bad)) ==
	            NULL) {
		if (!bad)
			reply_error(r, TP_ERR_missing_field, "model");
		return false;
	}
	/* "provider" (canonical) or its deprecated alias "tee_type"; both
	 * only when they name the same provider. */
	{
		const char *canon =
		        json_string_value(json_object_get(in->doc, "provider"));
		const char *alias =
		        json_string_value(json_object_get(in->doc, "tee_type"));
		enum tp_provider t2;

		s = canon != NULL ? canon : alias;
		if (s == NULL) {
			reply_error(r, TP_ERR_missing_field, "provider");
			return false;
		}
		if (!provider_parse(s, &in->tee)) {
			reply_error(r, TP_ERR_unknown_provider,
			            canon != NULL ? "provider" : "tee_type");
			return false;
		}
		if (canon != NULL && alias != NULL &&
		    (!provider_parse(alias, &t2) || t2 != in->tee)) {
			reply_error(r, TP_ERR_invalid_field, "tee_type");
			return false;
		}
	}
	s = json_string_value(json_object_get(in->doc, "tls_binding"));
	in->tls_layout = TLS_BINDING_RUNTIME_DATA;
	if (s != NULL && !tls_binding_layout_parse(s, &in->tls_layout)) {
		reply_error(r, TP_ERR_invalid_field, "tls_binding");
		return false;
	}
	ref = json_object_get(in->doc, "reference_values");
	if (json_object_get(ref, "model") != NULL) {
		/* The model digest is model.digest: one place only. */
		reply_error(r, TP_ERR_invalid_field, "reference_values.model");
		return false;
	}
	if (!expected_validate(ref, field, sizeof(field))) {
		reply_error(r, TP_ERR_invalid_field, "reference_values");
		return false;
	}
	in->reference = json_deep_copy(ref);
	json_object_set_new(in->reference, "model",
	                    json_string(in->model_digest));
	reg_doc_sha256(in->reference, in->sha256);
	return true;
}

struct tx_args {
	const struct auth *who;
	const struct input *in;
	struct attestation *att;
	struct endpoint_tls *tls;
	const char *id;
	char *reference_json;
	bool usable;
	bool exists;
	bool device_in_use; /* a GPU is attested on another live endpoint */
	char existing[37];
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	struct db_endpoint_row e = {0};
	enum db_status st;
	json_t *detail;

	a->exists = false;
	st = db_endpoint_live_url(c, a->who->provider_id, a->in->url,
	                          a->existing);
	if (st == DB_OK) {
		a->exists = true;
		return DB_OK; /* nothing to commit, the nonce stays unused */
	}
	if (st != DB_NOT_FOUND)
		return st;
	a->device_in_use = false;
	if (a->att->valid) {
		bool is_free;
		st = endpoint_tls_devices_free(c, a->id, a->tls, &is_free);
		if (st != DB_OK)
			return st;
		if (!is_free) {
			a->device_in_use = true;
			return DB_OK; /* nothing to commit */
		}
	}
	if ((st = attestation_consume_nonce(c, a->att, &a->usable)) != DB_OK)
		return st;
	if (!a->usable)
		return DB_OK; /* only the nonce's consumption is committed */
	if ((st = db_passport_insert(c, &a->att->row)) != DB_OK)
		return st;
	e.id = a->id;
	e.provider_id = a->who->provider_id;
	e.url = a->in->url;
	e.model_name = a->in->model_name;
	e.model_digest = a->in->model_digest;
	e.tee_type = provider_name(a->in->tee);
	e.passport_id = a->att->passport_id;
	e.attested_at = a->att->row.verified_at;
	if ((st = db_endpoint_insert(c, &e)) != DB_OK)
		return st;
	if ((st = db_reference_insert(c, a->id, 1, a->reference_json,
	                              a->in->sha256, a->who->actor)) != DB_OK)
		return st;
	if ((st = endpoint_tls_commit(c, a->id, a->tls)) != DB_OK) {
		/* DB_INVALID: a concurrent registration took a GPU */
		a->device_in_use = st == DB_INVALID;
		return st;
	}
	detail =
	        json_pack("{s:s, s:s, s:s, s:i, s:s}", "url", a->in->url,
	                  "provider", e.tee_type, "model", e.model_digest,
	                  "reference_version", 1, "passport_id", e.passport_id);
	st = db_audit_insert(c, a->who->actor, "endpoint.registered", a->id,
	                     detail);
	json_decref(detail);
	return st;
}

enum MHD_Result
handler_endpoints_post(struct request *r)
{
	struct auth who;
	struct input in;
	struct attestation att;
	struct tx_args a = {0};
	struct endpoint_tls tls = {0};
	char id[37];
	enum MHD_Result ret;
	enum db_status st;

	memset(&att, 0, sizeof(att));
	if (!auth_require_provider(r, &who))
		return MHD_YES;
	if (!parse_input(r, &in) ||
	    !attestation_parse(r, in.doc, in.tee, &att)) {
		ret = MHD_YES;
		goto out;
	}
	reg_uuid(id);
	att.expected = in.reference;
	att.endpoint_id = id;
	att.ref_version = 1;
	att.ref_sha256 = in.sha256;
	/* attestation_verify fills the rest of att.req. */
	att.req.runtime_data_upper =
	        tls_binding_runtime_data_upper(in.tls_layout);
	if (!attestation_verify(r, &att)) {
		ret = MHD_YES;
		goto out;
	}
	tls.layout = in.tls_layout;
	endpoint_tls_appraise(&att, in.url, &tls);
	if (att.valid && !attestation_sign(&att)) {
		ret = reply_error(r, TP_ERR_signing_unavailable, NULL);
		goto out;
	}
	a.who = &who;
	a.in = &in;
	a.att = &att;
	a.tls = &tls;
	a.id = id;
	a.reference_json = json_dumps(in.reference, JSON_COMPACT);
	if (a.reference_json == NULL) {
		ret = reply_error(r, TP_ERR_internal_error, NULL);
		goto out;
	}
	/* An invalid verdict without a nonce needs no transaction. */
	if (att.valid || att.has_nonce) {
		st = db_tx(transaction, &a);
		if (a.device_in_use) {
			ret = reply_error(r, TP_ERR_device_in_use, "devices");
			goto out;
		}
		if (st == DB_INVALID && att.valid) {
			/* The unique live-URL index: a concurrent
			 * registration of the same URL won. */
			ret = reply_error(r, TP_ERR_endpoint_exists, "url");
			goto out;
		}
		if (st != DB_OK) {
			ret = reg_reply_db(r, st, TP_ERR_endpoint_not_found);
			goto out;
		}
	}
	if (a.exists) {
		ret = reply_error(r, TP_ERR_endpoint_exists, "url");
		goto out;
	}
	attestation_settle(&att);
	if (tls.refused != TP_ERR_none) {
		ret = endpoint_tls_reply_refused(r, tls.refused,
		                                 attestation_json(&att, false));
		goto out;
	}
	if (!att.valid || !a.usable) {
		ret = endpoint_reply_invalid(r, attestation_json(&att, false));
		goto out;
	}
	metrics_passport_issued();
	ret = endpoint_reply(r, 201, id, attestation_json(&att, true));
out:
	free(a.reference_json);
	endpoint_tls_free(&tls);
	attestation_free(&att);
	json_decref(in.reference);
	json_decref(in.doc);
	return ret;
}
