#ifndef TP_DB_ENDPOINT_VIEW_H
#define TP_DB_ENDPOINT_VIEW_H

#include "db/registry.h"
#include "db/row.h"

/*
 * An endpoint as the API shows it, as of $1 (Unix seconds), from
 * endpoints e, its current reference_values r and its current passport p
 * (LEFT JOIN). The status: retired, failed (last attestation failed, or
 * its current passport superseded by a re-appraisal),
 * revoked (current passport revoked), stale (current passport expired),
 * else attested.
 */
#define ENDPOINT_STATUS                                                        \
	"CASE WHEN e.retired_at IS NOT NULL THEN 'retired'"                    \
	" WHEN e.status = 'failed' THEN 'failed'"                              \
	" WHEN p.status = 'revoked' THEN 'revoked'"                            \
	" WHEN p.status = 'superseded' THEN 'failed'"                          \
	" WHEN p.id IS NULL OR p.expires_at <= to_timestamp($1::bigint)"       \
	" THEN 'stale' ELSE 'attested' END"

/* The columns endpoint_view_read reads (timestamps as Unix
 * microseconds). */
#define ENDPOINT_COLUMNS                                                       \
	"e.id::text AS id, e.provider_id::text AS provider_id, e.url,"         \
	" e.model_name, e.model_digest, e.tee_type,"                           \
	" " ENDPOINT_STATUS " AS status,"                                      \
	" r.version AS ref_version, r.sha256 AS ref_sha256,"                   \
	" r.doc::text AS ref_doc,"                                             \
	" p.id::text AS passport_id, CASE WHEN p.status IN"                    \
	" ('revoked', 'superseded') THEN p.status"                             \
	" WHEN p.expires_at <= to_timestamp($1::bigint)"                       \
	" THEN 'expired' ELSE 'active' END AS passport_status,"                \
	" (extract(epoch FROM p.expires_at) * 1000000)::bigint"                \
	" AS passport_expires_at, coalesce(p.token, passport_jws_of("          \
	"p.jws_header, p.kid, p.jws_payload, p.jws_signature))"                \
	" AS passport_token,"                                                  \
	" (extract(epoch FROM e.last_attested_at) * 1000000)::bigint"          \
	" AS last_attested_at, e.last_errors::text AS last_errors,"            \
	" (extract(epoch FROM e.created_at) * 1000000)::bigint AS created_at," \
	" (extract(epoch FROM e.retired_at) * 1000000)::bigint AS retired_at," \
	" e.tls_binding, e.tls_spki_sha256,"                                   \
	" (extract(epoch FROM e.tls_checked_at) * 1000000)::bigint"            \
	" AS tls_checked_at"

#define ENDPOINT_FROM                                                          \
	" FROM endpoints e JOIN reference_values r ON r.endpoint_id = e.id"    \
	" AND r.version = e.reference_version"                                 \
	" LEFT JOIN passports p ON p.id = e.current_passport_id"

/* Reads the ENDPOINT_COLUMNS of R into E (which owns what it holds
 * after, even on failure); false (r->ok) when a column is missing or
 * malformed. */
bool endpoint_view_read(struct db_row *r, struct db_endpoint *e);

#endif
