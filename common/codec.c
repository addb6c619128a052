#include <stdlib.h>
#include <string.h>

#include "common/codec.h"

static int
hexval(unsigned char c)
{
	/* Unsigned differences: one compare a range ('A'-'F' folded to
	 * 'a'-'f' by the case bit). */
	unsigned d = (unsigned)c - '0', l = (unsigned)(c | 0x20) - 'a';

	if (d < 10)
		return (int)d;
	if (l < 6)
		return (int)l + 10;
	return -1;
}

static void
strip_0x(const char **s, size_t *slen)
{
	if (*slen >= 2 && (*s)[0] == '0' &&
	    ((*s)[1] == 'x' || (*s)[1] == 'X')) {
		*s += 2;
		*slen -= 2;
	}
}

static bool
hex_into(const char *s, size_t slen, uint8_t *buf)
{
	for (size_t i = 0; i < slen / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool
codec_hex_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	bool ok = false;

	*out = NULL;
	*outlen = 0;
	strip_0x(&s, &slen);
	if (slen % 2 != 0)
		goto out;
	if ((buf = malloc(slen / 2 + 1)) == NULL)
		goto out;
	if (!hex_into(s, slen, buf))
		goto out;
	*out = buf;
	*outlen = slen / 2;
	buf = NULL;
	ok = true;
out:
	free(buf);
	return ok;
}

bool
codec_hex_decode_fixed(const char *s, uint8_t *buf, size_t want)
{
	size_t slen = strlen(s);

	strip_0x(&s, &slen);
	if (slen != 2 * want)
		return false;
	return hex_into(s, slen, buf);
}

void
codec_hex_encode_to(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 0xf];
	}
	out[2 * len] = '\0';
}

char *
codec_hex_encode(const uint8_t *buf, size_t len)
{
	char *s = malloc(2 * len + 1);

	if (s != NULL)
		codec_hex_encode_to(buf, len, s);
	return s;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

bool
codec_base64_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen)
{
	uint8_t *buf = NULL;
	size_t n = 0, pad = 0;
	uint32_t acc = 0;
	int bits = 0;
	bool ok = false;

	*out = NULL;
	*outlen = 0;
	while (slen > 0 && s[slen - 1] == '=' && pad < 2) {
		slen--;
		pad++;
	}
	/* With padding the total must be a multiple of 4; unpadded, a
	 * remainder of 1 symbol can never be valid. */
	if (pad > 0 && (slen + pad) % 4 != 0)
		goto out;
	if (slen % 4 == 1)
		goto out;
	if ((buf = malloc(slen * 3 / 4 + 1)) == NULL)
		goto out;
	for (size_t i = 0; i < slen; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			goto out;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero (canonical encoding). */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		goto out;
	*out = buf;
	*outlen = n;
	buf = NULL;
	ok = true;
out:
	free(buf);
	return ok;
}

static char *
b64_encode(const uint8_t *buf, size_t len, const char *alphabet, bool pad)
{
	size_t cap = (len + 2) / 3 * 4 + 1;
	char *s = malloc(cap);
	size_t n = 0;

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)buf[i] << 16;
		size_t rem = len - i;
		if (rem > 1)
			v |= (uint32_t)buf[i + 1] << 8;
		if (rem > 2)
			v |= buf[i + 2];
		s[n++] = alphabet[(v >> 18) & 63];
		s[n++] = alphabet[(v >> 12) & 63];
		if (rem > 1)
			s[n++] = alphabet[(v >> 6) & 63];
		else if (pad)
			s[n++] = '=';
		if (rem > 2)
			s[n++] = alphabet[v & 63];
		else if (pad)
			s[n++] = '=';
	}
	s[n] = '\0';
	return s;
}

char *
codec_base64url_encode(const uint8_t *buf, size_t len)
{
	return b64_encode(buf, len,
	                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789-_",
	                  false);
}

char *
codec_base64_encode(const uint8_t *buf, size_t len)
{
	return b64_encode(buf, len,
	                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789+/",
	                  true);
}

bool
codec_evidence_decode(const char *s, size_t slen, uint8_t **out, size_t *outlen)
{
	while (slen > 0 &&
	       (s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r')) {
		s++;
		slen--;
	}
	while (slen > 0 && (s[slen - 1] == ' ' || s[slen - 1] == '\n' ||
	                    s[slen - 1] == '\t' || s[slen - 1] == '\r'))
		slen--;
	if (slen == 0) {
		*out = NULL;
		*outlen = 0;
		return false;
	}
	if (slen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return codec_hex_decode(s, slen, out, outlen);
	/* Hex when every character is a hex digit (one pass: the decoding
	 * fails at the first that is not), else base64. */
	if (slen % 2 == 0 && codec_hex_decode(s, slen, out, outlen))
		return true;
	return codec_base64_decode(s, slen, out, outlen);
}
