#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "handlers/devices.h"
#include "handlers/endpoint_attest.h"
#include "handlers/nonce.h"
#include "handlers/registry_util.h"
#include "server/app.h"
#include "server/metrics.h"

bool
endpoint_attestation_parse(struct request *r, const json_t *doc,
                           enum tp_provider tee, struct endpoint_attestation *a)
{
	const char *s;

	memset(a, 0, sizeof(*a));
	a->tee = tee;
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
	a->collateral = json_object_get(doc, "collateral");
	if (json_object_get(doc, "devices") != NULL &&
	    !request_devices_parse(r, json_object_get(doc, "devices"),
	                           a->runtime_data != NULL, a->devices,
	                           a->device_evidence, &a->n_devices))
		return false;
	return true;
}

/* What makes the passport row unique to this attestation: evidence,
 * runtime data, endpoint and reference version. */
static void
request_digest(const struct endpoint_attestation *a, const char *endpoint_id,
               int version, char hex[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t md[32];
	char ver[16];

	memset(md, 0, sizeof(md));
	snprintf(ver, sizeof(ver), "%d", version);
	if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		EVP_DigestUpdate(ctx, a->v.evidence_sha256, 32);
		EVP_DigestUpdate(ctx, "R", 1);
		if (a->runtime_data != NULL)
			EVP_DigestUpdate(ctx, a->runtime_data,
			                 a->runtime_data_len);
		EVP_DigestUpdate(ctx, "P", 1);
		EVP_DigestUpdate(ctx, endpoint_id, strlen(endpoint_id) + 1);
		EVP_DigestUpdate(ctx, ver, strlen(ver));
		for (size_t i = 0; i < a->n_devices; i++) {
			uint8_t dm[32];
			SHA256(a->devices[i].evidence,
			       a->devices[i].evidence_len, dm);
			EVP_DigestUpdate(ctx, "D", 1);
			EVP_DigestUpdate(ctx, dm, 32);
		}
		EVP_DigestFinal_ex(ctx, md, NULL);
	}
	EVP_MD_CTX_free(ctx);
	codec_hex_encode_to(md, 32, hex);
}

bool
endpoint_attestation_verify(struct endpoint_attestation *a,
                            const json_t *reference, const char *endpoint_id,
                            int version, const char *sha256)
{
	struct verify_request req = {0};
	const struct passport_key *key;
	struct passport_params p = {0};
	json_t *claims;
	int64_t expires;
	char exp[32];

	req.evidence = a->evidence;
	req.evidence_len = a->evidence_len;
	req.provider = a->tee;
	req.runtime_data = a->runtime_data;
	req.runtime_data_len = a->runtime_data_len;
	req.nonce = a->has_nonce ? a->nonce : NULL;
	req.nonce_len = a->has_nonce ? 32 : 0;
	req.expected = reference;
	req.collateral = a->collateral;
	req.collateral_path = app.cfg.collateral_dir;
	req.now = config_now(&app.cfg);
	req.cfg = &app.cfg.verify;
	verify_run(&req, &a->v);
	verify_devices(&req, a->devices, a->n_devices, &a->v);
	a->verified = true;
	a->valid = verdict_valid(&a->v);
	metrics_verification(a->v.provider, a->valid);
	if (!a->valid)
		return true;

	key = a->v.provider == TP_PROVIDER_MOCK ? &app.keys.mock
	                                        : &app.keys.current;
	reg_uuid(a->passport_id);
	p.issuer = app.cfg.issuer;
	p.id = a->passport_id;
	p.endpoint_id = endpoint_id;
	p.iat = req.now;
	p.ttl = app.cfg.passport_ttl;
	p.policy = reference;
	if ((claims = passport_claims(&a->v, &p)) == NULL)
		return false;
	/* Which reference values the evidence was appraised against. */
	json_object_set_new(
	        claims, "reference_values",
	        json_pack("{s:i, s:s}", "version", version, "sha256", sha256));
	expires = json_integer_value(json_object_get(claims, "exp"));
	a->claims_json = json_dumps(claims, JSON_COMPACT);
	a->token = passport_sign(key, claims);
	json_decref(claims);
	if (a->claims_json == NULL || a->token == NULL || expires <= p.iat)
		return false;
	codec_hex_encode_to(a->v.evidence_sha256, 32, a->ev_hex);
	request_digest(a, endpoint_id, version, a->req_hex);
	a->row.id = a->passport_id;
	a->row.verified_at = req.now;
	a->row.expires_at = expires;
	a->row.ear_status = verdict_status(&a->v);
	a->row.tee_type = provider_name(a->v.provider);
	a->row.hardware_attested = a->v.hardware_verified;
	a->row.claims_json = a->claims_json;
	a->row.token = a->token;
	a->row.kid = key->kid;
	a->row.evidence = a->evidence;
	a->row.evidence_len = a->evidence_len;
	a->row.evidence_sha256 = a->ev_hex;
	a->row.request_sha256 = a->req_hex;
	a->row.endpoint_id = endpoint_id;
	tptime_format(expires, exp);
	a->passport = json_pack("{s:s, s:s, s:s}", "id", a->passport_id,
	                        "token", a->token, "expires_at", exp);
	return a->passport != NULL;
}

enum db_status
endpoint_attestation_nonce(PGconn *c, struct endpoint_attestation *a,
                           bool *usable)
{
	enum db_status st;

	a->nonce_result = DB_NONCE_OK;
	*usable = a->valid;
	if (!a->has_nonce)
		return DB_OK;
	st = db_challenge_consume(c, a->nonce, 32, config_now(&app.cfg),
	                          &a->nonce_result);
	if (st != DB_OK)
		return st;
	if (a->nonce_result != DB_NONCE_OK)
		*usable = false;
	return DB_OK;
}

void
endpoint_attestation_settle(struct endpoint_attestation *a)
{
	struct verdict *v = &a->v;

	if (!a->has_nonce)
		return;
	nonce_record(v, a->nonce_result);
}

json_t *
endpoint_attestation_json(const struct endpoint_attestation *a, bool committed)
{
	json_t *out = verdict_to_json(&a->v);

	if (out != NULL && committed && a->passport != NULL &&
	    verdict_valid(&a->v))
		json_object_set(out, "passport", a->passport);
	return out;
}

char *
endpoint_attestation_errors(const struct endpoint_attestation *a)
{
	if (a->v.errors == NULL)
		return strdup("[]");
	return json_dumps(a->v.errors, JSON_COMPACT);
}

void
endpoint_attestation_free(struct endpoint_attestation *a)
{
	if (a == NULL)
		return;
	free(a->evidence);
	free(a->runtime_data);
	for (size_t i = 0; i < a->n_devices; i++)
		free(a->device_evidence[i]);
	free(a->token);
	free(a->claims_json);
	json_decref(a->passport);
	if (a->verified)
		verdict_free(&a->v);
	memset(a, 0, sizeof(*a));
}
