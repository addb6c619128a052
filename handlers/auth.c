#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/apikey.h"
#include "db/registry.h"
#include "handlers/auth.h"
#include "handlers/registry_util.h"
#include "server/metrics.h"

bool
auth_authenticate(struct request *r, struct auth *a)
{
	const char *h = request_header(r, "Authorization");
	struct db_api_key k;
	uint8_t md[32];
	enum db_status st;
	PGconn *c;

	memset(a, 0, sizeof(*a));
	if (h == NULL || *h == '\0') {
		reply_error(r, TP_ERR_auth_required, NULL);
		return false;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		reply_error(r, TP_ERR_auth_required, NULL);
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	/* A token of the wrong shape is never looked up. */
	if (!apikey_parse(h, a->key_id, md)) {
		reply_error(r, TP_ERR_api_key_invalid, NULL);
		return false;
	}
	if ((c = db_conn()) == NULL) {
		metrics_db_unavailable();
		reply_error(r, TP_ERR_database_unavailable, NULL);
		return false;
	}
	st = db_api_key_find(c, a->key_id, &k);
	if (st != DB_OK && st != DB_NOT_FOUND) {
		reg_reply_db(r, st, TP_ERR_api_key_invalid);
		return false;
	}
	/* Unknown, wrong secret and revoked all answer the same. */
	if (st == DB_NOT_FOUND || !apikey_matches(md, k.token_sha256) ||
	    k.revoked) {
		reply_error(r, TP_ERR_api_key_invalid, NULL);
		return false;
	}
	a->admin = k.admin;
	snprintf(a->provider_id, sizeof(a->provider_id), "%s", k.provider_id);
	if (a->admin)
		snprintf(a->actor, sizeof(a->actor), "admin:%s", a->key_id);
	else
		snprintf(a->actor, sizeof(a->actor), "provider:%s/key:%s",
		         a->provider_id, a->key_id);
	return true;
}

bool
auth_require_admin(struct request *r, struct auth *a)
{
	if (!auth_authenticate(r, a))
		return false;
	if (!a->admin) {
		reply_error(r, TP_ERR_forbidden, NULL);
		return false;
	}
	return true;
}

bool
auth_require_provider(struct request *r, struct auth *a)
{
	if (!auth_authenticate(r, a))
		return false;
	if (a->admin) {
		reply_error(r, TP_ERR_forbidden, NULL);
		return false;
	}
	return true;
}

const char *
auth_owner(const struct auth *a)
{
	return a->admin ? NULL : a->provider_id;
}
