/*
 * ES256 compact JWS verification for relying parties (RFC 7515, RFC 7518
 * section 3.4): the header must name ES256 and a kid; the kid picks a
 * P-256 key of the JWKS (RFC 7517); the signature is raw r||s over
 * ASCII(header "." payload). No other algorithm is accepted, so a token
 * cannot choose "none" or HMAC with the public key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli/client.h"
#include "common/codec.h"
#include "verify/core/ecdsa.h"

/* A passport is a few KiB; anything beyond this is refused unread. */
#define JWS_MAX_LEN (1024 * 1024)

/* Part I (0..2) of TOKEN: [*off, *off + *len). False unless TOKEN has
 * exactly three non-empty parts (the signature may not be empty). */
static bool
jws_split(const char *token, size_t off[3], size_t len[3])
{
	const char *d1, *d2;
	size_t n = strlen(token);

	if (n == 0 || n > JWS_MAX_LEN)
		return false;
	if ((d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL)
		return false;
	off[0] = 0;
	len[0] = (size_t)(d1 - token);
	off[1] = len[0] + 1;
	len[1] = (size_t)(d2 - d1 - 1);
	off[2] = (size_t)(d2 - token) + 1;
	len[2] = n - off[2];
	return len[0] > 0 && len[1] > 0 && len[2] > 0;
}

static json_t *
part_json(const char *token, size_t off, size_t len)
{
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	json_t *j;

	if (!codec_base64_decode(token + off, len, &raw, &rawlen))
		return NULL;
	j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

bool
cli_jws_decode(const char *token, json_t **header, json_t **claims)
{
	size_t off[3], len[3];

	*header = NULL;
	*claims = NULL;
	if (!jws_split(token, off, len))
		return false;
	*header = part_json(token, off[0], len[0]);
	*claims = part_json(token, off[1], len[1]);
	if (*header == NULL || *claims == NULL) {
		json_decref(*header);
		json_decref(*claims);
		*header = *claims = NULL;
		return false;
	}
	return true;
}

/* A 32-byte base64url coordinate of a JWK into OUT. */
static bool
coord(const json_t *jwk, const char *name, uint8_t out[32])
{
	const char *s = json_string_value(json_object_get(jwk, name));
	uint8_t *raw = NULL;
	size_t n = 0;
	bool ok;

	if (s == NULL || !codec_base64_decode(s, strlen(s), &raw, &n))
		return false;
	ok = n == 32;
	if (ok)
		memcpy(out, raw, 32);
	free(raw);
	return ok;
}

/* The P-256 public key of the JWK of KID in JWKS, or NULL. A JWK that
 * says another alg or a use other than "sig" is not this key. */
static EVP_PKEY *
jwks_find(const json_t *jwks, const char *kid)
{
	const json_t *keys = json_object_get(jwks, "keys"), *k;
	uint8_t pt[65];
	size_t i;

	json_array_foreach(keys, i, k)
	{
		const char *kk = json_string_value(json_object_get(k, "kid"));
		const char *alg = json_string_value(json_object_get(k, "alg"));
		const char *use = json_string_value(json_object_get(k, "use"));
		if (kk == NULL || strcmp(kk, kid) != 0)
			continue;
		if (!json_is_string(json_object_get(k, "kty")) ||
		    strcmp(json_string_value(json_object_get(k, "kty")),
		           "EC") != 0 ||
		    !json_is_string(json_object_get(k, "crv")) ||
		    strcmp(json_string_value(json_object_get(k, "crv")),
		           "P-256") != 0 ||
		    (alg != NULL && strcmp(alg, "ES256") != 0) ||
		    (use != NULL && strcmp(use, "sig") != 0))
			continue;
		pt[0] = 0x04;
		if (!coord(k, "x", pt + 1) || !coord(k, "y", pt + 33))
			continue;
		return ecdsa_pub_from_point("P-256", pt, sizeof(pt));
	}
	return NULL;
}

enum tp_err
cli_jws_verify(const char *token, const json_t *jwks, json_t **header,
               json_t **claims, char *why, size_t whylen)
{
	enum tp_err e = TP_ERR_client_token_malformed;
	size_t off[3], len[3], siglen = 0;
	const char *alg, *kid;
	uint8_t *sig = NULL;
	EVP_PKEY *pub = NULL;
	json_t *h = NULL, *c = NULL;

	*header = NULL;
	*claims = NULL;
	snprintf(why, whylen,
	         "not a compact JWS (three base64url parts of "
	         "JSON objects, at most 1 MiB)");
	if (!jws_split(token, off, len) ||
	    (h = part_json(token, off[0], len[0])) == NULL ||
	    (c = part_json(token, off[1], len[1])) == NULL)
		goto out;
	alg = json_string_value(json_object_get(h, "alg"));
	kid = json_string_value(json_object_get(h, "kid"));
	if (alg == NULL || strcmp(alg, "ES256") != 0) {
		e = TP_ERR_client_alg_unsupported;
		snprintf(why, whylen, "header.alg: want ES256");
		goto out;
	}
	/* "crit" names extensions the verifier must understand: none. */
	if (json_object_get(h, "crit") != NULL) {
		e = TP_ERR_client_token_malformed;
		snprintf(why, whylen, "header.crit: no extension is supported");
		goto out;
	}
	if (kid == NULL || (pub = jwks_find(jwks, kid)) == NULL) {
		e = TP_ERR_client_kid_unknown;
		snprintf(why, whylen, "header.kid: %s",
		         kid == NULL ? "missing"
		                     : "no P-256 ES256 key of the JWKS has it");
		goto out;
	}
	if (!codec_base64_decode(token + off[2], len[2], &sig, &siglen) ||
	    siglen != 64) {
		e = TP_ERR_client_signature_invalid;
		snprintf(why, whylen, "signature: want 64 bytes (r||s)");
		goto out;
	}
	if (!ecdsa_verify_raw(pub, EVP_sha256(), (const uint8_t *)token,
	                      off[2] - 1, sig, sig + 32, 32)) {
		e = TP_ERR_client_signature_invalid;
		snprintf(why, whylen, "signature: does not verify with key %s",
		         kid);
		goto out;
	}
	*header = h;
	*claims = c;
	h = c = NULL;
	why[0] = '\0';
	e = TP_ERR_none;
out:
	free(sig);
	EVP_PKEY_free(pub);
	json_decref(h);
	json_decref(c);
	return e;
}
