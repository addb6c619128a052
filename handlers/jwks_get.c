#include <string.h>

#include "handlers/handlers.h"
#include "server/app.h"

/* The keys relying parties check passports with: current and retired,
 * never the mock key. Rendered once at start. */
enum MHD_Result
handler_jwks_get(struct request *r)
{
	return reply_bytes(r, 200, "application/jwk-set+json", app.jwks_json,
	                   strlen(app.jwks_json));
}
