/* The one attestation path of the verify and registry handlers
 * (handlers/attestation.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/fastjson.h"
#include "common/tptime.h"
#include "handlers/attestation.h"
#include "handlers/devices.h"
#include "handlers/handlers.h"
#include "handlers/nonce.h"
#include "handlers/reappraise.h"
#include "handlers/registry_util.h"
#include "load/load.h"
#include "server/app.h"
#include "server/metrics.h"
#include "tlog/merkle.h"

bool
attestation_parse(struct request *r, const json_t *doc, enum tp_provider tee,
                  struct attestation *a)
{
	const char *s;

	memset(a, 0, sizeof(*a));
	a->provider = tee;
	s = json_string_value(json_object_get(doc, "attestation"));
	if (s == NULL || !codec_evidence_decode(s, strlen(s), &a->evidence,
	                                        &a->evidence_len)) {
		reply_error(r, TP_ERR_bad_encoding, "attestation");
		return false;
	}
	if ((s = json_string_value(json_object_get(doc, "runtime_data"))) &&
	    !codec_base64_decode(s, strlen(s), &a->runtime_data,
	                         &a->runtime_data_len)) {
		reply_error(r, TP_ERR_invalid_field, "runtime_data");
		return false;
	}
	if ((s = json_string_value(json_object_get(doc, "nonce")))) {
		if (!codec_hex_decode_fixed(s, a->nonce, 32)) {
			reply_error(r, TP_ERR_invalid_field, "nonce");
			return false;
		}
		a->has_nonce = true;
	}
	if ((s = json_string_value(json_object_get(doc, "event_log"))) &&
	    !codec_base64_decode(s, strlen(s), &a->event_log,
	                         &a->event_log_len)) {
		reply_error(r, TP_ERR_invalid_field, "event_log");
		return false;
	}
	if ((s = json_string_value(json_object_get(doc, "event_log_table"))) &&
	    !codec_base64_decode(s, strlen(s), &a->event_log_table,
	                         &a->event_log_table_len)) {
		reply_error(r, TP_ERR_invalid_field, "event_log_table");
		return false;
	}
	a->collateral = json_object_get(doc, "collateral");
	if (json_is_null(a->collateral))
		a->collateral = NULL;
	if (json_object_get(doc, "devices") != NULL &&
	    !request_devices_parse(r, json_object_get(doc, "devices"),
	                           a->runtime_data != NULL, a->devices,
	                           a->device_evidence, a->device_collateral,
	                           &a->n_devices))
		return false;
	return true;
}

/*
 * The loaders, in order: the request's own collateral, else the
 * configured collateral_dir, else the collateral service for what phase
 * 1 said the evidence needs. Online, NVIDIA GPU evidence also gets OCSP
 * responses for its chains. Replies 503 naming the artifact and returns
 * false when the service cannot supply one the evidence needs.
 */
static bool
load_collateral(struct request *r, struct attestation *a, enum tp_provider p,
                const json_t *member, const uint8_t *ev, size_t len,
                const struct artifact_needs *needs, struct artifact_set *set)
{
	char artifact[200];
	int64_t retry = 5;
	enum coll_status st;

	if (member != NULL) {
		load_json(p, member, set);
	} else if (app.cfg.collateral_dir != NULL) {
		load_path(p, app.cfg.collateral_dir, set);
	} else {
		st = coll_resolve(ev, len, p, needs, a->req.now, set,
		                  a->artifacts, artifact, sizeof(artifact),
		                  &retry);
		if (st != COLL_OK && st != COLL_NOT_APPLICABLE &&
		    st != COLL_BAD_EVIDENCE) {
			reply_collateral_error(r, st, artifact, retry);
			return false;
		}
	}
	if (app.cfg.verify.snp.crl_file[0] != '\0')
		load_amd_crl_file(app.cfg.verify.snp.crl_file, set);
	coll_gpu_ocsp(ev, len, p, set);
	return true;
}

bool
attestation_verify(struct request *r, struct attestation *a)
{
	struct verify_evidence ev;
	struct timespec t0, t1;
	bool ok = false;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&ev, 0, sizeof(ev));
	a->sets = calloc(1 + a->n_devices, sizeof(*a->sets));
	a->artifacts = json_array();
	if (a->sets == NULL || a->artifacts == NULL) {
		reply_error(r, TP_ERR_internal_error, NULL);
		return false;
	}
	a->req.evidence = a->evidence;
	a->req.evidence_len = a->evidence_len;
	a->req.provider = a->provider;
	a->req.runtime_data = a->runtime_data;
	a->req.runtime_data_len = a->runtime_data_len;
	a->req.nonce = a->has_nonce ? a->nonce : NULL;
	a->req.nonce_len = a->has_nonce ? 32 : 0;
	a->req.expected = a->expected;
	a->req.event_log = a->event_log;
	a->req.event_log_len = a->event_log_len;
	a->req.event_log_table = a->event_log_table;
	a->req.event_log_table_len = a->event_log_table_len;
	a->req.artifacts = &a->sets[0];
	a->req.now = config_now(&app.cfg);
	a->req.cfg = &app.cfg.verify;
	verify_begin(&a->req, &a->v, &ev);
	a->verified = true;
	if (!ev.done &&
	    !load_collateral(r, a, ev.provider, a->collateral, a->evidence,
	                     a->evidence_len, &ev.needs, &a->sets[0]))
		goto out;
	verify_finish(&a->req, &ev, &a->v);
	for (size_t i = 0; i < a->n_devices; i++) {
		struct verify_device *d = &a->devices[i];
		enum tp_provider p =
		        d->provider != TP_PROVIDER_NONE
		                ? d->provider
		                : provider_detect(d->evidence, d->evidence_len);
		struct verify_request dreq = a->req;
		struct verify_evidence dev;
		struct verdict dv;
		bool loaded;

		/* The device's own phase 1 names what it needs (an SNP
		 * report's VCEK, an Intel quote's collateral); its verdict is
		 * made again by verify_devices. */
		dreq.evidence = d->evidence;
		dreq.evidence_len = d->evidence_len;
		dreq.provider = p;
		dreq.runtime_data = NULL;
		dreq.runtime_data_len = 0;
		dreq.nonce = NULL;
		dreq.nonce_len = 0;
		dreq.expected = NULL;
		dreq.event_log = NULL;
		dreq.event_log_table = NULL;
		dreq.artifacts = NULL;
		memset(&dev, 0, sizeof(dev));
		verify_begin(&dreq, &dv, &dev);
		loaded = load_collateral(r, a, p, a->device_collateral[i],
		                         d->evidence, d->evidence_len,
		                         dev.done ? NULL : &dev.needs,
		                         &a->sets[1 + i]);
		verify_evidence_free(&dev);
		verdict_free(&dv);
		if (!loaded)
			goto out;
		d->artifacts = &a->sets[1 + i];
	}
	verify_devices(&a->req, a->devices, a->n_devices, &a->v);
	a->valid = verdict_valid(&a->v);
	metrics_verification(a->v.provider, a->valid);
	metrics_ear_status(verdict_status(&a->v));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_verification_seconds(
	        a->v.provider, (double)(t1.tv_sec - t0.tv_sec) +
	                               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ok = true;
out:
	verify_evidence_free(&ev);
	return ok;
}

/*
 * The digest that makes issuing idempotent (db_passport_find_by_request):
 * the same evidence, runtime data, reference values (or endpoint and
 * reference version) and devices, judged to the same status on the same
 * keys and collateral, give the same passport.
 */
const char *
attestation_expected_json(struct attestation *a)
{
	if (a->expected_json == NULL && a->expected != NULL)
		a->expected_json =
		        json_dumps(a->expected, JSON_COMPACT | JSON_SORT_KEYS);
	return a->expected_json;
}

static void
request_digest(struct attestation *a, char hex[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *name = provider_name(a->v.provider);
	uint8_t md[32], rd[32];
	const char *expected = attestation_expected_json(a), *status;
	char *collateral = NULL, ver[16];

	memset(md, 0, sizeof(md));
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(ctx, "teepass-request-v3", 19);
	EVP_DigestUpdate(ctx, a->v.evidence_sha256, 32);
	EVP_DigestUpdate(ctx, name, strlen(name) + 1);
	if (a->runtime_data != NULL) {
		SHA256(a->runtime_data, a->runtime_data_len, rd);
		EVP_DigestUpdate(ctx, "R", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	/* The event log decides the components the passport lists. */
	if (a->event_log != NULL) {
		SHA256(a->event_log, a->event_log_len, rd);
		EVP_DigestUpdate(ctx, "L", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	if (a->event_log_table != NULL) {
		SHA256(a->event_log_table, a->event_log_table_len, rd);
		EVP_DigestUpdate(ctx, "T", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	EVP_DigestUpdate(ctx, "E", 1);
	if (expected != NULL)
		EVP_DigestUpdate(ctx, expected, strlen(expected) + 1);
	if (a->endpoint_id != NULL) {
		snprintf(ver, sizeof(ver), "%d", a->ref_version);
		EVP_DigestUpdate(ctx, "P", 1);
		EVP_DigestUpdate(ctx, a->endpoint_id,
		                 strlen(a->endpoint_id) + 1);
		EVP_DigestUpdate(ctx, ver, strlen(ver) + 1);
	}
	/* Composite: the same CPU evidence with other devices is another
	 * request. */
	for (size_t i = 0; i < a->n_devices; i++) {
		SHA256(a->devices[i].evidence, a->devices[i].evidence_len, rd);
		EVP_DigestUpdate(ctx, "D", 1);
		EVP_DigestUpdate(ctx, rd, 32);
	}
	/* What the judgement rested on: the same bytes judged with other
	 * keys or collateral (an operator-provisioned key, a new TCB Info)
	 * or to another status is another passport, never the earlier one. */
	status = verdict_status(&a->v);
	EVP_DigestUpdate(ctx, "V", 1);
	EVP_DigestUpdate(ctx, status, strlen(status) + 1);
	EVP_DigestUpdate(ctx, a->v.hardware_verified ? "H" : "h", 1);
	/* And by whom: a passport of another issuer is not this one's. */
	if (app.cfg.issuer != NULL)
		EVP_DigestUpdate(ctx, app.cfg.issuer,
		                 strlen(app.cfg.issuer) + 1);
	if (a->v.collateral != NULL &&
	    (collateral = json_dumps(a->v.collateral,
	                             JSON_COMPACT | JSON_SORT_KEYS)) != NULL)
		EVP_DigestUpdate(ctx, collateral, strlen(collateral) + 1);
	EVP_DigestFinal_ex(ctx, md, NULL);
out:
	free(collateral);
	EVP_MD_CTX_free(ctx);
	codec_hex_encode_to(md, 32, hex);
}

/*
 * The compact JWS A->token as the parts it is stored as (migration 0007,
 * issue 20): the header's text, the payload's bytes (A->claims_json, the
 * text passport_sign_text signed) and the raw signature, kept only when
 * they rebuild the token byte for byte (base64url without padding is
 * canonical for given bytes); otherwise the token is stored whole.
 */
static void
token_parts(struct attestation *a)
{
	const char *t = a->token, *d1, *d2;
	char *again = NULL;

	if ((d1 = strchr(t, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return;
	if ((again = codec_base64url_encode((const uint8_t *)a->claims_json,
	                                    strlen(a->claims_json))) == NULL ||
	    strlen(again) != (size_t)(d2 - d1 - 1) ||
	    memcmp(again, d1 + 1, strlen(again)) != 0 ||
	    !codec_base64_decode(d2 + 1, strlen(d2 + 1), &a->jws_sig,
	                         &a->jws_sig_len))
		goto out;
	free(again);
	again = codec_base64url_encode(a->jws_sig, a->jws_sig_len);
	if (again == NULL || strcmp(again, d2 + 1) != 0 ||
	    (a->jws_header = strndup(t, (size_t)(d1 - t))) == NULL)
		goto out;
	a->row.jws_header = a->jws_header;
	a->row.jws_payload = a->claims_json;
	a->row.jws_signature = a->jws_sig;
	a->row.jws_signature_len = a->jws_sig_len;
out:
	if (a->row.jws_header == NULL) {
		free(a->jws_header);
		free(a->jws_sig);
		a->jws_header = NULL;
		a->jws_sig = NULL;
	}
	free(again);
}

bool
attestation_sign(struct attestation *a)
{
	const struct passport_key *key = a->v.provider == TP_PROVIDER_MOCK
	                                         ? &app.keys.mock
	                                         : &app.keys.current;
	struct passport_params p = {0};
	json_t *claims;
	int64_t expires;
	char exp[32], nonce[65];

	reg_uuid(a->passport_id);
	if (a->has_nonce) {
		codec_hex_encode_to(a->nonce, 32, nonce);
		p.nonce_hex = nonce;
	}
	p.issuer = app.cfg.issuer;
	p.id = a->passport_id;
	p.endpoint_id = a->endpoint_id;
	p.iat = a->req.now;
	p.ttl = app.cfg.passport_ttl;
	p.policy = a->expected;
	p.policy_json = attestation_expected_json(a);
	if ((claims = passport_claims(&a->v, &p)) == NULL)
		return false;
	/* Which reference values the evidence was appraised against. */
	if (a->endpoint_id != NULL)
		json_object_set_new(claims, "reference_values",
		                    json_pack("{s:i, s:s}", "version",
		                              a->ref_version, "sha256",
		                              a->ref_sha256));
	expires = json_integer_value(json_object_get(claims, "exp"));
	/* Serialised once: stored, and signed as it is. */
	a->claims_json = fastjson_dumps(claims, JSON_COMPACT);
	a->token = passport_sign_text(key, a->claims_json);
	json_decref(claims);
	if (a->claims_json == NULL || a->token == NULL || expires <= p.iat)
		return false;
	codec_hex_encode_to(a->v.evidence_sha256, 32, a->ev_hex);
	request_digest(a, a->req_hex);
	a->row.id = a->passport_id;
	a->row.verified_at = a->req.now;
	a->row.expires_at = expires;
	a->row.ear_status = verdict_status(&a->v);
	a->row.tee_type = provider_name(a->v.provider);
	a->row.hardware_attested = a->v.hardware_verified;
	a->row.claims_json = a->claims_json;
	a->row.token = a->token;
	tlog_leaf_hash((const uint8_t *)a->token, strlen(a->token),
	               a->leaf_hash);
	a->row.leaf_hash = a->leaf_hash;
	a->row.kid = key->kid;
	a->row.evidence = a->evidence;
	a->row.evidence_len = a->evidence_len;
	a->row.evidence_sha256 = a->ev_hex;
	a->row.request_sha256 = a->req_hex;
	a->row.endpoint_id = a->endpoint_id;
	token_parts(a);
	if (!appraisal_record(a))
		return false;
	tptime_format(expires, exp);
	json_decref(a->passport);
	a->passport = json_pack("{s:s, s:s, s:s}", "id", a->passport_id,
	                        "token", a->token, "expires_at", exp);
	return a->passport != NULL;
}

enum db_status
attestation_consume_nonce(PGconn *c, struct attestation *a, bool *usable)
{
	enum db_status st;

	a->nonce_result = DB_NONCE_OK;
	*usable = a->valid;
	if (!a->has_nonce)
		return DB_OK;
	st = db_challenge_consume(c, a->nonce, 32, a->req.now,
	                          &a->nonce_result);
	if (st != DB_OK)
		return st;
	if (a->nonce_result != DB_NONCE_OK)
		*usable = false;
	return DB_OK;
}

void
attestation_settle(struct attestation *a)
{
	appraisal_record_committed(a);
	if (a->has_nonce)
		nonce_record(&a->v, a->nonce_result);
}

json_t *
attestation_json(const struct attestation *a, bool committed)
{
	json_t *out = verdict_to_json(&a->v);

	if (out == NULL)
		return NULL;
	if (json_array_size(a->artifacts) > 0)
		json_object_set(out, "collateral_artifacts", a->artifacts);
	if (committed && a->passport != NULL && verdict_valid(&a->v))
		json_object_set(out, "passport", a->passport);
	if (committed && a->log_entry != NULL && verdict_valid(&a->v))
		json_object_set(out, "transparency_log", a->log_entry);
	return out;
}

char *
attestation_errors(const struct attestation *a)
{
	if (a->v.errors == NULL)
		return strdup("[]");
	return json_dumps(a->v.errors, JSON_COMPACT);
}

void
attestation_free(struct attestation *a)
{
	if (a == NULL)
		return;
	free(a->evidence);
	free(a->runtime_data);
	free(a->event_log);
	free(a->event_log_table);
	for (size_t i = 0; i < a->n_devices; i++)
		free(a->device_evidence[i]);
	if (a->sets != NULL)
		for (size_t i = 0; i < 1 + a->n_devices; i++)
			artifact_set_clear(&a->sets[i]);
	free(a->sets);
	json_decref(a->artifacts);
	free(a->token);
	free(a->claims_json);
	free(a->expected_json);
	free(a->appraisal_json);
	free(a->blobs_json);
	free(a->set_json);
	free(a->jws_header);
	free(a->jws_sig);
	json_decref(a->passport);
	json_decref(a->log_entry);
	if (a->verified)
		verdict_free(&a->v);
	memset(a, 0, sizeof(*a));
}
