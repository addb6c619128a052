#ifndef TP_RIM_XML_H
#define TP_RIM_XML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A small, strict XML 1.0 reader for NVIDIA RIMs, and Canonical XML 1.1
 * (W3C, 2008) of a document or an element subtree, enough to check the
 * RIMs' enveloped XML-DSig (W3C XML Signature 1.1) signature.
 *
 * Supported: elements, attributes (either quote), character data, the
 * five predefined entities and character references, comments and the
 * XML declaration (both dropped). Refused: DOCTYPE (and so any other
 * entity), CDATA sections, processing instructions, xml:* attributes,
 * non-UTF-8 encodings, more than one root, markup outside the root.
 */

enum xml_tok_type { XML_START, XML_END, XML_TEXT };

struct xml_attr {
	char *qname;       /* as written, NUL-terminated */
	const char *local; /* into qname, after any prefix */
	char *value;       /* references decoded, whitespace normalised */
};

struct xml_tok {
	enum xml_tok_type type;
	char *qname;       /* START/END */
	const char *local; /* START/END */
	struct xml_attr *attrs;
	size_t n_attrs;
	char *text; /* TEXT: decoded, NUL-terminated */
	size_t text_len;
	size_t end;    /* START: index of its END token */
	size_t parent; /* START: index of the parent START, or SIZE_MAX */
};

struct xml_doc {
	struct xml_tok *t;
	size_t n;
};

/* Parses XML (LEN bytes). NULL with a reason in WHY when refused.
 * Free with xml_doc_free. */
struct xml_doc *xml_parse(const char *xml, size_t len, char *why,
                          size_t whylen);
void xml_doc_free(struct xml_doc *d);

/* The value of attribute LOCAL (local name, no namespace check) of START
 * token T, or NULL. */
const char *xml_attr_get(const struct xml_tok *t, const char *local);

/* The namespace URI bound to the prefix of QNAME ("" for none) in scope at
 * START token I; NULL when the prefix is unbound. */
const char *xml_ns_of(const struct xml_doc *d, size_t i, const char *qname);

/*
 * Canonical XML 1.1 (without comments) of the subtree at START token
 * APEX (the whole document when APEX is the root), leaving out the
 * subtree at START token SKIP (SIZE_MAX for none: the enveloped-signature
 * transform). *out is malloc'd. False on OOM or an unsupported input.
 */
bool xml_c14n11(const struct xml_doc *d, size_t apex, size_t skip,
                uint8_t **out, size_t *outlen);

#endif
