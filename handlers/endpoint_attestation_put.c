/*
 * PUT /api/endpoints/{id}/attestation (the owning provider): the
 * endpoint's heartbeat. Fresh evidence is verified against the current
 * reference values; valid -> a new passport and status "attested";
 * invalid -> status "failed" with the verdict's errors. Another
 * provider's endpoint answers 404 as an unknown one does.
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

static const struct json_field fields[] = {
        {"attestation", JSON_STRING, true, false},
        {"runtime_data", JSON_STRING, false, false},
        {"nonce", JSON_STRING, false, false},
        {"event_log", JSON_STRING, false, false},
        {"event_log_table", JSON_STRING, false, false},
        {"collateral", JSON_OBJECT, false, true},
        {"devices", JSON_ARRAY, false, false},
};

struct tx_args {
	const struct auth *who;
	const char *id;
	int version;
	struct attestation *att;
	struct endpoint_tls *tls;
	bool changed; /* the reference values moved on meanwhile */
	bool usable;
	bool device_in_use; /* a GPU is attested on another live endpoint */
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	struct db_endpoint_ref ref;
	enum db_status st;
	char *errors = NULL;
	json_t *detail;
	const char *action;

	a->changed = false;
	/* Locks the endpoint's row: concurrent heartbeats queue here. */
	st = db_endpoint_ref(c, a->id, &ref);
	json_decref(ref.doc);
	if (st != DB_OK)
		return st;
	if (strcmp(ref.provider_id, a->who->provider_id) != 0)
		return DB_NOT_FOUND;
	if (ref.version != a->version) {
		a->changed = true;
		return DB_OK;
	}
	a->device_in_use = false;
	if (a->att->valid) {
		bool is_free;
		st = endpoint_tls_devices_free(c, a->id, a->tls, &is_free);
		if (st != DB_OK)
			return st;
		if (!is_free) {
			a->device_in_use = true;
			return DB_OK; /* nothing changes, the nonce stays */
		}
	}
	if ((st = attestation_consume_nonce(c, a->att, &a->usable)) != DB_OK)
		return st;
	if (a->usable) {
		if ((st = db_passport_insert(c, &a->att->row)) != DB_OK)
			return st;
		st = db_endpoint_attested(c, a->id, "attested",
		                          a->att->passport_id,
		                          a->att->row.verified_at, NULL);
		if (st == DB_OK &&
		    (st = endpoint_tls_commit(c, a->id, a->tls)) != DB_OK) {
			/* DB_INVALID: another endpoint took a GPU */
			a->device_in_use = st == DB_INVALID;
			return st;
		}
		action = "endpoint.attested";
		detail = json_pack("{s:s, s:i}", "passport_id",
		                   a->att->passport_id, "reference_version",
		                   a->version);
	} else {
		const char *code = endpoint_nonce_code(a->att->nonce_result);
		if (a->att->valid && code != NULL) {
			json_t *e = json_pack("[{s:s}]", "code", code);
			errors = json_dumps(e, JSON_COMPACT);
			json_decref(e);
		} else {
			errors = attestation_errors(a->att);
		}
		/* endpoint.failed, appended by db_endpoint_attested (also
		 * for a TLS key mismatch: the errors carry tls_key_mismatch) */
		st = db_endpoint_attested(c, a->id, "failed", NULL,
		                          config_now(&app.cfg), errors);
		action = "endpoint.attestation_failed";
		detail = json_pack("{s:o?, s:i}", "errors",
		                   errors != NULL ? json_loads(errors, 0, NULL)
		                                  : NULL,
		                   "reference_version", a->version);
	}
	if (st == DB_OK)
		st = db_audit_insert(c, a->who->actor, action, a->id, detail);
	json_decref(detail);
	free(errors);
	return st;
}

enum MHD_Result
handler_endpoint_attestation_put(struct request *r)
{
	struct auth who;
	struct attestation att;
	struct db_endpoint_ref ref = {0};
	struct tx_args a = {0};
	struct endpoint_tls tls = {0};
	char *url = NULL;
	enum tp_provider tee;
	enum MHD_Result ret;
	enum db_status st;
	json_t *doc = NULL;

	memset(&att, 0, sizeof(att));
	if (!auth_require_provider(r, &who))
		return MHD_YES;
	if (!reg_is_uuid(r->param))
		return reply_error(r, TP_ERR_endpoint_not_found, NULL);
	st = reg_endpoint_ref(r->param, &ref);
	if (st == DB_OK && strcmp(ref.provider_id, who.provider_id) != 0)
		st = DB_NOT_FOUND;
	if (st != DB_OK) {
		ret = reg_reply_db(r, st, TP_ERR_endpoint_not_found);
		goto out;
	}
	if ((doc = request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                        false)) == NULL) {
		ret = MHD_YES;
		goto out;
	}
	if (!provider_parse(ref.tee_type, &tee))
		tee = TP_PROVIDER_NONE;
	if (!attestation_parse(r, doc, tee, &att)) {
		ret = MHD_YES;
		goto out;
	}
	att.expected = ref.doc;
	att.endpoint_id = r->param;
	att.ref_version = ref.version;
	att.ref_sha256 = ref.sha256;
	/* The layout registered decides where the runtime data is bound. */
	if ((st = endpoint_tls_layout_of(r->param, &tls.layout, &url)) !=
	    DB_OK) {
		ret = reg_reply_db(r, st, TP_ERR_endpoint_not_found);
		goto out;
	}
	/* attestation_verify fills the rest of att.req. */
	att.req.runtime_data_upper = tls_binding_runtime_data_upper(tls.layout);
	if (!attestation_verify(r, &att)) {
		ret = MHD_YES;
		goto out;
	}
	/* A key mismatch is a failed attestation: recorded as such below. */
	endpoint_tls_appraise(&att, url, &tls);
	if (att.valid && !attestation_sign(&att)) {
		ret = reply_error(r, TP_ERR_signing_unavailable, NULL);
		goto out;
	}
	a.who = &who;
	a.id = r->param;
	a.version = ref.version;
	a.att = &att;
	a.tls = &tls;
	st = db_tx(transaction, &a);
	if (a.device_in_use) {
		ret = reply_error(r, TP_ERR_device_in_use, "devices");
		goto out;
	}
	if (st != DB_OK) {
		ret = reg_reply_db(r, st, TP_ERR_endpoint_not_found);
		goto out;
	}
	if (a.changed) {
		ret = reply_error(r, TP_ERR_reference_values_changed, NULL);
		goto out;
	}
	attestation_settle(&att);
	if (tls.refused != TP_ERR_none) {
		ret = endpoint_tls_reply_refused(r, tls.refused,
		                                 attestation_json(&att, false));
		goto out;
	}
	if (a.usable)
		metrics_passport_issued();
	ret = endpoint_reply(r, 200, r->param,
	                     attestation_json(&att, a.usable));
out:
	free(url);
	endpoint_tls_free(&tls);
	attestation_free(&att);
	json_decref(ref.doc);
	json_decref(doc);
	return ret;
}
