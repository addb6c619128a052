/* Proofs through the stored nodes, and their JSON (handlers/log.h). */
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/log.h"
#include "handlers/log.h"

/*
 * Which perfect subtrees a proof reads depends on (m, n) alone, so a
 * first pass records them, one query fetches them, and a second pass
 * computes the proof.
 */
struct nodes {
	struct db_tlog_node *v;
	size_t n, cap;
	bool collect, failed;
};

static bool
node_fn(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
	struct nodes *s = ctx;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].level == level && s->v[i].idx == index) {
			if (s->collect) {
				memset(out, 0, 32);
				return true;
			}
			memcpy(out, s->v[i].hash, 32);
			return s->v[i].found;
		}
	if (!s->collect)
		return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 128;
		struct db_tlog_node *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			s->failed = true;
			return false;
		}
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].level = level;
	s->v[s->n].idx = index;
	s->n++;
	memset(out, 0, 32);
	return true;
}

typedef bool (*proof_fn)(tlog_node_fn fn, void *ctx, uint64_t m, uint64_t n,
                         uint8_t out[][TLOG_HASH_LEN], size_t *len);

static enum db_status
two_pass(PGconn *c, proof_fn proof, uint64_t m, uint64_t n,
         uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	struct nodes s = {.collect = true};
	enum db_status st = DB_ERROR;

	if (!proof(node_fn, &s, m, n, out, len) || s.failed)
		goto out;
	if ((st = db_tlog_nodes_get(c, s.v, s.n)) != DB_OK)
		goto out;
	s.collect = false;
	if (!proof(node_fn, &s, m, n, out, len)) {
		tp_log(TP_LOG_ERROR,
		       "transparency log: a node of the tree of "
		       "%llu leaves is missing",
		       (unsigned long long)n);
		st = DB_ERROR;
	}
out:
	free(s.v);
	return st;
}

enum db_status
log_inclusion(PGconn *c, uint64_t m, uint64_t n, uint8_t out[][TLOG_HASH_LEN],
              size_t *len)
{
	return two_pass(c, tlog_inclusion_proof, m, n, out, len);
}

enum db_status
log_consistency(PGconn *c, uint64_t m, uint64_t n, uint8_t out[][TLOG_HASH_LEN],
                size_t *len)
{
	return two_pass(c, tlog_consistency_proof, m, n, out, len);
}

json_t *
log_proof_json(uint64_t leaf_index, uint64_t tree_size,
               const uint8_t proof[][TLOG_HASH_LEN], size_t len)
{
	json_t *hashes = json_array(), *out;

	for (size_t i = 0; hashes != NULL && i < len; i++) {
		char *b = codec_base64_encode(proof[i], TLOG_HASH_LEN);
		if (b == NULL ||
		    json_array_append_new(hashes, json_string(b)) != 0) {
			free(b);
			json_decref(hashes);
			return NULL;
		}
		free(b);
	}
	if (hashes == NULL)
		return NULL;
	out = json_pack("{s:I, s:I, s:o}", "leaf_index", (json_int_t)leaf_index,
	                "tree_size", (json_int_t)tree_size, "hashes", hashes);
	return out;
}

json_t *
log_passport_inclusion(const char *id, bool fresh)
{
	struct db_tlog_entry e;
	struct db_tlog_checkpoint cp = {0};
	struct log_proof p;
	json_t *out = NULL;
	bool found = false;
	PGconn *c;

	if (id == NULL || !log_enabled())
		return NULL;
	/* A passport just committed is pending: sequence before looking.
	 * When this process's batch sequenced it, the proof comes from
	 * that batch, in memory. */
	if (fresh) {
		if (log_sequence_proof(id, &p, &found) != DB_OK)
			return NULL;
		if (found)
			return log_proof_json(p.leaf_index, p.tree_size,
			                      p.hashes, p.len);
	}
	if ((c = db_conn()) == NULL ||
	    db_tlog_entry_by_passport(c, id, &e) != DB_OK)
		return NULL;
	if (!e.sequenced && !fresh) {
		if (log_sequence_shared() != DB_OK || (c = db_conn()) == NULL ||
		    db_tlog_entry_by_passport(c, id, &e) != DB_OK)
			return NULL;
	}
	if (!e.sequenced || db_tlog_checkpoint_latest(c, &cp) != DB_OK ||
	    e.leaf_index >= cp.size)
		goto out;
	if (log_inclusion(c, e.leaf_index, cp.size, p.hashes, &p.len) != DB_OK)
		goto out;
	out = log_proof_json(e.leaf_index, cp.size, p.hashes, p.len);
out:
	free(cp.note);
	return out;
}

bool
log_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > TLOG_MAX_SIZE)
		return false;
	*out = v;
	return true;
}
