/* Strict XML reading and Canonical XML 1.1 for NVIDIA RIMs (see
 * rim_xml.h). References: XML 1.0 (5th ed.) 2.11 line ends, 3.3.3
 * attribute-value normalisation, 4.1/4.6 references; Canonical XML 1.1
 * (W3C Rec. 2 May 2008) 2.3 and 4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/core/reader.h"
#include "verify/nvidia/rim_xml.h"

#define XML_MAX_DEPTH  64
#define XML_MAX_TOKENS 20000
#define XML_MAX_ATTRS  64
#define XML_MAX_NS     64

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void
sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 256) + n;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void
sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

/* A NUL-terminated copy of the sbuf's bytes, or NULL. */
static char *
sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}

static bool
peek(const struct reader *r, uint8_t *c)
{
	struct reader p = *r;

	return reader_u8(&p, c);
}

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static void
skip_space(struct reader *r)
{
	uint8_t c;

	while (peek(r, &c) && is_space(c))
		reader_skip(r, 1);
}

static bool
skip_past(struct reader *r, const char *end)
{
	size_t n = strlen(end);
	const uint8_t *p;

	while (reader_remaining(r) >= n) {
		struct reader look = *r;
		if (reader_bytes(&look, n, &p) && memcmp(p, end, n) == 0) {
			*r = look;
			return true;
		}
		reader_skip(r, 1);
	}
	return false;
}

static bool
name_char(uint8_t c)
{
	return !is_space(c) && c != '=' && c != '/' && c != '>' && c != '<' &&
	       c != '"' && c != '\'' && c != '&' && c != '?' && c != '!';
}

/* A qualified name: at most one colon, not first or last. */
static char *
read_qname(struct reader *r)
{
	struct reader start = *r;
	const uint8_t *p;
	size_t n = 0, colons = 0;
	uint8_t c;
	char *s;

	while (peek(r, &c) && name_char(c)) {
		colons += c == ':';
		reader_skip(r, 1);
		n++;
	}
	if (n == 0 || colons > 1 || !reader_bytes(&start, n, &p) ||
	    p[0] == ':' || p[n - 1] == ':' || (p[0] >= '0' && p[0] <= '9') ||
	    p[0] == '-' || p[0] == '.')
		return NULL;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static const char *
local_of(const char *qname)
{
	const char *c = strchr(qname, ':');

	return c ? c + 1 : qname;
}

static void
put_utf8(struct sbuf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		sb_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		sb_putn(b, u, 4);
	}
}

/* One reference after '&' (XML 1.0 4.1, 4.6); false when unknown. */
static bool
decode_ref(struct reader *r, struct sbuf *out)
{
	char name[12];
	size_t n = 0;
	uint8_t c;
	unsigned long cp = 0;
	char *end;

	while (reader_u8(r, &c) && c != ';') {
		if (n + 1 >= sizeof(name))
			return false;
		name[n++] = (char)c;
	}
	if (c != ';' || n == 0)
		return false;
	name[n] = '\0';
	if (strcmp(name, "lt") == 0)
		sb_putc(out, '<');
	else if (strcmp(name, "gt") == 0)
		sb_putc(out, '>');
	else if (strcmp(name, "amp") == 0)
		sb_putc(out, '&');
	else if (strcmp(name, "quot") == 0)
		sb_putc(out, '"');
	else if (strcmp(name, "apos") == 0)
		sb_putc(out, '\'');
	else if (name[0] == '#') {
		if (name[1] == 'x')
			cp = strtoul(name + 2, &end, 16);
		else
			cp = strtoul(name + 1, &end, 10);
		if (*end != '\0' || end == name + 1 || end == name + 2 ||
		    cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		put_utf8(out, cp);
	} else {
		return false;
	}
	return true;
}

/* Character data up to '<' (or the end), references decoded. */
static bool
read_text(struct reader *r, struct sbuf *out, bool *all_space)
{
	uint8_t c;

	*all_space = true;
	while (peek(r, &c) && c != '<') {
		reader_skip(r, 1);
		if (c == '&') {
			*all_space = false;
			if (!decode_ref(r, out))
				return false;
			continue;
		}
		if (!is_space(c))
			*all_space = false;
		sb_putc(out, (char)c);
	}
	return !out->oom;
}

/* A quoted value; literal whitespace becomes a space (XML 1.0 3.3.3),
 * references are decoded, '<' is refused. */
static char *
read_value(struct reader *r)
{
	struct sbuf b = {0};
	uint8_t q, c;

	if (!reader_u8(r, &q) || (q != '"' && q != '\''))
		return NULL;
	for (;;) {
		if (!reader_u8(r, &c) || c == '<')
			goto bad;
		if (c == q)
			break;
		if (c == '&') {
			if (!decode_ref(r, &b))
				goto bad;
		} else {
			sb_putc(&b, is_space(c) ? ' ' : (char)c);
		}
	}
	return sb_take(&b);
bad:
	free(b.p);
	return NULL;
}

static bool
push_tok(struct xml_doc *d, size_t *cap, struct xml_tok *t)
{
	if (d->n == XML_MAX_TOKENS)
		return false;
	if (d->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct xml_tok *p = realloc(d->t, nc * sizeof(*p));
		if (p == NULL)
			return false;
		d->t = p;
		*cap = nc;
	}
	d->t[d->n++] = *t;
	return true;
}

static void
tok_free(struct xml_tok *t)
{
	for (size_t i = 0; i < t->n_attrs; i++) {
		free(t->attrs[i].qname);
		free(t->attrs[i].value);
	}
	free(t->attrs);
	free(t->qname);
	free(t->text);
}

void
xml_doc_free(struct xml_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		tok_free(&d->t[i]);
	free(d->t);
	free(d);
}

/* Gives back the unused attribute slots: a hostile RIM of many small
 * elements must not cost XML_MAX_ATTRS slots per element. */
static void
shrink_attrs(struct xml_tok *t)
{
	struct xml_attr *a;

	if (t->n_attrs == 0) {
		free(t->attrs);
		t->attrs = NULL;
		return;
	}
	if ((a = realloc(t->attrs, t->n_attrs * sizeof(*a))) != NULL)
		t->attrs = a;
}

/* The attributes of a start tag up to '>' or '/>'. */
static bool
read_attrs(struct reader *r, struct xml_tok *t, bool *empty, char *why,
           size_t whylen)
{
	uint8_t c;

	t->attrs = calloc(XML_MAX_ATTRS, sizeof(*t->attrs));
	if (t->attrs == NULL)
		return false;
	for (;;) {
		struct xml_attr *a;
		bool spaced = peek(r, &c) && is_space(c);
		skip_space(r);
		if (!peek(r, &c))
			break;
		if (c == '>') {
			reader_skip(r, 1);
			shrink_attrs(t);
			return true;
		}
		if (c == '/') {
			reader_skip(r, 1);
			*empty = true;
			shrink_attrs(t);
			return reader_u8(r, &c) && c == '>';
		}
		/* attributes are separated by whitespace */
		if (!spaced || t->n_attrs == XML_MAX_ATTRS)
			break;
		a = &t->attrs[t->n_attrs];
		if ((a->qname = read_qname(r)) == NULL)
			break;
		t->n_attrs++;
		a->local = local_of(a->qname);
		skip_space(r);
		if (!reader_u8(r, &c) || c != '=')
			break;
		skip_space(r);
		if ((a->value = read_value(r)) == NULL)
			break;
		if (strncmp(a->qname, "xml:", 4) == 0 ||
		    strcmp(a->qname, "xmlns:xml") == 0 ||
		    strcmp(a->qname, "xmlns:xmlns") == 0 ||
		    (strncmp(a->qname, "xmlns:", 6) == 0 && a->value[0] == 0)) {
			snprintf(why, whylen,
			         "attribute %.32s is not supported", a->qname);
			return false;
		}
		for (size_t i = 0; i + 1 < t->n_attrs; i++) {
			if (strcmp(t->attrs[i].qname, a->qname) == 0) {
				snprintf(why, whylen,
				         "attribute %.32s repeated", a->qname);
				return false;
			}
		}
	}
	snprintf(why, whylen, "malformed start tag <%.32s>", t->qname);
	return false;
}

struct xml_doc *
xml_parse(const char *xml, size_t len, char *why, size_t whylen)
{
	struct xml_doc *d = NULL, *res = NULL;
	struct reader r;
	size_t stack[XML_MAX_DEPTH], depth = 0, cap = 0;
	char *norm = NULL;
	size_t nl = 0;
	bool root_done = false;
	uint8_t c;

	snprintf(why, whylen, "out of memory");
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (norm = malloc(len + 1)) == NULL)
		goto out;
	/* XML 1.0 2.11: CR LF and lone CR become LF before parsing. */
	reader_init(&r, (const uint8_t *)xml, len);
	while (reader_u8(&r, &c)) {
		if (c == '\r') {
			uint8_t n2;
			if (peek(&r, &n2) && n2 == '\n')
				reader_skip(&r, 1);
			c = '\n';
		}
		if (c == 0) {
			snprintf(why, whylen, "NUL byte in the XML");
			goto out;
		}
		norm[nl++] = (char)c;
	}
	reader_init(&r, (const uint8_t *)norm, nl);
	while (reader_remaining(&r) > 0) {
		struct xml_tok t;
		bool empty = false;
		memset(&t, 0, sizeof(t));
		if (!peek(&r, &c))
			break;
		if (c != '<') {
			struct sbuf b = {0};
			bool space;
			if (!read_text(&r, &b, &space)) {
				free(b.p);
				snprintf(why, whylen,
				         "bad reference in character data");
				goto out;
			}
			if (depth == 0) {
				free(b.p);
				if (!space) {
					snprintf(why, whylen,
					         "text outside the root "
					         "element");
					goto out;
				}
				continue;
			}
			t.type = XML_TEXT;
			t.text_len = b.n;
			if ((t.text = sb_take(&b)) == NULL ||
			    !push_tok(d, &cap, &t)) {
				free(t.text);
				goto out;
			}
			continue;
		}
		reader_skip(&r, 1);
		if (!peek(&r, &c)) {
			snprintf(why, whylen, "truncated markup");
			goto out;
		}
		if (c == '?') {
			const uint8_t *p;
			struct reader look = r;
			/* Only the XML declaration, first, in UTF-8. */
			if (reader_offset(&r) != 1 ||
			    !reader_bytes(&look, 5, &p) ||
			    memcmp(p, "?xml ", 5) != 0 ||
			    !skip_past(&r, "?>")) {
				snprintf(why, whylen,
				         "processing instructions are refused");
				goto out;
			}
			continue;
		}
		if (c == '!') {
			const uint8_t *p;
			if (!reader_bytes(&r, 3, &p) ||
			    memcmp(p, "!--", 3) != 0 || !skip_past(&r, "-->")) {
				snprintf(
				        why, whylen,
				        "DOCTYPE, CDATA and malformed comments "
				        "are refused");
				goto out;
			}
			continue;
		}
		if (c == '/') {
			struct xml_tok *open;
			reader_skip(&r, 1);
			t.type = XML_END;
			if ((t.qname = read_qname(&r)) == NULL) {
				snprintf(why, whylen, "malformed end tag");
				goto out;
			}
			skip_space(&r);
			open = depth ? &d->t[stack[depth - 1]] : NULL;
			if (!reader_u8(&r, &c) || c != '>' || open == NULL ||
			    strcmp(open->qname, t.qname) != 0) {
				snprintf(why, whylen,
				         "end tag does not close the open "
				         "element");
				free(t.qname);
				goto out;
			}
			t.local = local_of(t.qname);
			open->end = d->n;
			if (!push_tok(d, &cap, &t)) {
				free(t.qname);
				goto out;
			}
			if (--depth == 0)
				root_done = true;
			continue;
		}
		t.type = XML_START;
		t.parent = depth ? stack[depth - 1] : SIZE_MAX;
		if (root_done || depth == XML_MAX_DEPTH ||
		    (t.qname = read_qname(&r)) == NULL) {
			snprintf(why, whylen,
			         "second root, nesting too deep or bad element "
			         "name");
			goto out;
		}
		t.local = local_of(t.qname);
		if (!read_attrs(&r, &t, &empty, why, whylen) ||
		    !push_tok(d, &cap, &t)) {
			tok_free(&t);
			goto out;
		}
		stack[depth++] = d->n - 1;
		if (empty) {
			struct xml_tok e = {.type = XML_END};
			if ((e.qname = strdup(t.qname)) == NULL)
				goto out;
			e.local = local_of(e.qname);
			d->t[d->n - 1].end = d->n;
			if (!push_tok(d, &cap, &e)) {
				free(e.qname);
				goto out;
			}
			if (--depth == 0)
				root_done = true;
		}
	}
	if (depth != 0 || !root_done) {
		snprintf(why, whylen, "document ends inside an element");
		goto out;
	}
	res = d;
	d = NULL;
out:
	xml_doc_free(d);
	free(norm);
	return res;
}

const char *
xml_attr_get(const struct xml_tok *t, const char *local)
{
	for (size_t i = 0; i < t->n_attrs; i++)
		if (strcmp(t->attrs[i].local, local) == 0 &&
		    strncmp(t->attrs[i].qname, "xmlns", 5) != 0)
			return t->attrs[i].value;
	return NULL;
}

/* The prefix of a namespace declaration attribute ("" for xmlns), or
 * NULL when the attribute is not one. */
static const char *
decl_prefix(const struct xml_attr *a)
{
	if (strcmp(a->qname, "xmlns") == 0)
		return "";
	if (strncmp(a->qname, "xmlns:", 6) == 0)
		return a->qname + 6;
	return NULL;
}

const char *
xml_ns_of(const struct xml_doc *d, size_t i, const char *qname)
{
	const char *colon = strchr(qname, ':');
	size_t plen = colon ? (size_t)(colon - qname) : 0;

	for (; i != SIZE_MAX; i = d->t[i].parent) {
		for (size_t k = 0; k < d->t[i].n_attrs; k++) {
			const char *p = decl_prefix(&d->t[i].attrs[k]);
			if (p != NULL && strlen(p) == plen &&
			    strncmp(p, qname, plen) == 0)
				return d->t[i].attrs[k].value;
		}
	}
	return plen == 0 ? "" : NULL;
}

struct ns {
	const char *prefix, *uri;
};

/* Every namespace binding in scope at START token I, nearest first. */
static bool
collect_ns(const struct xml_doc *d, size_t i, struct ns *out, size_t *n)
{
	*n = 0;
	for (; i != SIZE_MAX; i = d->t[i].parent) {
		for (size_t k = 0; k < d->t[i].n_attrs; k++) {
			const char *p = decl_prefix(&d->t[i].attrs[k]);
			size_t j;
			if (p == NULL)
				continue;
			for (j = 0; j < *n; j++)
				if (strcmp(out[j].prefix, p) == 0)
					break;
			if (j < *n)
				continue;
			if (*n == XML_MAX_NS)
				return false;
			out[*n].prefix = p;
			out[(*n)++].uri = d->t[i].attrs[k].value;
		}
	}
	return true;
}

static const char *
ns_lookup(const struct ns *s, size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].prefix, prefix) == 0)
			return s[i].uri;
	return NULL;
}

static void
escape(struct sbuf *b, const char *s, size_t n, bool attr)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			if (attr)
				sb_putc(b, '>');
			else
				sb_puts(b, "&gt;");
			break;
		case '"':
			if (attr)
				sb_puts(b, "&quot;");
			else
				sb_putc(b, '"');
			break;
		case '\t':
			if (attr)
				sb_puts(b, "&#x9;");
			else
				sb_putc(b, '\t');
			break;
		case '\n':
			if (attr)
				sb_puts(b, "&#xA;");
			else
				sb_putc(b, '\n');
			break;
		case '\r':
			sb_puts(b, "&#xD;");
			break;
		default:
			sb_putc(b, s[i]);
		}
	}
}

struct sorted_attr {
	const char *uri, *local;
	const struct xml_attr *a;
};

static int
cmp_ns(const void *x, const void *y)
{
	const struct ns *a = x, *b = y;

	return strcmp(a->prefix, b->prefix); /* "" (default) sorts first */
}

static int
cmp_attr(const void *x, const void *y)
{
	const struct sorted_attr *a = x, *b = y;
	int c = strcmp(a->uri, b->uri);

	return c != 0 ? c : strcmp(a->local, b->local);
}

/* C14N 1.1 section 2.3: namespace nodes not already rendered by the
 * nearest output ancestor, sorted by prefix; then attributes sorted by
 * (namespace URI, local name). */
static bool
start_tag(const struct xml_doc *d, size_t i, bool apex, struct sbuf *b)
{
	const struct xml_tok *t = &d->t[i];
	struct ns mine[XML_MAX_NS], parent[XML_MAX_NS], emit[XML_MAX_NS];
	struct sorted_attr at[XML_MAX_ATTRS];
	size_t nm, np = 0, ne = 0, na = 0;

	if (!collect_ns(d, i, mine, &nm))
		return false;
	if (!apex && !collect_ns(d, t->parent, parent, &np))
		return false;
	for (size_t k = 0; k < nm; k++) {
		const char *have = ns_lookup(parent, np, mine[k].prefix);
		if (mine[k].prefix[0] == '\0' && mine[k].uri[0] == '\0') {
			/* xmlns="" only undoes a rendered default */
			if (have != NULL && have[0] != '\0')
				emit[ne++] = mine[k];
			continue;
		}
		if (have == NULL || strcmp(have, mine[k].uri) != 0)
			emit[ne++] = mine[k];
	}
	qsort(emit, ne, sizeof(emit[0]), cmp_ns);
	for (size_t k = 0; k < t->n_attrs; k++) {
		const struct xml_attr *a = &t->attrs[k];
		if (decl_prefix(a) != NULL)
			continue;
		at[na].uri =
		        strchr(a->qname, ':') ? xml_ns_of(d, i, a->qname) : "";
		if (at[na].uri == NULL)
			return false; /* unbound prefix */
		at[na].local = a->local;
		at[na++].a = a;
	}
	qsort(at, na, sizeof(at[0]), cmp_attr);
	sb_putc(b, '<');
	sb_puts(b, t->qname);
	for (size_t k = 0; k < ne; k++) {
		sb_puts(b, emit[k].prefix[0] ? " xmlns:" : " xmlns");
		sb_puts(b, emit[k].prefix);
		sb_puts(b, "=\"");
		escape(b, emit[k].uri, strlen(emit[k].uri), true);
		sb_putc(b, '"');
	}
	for (size_t k = 0; k < na; k++) {
		sb_putc(b, ' ');
		sb_puts(b, at[k].a->qname);
		sb_puts(b, "=\"");
		escape(b, at[k].a->value, strlen(at[k].a->value), true);
		sb_putc(b, '"');
	}
	sb_putc(b, '>');
	return !b->oom;
}

bool
xml_c14n11(const struct xml_doc *d, size_t apex, size_t skip, uint8_t **out,
           size_t *outlen)
{
	struct sbuf b = {0};
	size_t i;

	if (apex >= d->n || d->t[apex].type != XML_START)
		return false;
	for (i = apex; i <= d->t[apex].end; i++) {
		const struct xml_tok *t = &d->t[i];
		if (i == skip) {
			i = t->end; /* the enveloped signature */
			continue;
		}
		if (t->type == XML_START) {
			if (!start_tag(d, i, i == apex, &b))
				goto bad;
		} else if (t->type == XML_END) {
			sb_puts(&b, "</");
			sb_puts(&b, t->qname);
			sb_putc(&b, '>');
		} else {
			escape(&b, t->text, t->text_len, false);
		}
	}
	if (b.oom || b.p == NULL)
		goto bad;
	*out = (uint8_t *)b.p;
	*outlen = b.n;
	return true;
bad:
	free(b.p);
	return false;
}
