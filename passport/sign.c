/*
 * ES256 JWS signing of passports (RFC 7515 compact serialisation, RFC
 * 7518 section 3.4: the signature is raw r||s, 32 bytes each).
 *
 * Why not libjwt: Debian 12's libjwt (1.10) takes the key only as PEM
 * bytes (jwt_set_alg) and parses them again in every jwt_encode_str
 * (PEM_read_bio_PrivateKey and OpenSSL's decoder lookup): a third of
 * teepassd's CPU per request under load (issue 19). It has no way to
 * hand it an EVP_PKEY parsed once. So the JWS is assembled here and
 * signed with the EVP_PKEY that passport_key_load parsed once at start
 * (and again only when the key is rotated, i.e. at the next start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "passport/passport.h"
#include "verify/core/ecdsa.h"

char *
passport_sign(const struct passport_key *k, const json_t *claims)
{
	char *payload_json = json_dumps(claims, JSON_COMPACT);
	char *out = payload_json != NULL ? passport_sign_text(k, payload_json)
	                                 : NULL;

	free(payload_json);
	return out;
}

char *
passport_sign_text(const struct passport_key *k, const char *payload_json)
{
	char *hdr_json = NULL, *h = NULL, *p = NULL;
	char *s = NULL, *input = NULL, *out = NULL;
	uint8_t sig[64];
	size_t hl, pl, sl;
	json_t *hdr;

	if (k == NULL || k->pkey == NULL || !k->has_private ||
	    payload_json == NULL)
		return NULL;
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "ES256", "typ", "JWT", "kid",
	                k->kid);
	if (hdr == NULL)
		return NULL;
	hdr_json = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	if (hdr_json == NULL)
		goto out;
	h = codec_base64url_encode((const uint8_t *)hdr_json, strlen(hdr_json));
	p = codec_base64url_encode((const uint8_t *)payload_json,
	                           strlen(payload_json));
	if (h == NULL || p == NULL)
		goto out;
	hl = strlen(h);
	pl = strlen(p);
	/* header.payload, signed as it is, then ".signature". */
	if ((input = malloc(hl + 1 + pl + 1 + 87)) == NULL)
		goto out;
	memcpy(input, h, hl);
	input[hl] = '.';
	memcpy(input + hl + 1, p, pl);
	input[hl + 1 + pl] = '\0';
	if (!ecdsa_sign_raw(k->pkey, EVP_sha256(), (const uint8_t *)input,
	                    hl + 1 + pl, sig, 32))
		goto out;
	if ((s = codec_base64url_encode(sig, sizeof(sig))) == NULL)
		goto out;
	sl = strlen(s); /* 86 */
	if (sl > 86)
		goto out;
	input[hl + 1 + pl] = '.';
	memcpy(input + hl + 2 + pl, s, sl + 1);
	out = input;
	input = NULL;
out:
	free(input);
	free(s);
	free(h);
	free(p);
	free(hdr_json);
	return out;
}
