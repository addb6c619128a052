#include "db/passport_row.h"

/*
 * One statement: the passport is revoked only when the caller may (any
 * for an admin; for a provider, only passports of its own endpoints), so
 * "not yours" and "no such passport" look the same.
 */
static const struct db_stmt stmt = {
        "passport_revoke",
        "UPDATE passports p SET status = 'revoked',"
        " revoked_at = coalesce(p.revoked_at, clock_timestamp()),"
        " revocation_reason = coalesce(p.revocation_reason, $2)"
        " WHERE p.id = $1::uuid AND ($3::uuid IS NULL OR EXISTS"
        " (SELECT 1 FROM endpoints e WHERE e.id = p.endpoint_id"
        " AND e.provider_id = $3::uuid))"
        " RETURNING " PASSPORT_STATE_COLUMNS ", 'revoked' AS status",
        3};

enum db_status
db_passport_revoke(PGconn *c, const char *id, const char *owner,
                   const char *reason, struct db_passport_state *out)
{
	const char *v[3] = {id, reason, owner};
	enum db_status st = passport_state_run(c, &stmt, v, out);

	if (st == DB_OK) /* once: revoking again changes nothing */
		st = db_event_append(c, "passport.revoked", out->id,
		                     out->endpoint_id[0] ? out->endpoint_id
		                                         : NULL,
		                     "revoked", true);
	return st;
}
