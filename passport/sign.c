#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "passport/passport.h"

char *
passport_sign(const struct passport_key *k, const json_t *claims)
{
	jwt_t *jwt = NULL;
	char *grants = NULL, *tok = NULL, *out = NULL;

	if (k->pem == NULL)
		goto out;
	if ((grants = json_dumps(claims, JSON_COMPACT)) == NULL)
		goto out;
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grants_json(jwt, grants) != 0)
		goto out;
	if (jwt_add_header(jwt, "kid", k->kid) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)k->pem,
	                (int)k->pem_len) != 0)
		goto out;
	if ((tok = jwt_encode_str(jwt)) == NULL)
		goto out;
	out = strdup(tok);
out:
	free(tok);
	free(grants);
	jwt_free(jwt);
	return out;
}
