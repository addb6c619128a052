#include <openssl/rand.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "db/db.h"
#include "handlers/handlers.h"
#include "server/app.h"
#include "server/metrics.h"

struct insert_args {
	uint8_t nonce[32];
	int64_t now;
	int64_t expires;
};

static enum db_status
insert(PGconn *c, void *arg)
{
	struct insert_args *a = arg;

	return db_challenge_insert(c, a->nonce, a->now, a->expires);
}

/* POST /api/challenges: 32 random bytes, single use, stored so that any
 * instance accepts them exactly once. */
enum MHD_Result
handler_challenges_post(struct request *r)
{
	struct insert_args a;
	char hex[65], exp[32];
	enum db_status st;
	json_t *body;

	/* The body is empty or {}: nothing is configurable per challenge. */
	if (r->body_len > 0 && !request_require_json(r))
		return MHD_YES;
	if ((body = request_json(r, NULL, 0, true)) == NULL)
		return MHD_YES;
	json_decref(body);
	if (RAND_bytes(a.nonce, sizeof(a.nonce)) != 1)
		return reply_error(r, TP_ERR_internal_error, NULL);
	a.now = config_now(&app.cfg);
	a.expires = a.now + app.cfg.challenge_ttl;
	st = db_tx(insert, &a);
	if (st != DB_OK) {
		metrics_db_unavailable();
		return reply_error(r, TP_ERR_database_unavailable, NULL);
	}
	codec_hex_encode_to(a.nonce, 32, hex);
	tptime_format(a.expires, exp);
	return reply_json(
	        r, 201,
	        json_pack("{s:s, s:s}", "nonce", hex, "expires_at", exp));
}
