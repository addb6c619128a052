/* C2SP signed notes and checkpoints with Ed25519 (tlog/note.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "tlog/note.h"

/* C2SP signed-note: the signature type of Ed25519. */
#define SIG_ED25519 0x01
/* "\u2014 " in UTF-8: every signature line starts with it. */
static const char dash[] = "\xe2\x80\x94 ";

bool
tlog_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= TLOG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c == '+' || c == 0x7f)
			return false;
	}
	return true;
}

static void
key_id(const char *name, const uint8_t pub[32], uint8_t id[4])
{
	uint8_t buf[TLOG_NAME_MAX + 2 + 32], md[32];
	size_t n = strlen(name);

	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = SIG_ED25519;
	memcpy(buf + n + 2, pub, 32);
	SHA256(buf, n + 2 + 32, md);
	memcpy(id, md, 4);
}

static bool
raw_public(EVP_PKEY *key, uint8_t pub[32])
{
	size_t len = 32;

	return key != NULL && EVP_PKEY_id(key) == EVP_PKEY_ED25519 &&
	       EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32;
}

char *
tlog_vkey_format(const char *name, EVP_PKEY *key)
{
	uint8_t pub[33], id[4];
	char hex[9], *b64 = NULL, *out = NULL;
	size_t n;

	if (!tlog_name_valid(name) || !raw_public(key, pub + 1))
		return NULL;
	pub[0] = SIG_ED25519;
	key_id(name, pub + 1, id);
	codec_hex_encode_to(id, 4, hex);
	if ((b64 = codec_base64_encode(pub, sizeof(pub))) == NULL)
		return NULL;
	n = strlen(name) + 1 + 8 + 1 + strlen(b64) + 1;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s+%s+%s", name, hex, b64);
	free(b64);
	return out;
}

bool
tlog_vkey_parse(const char *s, struct tlog_vkey *out)
{
	const char *p1, *p2;
	uint8_t *raw = NULL, id[4];
	size_t rawlen = 0, nlen;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if ((p1 = strchr(s, '+')) == NULL || (p2 = strchr(p1 + 1, '+')) == NULL)
		goto out;
	nlen = (size_t)(p1 - s);
	if (nlen == 0 || nlen >= TLOG_NAME_MAX || p2 - p1 - 1 != 8)
		goto out;
	memcpy(out->name, s, nlen);
	out->name[nlen] = '\0';
	if (!tlog_name_valid(out->name))
		goto out;
	{
		char hex[9];
		memcpy(hex, p1 + 1, 8);
		hex[8] = '\0';
		if (!codec_hex_decode_fixed(hex, out->id, 4))
			goto out;
	}
	if (!codec_base64_decode(p2 + 1, strlen(p2 + 1), &raw, &rawlen) ||
	    rawlen != 33 || raw[0] != SIG_ED25519)
		goto out;
	memcpy(out->pub, raw + 1, 32);
	/* The id is derived from name and key: a mismatch is a key that
	 * was edited. */
	key_id(out->name, out->pub, id);
	if (CRYPTO_memcmp(id, out->id, 4) != 0)
		goto out;
	ok = true;
out:
	free(raw);
	return ok;
}

char *
tlog_checkpoint_sign(const char *origin, uint64_t size,
                     const uint8_t root[TLOG_HASH_LEN], const char *name,
                     EVP_PKEY *key)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t pub[32], blob[4 + 64];
	char body[TLOG_NAME_MAX + 96], *rootb64 = NULL, *sigb64 = NULL;
	char *out = NULL;
	size_t siglen = 64, n;
	int bl;

	if (!tlog_name_valid(origin) || !tlog_name_valid(name) ||
	    !raw_public(key, pub))
		goto out;
	if ((rootb64 = codec_base64_encode(root, TLOG_HASH_LEN)) == NULL)
		goto out;
	bl = snprintf(body, sizeof(body), "%s\n%" PRIu64 "\n%s\n", origin, size,
	              rootb64);
	if (bl < 0 || (size_t)bl >= sizeof(body))
		goto out;
	key_id(name, pub, blob);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, blob + 4, &siglen, (const uint8_t *)body,
	                   (size_t)bl) != 1 ||
	    siglen != 64)
		goto out;
	if ((sigb64 = codec_base64_encode(blob, sizeof(blob))) == NULL)
		goto out;
	n = (size_t)bl + 1 + strlen(dash) + strlen(name) + 1 + strlen(sigb64) +
	    2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s\n%s%s %s\n", body, dash, name, sigb64);
out:
	EVP_MD_CTX_free(ctx);
	free(rootb64);
	free(sigb64);
	return out;
}

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		goto out;                                                      \
	} while (0)

/* A decimal without sign or leading zero, at most TLOG_MAX_SIZE. */
static bool
parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > TLOG_MAX_SIZE)
		return false;
	*out = v;
	return true;
}

/* "<origin>\n<size>\n<base64 root>\n" then optional extension lines. */
static bool
parse_body(const char *body, size_t len, struct tlog_checkpoint *cp, char *err,
           size_t errlen)
{
	const char *line[3], *end = body + len, *p = body;
	size_t llen[3];
	uint8_t *root = NULL;
	size_t rootlen = 0;
	bool ok = false;

	for (int i = 0; i < 3; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			FAIL("checkpoint: fewer than three lines");
		line[i] = p;
		llen[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	if (llen[0] == 0 || llen[0] >= TLOG_NAME_MAX)
		FAIL("checkpoint: origin line empty or too long");
	memcpy(cp->origin, line[0], llen[0]);
	cp->origin[llen[0]] = '\0';
	if (!parse_size(line[1], llen[1], &cp->size))
		FAIL("checkpoint: tree size is not a decimal integer in range");
	if (llen[2] != 44 ||
	    !codec_base64_decode(line[2], llen[2], &root, &rootlen) ||
	    rootlen != TLOG_HASH_LEN)
		FAIL("checkpoint: root hash is not base64 of 32 bytes");
	memcpy(cp->root, root, TLOG_HASH_LEN);
	ok = true;
out:
	free(root);
	return ok;
}

bool
tlog_checkpoint_verify(const char *note, size_t len, const struct tlog_vkey *vk,
                       struct tlog_checkpoint *out, char *err, size_t errlen)
{
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *ctx = NULL;
	const char *sigs = NULL, *p, *end = note + len;
	size_t body_len = 0, dl = strlen(dash), nl = strlen(vk->name);
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > TLOG_NOTE_MAX || memchr(note, '\0', len) != NULL)
		FAIL("note: empty, over %d bytes or with a NUL byte",
		     TLOG_NOTE_MAX);
	if (note[len - 1] != '\n')
		FAIL("note: does not end with a newline");
	/* The text ends at the last blank line (the signatures follow). */
	for (size_t i = len - 1; i > 0; i--) {
		if (note[i - 1] == '\n' && note[i] == '\n') {
			body_len = i;
			sigs = note + i + 1;
			break;
		}
	}
	if (sigs == NULL || sigs >= end)
		FAIL("note: no blank line before signature lines");
	for (p = sigs; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *b64;
		if (eol == NULL)
			FAIL("note: unterminated signature line");
		if ((size_t)(eol - p) < dl + 2 || memcmp(p, dash, dl) != 0)
			FAIL("note: signature line does not start with an em "
			     "dash");
		b64 = memchr(p + dl, ' ', (size_t)(eol - p - (ptrdiff_t)dl));
		if (b64 == NULL)
			FAIL("note: signature line without a signature");
		b64++;
		if ((size_t)(b64 - 1 - (p + dl)) == nl &&
		    memcmp(p + dl, vk->name, nl) == 0) {
			free(blob);
			blob = NULL;
			if (!codec_base64_decode(b64, (size_t)(eol - b64),
			                         &blob, &bloblen))
				FAIL("note: signature is not base64");
			if (bloblen == 4 + 64 && memcmp(blob, vk->id, 4) == 0)
				break;
		}
		p = eol + 1;
	}
	if (p >= end)
		FAIL("note: no signature by %s", vk->name);
	if ((pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, vk->pub,
	                                      32)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1 ||
	    EVP_DigestVerify(ctx, blob + 4, 64, (const uint8_t *)note,
	                     body_len) != 1)
		FAIL("note: Ed25519 signature by %s does not verify", vk->name);
	if (!parse_body(note, body_len, out, err, errlen))
		goto out;
	if (strcmp(out->origin, vk->name) != 0)
		FAIL("checkpoint: origin is not the key's name");
	ok = true;
out:
	EVP_PKEY_free(pk);
	EVP_MD_CTX_free(ctx);
	free(blob);
	return ok;
}
