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
			if (e != '"' && e != '\\' && e != '/' && e != 'b' &&
			    e != 'f' && e != 'n' && e != 'r' && e != 't')
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

/* ---- Serialising ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static bool
put(struct out *o, const char *p, size_t n)
{
	if (o->cap - o->len < n + 1) {
		size_t cap = o->cap > 0 ? o->cap : 1024;
		char *b;

		while (cap - o->len < n + 1)
			cap *= 2;
		if ((b = realloc(o->buf, cap)) == NULL)
			return false;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return true;
}

/* S as jansson's dump_string writes it: '"' and '\\' escaped, control
 * characters as \b \f \n \r \t or \u00XX (upper-case hex). A byte >=
 * 0x80 (UTF-8, escaped or not by flags) is unsure. */
static bool
put_string(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	if (!put(o, "\"", 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 'u', '0', '0', 0, 0};
		size_t el = 2;

		if (c >= 0x80)
			return false;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (!put(o, s + run, i - run))
			return false;
		run = i + 1;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			el = 6;
			break;
		}
		if (!put(o, esc, el))
			return false;
	}
	return put(o, s + run, n - run) && put(o, "\"", 1);
}

static bool
put_value(struct out *o, const json_t *j, int depth)
{
	char num[32];
	int k;

	if (depth > FASTJSON_MAX_DEPTH)
		return false;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		bool first = true;

		if (!put(o, "{", 1))
			return false;
		for (void *it = json_object_iter((json_t *)j); it != NULL;
		     it = json_object_iter_next((json_t *)j, it)) {
			if ((!first && !put(o, ",", 1)) ||
			    !put_string(o, json_object_iter_key(it),
			                json_object_iter_key_len(it)) ||
			    !put(o, ":", 1) ||
			    !put_value(o, json_object_iter_value(it),
			               depth + 1))
				return false;
			first = false;
		}
		return put(o, "}", 1);
	}
	case JSON_ARRAY:
		if (!put(o, "[", 1))
			return false;
		for (size_t i = 0; i < json_array_size(j); i++)
			if ((i > 0 && !put(o, ",", 1)) ||
			    !put_value(o, json_array_get(j, i), depth + 1))
				return false;
		return put(o, "]", 1);
	case JSON_STRING:
		return put_string(o, json_string_value(j),
		                  json_string_length(j));
	case JSON_INTEGER:
		k = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		             json_integer_value(j));
		return k > 0 && (size_t)k < sizeof(num) &&
		       put(o, num, (size_t)k);
	case JSON_TRUE:
		return put(o, "true", 4);
	case JSON_FALSE:
		return put(o, "false", 5);
	case JSON_NULL:
		return put(o, "null", 4);
	default: /* a real: jansson's formatting */
		return false;
	}
}

char *
fastjson_dumps(const json_t *j, size_t flags)
{
	struct out o = {NULL, 0, 0};

	if ((flags & ~(size_t)(JSON_COMPACT | JSON_ENSURE_ASCII)) == 0 &&
	    (flags & JSON_COMPACT) != 0 &&
	    (json_is_object(j) || json_is_array(j))) {
		if (put_value(&o, j, 1)) {
			o.buf[o.len] = '\0';
			return o.buf;
		}
		free(o.buf);
	}
	return json_dumps(j, flags);
}
