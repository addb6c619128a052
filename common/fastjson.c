/*
 * A fast path in front of jansson's json_loadb for request bodies
 * (common/fastjson.h). RFC 8259 restricted to a subset whose every text
 * jansson accepts (with JSON_REJECT_DUPLICATES) into the same tree: no
 * \u escape, no byte outside printable ASCII in a string, no real
 * number, no integer that could overflow, no member named twice, a
 * small depth. Anything else, valid or not, is "unsure" and goes to
 * jansson, so what is accepted and what is rejected stay jansson's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fastjson.h"

struct fj {
	const char *p, *end;
};

static void
ws(struct fj *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	                         *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/*
 * The string whose opening quote S is past: *STR and *N its bytes, in
 * the text when it has no escape, else in *OWNED (malloc'd, the caller
 * frees it). False when unsure.
 */
static bool
string_body(struct fj *s, const char **str, size_t *n, char **owned)
{
	const char *start = s->p, *in;
	bool escaped = false;
	char *out;
	size_t raw;

	*owned = NULL;
	for (;;) {
		unsigned char c;

		if (s->p >= s->end)
			return false;
		c = (unsigned char)*s->p;
		if (c == '"')
			break;
		if (c == '\\') {
			char e;

			if (s->end - s->p < 2)
				return false;
			e = s->p[1];
			/* \u (the one escape that can spell any code point,
			 * NUL and lone surrogates included) is jansson's. */
			if (e == '\0' || strchr("\"\\/bfnrt", e) == NULL)
				return false;
			escaped = true;
			s->p += 2;
			continue;
		}
		/* Control characters are invalid; bytes >= 0x80 need UTF-8
		 * validation: both jansson's. */
		if (c < 0x20 || c >= 0x80)
			return false;
		s->p++;
	}
	raw = (size_t)(s->p - start);
	s->p++; /* the closing quote */
	if (!escaped) {
		*str = start;
		*n = raw;
		return true;
	}
	if ((out = malloc(raw + 1)) == NULL)
		return false;
	*n = 0;
	for (in = start; in < start + raw; in++) {
		char c = *in;

		if (c == '\\') {
			switch (*++in) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default: /* '"', '\\', '/' */
				c = *in;
				break;
			}
		}
		out[(*n)++] = c;
	}
	out[*n] = '\0';
	*owned = out;
	*str = out;
	return true;
}

static json_t *value(struct fj *s, int depth);

static json_t *
object(struct fj *s, int depth)
{
	json_t *o = json_object(), *v;
	const char *k;
	char *owned = NULL;
	size_t kn;

	if (o == NULL || depth > FASTJSON_MAX_DEPTH)
		goto unsure;
	s->p++; /* '{' */
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return o;
	}
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			goto unsure;
		s->p++;
		if (!string_body(s, &k, &kn, &owned))
			goto unsure;
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			goto unsure;
		s->p++;
		ws(s);
		if ((v = value(s, depth + 1)) == NULL)
			goto unsure;
		/* A member named twice: jansson rejects it
		 * (JSON_REJECT_DUPLICATES). */
		if (json_object_getn(o, k, kn) != NULL) {
			json_decref(v);
			goto unsure;
		}
		/* Steals V, also on failure. */
		if (json_object_setn_new_nocheck(o, k, kn, v) != 0)
			goto unsure;
		free(owned);
		owned = NULL;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return o;
		}
		goto unsure;
	}
unsure:
	free(owned);
	json_decref(o);
	return NULL;
}

static json_t *
array(struct fj *s, int depth)
{
	json_t *a = json_array(), *v;

	if (a == NULL || depth > FASTJSON_MAX_DEPTH)
		goto unsure;
	s->p++; /* '[' */
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return a;
	}
	for (;;) {
		/* Steals V, also on failure. */
		if ((v = value(s, depth + 1)) == NULL ||
		    json_array_append_new(a, v) != 0)
			goto unsure;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return a;
		}
		goto unsure;
	}
unsure:
	json_decref(a);
	return NULL;
}

/* An integer of at most 18 digits (no overflow possible); a fraction
 * or an exponent (a real: jansson's formatting) is unsure. */
static json_t *
integer(struct fj *s)
{
	bool neg = false;
	int64_t x = 0;
	int digits = 0;

	if (*s->p == '-') {
		neg = true;
		s->p++;
	}
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return NULL;
	if (*s->p == '0') {
		s->p++;
		digits = 1;
		if (s->p < s->end && *s->p >= '0' && *s->p <= '9')
			return NULL;
	} else {
		while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
			if (++digits > 18)
				return NULL;
			x = x * 10 + (*s->p - '0');
			s->p++;
		}
	}
	if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
		return NULL;
	return json_integer(neg ? -x : x);
}

static bool
literal(struct fj *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

static json_t *
value(struct fj *s, int depth)
{
	const char *str;
	char *owned;
	size_t n;
	json_t *v;

	if (s->p >= s->end)
		return NULL;
	switch (*s->p) {
	case '{':
		return object(s, depth);
	case '[':
		return array(s, depth);
	case '"':
		s->p++;
		if (!string_body(s, &str, &n, &owned))
			return NULL;
		v = json_stringn_nocheck(str, n);
		free(owned);
		return v;
	case 't':
		return literal(s, "true", 4) ? json_true() : NULL;
	case 'f':
		return literal(s, "false", 5) ? json_false() : NULL;
	case 'n':
		return literal(s, "null", 4) ? json_null() : NULL;
	default:
		return integer(s);
	}
}

json_t *
fastjson_parse_subset(const char *buf, size_t len)
{
	struct fj s = {buf, buf + len};
	json_t *doc;

	if (buf == NULL)
		return NULL;
	ws(&s);
	/* jansson decodes only an object or an array at the top (no
	 * JSON_DECODE_ANY). */
	if (s.p >= s.end || (*s.p != '{' && *s.p != '['))
		return NULL;
	if ((doc = value(&s, 1)) == NULL)
		return NULL;
	ws(&s);
	if (s.p != s.end) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *
fastjson_loadb(const char *buf, size_t len)
{
	json_t *doc = fastjson_parse_subset(buf, len);

	if (doc != NULL)
		return doc;
	return json_loadb(buf != NULL ? buf : "", len, JSON_REJECT_DUPLICATES,
	                  NULL);
}
