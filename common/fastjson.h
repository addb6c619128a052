#ifndef TP_FASTJSON_H
#define TP_FASTJSON_H
#include <stddef.h>

#include <jansson.h>

/*
 * json_loadb(BUF, LEN, JSON_REJECT_DUPLICATES, NULL), faster on the
 * request bodies teepassd sees (issue 19: jansson reads a 26 KB body of
 * hex and PEM one character at a time through a callback): the common
 * shape is parsed here, and whatever this parser is not sure of is left
 * to jansson, which then decides. The same tree (members in order) or
 * NULL when jansson rejects the text; the caller frees the tree.
 */
json_t *fastjson_loadb(const char *buf, size_t len);

/*
 * The fast path alone (for tests): the tree of BUF when the text lies
 * in the subset this parser is sure of — an object or array of objects,
 * arrays, strings of printable ASCII with the escapes \" \\ \/ \b \f \n
 * \r \t, integers of at most 18 digits, true, false and null, at most
 * FASTJSON_MAX_DEPTH deep, no member named twice — else NULL (not
 * "invalid": jansson may still accept it).
 */
#define FASTJSON_MAX_DEPTH 32
json_t *fastjson_parse_subset(const char *buf, size_t len);

/*
 * json_dumps(J, FLAGS), faster for FLAGS JSON_COMPACT with or without
 * JSON_ENSURE_ASCII (replies, stored claims): the same text, byte for
 * byte, or NULL on failure; the caller frees it. Trees with a real, a
 * byte >= 0x80 in a string or key, or deeper than FASTJSON_MAX_DEPTH,
 * and other FLAGS, are serialised by jansson.
 */
char *fastjson_dumps(const json_t *j, size_t flags);

#endif
