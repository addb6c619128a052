#include <stdio.h>

#include "db/reappraisal.h"
#include "db/row.h"

/*
 * The passports a job affects: still active, after the cursor, and
 * appraised with another digest for the job's kind and key than the one
 * that superseded it.
 */
static const struct db_stmt stmt = {
        "reappraisal_affected",
        "SELECT p.id::text AS id FROM passports p"
        " WHERE p.status = 'active' AND p.expires_at > to_timestamp($1::bigint)"
        " AND ($5::text = '' OR p.id > $5::uuid)"
        " AND (($2 = 'reference_values' AND p.endpoint_id::text = $3"
        "       AND p.appraisal->>'ref_sha256' <> $4)"
        "  OR ($2 <> 'reference_values' AND p.collateral_set IN"
        "      (SELECT i.set_sha256 FROM collateral_set_items i"
        "       WHERE i.kind = $2 AND i.key = $3 AND i.sha256 <> $4)))"
        " ORDER BY p.id LIMIT $6::int",
        6};

enum db_status
db_reappraisal_affected(PGconn *c, const struct db_reappraisal_job *job,
                        int64_t now, int limit, char (**ids)[37], size_t *n)
{
	char t[24], lim[16];
	const char *v[6] = {t,           job->kind,   job->key,
	                    job->sha256, job->cursor, lim};

	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(lim, sizeof(lim), "%d", limit);
	return db_row_ids(c, &stmt, v, ids, n);
}
