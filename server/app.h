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
	atomic_long in_flight; /* requests being processed */
	atomic_bool draining;  /* SIGTERM taken: replies close their
	                        * connection, new work is refused */
};

extern struct app app;

#endif
