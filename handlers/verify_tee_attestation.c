/*
 * POST /api/verify/tee-attestation (API.md): parse the request with a
 * field table, then the one attestation path (handlers/attestation.h):
 * verify with the collateral the loaders find, sign, and — for a nonce
 * or a passport — one SERIALIZABLE transaction that consumes the nonce
 * and commits the passport, and only then reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "db/db.h"
#include "db/registry.h"
#include "handlers/attestation.h"
#include "handlers/auth.h"
#include "handlers/db_json.h"
#include "handlers/handlers.h"
#include "handlers/log.h"
#include "handlers/ratelimit.h"
#include "handlers/registry_util.h"
#include "server/app.h"
#include "server/metrics.h"
#include "verify/core/expected.h"
#include "verify/core/tls_binding.h"

static const struct json_field fields[] = {
        {"attestation", JSON_STRING, true, false},
        {"provider", JSON_STRING, false, false},
        {"runtime_data", JSON_STRING, false, false},
        {"nonce", JSON_STRING, false, false},
        {"event_log", JSON_STRING, false, false},
        {"event_log_table", JSON_STRING, false, false},
        {"collateral", JSON_OBJECT, false, true},
        {"expected", JSON_OBJECT, false, false},
        {"endpoint_id", JSON_STRING, false, false},
        {"issue_passport", JSON_TRUE, false, false},
        {"devices", JSON_ARRAY, false, false},
};

/* The request beyond its evidence; everything freed by input_free. */
struct input {
	json_t *doc;
	bool issue_passport;
	struct attestation att;
	/* endpoint_id: the registry's current reference values */
	struct db_endpoint_ref ref;
};

static void
input_free(struct input *in)
{
	attestation_free(&in->att);
	json_decref(in->doc);
	json_decref(in->ref.doc);
}

/*
 * "endpoint_id": the expected values are the endpoint's current reference
 * values (a live endpoint; else 404), and the evidence must be of its TEE
 * type. Sending "expected" as well is refused: one source of truth. The
 * runtime data is bound where the endpoint's declared tls_binding layout
 * says (report_data_split: REPORT_DATA[32:64]), as at registration.
 */
static bool
lookup_endpoint(struct request *r, struct input *in, const char *id)
{
	enum tp_provider tee;
	enum tls_binding_layout layout;
	enum db_status st;

	if (json_object_get(in->doc, "expected") != NULL) {
		reply_error(r, TP_ERR_invalid_field, "expected");
		return false;
	}
	if (!reg_is_uuid(id)) {
		reply_error(r, TP_ERR_endpoint_not_found, "endpoint_id");
		return false;
	}
	st = reg_endpoint_ref(id, &in->ref);
	if (st != DB_OK) {
		reg_reply_db(r, st, TP_ERR_endpoint_not_found);
		return false;
	}
	if (!provider_parse(in->ref.tee_type, &tee) ||
	    !tls_binding_layout_parse(in->ref.tls_binding, &layout)) {
		reply_error(r, TP_ERR_internal_error, NULL);
		return false;
	}
	if (in->att.provider != TP_PROVIDER_NONE && in->att.provider != tee) {
		reply_error(r, TP_ERR_invalid_field, "provider");
		return false;
	}
	in->att.provider = tee;
	in->att.endpoint_id = id;
	in->att.expected = in->ref.doc;
	in->att.ref_version = in->ref.version;
	in->att.ref_sha256 = in->ref.sha256;
	/* attestation_verify fills the rest of att.req. */
	in->att.req.runtime_data_upper = tls_binding_runtime_data_upper(layout);
	return true;
}

/* Decodes and checks the members; on failure replies 400 and returns
 * false. */
static bool
parse_input(struct request *r, struct input *in)
{
	enum tp_provider prov = TP_PROVIDER_NONE;
	const char *s;
	json_t *v;
	char field[96];

	memset(in, 0, sizeof(*in));
	in->issue_passport = true;
	if ((in->doc =
	             request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                          false)) == NULL)
		return false;
	if ((s = json_string_value(json_object_get(in->doc, "provider"))) &&
	    !provider_parse(s, &prov)) {
		reply_error(r, TP_ERR_unknown_provider, "provider");
		return false;
	}
	if (!attestation_parse(r, in->doc, prov, &in->att))
		return false;
	if ((v = json_object_get(in->doc, "expected")) != NULL &&
	    !expected_validate(v, field, sizeof(field))) {
		reply_error(r, TP_ERR_invalid_field, field);
		return false;
	}
	in->att.expected = v;
	if ((s = json_string_value(json_object_get(in->doc, "endpoint_id"))) &&
	    !lookup_endpoint(r, in, s))
		return false;
	if ((v = json_object_get(in->doc, "issue_passport")) != NULL)
		in->issue_passport = json_is_true(v);
	return true;
}

/* What the transaction needs and yields. */
struct tx_args {
	struct attestation *att;
	bool want_passport;
	bool usable;
	bool reused;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	struct db_passport_issued existing;

	if ((st = attestation_consume_nonce(c, a->att, &a->usable)) != DB_OK)
		return st;
	/* A refused nonce: commit nothing but the consumption. */
	if (!a->want_passport || !a->usable)
		return DB_OK;
	/* Same request, same passport: concurrent issues of one request
	 * wait in the lookup, so the second finds what the first
	 * committed. */
	st = db_passport_find_by_request(c, a->att->row.request_sha256,
	                                 a->att->req.now, a->att->row.kid,
	                                 &existing);
	if (st == DB_OK) {
		json_decref(a->att->passport);
		a->att->passport = db_json_passport_issued(&existing);
		free(existing.token);
		a->reused = true;
		return a->att->passport != NULL ? DB_OK : DB_ERROR;
	}
	if (st != DB_NOT_FOUND)
		return st;
	a->reused = false;
	return db_passport_insert(c, &a->att->row);
}

/*
 * Who may verify: anyone (rate-limited per client address) unless
 * verify_requires_key is set, then any valid API key. Replies and
 * returns false when the request is not admitted.
 */
static bool
verify_admitted(struct request *r)
{
	struct auth who;

	if (app.cfg.verify_requires_key)
		return auth_authenticate(r, &who);
	if (!ratelimit_admit(r, app.cfg.verify_rate_limit)) {
		reply_error(r, TP_ERR_rate_limited, NULL);
		return false;
	}
	return true;
}

/* A verification from its input to its reply; on the heap, since its
 * reply may wait for the log (handlers/log.h, log_wait). */
struct verify_call {
	struct input in;
	struct tx_args a;
	bool valid;
	bool proof_set; /* in.att.log_entry is what the log's waiter gave */
};

static const char *
passport_id(const struct verify_call *v)
{
	return json_string_value(json_object_get(v->in.att.passport, "id"));
}

static void
verify_call_free(void *arg)
{
	struct verify_call *v = arg;

	input_free(&v->in);
	free(v);
}

/* The reply, once the inclusion proof is there (or known absent). */
static enum MHD_Result
finish(struct request *r, struct verify_call *v)
{
	struct attestation *att = &v->in.att;
	enum MHD_Result ret;

	if (v->valid && v->a.want_passport && !v->a.reused)
		metrics_passport_issued();
	tp_log(TP_LOG_INFO, "verdict %s provider=%s valid=%s errors=%zu%s",
	       verdict_status(&att->v), provider_name(att->v.provider),
	       v->valid ? "true" : "false", json_array_size(att->v.errors),
	       v->a.reused ? " (existing passport)" : "");
	ret = reply_json(r, 200,
	                 attestation_json(att, v->valid && v->a.want_passport));
	verify_call_free(v);
	return ret;
}

/* The log's waiter thread: the proof of a fresh passport (or NULL). */
static void
proof_done(void *arg, json_t *proof)
{
	struct request *r = arg;
	struct verify_call *v = r->resume_arg;

	v->in.att.log_entry = proof;
	v->proof_set = true;
	MHD_resume_connection(r->conn);
}

/* MHD resumed the connection (server/daemon.c): reply. */
static enum MHD_Result
resumed(struct request *r)
{
	struct verify_call *v = r->resume_arg;

	r->resume_arg = NULL;
	if (!v->proof_set)
		v->in.att.log_entry =
		        log_passport_inclusion(passport_id(v), true);
	return finish(r, v);
}

enum MHD_Result
handler_verify_tee_attestation(struct request *r)
{
	struct verify_call *v = calloc(1, sizeof(*v));
	struct attestation *att;
	enum MHD_Result ret = MHD_YES;
	enum db_status st;

	if (v == NULL)
		return reply_error(r, TP_ERR_internal_error, NULL);
	att = &v->in.att;
	if (!verify_admitted(r))
		goto out;
	if (!parse_input(r, &v->in) || !attestation_verify(r, att))
		goto out;
	v->a.att = att;
	v->a.want_passport = att->valid && v->in.issue_passport;
	v->a.usable = att->valid;
	if (v->a.want_passport && !attestation_sign(att)) {
		ret = reply_error(r, TP_ERR_signing_unavailable, NULL);
		goto out;
	}
	if (att->has_nonce || v->a.want_passport) {
		/* Past the drain deadline a reply may never be sent:
		 * consume no nonce and commit no passport. */
		if (!commit_begin(r)) {
			ret = reply_error(r, TP_ERR_shutting_down, NULL);
			goto out;
		}
		/*
		 * READ COMMITTED: the nonce is one conditional UPDATE and the
		 * passport an INSERT after a lookup serialised per request
		 * digest, so nothing needs SERIALIZABLE's predicate locks —
		 * which, on a small or just-truncated passports table, cover
		 * the whole relation and make concurrent verifications fail
		 * each other (issue 20).
		 */
		st = db_tx_read_committed(transaction, &v->a);
		commit_end(r, st == DB_OK);
		if (st != DB_OK) {
			/* No commit, no passport: the caller retries. */
			metrics_db_unavailable();
			ret = reply_error(r,
			                  st == DB_INVALID
			                          ? TP_ERR_invalid_field
			                          : TP_ERR_database_unavailable,
			                  NULL);
			goto out;
		}
		attestation_settle(att);
	}
	v->valid = verdict_valid(&att->v);
	/* After the commit the entry is durable: the reply waits, off
	 * this worker thread, for the sequencer run that gives it its
	 * inclusion proof, shared with every passport committed meanwhile
	 * (handlers/log.h); without that thread, the proof is made on
	 * resume. An earlier passport's proof is looked up at once. */
	if (v->valid && v->a.want_passport && !v->a.reused && log_enabled()) {
		r->resume = resumed;
		r->resume_arg = v;
		r->resume_free = verify_call_free;
		MHD_suspend_connection(r->conn);
		if (!log_wait(passport_id(v), proof_done, r))
			MHD_resume_connection(r->conn);
		return MHD_YES;
	}
	if (v->valid && v->a.want_passport)
		att->log_entry = log_passport_inclusion(passport_id(v), false);
	return finish(r, v);
out:
	verify_call_free(v);
	return ret;
}
