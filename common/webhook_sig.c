#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "common/codec.h"
#include "common/webhook_sig.h"

bool
webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1])
{
	uint8_t b[32];
	static const char a[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	        "0123456789-_";
	size_t o = 6;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return false;
	memcpy(out, "whsec_", 6);
	/* base64url without padding: 32 bytes -> 43 characters */
	for (size_t i = 0; i < 32; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16;
		size_t k = 32 - i < 3 ? 32 - i : 3;
		if (k > 1)
			v |= (uint32_t)b[i + 1] << 8;
		if (k > 2)
			v |= b[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (k > 1)
			out[o++] = a[(v >> 6) & 63];
		if (k > 2)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
	OPENSSL_cleanse(b, sizeof(b));
	return o == WEBHOOK_SECRET_LEN;
}

bool
webhook_signature(const char *secret, int64_t t, const char *body, size_t len,
                  char out[WEBHOOK_SIG_MAX])
{
	char ts[24];
	uint8_t mac[EVP_MAX_MD_SIZE];
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *h = NULL;
	size_t maclen = 0;
	bool ok = false;
	int n;
	OSSL_PARAM params[2] = {
	        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                         (char *)"SHA256", 0),
	        OSSL_PARAM_construct_end()};

	if (t < 0)
		return false;
	n = snprintf(ts, sizeof(ts), "%" PRId64, t);
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (h = EVP_MAC_CTX_new(m)) == NULL)
		goto out;
	if (EVP_MAC_init(h, (const uint8_t *)secret, strlen(secret), params) !=
	            1 ||
	    EVP_MAC_update(h, (const uint8_t *)ts, (size_t)n) != 1 ||
	    EVP_MAC_update(h, (const uint8_t *)".", 1) != 1 ||
	    (len > 0 && EVP_MAC_update(h, (const uint8_t *)body, len) != 1) ||
	    EVP_MAC_final(h, mac, &maclen, sizeof(mac)) != 1 || maclen != 32)
		goto out;
	memcpy(out, "t=", 2);
	memcpy(out + 2, ts, (size_t)n);
	memcpy(out + 2 + n, ",v1=", 4);
	codec_hex_encode_to(mac, 32, out + 6 + n);
	ok = true;
out:
	EVP_MAC_CTX_free(h);
	EVP_MAC_free(m);
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}
