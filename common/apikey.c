#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/apikey.h"
#include "common/codec.h"

bool
apikey_generate(char id[APIKEY_ID_LEN + 1], char token[APIKEY_TOKEN_LEN + 1],
                char sha256_hex[65])
{
	uint8_t idb[APIKEY_ID_LEN / 2], secret[32], md[32];
	char *s = NULL;
	bool ok = false;

	if (RAND_bytes(idb, sizeof(idb)) != 1 ||
	    RAND_bytes(secret, sizeof(secret)) != 1)
		goto out;
	if ((s = codec_base64url_encode(secret, sizeof(secret))) == NULL ||
	    strlen(s) != 43)
		goto out;
	codec_hex_encode_to(idb, sizeof(idb), id);
	memcpy(token, "tp_", 3);
	memcpy(token + 3, id, APIKEY_ID_LEN);
	token[3 + APIKEY_ID_LEN] = '_';
	memcpy(token + 4 + APIKEY_ID_LEN, s, 43);
	token[APIKEY_TOKEN_LEN] = '\0';
	SHA256((const uint8_t *)token, APIKEY_TOKEN_LEN, md);
	codec_hex_encode_to(md, sizeof(md), sha256_hex);
	ok = true;
out:
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
	OPENSSL_cleanse(secret, sizeof(secret));
	return ok;
}

bool
apikey_parse(const char *token, char id[APIKEY_ID_LEN + 1], uint8_t sha256[32])
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                             "abcdefghijklmnopqrstuvwxyz0123456789-_";

	if (token == NULL || strlen(token) != APIKEY_TOKEN_LEN ||
	    strncmp(token, "tp_", 3) != 0 || token[3 + APIKEY_ID_LEN] != '_')
		return false;
	if (strspn(token + 3, "0123456789abcdef") != APIKEY_ID_LEN)
		return false;
	if (strspn(token + 4 + APIKEY_ID_LEN, b64url) != 43)
		return false;
	memcpy(id, token + 3, APIKEY_ID_LEN);
	id[APIKEY_ID_LEN] = '\0';
	SHA256((const uint8_t *)token, APIKEY_TOKEN_LEN, sha256);
	return true;
}

bool
apikey_matches(const uint8_t sha256[32], const char *stored_hex)
{
	uint8_t stored[32];

	if (stored_hex == NULL ||
	    !codec_hex_decode_fixed(stored_hex, stored, 32))
		return false;
	/* Constant time: the comparison leaks nothing about the stored
	 * hash (STYLE.md, digests). */
	return CRYPTO_memcmp(sha256, stored, 32) == 0;
}
