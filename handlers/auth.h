#ifndef TP_AUTH_H
#define TP_AUTH_H
#include <stdbool.h>

#include "server/http.h"

/*
 * Who made a request (docs/api.md, Access control): the API key named in
 * "Authorization: Bearer tp_...", looked up by its public id and then
 * compared by SHA-256 in constant time.
 */
struct auth {
	bool admin;
	char key_id[17];
	char provider_id[37]; /* "" for admin keys */
	char actor[80];       /* for the audit log: "admin:<key>" or
	                       * "provider:<id>/key:<key>" */
};

/*
 * Authenticates R. On failure replies 401 (auth_required: no key;
 * api_key_invalid: malformed, unknown or revoked key) or 503 and returns
 * false.
 */
bool auth_authenticate(struct request *r, struct auth *a);

/* As auth_authenticate, then 403 unless the key is an admin key. */
bool auth_require_admin(struct request *r, struct auth *a);

/* As auth_authenticate, then 403 unless the key is a provider key. */
bool auth_require_provider(struct request *r, struct auth *a);

/* Owner filter for queries: NULL for an admin (everything), else the
 * key's provider id. */
const char *auth_owner(const struct auth *a);

#endif
