#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "config/config.h"
#include "passport/passport.h"

/* x and y of a P-256 key, 32 bytes each, big-endian. */
static bool
ec_xy(EVP_PKEY *pkey, uint8_t x[32], uint8_t y[32])
{
	BIGNUM *bx = NULL, *by = NULL;
	char group[32];
	bool ok = false;

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	                                   group, sizeof(group), NULL) != 1 ||
	    strcmp(group, "prime256v1") != 0)
		goto out;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) != 1)
		goto out;
	if (BN_bn2binpad(bx, x, 32) != 32 || BN_bn2binpad(by, y, 32) != 32)
		goto out;
	ok = true;
out:
	ERR_clear_error();
	BN_free(bx);
	BN_free(by);
	return ok;
}

bool
passport_jwk_thumbprint(EVP_PKEY *pkey, char kid[48])
{
	uint8_t x[32], y[32], md[32];
	char *bx = NULL, *by = NULL, *b = NULL, canon[256];
	bool ok = false;

	if (!ec_xy(pkey, x, y))
		goto out;
	bx = codec_base64url_encode(x, 32);
	by = codec_base64url_encode(y, 32);
	if (bx == NULL || by == NULL)
		goto out;
	/* RFC 7638 section 3.2: required members only, lexicographic
	 * order, no whitespace. */
	snprintf(canon, sizeof(canon),
	         "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
	         bx, by);
	SHA256((const uint8_t *)canon, strlen(canon), md);
	if ((b = codec_base64url_encode(md, 32)) == NULL)
		goto out;
	snprintf(kid, 48, "%s", b);
	ok = true;
out:
	free(bx);
	free(by);
	free(b);
	return ok;
}

static json_t *
make_jwk(EVP_PKEY *pkey, const char *kid)
{
	uint8_t x[32], y[32];
	char *bx, *by;
	json_t *j = NULL;

	if (!ec_xy(pkey, x, y))
		return NULL;
	bx = codec_base64url_encode(x, 32);
	by = codec_base64url_encode(y, 32);
	if (bx != NULL && by != NULL)
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty",
		              "EC", "crv", "P-256", "x", bx, "y", by, "kid",
		              kid, "alg", "ES256", "use", "sig");
	free(bx);
	free(by);
	return j;
}

static bool
finish_key(struct passport_key *k, char *err, size_t errlen, const char *path)
{
	if (!passport_jwk_thumbprint(k->pkey, k->kid) ||
	    (k->jwk = make_jwk(k->pkey, k->kid)) == NULL) {
		snprintf(err, errlen, "%s: not a P-256 (ES256) key", path);
		return false;
	}
	return true;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 65536 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((buf = malloc((size_t)n + 1)) == NULL)
		goto out;
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	fclose(f);
	return buf;
}

bool
passport_key_load(const char *path, struct passport_key *k, char *err,
                  size_t errlen)
{
	BIO *bio = NULL;
	char *pem = NULL;
	size_t len = 0;
	bool ok = false;

	memset(k, 0, sizeof(*k));
	if (!config_key_file_private(path, err, errlen))
		goto out;
	if ((pem = read_file(path, &len)) == NULL) {
		snprintf(err, errlen, "%s: cannot read (%s)", path,
		         strerror(errno));
		goto out;
	}
	/* Parsed once here; passport_sign uses the EVP_PKEY (sign.c). */
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		goto out;
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (k->pkey == NULL) {
		snprintf(err, errlen, "%s: not a PEM private key", path);
		goto out;
	}
	k->has_private = true;
	ok = finish_key(k, err, errlen, path);
out:
	ERR_clear_error();
	BIO_free(bio);
	if (pem != NULL) {
		OPENSSL_cleanse(pem, len);
		free(pem);
	}
	if (!ok)
		passport_key_free(k);
	return ok;
}

bool
passport_key_load_public(const char *path, struct passport_key *k, char *err,
                         size_t errlen)
{
	size_t len = 0;
	char *pem = NULL;
	BIO *bio = NULL;
	bool ok = false;

	memset(k, 0, sizeof(*k));
	if ((pem = read_file(path, &len)) == NULL) {
		snprintf(err, errlen, "%s: cannot read (%s)", path,
		         strerror(errno));
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		goto out;
	k->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (k->pkey == NULL) {
		BIO_free(bio);
		bio = BIO_new_mem_buf(pem, (int)len);
		k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	}
	if (k->pkey == NULL) {
		snprintf(err, errlen, "%s: not a PEM key", path);
		goto out;
	}
	ok = finish_key(k, err, errlen, path);
out:
	ERR_clear_error();
	BIO_free(bio);
	if (pem != NULL) {
		OPENSSL_cleanse(pem, len);
		free(pem);
	}
	if (!ok)
		passport_key_free(k);
	return ok;
}

void
passport_key_free(struct passport_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	json_decref(k->jwk);
	memset(k, 0, sizeof(*k));
}

void
passport_keyring_free(struct passport_keyring *r)
{
	if (r == NULL)
		return;
	passport_key_free(&r->current);
	for (size_t i = 0; i < r->n_retired; i++)
		passport_key_free(&r->retired[i]);
	passport_key_free(&r->mock);
	memset(r, 0, sizeof(*r));
}

bool
passport_key_generate(const char *path, char kid[48], char *err, size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	FILE *f = NULL;
	int fd = -1;
	bool ok = false;

	if ((pkey = EVP_EC_gen("P-256")) == NULL) {
		snprintf(err, errlen, "key generation failed");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
		         errno == EEXIST ? " (refusing to overwrite a key)"
		                         : "");
		goto out;
	}
	if ((f = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	if (PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		snprintf(err, errlen, "%s: cannot write key", path);
		goto out;
	}
	if (!passport_jwk_thumbprint(pkey, kid))
		goto out;
	ok = true;
out:
	ERR_clear_error();
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (fd >= 0)
		close(fd);
	EVP_PKEY_free(pkey);
	return ok;
}

json_t *
passport_jwks(const struct passport_keyring *r)
{
	json_t *keys = json_array();

	if (keys == NULL)
		return NULL;
	json_array_append(keys, r->current.jwk);
	for (size_t i = 0; i < r->n_retired; i++)
		json_array_append(keys, r->retired[i].jwk);
	return json_pack("{s:o}", "keys", keys);
}
