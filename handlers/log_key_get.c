/*
 * GET /api/log/key (public, cacheable): the log's verifier key in the
 * C2SP signed-note form "<name>+<hex key id>+<base64(0x01 || key)>",
 * with the origin it signs checkpoints for.
 */
#include "handlers/handlers.h"
#include "handlers/log.h"

#define KEY_MAX_AGE 3600

enum MHD_Result
handler_log_key_get(struct request *r)
{
	if (!log_enabled())
		return reply_error(r, log_off_code(), NULL);
	r->max_age = KEY_MAX_AGE;
	return reply_json(r, 200,
	                  json_pack("{s:s, s:s, s:s, s:s}", "origin",
	                            log_origin(), "key_name", log_origin(),
	                            "algorithm", "Ed25519", "verifier_key",
	                            log_verifier_key()));
}
