#ifndef TP_DB_ENDPOINT_VIEW_H
#define TP_DB_ENDPOINT_VIEW_H

/*
 * An endpoint as the API shows it, built by PostgreSQL as of $1 (Unix
 * seconds), from endpoints e, its current reference_values r and its
 * current passport p (LEFT JOIN). The status: retired, failed (last
 * attestation failed), revoked (current passport revoked), stale
 * (current passport expired), else attested.
 */
#define ENDPOINT_TS(x)                                                         \
	"to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define ENDPOINT_STATUS                                                        \
	"CASE WHEN e.retired_at IS NOT NULL THEN 'retired'"                    \
	" WHEN e.status = 'failed' THEN 'failed'"                              \
	" WHEN p.status = 'revoked' THEN 'revoked'"                            \
	" WHEN p.id IS NULL OR p.expires_at <= to_timestamp($1::bigint)"       \
	" THEN 'stale' ELSE 'attested' END"

#define ENDPOINT_JSON                                                                                        \
	"json_build_object('id', e.id, 'provider_id', e.provider_id,"                                        \
	" 'url', e.url, 'model', json_build_object('name', e.model_name,"                                    \
	" 'digest', e.model_digest), 'tee_type', e.tee_type,"                                                \
	" 'status', " ENDPOINT_STATUS ","                                                                    \
	" 'reference_values', json_build_object('version', r.version,"                                       \
	" 'sha256', r.sha256, 'values', r.doc),"                                                             \
	" 'passport', CASE WHEN p.id IS NULL THEN NULL ELSE"                                                 \
	" json_build_object('id', p.id, 'status', CASE WHEN"                                                 \
	" p.status = 'revoked' THEN 'revoked' WHEN p.expires_at <="                                          \
	" to_timestamp($1::bigint) THEN 'expired' ELSE 'active' END,"                                        \
	" 'expires_at', " ENDPOINT_TS(                                                                       \
	        "p.expires_at") ", 'token', p.token)"                                                        \
	                        " END,"                                                                      \
	                        " 'last_attested_at', " ENDPOINT_TS(                                         \
	                                "e.last_attested_at") ","                                            \
	                                                      " 'last_errors'"                               \
	                                                      ", "                                           \
	                                                      "e.last_errors,"                               \
	                                                      " 'created_at',"                               \
	                                                      " " ENDPOINT_TS(                               \
	                                                              "e."                                   \
	                                                              "create"                               \
	                                                              "d_at") ","                            \
	                                                                      " 'retired_at', " ENDPOINT_TS( \
	                                                                              "e.retired_at") ")::text"

#define ENDPOINT_FROM                                                          \
	" FROM endpoints e JOIN reference_values r ON r.endpoint_id = e.id"    \
	" AND r.version = e.reference_version"                                 \
	" LEFT JOIN passports p ON p.id = e.current_passport_id"

#endif
