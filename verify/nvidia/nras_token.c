/* NVIDIA Remote Attestation Service (NRAS) v3 detached EAT: an overall
 * JWT whose "submods" carry the SHA-256 of each per-GPU JWT, every JWT an
 * ES384 JWS (RFC 7515, RFC 7518 3.4: signature = raw r || s, 48 bytes
 * each) signed with a key of the NRAS JWKS. Verified with OpenSSL
 * directly: verify/ does not use libjwt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "verify/core/ecdsa.h"
#include "verify/nvidia/nras_token.h"
#include "verify/core/x509.h"

#define NRAS_ISS         "https://nras.attestation.nvidia.com"
#define NRAS_MAX_GPUS    8
#define NRAS_MAX_JWT_LEN (64 * 1024)

/* A JSON string's value, or "" when it is not a string. */
static const char *
jstr(const json_t *j)
{
	const char *s = json_string_value(j);

	return s != NULL ? s : "";
}

struct jws {
	json_t *header;
	json_t *payload;
	uint8_t *sig;
	size_t sig_len;
	size_t signed_len; /* length of "header.payload" */
};

static void
jws_clear(struct jws *j)
{
	json_decref(j->header);
	json_decref(j->payload);
	free(j->sig);
	memset(j, 0, sizeof(*j));
}

static json_t *
b64_json(const char *s, size_t n)
{
	uint8_t *buf = NULL;
	size_t len;
	json_t *j = NULL;

	if (!codec_base64_decode(s, n, &buf, &len))
		return NULL;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Compact JWS: exactly three base64url parts, JSON header and payload. */
static bool
jws_parse(const char *tok, struct jws *j, char *why, size_t whylen)
{
	const char *d1, *d2;
	size_t n = strlen(tok);

	memset(j, 0, sizeof(*j));
	if (n == 0 || n > NRAS_MAX_JWT_LEN || (d1 = strchr(tok, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL) {
		snprintf(why, whylen, "not a compact JWS (three parts)");
		return false;
	}
	j->header = b64_json(tok, (size_t)(d1 - tok));
	j->payload = b64_json(d1 + 1, (size_t)(d2 - d1 - 1));
	if (j->header == NULL || j->payload == NULL ||
	    !codec_base64_decode(d2 + 1, strlen(d2 + 1), &j->sig,
	                         &j->sig_len)) {
		snprintf(why, whylen,
		         "header/payload is not base64url JSON or the "
		         "signature is not base64url");
		jws_clear(j);
		return false;
	}
	j->signed_len = (size_t)(d2 - tok);
	return true;
}

static bool
b64_fixed(const char *s, uint8_t *out, size_t want)
{
	uint8_t *buf = NULL;
	size_t len;
	bool ok;

	if (s == NULL || !codec_base64_decode(s, strlen(s), &buf, &len))
		return false;
	ok = len == want;
	if (ok)
		memcpy(out, buf, want);
	free(buf);
	return ok;
}

/*
 * The JWK of KID: EC P-384 with x and y. When it carries x5c, its first
 * certificate must hold the same key, be valid at NOW and be signed by
 * the second (the NRAS root "NVIDIA Attestation Service CA 001" is not
 * published, so the x5c chain cannot be rooted; the JWKS is trusted as
 * configured). Returns the key or NULL with WHY and *code.
 */
static EVP_PKEY *
jwks_key(const json_t *jwks, const char *kid, int64_t now, struct verdict *v,
         enum tp_err *code, char *why, size_t whylen)
{
	json_t *keys = json_object_get(jwks, "keys"), *k = NULL, *x5c;
	uint8_t pt[97];
	EVP_PKEY *key = NULL;
	X509 *leaf = NULL, *issuer = NULL;
	size_t i;

	*code = TP_ERR_nras_key_unknown;
	snprintf(why, whylen, "kid is not in the NRAS JWKS");
	for (i = 0; i < json_array_size(keys); i++) {
		const char *id = json_string_value(
		        json_object_get(json_array_get(keys, i), "kid"));
		if (id != NULL && strcmp(id, kid) == 0) {
			k = json_array_get(keys, i);
			break;
		}
	}
	if (k == NULL)
		return NULL;
	*code = TP_ERR_nras_token_invalid;
	pt[0] = 0x04;
	if (strcmp(jstr(json_object_get(k, "kty")), "EC") != 0 ||
	    strcmp(jstr(json_object_get(k, "crv")), "P-384") != 0 ||
	    !b64_fixed(json_string_value(json_object_get(k, "x")), pt + 1,
	               48) ||
	    !b64_fixed(json_string_value(json_object_get(k, "y")), pt + 49,
	               48) ||
	    (key = ecdsa_pub_from_point("P-384", pt, sizeof(pt))) == NULL) {
		snprintf(why, whylen,
		         "JWK of the kid is not an EC P-384 key with x, y");
		return NULL;
	}
	x5c = json_object_get(k, "x5c");
	if (json_array_size(x5c) > 0) {
		uint8_t *der = NULL;
		size_t dl;
		const char *s0 = json_string_value(json_array_get(x5c, 0));
		const char *s1 = json_string_value(json_array_get(x5c, 1));
		bool ok = false;

		if (s0 != NULL &&
		    codec_base64_decode(s0, strlen(s0), &der, &dl))
			leaf = x509_parse(der, dl);
		free(der);
		der = NULL;
		if (s1 != NULL &&
		    codec_base64_decode(s1, strlen(s1), &der, &dl))
			issuer = x509_parse(der, dl);
		free(der);
		if (leaf == NULL) {
			snprintf(why, whylen, "JWK x5c[0] does not parse");
		} else if (EVP_PKEY_eq(X509_get0_pubkey(leaf), key) != 1) {
			snprintf(why, whylen,
			         "JWK x5c[0] holds another key than x, y");
		} else if (X509_cmp_time(X509_get0_notBefore(leaf),
		                         &(time_t){(time_t)now}) > 0 ||
		           X509_cmp_time(X509_get0_notAfter(leaf),
		                         &(time_t){(time_t)now}) < 0) {
			*code = TP_ERR_certificate_expired;
			snprintf(why, whylen,
			         "JWK x5c[0] is outside its validity at the "
			         "verification time");
		} else if (issuer != NULL &&
		           X509_verify(leaf, X509_get0_pubkey(issuer)) != 1) {
			*code = TP_ERR_certificate_chain_invalid;
			snprintf(why, whylen,
			         "JWK x5c[0] is not signed by x5c[1]");
		} else {
			ok = true;
			verdict_expires_no_later_than(v, x509_not_after(leaf));
		}
		if (!ok) {
			EVP_PKEY_free(key);
			key = NULL;
		}
	}
	X509_free(leaf);
	X509_free(issuer);
	ERR_clear_error();
	return key;
}

static bool
jws_verify(const char *tok, const struct jws *j, const json_t *jwks,
           int64_t now, struct verdict *v, const char *what)
{
	const char *alg = json_string_value(json_object_get(j->header, "alg"));
	const char *kid = json_string_value(json_object_get(j->header, "kid"));
	char check[64], why[160];
	enum tp_err code;
	EVP_PKEY *key;
	bool ok;

	snprintf(check, sizeof(check), "nras_signature.%s", what);
	/* The algorithm is pinned: "none", HS* and key confusion are out. */
	/* RFC 7515 4.1.11: a "crit" extension teepass does not know of
	 * must not be ignored; none is known. */
	if (alg == NULL || strcmp(alg, "ES384") != 0 || kid == NULL ||
	    j->sig_len != 96 || json_object_get(j->header, "crit") != NULL) {
		verdict_fail(v, check, TP_ERR_nras_token_invalid,
		             "%s token: want alg ES384, a kid, no crit and a "
		             "96-byte signature",
		             what);
		return false;
	}
	if ((key = jwks_key(jwks, kid, now, v, &code, why, sizeof(why))) ==
	    NULL) {
		verdict_fail(v, check, code, "%s token: %s", what, why);
		return false;
	}
	ok = ecdsa_verify_raw(key, EVP_sha384(), (const uint8_t *)tok,
	                      j->signed_len, j->sig, j->sig + 48, 48);
	EVP_PKEY_free(key);
	if (!ok) {
		verdict_fail(v, check, TP_ERR_nras_signature_invalid,
		             "%s token: ES384 signature does not verify with "
		             "the JWKS key of its kid",
		             what);
		return false;
	}
	verdict_pass(v, check);
	return true;
}

/* iss, nbf <= now (+skew) < exp, and the 32-byte eat_nonce. */
static bool
check_claims(const struct jws *j, const struct verify_request *req,
             struct verdict *v, const char *what, uint8_t nonce[32])
{
	json_t *p = j->payload;
	const char *iss = json_string_value(json_object_get(p, "iss"));
	const char *n = json_string_value(json_object_get(p, "eat_nonce"));
	json_t *nbf = json_object_get(p, "nbf"),
	       *exp = json_object_get(p, "exp");
	char check[64];

	snprintf(check, sizeof(check), "nras_claims.%s", what);
	if (iss == NULL || strcmp(iss, NRAS_ISS) != 0) {
		verdict_fail(v, check, TP_ERR_nras_token_invalid,
		             "%s token: iss is not %s", what, NRAS_ISS);
		return false;
	}
	if (n == NULL || !codec_hex_decode_fixed(n, nonce, 32)) {
		verdict_fail(v, check, TP_ERR_nras_token_invalid,
		             "%s token: eat_nonce is not 64 hex digits", what);
		return false;
	}
	if (!json_is_integer(nbf) || !json_is_integer(exp)) {
		verdict_fail(v, check, TP_ERR_nras_token_invalid,
		             "%s token: nbf and exp must be integers", what);
		return false;
	}
	verdict_pass(v, check);
	snprintf(check, sizeof(check), "nras_validity.%s", what);
	if (req->now + req->cfg->clock_skew < json_integer_value(nbf) ||
	    req->now >= json_integer_value(exp)) {
		verdict_fail(v, check, TP_ERR_nras_token_expired,
		             "%s token: valid %lld..%lld, verification time "
		             "%lld",
		             what, (long long)json_integer_value(nbf),
		             (long long)json_integer_value(exp),
		             (long long)req->now);
		return false;
	}
	verdict_expires_no_later_than(v, json_integer_value(exp));
	verdict_pass(v, check);
	return true;
}

/* submods.NAME == ["DIGEST", ["SHA-256", hex(sha256(TOKEN))]] */
static bool
digest_matches(json_t *submods, const char *name, const char *tok)
{
	json_t *e = json_object_get(submods, name), *d;
	const char *alg, *hex;
	uint8_t want[32], have[32];

	if (json_array_size(e) != 2 ||
	    strcmp(jstr(json_array_get(e, 0)), "DIGEST") != 0)
		return false;
	d = json_array_get(e, 1);
	alg = json_string_value(json_array_get(d, 0));
	hex = json_string_value(json_array_get(d, 1));
	if (json_array_size(d) != 2 || alg == NULL || hex == NULL ||
	    strcmp(alg, "SHA-256") != 0 ||
	    !codec_hex_decode_fixed(hex, want, 32))
		return false;
	SHA256((const uint8_t *)tok, strlen(tok), have);
	return CRYPTO_memcmp(want, have, 32) == 0;
}

static const char *
arch_of(const char *hwmodel)
{
	if (hwmodel == NULL)
		return "unknown";
	if (strncmp(hwmodel, "GH1", 3) == 0)
		return "Hopper";
	if (strncmp(hwmodel, "GB1", 3) == 0 || strncmp(hwmodel, "GB2", 3) == 0)
		return "Blackwell";
	return "unknown";
}

/* One GPU token: signature, claims, nonce equal to the overall one,
 * measres and debug state. Its claims go into GPUS[name]. */
static void
verify_gpu(const char *name, const char *tok, json_t *submods,
           const json_t *jwks, const uint8_t overall_nonce[32],
           const struct verify_request *req, struct verdict *v, json_t *gpus)
{
	struct jws j;
	uint8_t nonce[32];
	char why[160], check[64];
	const char *measres, *dbg;

	snprintf(check, sizeof(check), "nras_digest.%s", name);
	if (!digest_matches(submods, name, tok)) {
		verdict_fail(v, check, TP_ERR_nras_digest_mismatch,
		             "%s token: SHA-256 differs from the overall "
		             "token's submods entry (or it has none)",
		             name);
		return;
	}
	verdict_pass(v, check);
	if (!jws_parse(tok, &j, why, sizeof(why))) {
		snprintf(check, sizeof(check), "nras_format.%s", name);
		verdict_fail(v, check, TP_ERR_nras_token_invalid,
		             "%s token: %s", name, why);
		return;
	}
	if (!jws_verify(tok, &j, jwks, req->now, v, name) ||
	    !check_claims(&j, req, v, name, nonce))
		goto out;
	snprintf(check, sizeof(check), "nras_nonce.%s", name);
	if (CRYPTO_memcmp(nonce, overall_nonce, 32) != 0) {
		verdict_fail(v, check, TP_ERR_nras_nonce_mismatch,
		             "%s token: eat_nonce differs from the overall "
		             "token's",
		             name);
		goto out;
	}
	verdict_pass(v, check);
	measres = json_string_value(json_object_get(j.payload, "measres"));
	snprintf(check, sizeof(check), "nras_measres.%s", name);
	if (measres == NULL || strcmp(measres, "success") != 0)
		verdict_fail(v, check, TP_ERR_nras_result_false,
		             "%s token: measres is not \"success\"", name);
	else
		verdict_pass(v, check);
	dbg = json_string_value(json_object_get(j.payload, "dbgstat"));
	snprintf(check, sizeof(check), "debug_policy.%s", name);
	if ((dbg == NULL || strcmp(dbg, "disabled") != 0) &&
	    !req->cfg->allow_debug)
		verdict_fail(v, check, TP_ERR_debug_not_allowed,
		             "%s token: dbgstat is not \"disabled\"", name);
	else
		verdict_pass(v, check);
	json_object_set(gpus, name, j.payload);
out:
	jws_clear(&j);
}

/* Flat claims of a single-GPU token, named as local verification
 * names them, so expected.runtime reads the same either way. */
static void
flat_claims(json_t *gpu, struct verdict *v)
{
	const char *hw = json_string_value(json_object_get(gpu, "hwmodel"));
	json_t *x;

	verdict_claim_str(v, "gpu_arch", arch_of(hw));
	if (hw != NULL)
		verdict_claim_str(v, "gpu_model", hw);
	if ((x = json_object_get(gpu, "x-nvidia-gpu-driver-version")) != NULL)
		verdict_claim_json(v, "driver_version", json_incref(x));
	if ((x = json_object_get(gpu, "x-nvidia-gpu-vbios-version")) != NULL)
		verdict_claim_json(v, "vbios_version", json_incref(x));
	if ((x = json_object_get(gpu, "measres")) != NULL)
		verdict_claim_json(v, "measres", json_incref(x));
	if ((x = json_object_get(gpu, "ueid")) != NULL)
		verdict_claim_json(v, "ueid", json_incref(x));
}

void
nras_verify(const uint8_t *buf, size_t len, const json_t *jwks,
            const char *jwks_malformed, const struct verify_request *req,
            struct verdict *v)
{
	json_t *doc = NULL, *head, *devs, *gpus = NULL, *result, *submods;
	const char *overall_tok, *name;
	struct jws o = {0};
	uint8_t nonce[32];
	char why[160], *jwks_text = NULL;
	json_t *tok;

	/* A token from NVIDIA's service, not hardware-signed evidence; its
	 * key chain cannot be rooted (the NRAS CA is not published): at
	 * most EAR "warning". */
	v->hardware_verified = false;
	v->warning = true;
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	head = json_array_get(doc, 0);
	devs = json_array_get(doc, 1);
	overall_tok = json_string_value(json_array_get(head, 1));
	if (json_array_size(doc) != 2 || json_array_size(head) != 2 ||
	    strcmp(jstr(json_array_get(head, 0)), "JWT") != 0 ||
	    overall_tok == NULL || !json_is_object(devs) ||
	    json_object_size(devs) == 0 ||
	    json_object_size(devs) > NRAS_MAX_GPUS) {
		verdict_fail(v, "nras_format", TP_ERR_nras_token_invalid,
		             "want [[\"JWT\", overall], {\"GPU-n\": jwt} with "
		             "1..%d GPUs]",
		             NRAS_MAX_GPUS);
		goto out;
	}
	if (!jws_parse(overall_tok, &o, why, sizeof(why))) {
		verdict_fail(v, "nras_format", TP_ERR_nras_token_invalid,
		             "overall token: %s", why);
		goto out;
	}
	verdict_pass(v, "nras_format");
	if (!json_is_object(jwks) ||
	    json_array_size(json_object_get(jwks, "keys")) == 0) {
		v->signature_valid = TP_FALSE;
		if (jwks_malformed != NULL)
			verdict_fail(v, "nras_jwks", TP_ERR_nras_jwks_missing,
			             "NRAS JWKS collateral: %s",
			             jwks_malformed);
		else
			verdict_fail(v, "nras_jwks", TP_ERR_nras_jwks_missing,
			             "no NRAS JWKS: give collateral nras_jwks "
			             "or nras_jwks.json in the collateral "
			             "directory");
		goto out;
	}
	if ((jwks_text = json_dumps(jwks, JSON_COMPACT | JSON_SORT_KEYS)) !=
	    NULL)
		verdict_collateral(v, "nras_jwks", (const uint8_t *)jwks_text,
		                   strlen(jwks_text));
	if (!jws_verify(overall_tok, &o, jwks, req->now, v, "overall") ||
	    !check_claims(&o, req, v, "overall", nonce)) {
		v->signature_valid =
		        verdict_has_error(v, TP_ERR_nras_signature_invalid)
		                ? TP_FALSE
		                : v->signature_valid;
		goto out;
	}
	result = json_object_get(o.payload, "x-nvidia-overall-att-result");
	if (!json_is_true(result))
		verdict_fail(v, "nras_overall_result", TP_ERR_nras_result_false,
		             "x-nvidia-overall-att-result is not true");
	else
		verdict_pass(v, "nras_overall_result");
	submods = json_object_get(o.payload, "submods");
	if (json_object_size(submods) != json_object_size(devs))
		verdict_fail(v, "nras_digest", TP_ERR_nras_digest_mismatch,
		             "overall token lists %zu submods, the EAT carries "
		             "%zu GPU tokens",
		             json_object_size(submods), json_object_size(devs));
	gpus = json_object();
	json_object_foreach(devs, name, tok)
	{
		if (!json_is_string(tok)) {
			verdict_fail(v, "nras_format",
			             TP_ERR_nras_token_invalid,
			             "a GPU token is not a string");
			continue;
		}
		verify_gpu(name, json_string_value(tok), submods, jwks, nonce,
		           req, v, gpus);
	}
	if (!verdict_has_error(v, TP_ERR_nras_signature_invalid))
		v->signature_valid = TP_TRUE;
	if (json_is_integer(json_object_get(o.payload, "iat")))
		v->evidence_time =
		        json_integer_value(json_object_get(o.payload, "iat"));
	verdict_add_binding(v, "nonce", nonce, 32);
	verdict_claim_hex(v, "nonce", nonce, 32);
	verdict_claim_bool(v, "nras_overall_result", json_is_true(result));
	verdict_claim_json(v, "nras_overall", json_incref(o.payload));
	if (json_object_size(gpus) == 1)
		flat_claims(json_object_iter_value(json_object_iter(gpus)), v);
	verdict_claim_int(v, "gpu_count", (json_int_t)json_object_size(gpus));
	verdict_claim_json(v, "gpus", gpus);
	gpus = NULL;
out:
	free(jwks_text);
	jws_clear(&o);
	json_decref(gpus);
	json_decref(doc);
}
