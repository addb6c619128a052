#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/*
 * One statement: the evidence and every other input stored once by
 * digest (a repeat costs an index probe), the collateral set with its
 * items and blob list when it is new, then the passport naming them
 * (migrations/0007, 0011). passports.evidence is no longer written.
 * What it reuses is locked until the transaction ends, so the retention
 * purge (db/retention_purge.c), which skips locked rows, never deletes
 * the inputs of a passport being issued: the evidence (DO UPDATE … WHERE
 * false locks the row), the blobs and the set (FOR KEY SHARE: passports
 * sharing them do not wait on each other; = ANY (ARRAY (…)) makes the
 * blobs one primary-key probe each: the IN form was planned as a scan of
 * the whole table, which grows with every passport). A blob or set purged before
 * is inserted again — except a known set's bytes, not sent ($23): when
 * the set is gone, nothing is inserted and the caller sends them.
 * The same statement appends the passport.issued event and, unless the
 * log is off, the log entry with the token as its leaf (migration 0015)
 * and its RFC 9162 leaf hash, the caller's (else computed in SQL;
 * migration 0016).
 * The token's protected header is stored once per kid (migration 0015):
 * the row keeps jws_header NULL when it is its kid's stored header (the
 * first of a kid inserts it), its own header otherwise.
 */
/*
 * Parameters: $1..$16 the row and its inputs, $17 the JWS payload, $18
 * its signature, $19 the log's leaf (the token), $20 the leaf's hash;
 * the full statement only: $21 the set's list, $22 the JWS header, $23
 * whether the set is known stored. The two statements share every CTE
 * but those of the set and the header.
 */
#define CTE_INPUTS                                                             \
	"WITH ev AS (INSERT INTO evidence_blobs (sha256, body)"                \
	" VALUES ($11, $10::bytea) ON CONFLICT (sha256) DO UPDATE"             \
	" SET body = evidence_blobs.body WHERE false),"                        \
	" lb AS (SELECT sha256 FROM appraisal_blobs WHERE sha256 = ANY"        \
	" (ARRAY(SELECT b->>'s' FROM jsonb_array_elements(coalesce("           \
	"$15::jsonb, '[]')) b)) FOR KEY SHARE),"                               \
	" ls AS (SELECT sha256 FROM collateral_sets WHERE sha256 = $16"        \
	" FOR KEY SHARE),"
#define CTE_BLOBS                                                              \
	" bl AS (INSERT INTO appraisal_blobs (sha256, body)"                   \
	" SELECT DISTINCT ON (b->>'s') b->>'s', decode(b->>'b', 'base64')"     \
	" FROM jsonb_array_elements(coalesce($15::jsonb, '[]')) b"             \
	" ON CONFLICT DO NOTHING),"
/* The passport row, its jws_header HEADER. */
#define CTE_PASSPORT(header)                                                   \
	" ins AS (INSERT INTO passports (id, verified_at, expires_at,"         \
	" ear_status, tee_type, hardware_attested, claims, token, kid,"        \
	" evidence_sha256, request_sha256, endpoint_id, appraisal,"            \
	" collateral_set, jws_header, jws_payload, jws_signature)"             \
	" SELECT $1::uuid, to_timestamp($2::bigint), "                         \
	"to_timestamp($3::bigint),"                                            \
	" $4, $5, $6::boolean, $7::jsonb, $8, $9, $11, $12,"                   \
	" $13::uuid, $14::jsonb, $16, " header ", $17, $18::bytea"             \
	" FROM ok WHERE ok.ok RETURNING id, endpoint_id,"                      \
	" jws_header IS NULL AS shared),"
#define CTE_EVENT_LOG                                                          \
	" evt AS (INSERT INTO events (type, passport_id, endpoint_id,"         \
	" status) SELECT 'passport.issued', id, endpoint_id, 'active'"         \
	" FROM ins),"                                                          \
	" tl AS (INSERT INTO tlog_entries (kind, passport_id, endpoint_id,"    \
	" leaf, leaf_hash) SELECT 'passport', id, endpoint_id,"                \
	" convert_to($19, 'UTF8'), coalesce($20::bytea,"                       \
	" sha256('\\x00'::bytea || convert_to($19, 'UTF8')))"                  \
	" FROM ins WHERE current_setting('teepass.transparency_log', true)"    \
	" IS DISTINCT FROM 'off')"                                             \
	" SELECT shared FROM ins"

/* clang-format off */
static const struct db_stmt stmt = {
        "passport_insert",
        CTE_INPUTS
        " ok AS (SELECT (SELECT count(*) FROM lb) >= 0"
        " AND (NOT $23::boolean OR EXISTS (SELECT 1 FROM ls)) AS ok),"
        CTE_BLOBS
        " cs AS (INSERT INTO collateral_sets (sha256, artifacts)"
        " SELECT $16, $21::jsonb FROM ok WHERE ok.ok"
        " AND $16::text IS NOT NULL ON CONFLICT DO NOTHING RETURNING sha256),"
        " ci AS (INSERT INTO collateral_set_items (kind, key, set_sha256,"
        " sha256, chain_sha256)"
        " SELECT DISTINCT ON (a->>'kind', a->>'key') a->>'kind', a->>'key',"
        " cs.sha256, a->>'sha256', a->>'chain_sha256'"
        " FROM cs, jsonb_array_elements($21::jsonb) a"
        " WHERE a->>'key' <> '' ON CONFLICT DO NOTHING),"
        " cb AS (INSERT INTO collateral_set_blobs (sha256, set_sha256)"
        " SELECT DISTINCT v.d, cs.sha256"
        " FROM cs, jsonb_array_elements($21::jsonb) a,"
        " LATERAL (VALUES (a->>'sha256'), (a->>'chain_sha256')) v (d)"
        " WHERE v.d IS NOT NULL ON CONFLICT DO NOTHING),"
        " hd AS (INSERT INTO passport_jws_headers (kid, header)"
        " SELECT $9, $22 WHERE $22::text IS NOT NULL"
        " ON CONFLICT DO NOTHING RETURNING 1),"
        CTE_PASSPORT("CASE WHEN EXISTS (SELECT 1 FROM hd)"
                     " OR EXISTS (SELECT 1 FROM passport_jws_headers x"
                     " WHERE x.kid = $9 AND x.header = $22)"
                     " THEN NULL ELSE $22 END")
        CTE_EVENT_LOG,
        23};
/* clang-format on */

/*
 * The same for the steady state, where most passports are: the set is
 * known to be stored (locked by ls; when it is gone, nothing is inserted
 * and the caller runs the full statement with the bytes) and the kid's
 * stored header is this token's (known from an earlier insert of this
 * process: a kid's header is never changed or deleted), so the row's
 * jws_header is NULL. Without the set's and the header's inserts, the
 * statement has 4 CTEs fewer for PostgreSQL to start and end each time.
 * Parameters $1..$20 as above.
 */
/* clang-format off */
static const struct db_stmt stmt_known = {
        "passport_insert_known",
        CTE_INPUTS
        " ok AS (SELECT (SELECT count(*) FROM lb) >= 0"
        " AND EXISTS (SELECT 1 FROM ls) AS ok),"
        CTE_BLOBS
        CTE_PASSPORT("NULL")
        CTE_EVENT_LOG,
        20};
/* clang-format on */

/* The (kid, header) pairs this process saw stored as their kid's. */
#define HEADERS 8
static pthread_mutex_t headers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *kid, *header;
} headers[HEADERS];
static size_t n_headers;

static bool
header_known(const char *kid, const char *header)
{
	bool known = false;

	pthread_mutex_lock(&headers_lock);
	for (size_t i = 0; i < n_headers && !known; i++)
		known = strcmp(headers[i].kid, kid) == 0 &&
		        strcmp(headers[i].header, header) == 0;
	pthread_mutex_unlock(&headers_lock);
	return known;
}

/* Beyond HEADERS pairs (keys rotated many times in one run), the full
 * statement keeps working; nothing is evicted. */
static void
header_note(const char *kid, const char *header)
{
	char *k, *h;

	if (header_known(kid, header))
		return;
	k = strdup(kid);
	h = strdup(header);
	pthread_mutex_lock(&headers_lock);
	if (k != NULL && h != NULL && n_headers < HEADERS) {
		headers[n_headers].kid = k;
		headers[n_headers++].header = h;
		k = h = NULL;
	}
	pthread_mutex_unlock(&headers_lock);
	free(k);
	free(h);
}

/* Runs the statement for R; *inserted: the passport was (else R's known
 * set is gone). */
static enum db_status
insert(PGconn *c, const struct db_passport_row *r, bool *inserted)
{
	char verified[24], expires[24];
	const char *v[23];
	int len[23] = {0}, fmt[23] = {0};
	bool parts = r->jws_header != NULL, known;
	enum db_status st;
	PGresult *res;

	snprintf(verified, sizeof(verified), "%lld", (long long)r->verified_at);
	snprintf(expires, sizeof(expires), "%lld", (long long)r->expires_at);
	v[0] = r->id;
	v[1] = verified;
	v[2] = expires;
	v[3] = r->ear_status;
	v[4] = r->tee_type;
	v[5] = r->hardware_attested ? "true" : "false";
	/* With the token's parts, neither the token nor the claims (its
	 * payload) are stored again. */
	v[6] = parts ? NULL : r->claims_json;
	v[7] = parts ? NULL : r->token;
	v[8] = r->kid;
	v[9] = (const char *)r->evidence;
	len[9] = (int)r->evidence_len;
	fmt[9] = 1; /* binary bytea */
	v[10] = r->evidence_sha256;
	v[11] = r->request_sha256;
	v[12] = r->endpoint_id;
	v[13] = r->appraisal_json;
	v[14] = r->blobs_json;
	v[15] = r->set_sha256;
	v[16] = parts ? r->jws_payload : NULL;
	v[17] = parts ? (const char *)r->jws_signature : NULL;
	len[17] = parts ? (int)r->jws_signature_len : 0;
	fmt[17] = 1;
	/* The log's leaf: the token as signed (the parts rebuild it byte
	 * for byte), so the trigger need not build it again in SQL. */
	v[18] = r->token;
	v[19] = (const char *)r->leaf_hash;
	len[19] = r->leaf_hash != NULL ? 32 : 0;
	fmt[19] = 1;
	v[20] = r->set_json != NULL ? r->set_json : "[]";
	v[21] = r->jws_header;
	v[22] = r->set_known && r->set_sha256 != NULL ? "true" : "false";
	/* The steady state takes the first 20 parameters. */
	known = parts && r->set_known && r->set_sha256 != NULL &&
	        r->kid != NULL && header_known(r->kid, r->jws_header);
	if ((res = db_run(c, known ? &stmt_known : &stmt, v, len, fmt, &st)) ==
	    NULL)
		return st;
	*inserted = PQntuples(res) == 1;
	/* The row shares its kid's stored header: later inserts of this
	 * kid and header may use stmt_known. */
	if (*inserted && parts && !known && r->kid != NULL &&
	    strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		header_note(r->kid, r->jws_header);
	PQclear(res);
	return DB_OK;
}

enum db_status
db_passport_insert(PGconn *c, const struct db_passport_row *r)
{
	bool inserted = false;
	enum db_status st;

	st = insert(c, r, &inserted);
	if (st == DB_OK && !inserted) {
		/* The known set was purged: send its bytes (R is the caller's
		 * row, which set_bytes rewrites). */
		if (r->set_bytes == NULL || !r->set_bytes(r->set_bytes_arg) ||
		    r->set_known)
			return DB_ERROR;
		st = insert(c, r, &inserted);
		if (st == DB_OK && !inserted)
			st = DB_ERROR;
	}
	/* The statement appended the passport.issued event
	 * (docs/events.md). */
	if (st == DB_OK)
		db_event_appended();
	return st;
}
