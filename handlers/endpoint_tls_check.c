#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "common/codec.h"
#include "common/log.h"
#include "db/attls.h"
#include "db/registry.h"
#include "handlers/endpoint_tls_check.h"
#include "handlers/tls_probe.h"
#include "server/app.h"
#include "server/periodic.h"
#include "verify/core/tls_binding.h"

static struct periodic thread;

/* Endpoints per round: a large registry is covered over several rounds,
 * least recently checked first. */
#define ROUND_LIMIT 200

struct fail_args {
	const struct db_endpoint_tls_due *e;
	int64_t at;
	char *errors;
	json_t *detail;
};

static enum db_status
record_failure(PGconn *c, void *arg)
{
	struct fail_args *a = arg;
	enum db_status st;

	st = db_endpoint_tls_fail(c, a->e->id, a->e->spki_hex, a->at,
	                          a->errors);
	if (st != DB_OK)
		return st; /* DB_NOT_FOUND: re-attested or retired meanwhile */
	/* its endpoint.failed event: appended by db_endpoint_tls_fail */
	return db_audit_insert(c, "teepassd", "endpoint.tls_key_mismatch",
	                       a->e->id, a->detail);
}

/* Checks E: its URL's certificate key against the bound one. */
static void
check_one(PGconn *c, const struct db_endpoint_tls_due *e, int64_t now)
{
	struct tls_target t;
	uint8_t bound[32], seen[32];
	char why[256], hex[65];
	struct fail_args a = {e, now, NULL, NULL};
	json_t *errors;
	enum db_status st;

	if (!codec_hex_decode_fixed(e->spki_hex, bound, 32))
		return;
	if (!tls_target_parse(e->url, &t) ||
	    !tls_target_allowed(&t, app.cfg.endpoint_tls_allowed_hosts)) {
		/* The allow-list changed since the registration: no
		 * connection, and no verdict on the key. */
		tp_log(TP_LOG_WARN,
		       "attested TLS: endpoint %s is no longer allow-listed; "
		       "not checked",
		       e->id);
		db_endpoint_tls_checked(c, e->id);
		return;
	}
	if (tls_probe_spki(&t, (long)app.cfg.endpoint_tls_timeout_ms, seen, why,
	                   sizeof(why)) != TP_ERR_none) {
		tp_log(TP_LOG_WARN, "attested TLS: endpoint %s: %s", e->id,
		       why);
		db_endpoint_tls_checked(c, e->id);
		return;
	}
	if (tls_binding_compare(bound, seen) == TP_ERR_none) {
		db_endpoint_tls_checked(c, e->id);
		return;
	}
	codec_hex_encode_to(seen, 32, hex);
	snprintf(why, sizeof(why),
	         "the endpoint's certificate key has SPKI SHA-256 %s; the "
	         "evidence binds %s",
	         hex, e->spki_hex);
	errors =
	        json_pack("[{s:s, s:s}]", "code",
	                  tp_err_code(TP_ERR_tls_key_mismatch), "message", why);
	a.errors = json_dumps(errors, JSON_COMPACT);
	a.detail =
	        json_pack("{s:s, s:s}", "bound", e->spki_hex, "presented", hex);
	if (a.errors != NULL && a.detail != NULL) {
		st = db_tx(record_failure, &a);
		if (st == DB_OK)
			tp_log(TP_LOG_WARN,
			       "attested TLS: endpoint %s presents another key "
			       "than its evidence binds: failed",
			       e->id);
		else if (st != DB_NOT_FOUND)
			tp_log(TP_LOG_WARN,
			       "attested TLS: endpoint %s: database error %d",
			       e->id, (int)st);
	}
	free(a.errors);
	json_decref(a.detail);
	json_decref(errors);
}

static void
round_at(int64_t now)
{
	struct db_endpoint_tls_due *due = NULL;
	size_t n = 0;
	enum db_status st;
	PGconn *c;

	if ((c = db_conn()) == NULL)
		return;
	st = db_endpoint_tls_due(c, ROUND_LIMIT,
	                         (int)app.cfg.endpoint_tls_interval, &due, &n);
	if (st != DB_OK) {
		tp_log(TP_LOG_WARN,
		       "attested TLS: database error %d; next round retries",
		       (int)st);
		db_conn_close();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (periodic_stopping(&thread))
			break;
		check_one(c, &due[i], now);
	}
	db_endpoint_tls_due_free(due, n);
}

/* periodic's round: at the verification clock (pinned in tests). */
static void
tick(void *arg)
{
	(void)arg;
	round_at(config_now(&app.cfg));
}

bool
endpoint_tls_check_start(void)
{
	if (!app.cfg.endpoint_tls_check || app.cfg.endpoint_tls_interval == 0)
		return true;
	return periodic_start(&thread, "attested TLS",
	                      app.cfg.endpoint_tls_interval, tick, NULL);
}

void
endpoint_tls_check_stop(void)
{
	periodic_stop(&thread);
}
