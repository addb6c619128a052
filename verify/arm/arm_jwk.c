/* PSA / CCA keys as JWK or JWKS: see verify/arm/arm_jwk.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/codec.h"
#include "verify/arm/arm_jwk.h"
#include "verify/core/ecdsa.h"

bool
arm_jwk_is_json(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
		    buf[i] == '\n')
			continue;
		return buf[i] == '{';
	}
	return false;
}

/* The base64url member NAME of JWK as exactly N bytes at OUT. */
static bool
coord(const json_t *jwk, const char *name, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	uint8_t *raw = NULL;
	size_t rl = 0;
	bool ok;

	/* base64url without padding (RFC 7518 §6.2.1.2): the curve's
	 * size exactly, no '+', '/' or '=' of standard base64. */
	if (s == NULL || strlen(s) != (4 * n + 2) / 3 ||
	    strpbrk(s, "+/=") != NULL)
		return false;
	ok = codec_base64_decode(s, strlen(s), &raw, &rl) && rl == n;
	if (ok)
		memcpy(out, raw, n);
	free(raw);
	return ok;
}

/* The key of the single JWK object JWK, or NULL with WHY. */
static EVP_PKEY *
jwk_key(const json_t *jwk, const char *name, char *why, size_t whylen)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *use = json_string_value(json_object_get(jwk, "use"));
	const char *alg = json_string_value(json_object_get(jwk, "alg"));
	const json_t *ops = json_object_get(jwk, "key_ops");
	uint8_t pt[1 + 2 * 48];
	EVP_PKEY *k;
	size_t n;

	if (!json_is_object(jwk)) {
		snprintf(why, whylen, "%s: want a JWK object", name);
		return NULL;
	}
	if (kty == NULL || strcmp(kty, "EC") != 0) {
		snprintf(why, whylen, "%s: kty: want \"EC\"", name);
		return NULL;
	}
	if (crv != NULL && strcmp(crv, "P-256") == 0)
		n = 32;
	else if (crv != NULL && strcmp(crv, "P-384") == 0)
		n = 48;
	else {
		snprintf(why, whylen, "%s: crv: want \"P-256\" or \"P-384\"",
		         name);
		return NULL;
	}
	if (json_object_get(jwk, "d") != NULL) {
		snprintf(why, whylen,
		         "%s: carries a private key (\"d\"): provision the "
		         "public key only",
		         name);
		return NULL;
	}
	if (json_object_get(jwk, "use") != NULL &&
	    (use == NULL || strcmp(use, "sig") != 0)) {
		snprintf(why, whylen, "%s: use: want \"sig\"", name);
		return NULL;
	}
	if (json_object_get(jwk, "alg") != NULL &&
	    (alg == NULL || strcmp(alg, n == 32 ? "ES256" : "ES384") != 0)) {
		snprintf(why, whylen, "%s: alg: want \"%s\" for %s", name,
		         n == 32 ? "ES256" : "ES384", crv);
		return NULL;
	}
	if (ops != NULL) {
		bool verify = false;
		size_t i;
		const json_t *op;

		if (!json_is_array(ops)) {
			snprintf(why, whylen, "%s: key_ops: want an array",
			         name);
			return NULL;
		}
		json_array_foreach(ops, i, op)
		{
			if (json_is_string(op) &&
			    strcmp(json_string_value(op), "verify") == 0)
				verify = true;
		}
		if (!verify) {
			snprintf(why, whylen,
			         "%s: key_ops: does not include \"verify\"",
			         name);
			return NULL;
		}
	}
	pt[0] = 0x04;
	if (!coord(jwk, "x", pt + 1, n) || !coord(jwk, "y", pt + 1 + n, n)) {
		snprintf(why, whylen,
		         "%s: x, y: want base64url of %zu bytes each", name, n);
		return NULL;
	}
	if ((k = ecdsa_pub_from_point(crv, pt, 1 + 2 * n)) == NULL)
		snprintf(why, whylen, "%s: (x, y) is not a point of %s", name,
		         crv);
	return k;
}

/* True when the JWK's kid equals the COSE kid (as text or as hex). */
static bool
kid_is(const char *id, const uint8_t *kid, size_t kid_len)
{
	char *hex;
	bool eq;

	if (strlen(id) == kid_len && memcmp(id, kid, kid_len) == 0)
		return true;
	if ((hex = codec_hex_encode(kid, kid_len)) == NULL)
		return false;
	eq = strcmp(id, hex) == 0;
	free(hex);
	return eq;
}

/* The index in KEYS of the one key whose kid matches, -1 none, -2 more
 * than one. */
static int
select_kid(const json_t *keys, const uint8_t *kid, size_t kid_len,
           const char *instance_hex)
{
	int found = -1;
	size_t i;
	const json_t *k;

	json_array_foreach(keys, i, k)
	{
		const char *id = json_string_value(json_object_get(k, "kid"));
		bool m;

		if (id == NULL)
			continue;
		m = kid != NULL ? kid_is(id, kid, kid_len)
		                : strcmp(id, instance_hex) == 0;
		if (!m)
			continue;
		if (found >= 0)
			return -2;
		found = (int)i;
	}
	return found;
}

EVP_PKEY *
arm_jwk_key(const uint8_t *buf, size_t len, const uint8_t *kid, size_t kid_len,
            const char *instance_hex, enum tp_err *code, char *why,
            size_t whylen)
{
	json_error_t jerr;
	const json_t *keys;
	EVP_PKEY *k = NULL;
	json_t *j;
	char name[32];
	int idx;

	*code = TP_ERR_arm_jwk_invalid;
	if (len == 0 || len > ARM_JWK_MAX_TEXT) {
		snprintf(why, whylen, "JWK: want 1..%u bytes",
		         ARM_JWK_MAX_TEXT);
		return NULL;
	}
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(j)) {
		snprintf(why, whylen, "JWK: not a JSON object");
		json_decref(j);
		return NULL;
	}
	keys = json_object_get(j, "keys");
	if (keys == NULL) {
		k = jwk_key(j, "JWK", why, whylen);
		json_decref(j);
		return k;
	}
	if (!json_is_array(keys) || json_array_size(keys) == 0 ||
	    json_array_size(keys) > ARM_JWK_MAX_KEYS) {
		snprintf(why, whylen, "JWKS: keys: want an array of 1..%d JWKs",
		         ARM_JWK_MAX_KEYS);
		json_decref(j);
		return NULL;
	}
	idx = select_kid(keys, kid, kid_len,
	                 instance_hex != NULL ? instance_hex : "");
	if (idx == -1 && json_array_size(keys) == 1)
		idx = 0;
	if (idx < 0) {
		*code = TP_ERR_arm_jwk_kid_unknown;
		snprintf(why, whylen,
		         "JWKS: %s key has the kid of the token's %s",
		         idx == -2 ? "more than one" : "no",
		         kid != NULL ? "COSE kid" : "instance id");
		json_decref(j);
		return NULL;
	}
	snprintf(name, sizeof(name), "JWKS keys[%d]", idx);
	k = jwk_key(json_array_get(keys, (size_t)idx), name, why, whylen);
	json_decref(j);
	return k;
}
