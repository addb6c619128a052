#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "db/registry.h"
#include "handlers/registry_util.h"
#include "server/metrics.h"

void
reg_uuid(char out[37])
{
	uint8_t b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof(b)) != 1)
		abort(); /* no randomness: refuse to mint ids */
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	codec_hex_encode_to(b, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	         hex + 16, hex + 20);
}

bool
reg_is_uuid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

enum MHD_Result
reg_reply_db(struct request *r, enum db_status st, enum tp_err not_found)
{
	if (st == DB_NOT_FOUND)
		return reply_error(r, not_found, NULL);
	if (st == DB_INVALID)
		return reply_error(r, TP_ERR_invalid_field, NULL);
	if (st == DB_UNAVAILABLE)
		db_conn_close();
	metrics_db_unavailable();
	return reply_error(r, TP_ERR_database_unavailable, NULL);
}

const char *
reg_string(struct request *r, const json_t *doc, const char *name, size_t max,
           bool *bad)
{
	json_t *v = json_object_get(doc, name);
	size_t n;

	if (v == NULL)
		return NULL;
	n = json_string_length(v);
	if (n == 0 || n > max) {
		reply_error(r, TP_ERR_invalid_field, name);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

void
reg_doc_sha256(const json_t *doc, char out[72])
{
	uint8_t md[32];
	char hex[65];
	char *s = json_dumps(doc,
	                     JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	memset(md, 0, sizeof(md));
	if (s != NULL)
		SHA256((const uint8_t *)s, strlen(s), md);
	free(s);
	codec_hex_encode_to(md, 32, hex);
	snprintf(out, 72, "sha256:%s", hex);
}

struct ref_args {
	const char *id;
	struct db_endpoint_ref *ref;
};

static enum db_status
read_ref(PGconn *c, void *arg)
{
	struct ref_args *a = arg;

	/* A retried attempt starts afresh. */
	json_decref(a->ref->doc);
	a->ref->doc = NULL;
	return db_endpoint_ref(c, a->id, a->ref);
}

enum db_status
reg_endpoint_ref(const char *id, struct db_endpoint_ref *ref)
{
	struct ref_args a = {id, ref};
	enum db_status st;

	memset(ref, 0, sizeof(*ref));
	if (!reg_is_uuid(id))
		return DB_NOT_FOUND;
	st = db_tx(read_ref, &a);
	if (st != DB_OK) {
		json_decref(ref->doc);
		ref->doc = NULL;
	}
	return st;
}
