/* Key discovery (docs/passport.md, Checking a passport): the JWKS, the
 * development JWKS and the issuer metadata, each rendered once at start
 * (server/main.c) and cacheable for jwks_max_age seconds. */
#include <string.h>

#include "handlers/handlers.h"
#include "server/app.h"

static enum MHD_Result
cacheable(struct request *r, const char *type, const char *body)
{
	r->max_age = (unsigned)app.cfg.jwks_max_age;
	return reply_bytes(r, 200, type, body, strlen(body));
}

/* The keys relying parties check passports with: current and retired,
 * never the mock key. */
enum MHD_Result
handler_jwks_get(struct request *r)
{
	return cacheable(r, "application/jwk-set+json", app.jwks_json);
}

/* The mock key that signs development (Mock) passports, under its own
 * name so that no relying party trusts it by accident; development mode
 * only. */
enum MHD_Result
handler_jwks_development_get(struct request *r)
{
	if (!app.cfg.dev_mode || app.dev_jwks_json == NULL)
		return reply_error(r, TP_ERR_development_keys_disabled, NULL);
	return cacheable(r, "application/jwk-set+json", app.dev_jwks_json);
}

/* Issuer metadata in the style of OpenID Connect discovery: issuer,
 * jwks_uri, algorithms, the passport status endpoint. */
enum MHD_Result
handler_openid_configuration_get(struct request *r)
{
	return cacheable(r, "application/json", app.discovery_json);
}
