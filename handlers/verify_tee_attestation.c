/*
 * POST /api/verify/tee-attestation (API.md): parse the request with a
 * field table, run the pure verifier, then — for a nonce or a passport —
 * one SERIALIZABLE transaction that consumes the nonce and commits the
 * passport, and only then reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/tptime.h"
#include "db/db.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/ratelimit.h"
#include "handlers/registry_util.h"
#include "handlers/devices.h"
#include "handlers/handlers.h"
#include "handlers/nonce.h"
#include "server/app.h"
#include "server/metrics.h"
#include "verify/core/composite.h"
#include "verify/core/expected.h"
#include "verify/verify.h"

static const struct json_field fields[] = {
        {"attestation", JSON_STRING, true, false},
        {"provider", JSON_STRING, false, false},
        {"runtime_data", JSON_STRING, false, false},
        {"nonce", JSON_STRING, false, false},
        {"collateral", JSON_OBJECT, false, true},
        {"expected", JSON_OBJECT, false, false},
        {"endpoint_id", JSON_STRING, false, false},
        {"issue_passport", JSON_TRUE, false, false},
        {"devices", JSON_ARRAY, false, false},
};

/* The decoded request; everything freed by input_free. */
struct input {
	json_t *doc;
	uint8_t *evidence;
	size_t evidence_len;
	uint8_t *runtime_data;
	size_t runtime_data_len;
	uint8_t nonce[32];
	bool has_nonce;
	bool issue_passport;
	struct verify_request vreq;
	struct verify_device devices[COMPOSITE_MAX_DEVICES];
	uint8_t *device_evidence[COMPOSITE_MAX_DEVICES];
	size_t n_devices;
	/* endpoint_id: the registry's current reference values */
	const char *endpoint_id;
	struct db_endpoint_ref ref;
	json_t *resolved;  /* collateral from the collateral service */
	json_t *artifacts; /* the artifacts it used */
	json_t *device_resolved[COMPOSITE_MAX_DEVICES]; /* per device */
};

static void
input_free(struct input *in)
{
	json_decref(in->doc);
	json_decref(in->ref.doc);
	json_decref(in->resolved);
	json_decref(in->artifacts);
	free(in->evidence);
	free(in->runtime_data);
	for (size_t i = 0; i < in->n_devices; i++) {
		free(in->device_evidence[i]);
		json_decref(in->device_resolved[i]);
	}
}

/*
 * "endpoint_id": the expected values are the endpoint's current reference
 * values (a live endpoint; else 404), and the evidence must be of its TEE
 * type. Sending "expected" as well is refused: one source of truth.
 */
static bool
lookup_endpoint(struct request *r, struct input *in, const char *id)
{
	enum tp_provider tee;
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
	if (!provider_parse(in->ref.tee_type, &tee)) {
		reply_error(r, TP_ERR_internal_error, NULL);
		return false;
	}
	if (in->vreq.provider != TP_PROVIDER_NONE && in->vreq.provider != tee) {
		reply_error(r, TP_ERR_invalid_field, "provider");
		return false;
	}
	in->vreq.provider = tee;
	in->endpoint_id = id;
	return true;
}

/* Decodes and checks the members; on failure replies 400 and returns
 * false. */
static bool
parse_input(struct request *r, struct input *in)
{
	const char *s;
	json_t *v;
	char field[96];

	memset(in, 0, sizeof(*in));
	in->issue_passport = true;
	if ((in->doc =
	             request_json(r, fields, sizeof(fields) / sizeof(fields[0]),
	                          false)) == NULL)
		return false;
	s = json_string_value(json_object_get(in->doc, "attestation"));
	if (!codec_evidence_decode(s, strlen(s), &in->evidence,
	                           &in->evidence_len)) {
		reply_error(r, TP_ERR_bad_encoding, "attestation");
		return false;
	}
	in->vreq.provider = TP_PROVIDER_NONE;
	if ((s = json_string_value(json_object_get(in->doc, "provider")))) {
		if (!provider_parse(s, &in->vreq.provider)) {
			reply_error(r, TP_ERR_unknown_provider, "provider");
			return false;
		}
	}
	if ((s = json_string_value(json_object_get(in->doc, "runtime_data")))) {
		if (!codec_base64_decode(s, strlen(s), &in->runtime_data,
		                         &in->runtime_data_len)) {
			reply_error(r, TP_ERR_invalid_field, "runtime_data");
			return false;
		}
	}
	if ((s = json_string_value(json_object_get(in->doc, "nonce")))) {
		if (!codec_hex_decode_fixed(s, in->nonce, 32)) {
			reply_error(r, TP_ERR_invalid_field, "nonce");
			return false;
		}
		in->has_nonce = true;
	}
	if ((v = json_object_get(in->doc, "expected")) != NULL &&
	    !expected_validate(v, field, sizeof(field))) {
		reply_error(r, TP_ERR_invalid_field, field);
		return false;
	}
	if ((s = json_string_value(json_object_get(in->doc, "endpoint_id")))) {
		if (!lookup_endpoint(r, in, s))
			return false;
	}
	if ((v = json_object_get(in->doc, "issue_passport")) != NULL)
		in->issue_passport = json_is_true(v);
	if ((v = json_object_get(in->doc, "devices")) != NULL &&
	    !request_devices_parse(r, v, in->runtime_data != NULL, in->devices,
	                           in->device_evidence, &in->n_devices))
		return false;
	in->vreq.evidence = in->evidence;
	in->vreq.evidence_len = in->evidence_len;
	in->vreq.runtime_data = in->runtime_data;
	in->vreq.runtime_data_len = in->runtime_data_len;
	in->vreq.nonce = in->has_nonce ? in->nonce : NULL;
	in->vreq.nonce_len = in->has_nonce ? 32 : 0;
	in->vreq.expected = in->endpoint_id != NULL
	                            ? in->ref.doc
	                            : json_object_get(in->doc, "expected");
	in->vreq.collateral = json_object_get(in->doc, "collateral");
	in->vreq.collateral_path = app.cfg.collateral_dir;
	in->vreq.now = config_now(&app.cfg);
	in->vreq.cfg = &app.cfg.verify;
	return true;
}

/*
 * The collateral service's collateral for evidence EV of provider PROV
 * into *OUT (NULL when the service has none to offer for it), its
 * artifacts appended to in->artifacts. Replies 503 naming the artifact
 * and returns false when it cannot supply one the evidence needs.
 */
static bool
resolve_one(struct request *r, struct input *in, const uint8_t *ev, size_t len,
            enum tp_provider prov, json_t **out)
{
	char artifact[200];
	int64_t retry = 5;
	enum coll_status st;
	json_t *arts = NULL;

	*out = NULL;
	st = coll_resolve(ev, len, prov, in->vreq.now, out, &arts, artifact,
	                  sizeof(artifact), &retry);
	switch (st) {
	case COLL_OK:
		if (in->artifacts == NULL)
			in->artifacts = json_array();
		json_array_extend(in->artifacts, arts);
		json_decref(arts);
		return true;
	case COLL_NOT_APPLICABLE:
	case COLL_BAD_EVIDENCE:
		return true; /* verify_run judges the evidence */
	default:
		reply_collateral_error(r, st, artifact, retry);
		return false;
	}
}

/* NVIDIA GPU evidence online: the OCSP responses for its device chain,
 * added to its collateral (*COLL, whose owned copy is *OWNED). */
static void
add_ocsp(const uint8_t *ev, size_t len, enum tp_provider prov,
         const json_t **coll, json_t **owned)
{
	json_t *m = coll_gpu_ocsp(ev, len, prov, *coll);

	if (m == NULL)
		return;
	/* M holds its own references to what it copied from *COLL. */
	json_decref(*owned);
	*owned = m;
	*coll = m;
}

/*
 * No collateral_dir: the evidence and each device that came without
 * collateral get theirs from the collateral service (cache, then
 * vendor). GPU evidence gets OCSP responses for its device chain when
 * online. Returns false once a 503 was sent.
 */
static bool
resolve_collateral(struct request *r, struct input *in)
{
	add_ocsp(in->evidence, in->evidence_len, in->vreq.provider,
	         &in->vreq.collateral, &in->resolved);
	for (size_t i = 0; i < in->n_devices; i++)
		add_ocsp(in->devices[i].evidence, in->devices[i].evidence_len,
		         in->devices[i].provider, &in->devices[i].collateral,
		         &in->device_resolved[i]);
	if (in->vreq.collateral_path != NULL)
		return true;
	if (in->vreq.collateral == NULL) {
		if (!resolve_one(r, in, in->evidence, in->evidence_len,
		                 in->vreq.provider, &in->resolved))
			return false;
		in->vreq.collateral = in->resolved;
	}
	for (size_t i = 0; i < in->n_devices; i++) {
		struct verify_device *d = &in->devices[i];
		if (d->collateral != NULL)
			continue;
		if (!resolve_one(r, in, d->evidence, d->evidence_len,
		                 d->provider, &in->device_resolved[i]))
			return false;
		d->collateral = in->device_resolved[i];
	}
	return true;
}

/* The digest that makes issuing idempotent: the same evidence with the
 * same claims and reference values gives the same passport. */
static void
request_digest(const struct input *in, const struct verdict *v, char hex[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *name = provider_name(v->provider);
	uint8_t md[32], rd[32];
	char *expected = NULL;

	memset(md, 0, sizeof(md));
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(ctx, v->evidence_sha256, 32);
	EVP_DigestUpdate(ctx, name, strlen(name) + 1);
	if (in->runtime_data != NULL) {
		SHA256(in->runtime_data, in->runtime_data_len, rd);
		EVP_DigestUpdate(ctx, "R", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	if (in->vreq.expected != NULL)
		expected = json_dumps(in->vreq.expected,
		                      JSON_COMPACT | JSON_SORT_KEYS);
	EVP_DigestUpdate(ctx, "E", 1);
	if (expected != NULL)
		EVP_DigestUpdate(ctx, expected, strlen(expected));
	if (in->endpoint_id != NULL) {
		EVP_DigestUpdate(ctx, "P", 1);
		EVP_DigestUpdate(ctx, in->endpoint_id,
		                 strlen(in->endpoint_id) + 1);
		EVP_DigestUpdate(ctx, &in->ref.version,
		                 sizeof(in->ref.version));
	}
	/* Composite: the same CPU evidence with other devices is another
	 * request. */
	for (size_t i = 0; i < in->n_devices; i++) {
		SHA256(in->devices[i].evidence, in->devices[i].evidence_len,
		       rd);
		EVP_DigestUpdate(ctx, "D", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
out:
	free(expected);
	EVP_MD_CTX_free(ctx);
	codec_hex_encode_to(md, 32, hex);
}

/* What the transaction needs and yields. */
struct tx_args {
	const struct input *in;
	struct verdict *v;
	enum db_nonce_result nonce_result;
	bool want_passport;
	struct db_passport_row row;
	json_t *passport; /* {"id","token","expires_at"} */
	bool reused;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	json_t *existing = NULL;

	a->nonce_result = DB_NONCE_OK;
	if (a->in->has_nonce) {
		st = db_challenge_consume(c, a->in->nonce, 32, a->in->vreq.now,
		                          &a->nonce_result);
		if (st != DB_OK)
			return st;
		/* A refused nonce: commit nothing but the consumption. */
		if (a->nonce_result != DB_NONCE_OK)
			return DB_OK;
	}
	if (!a->want_passport)
		return DB_OK;
	st = db_passport_find_by_request(c, a->row.request_sha256,
	                                 a->in->vreq.now, a->row.kid,
	                                 &existing);
	if (st == DB_OK) {
		json_decref(a->passport);
		a->passport = existing;
		a->reused = true;
		return DB_OK;
	}
	if (st != DB_NOT_FOUND)
		return st;
	a->reused = false;
	return db_passport_insert(c, &a->row);
}

/* Claims, signature and row of the passport, before the transaction. */
static bool
prepare_passport(const struct input *in, struct verdict *v, struct tx_args *a,
                 char id[37], char **token, char **claims_json, char ev_hex[65],
                 char req_hex[65])
{
	const struct passport_key *key = v->provider == TP_PROVIDER_MOCK
	                                         ? &app.keys.mock
	                                         : &app.keys.current;
	struct passport_params p = {0};
	json_t *claims;
	char exp[32];
	int64_t expires;

	reg_uuid(id);
	p.issuer = app.cfg.issuer;
	p.id = id;
	p.iat = in->vreq.now;
	p.ttl = app.cfg.passport_ttl;
	p.policy = in->vreq.expected;
	p.endpoint_id = in->endpoint_id;
	if ((claims = passport_claims(v, &p)) == NULL)
		return false;
	if (in->endpoint_id != NULL)
		json_object_set_new(claims, "reference_values",
		                    json_pack("{s:i, s:s}", "version",
		                              in->ref.version, "sha256",
		                              in->ref.sha256));
	expires = json_integer_value(json_object_get(claims, "exp"));
	*claims_json = json_dumps(claims, JSON_COMPACT);
	*token = passport_sign(key, claims);
	json_decref(claims);
	if (*claims_json == NULL || *token == NULL || expires <= p.iat)
		return false;
	codec_hex_encode_to(v->evidence_sha256, 32, ev_hex);
	request_digest(in, v, req_hex);
	a->row.id = id;
	a->row.verified_at = in->vreq.now;
	a->row.expires_at = expires;
	a->row.ear_status = verdict_status(v);
	a->row.tee_type = provider_name(v->provider);
	a->row.hardware_attested = v->hardware_verified;
	a->row.claims_json = *claims_json;
	a->row.token = *token;
	a->row.kid = key->kid;
	a->row.evidence = in->evidence;
	a->row.evidence_len = in->evidence_len;
	a->row.evidence_sha256 = ev_hex;
	a->row.request_sha256 = req_hex;
	a->row.endpoint_id = in->endpoint_id;
	tptime_format(expires, exp);
	a->passport = json_pack("{s:s, s:s, s:s}", "id", id, "token", *token,
	                        "expires_at", exp);
	return a->passport != NULL;
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

enum MHD_Result
handler_verify_tee_attestation(struct request *r)
{
	struct input in;
	struct verdict v;
	struct tx_args a = {0};
	char id[37], ev_hex[65], req_hex[65];
	char *token = NULL, *claims_json = NULL;
	enum MHD_Result ret;
	enum db_status st;
	bool valid;
	json_t *out;

	memset(&v, 0, sizeof(v));
	memset(&in, 0, sizeof(in));
	if (!verify_admitted(r))
		return MHD_YES;
	if (!parse_input(r, &in) || !resolve_collateral(r, &in)) {
		input_free(&in);
		return MHD_YES;
	}
	verify_run(&in.vreq, &v);
	verify_devices(&in.vreq, in.devices, in.n_devices, &v);
	valid = verdict_valid(&v);
	a.in = &in;
	a.v = &v;
	a.want_passport = valid && in.issue_passport;
	if (a.want_passport &&
	    !prepare_passport(&in, &v, &a, id, &token, &claims_json, ev_hex,
	                      req_hex)) {
		ret = reply_error(r, TP_ERR_signing_unavailable, NULL);
		goto out;
	}
	if (in.has_nonce || a.want_passport) {
		st = db_tx(transaction, &a);
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
		if (in.has_nonce)
			nonce_record(&v, a.nonce_result);
	}
	valid = verdict_valid(&v);
	metrics_verification(v.provider, valid);
	out = verdict_to_json(&v);
	if (in.artifacts != NULL)
		json_object_set(out, "collateral_artifacts", in.artifacts);
	if (valid && a.want_passport && a.passport != NULL) {
		json_object_set(out, "passport", a.passport);
		if (!a.reused)
			metrics_passport_issued();
	}
	tp_log(TP_LOG_INFO, "verdict %s provider=%s valid=%s errors=%zu%s",
	       verdict_status(&v), provider_name(v.provider),
	       valid ? "true" : "false", json_array_size(v.errors),
	       a.reused ? " (existing passport)" : "");
	ret = reply_json(r, 200, out);
out:
	json_decref(a.passport);
	free(token);
	free(claims_json);
	verdict_free(&v);
	input_free(&in);
	return ret;
}
