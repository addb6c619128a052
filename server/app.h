#ifndef TP_APP_H
#define TP_APP_H
#include <stdatomic.h>
#include <stdbool.h>

#include "config/config.h"
#include "passport/passport.h"

/*
 * What every handler shares, set up once by teepassd before serving and
 * read-only afterwards (the counters are atomic).
 */
struct app {
	struct tp_config cfg;
	struct passport_keyring keys;
	char *jwks_json;       /* pre-rendered /.well-known/jwks.json */
	char *dev_jwks_json;   /* /.well-known/jwks-development.json: the
	                        * mock key, dev mode only, else NULL */
	char *discovery_json;  /* /.well-known/openid-configuration */
	atomic_long in_flight; /* requests being processed */
	atomic_bool draining;  /* SIGTERM taken: replies close their
	                        * connection, new work is refused */
};

extern struct app app;

#endif
