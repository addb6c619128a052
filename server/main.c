/*
 * teepassd: the teepass verification daemon (API.md). Configuration from
 * --config FILE (or TEEPASS_CONFIG), then TEEPASS_* variables; validated
 * before anything starts. SIGTERM/SIGINT stop it gracefully; SIGHUP
 * reloads the TLS certificate and key.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "collateral/collateral.h"
#include "common/log.h"
#include "common/tptime.h"
#include "db/db.h"
#include "handlers/events.h"
#include "handlers/log.h"
#include "verify/amd/snp_cert.h"
#include "verify/aws/nitro_chain.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_collateral.h"
#include "handlers/endpoint_tls_check.h"
#include "handlers/reappraise.h"
#include "handlers/retention.h"
#include "server/app.h"
#include "server/daemon.h"

struct app app;

static void
usage(FILE *f)
{
	fprintf(f, "usage: teepassd [--config FILE] [--migrate]\n"
	           "\n"
	           "Serves the teepass verification API (docs/api.md).\n"
	           "\n"
	           "  -c, --config FILE  configuration file (default: "
	           "$TEEPASS_CONFIG;\n"
	           "                     config/teepass.conf.example documents "
	           "every key)\n"
	           "  -m, --migrate      apply pending database migrations "
	           "before serving\n"
	           "                     (same as migrate_on_start = 1)\n"
	           "  -h, --help         this text\n"
	           "  -V, --version      print the version\n"
	           "\n"
	           "Environment: TEEPASS_DATABASE_URL, TEEPASS_LISTEN, "
	           "TEEPASS_DEV_MODE,\n"
	           "TEEPASS_DEV_FIXED_TIME, TEEPASS_SIGNING_KEY, "
	           "TEEPASS_COLLATERAL_DIR,\n"
	           "TEEPASS_OFFLINE and TEEPASS_<KEY> for any top-level key "
	           "override\n"
	           "the file. `make run` sets them up for development.\n");
}

static EVP_PKEY *
load_public(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = NULL;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (k == NULL) {
		rewind(f);
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	ERR_clear_error();
	if (k == NULL)
		snprintf(err, errlen, "%s: not a PEM key", path);
	return k;
}

/* The issuer metadata (handlers/jwks_get.c), from the configured issuer
 * without a trailing '/'. */
static bool
render_discovery(void)
{
	const char *iss = app.cfg.issuer;
	int n = (int)strlen(iss);
	char jwks[600], status[600], pass[600], dev[600];
	json_t *d;

	while (n > 0 && iss[n - 1] == '/')
		n--;
	if (n > 500)
		return false;
	snprintf(jwks, sizeof(jwks), "%.*s/.well-known/jwks.json", n, iss);
	snprintf(dev, sizeof(dev), "%.*s/.well-known/jwks-development.json", n,
	         iss);
	snprintf(pass, sizeof(pass), "%.*s/api/passports/{id}", n, iss);
	snprintf(status, sizeof(status), "%.*s/api/passports/{id}/status", n,
	         iss);
	d = json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:s, s:[s]}", "issuer",
	              iss, "jwks_uri", jwks,
	              "passport_signing_alg_values_supported", "ES256",
	              "id_token_signing_alg_values_supported", "ES256",
	              "passport_endpoint", pass, "passport_status_endpoint",
	              status, "eat_profiles_supported", PASSPORT_EAT_PROFILE);
	if (d == NULL)
		return false;
	if (app.keys.has_mock)
		json_object_set_new(d, "development_jwks_uri",
		                    json_string(dev));
	app.discovery_json = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return app.discovery_json != NULL;
}

static bool
load_keys(char *err, size_t errlen)
{
	struct tp_config *c = &app.cfg;
	json_t *jwks;

	if (!passport_key_load(c->signing_key, &app.keys.current, err, errlen))
		return false;
	for (size_t i = 0; i < c->n_retired_keys; i++) {
		if (!passport_key_load_public(c->retired_keys[i],
		                              &app.keys.retired[i], err,
		                              errlen))
			return false;
		app.keys.n_retired++;
	}
	if (c->dev_mode) {
		if (!passport_key_load(c->mock_signing_key, &app.keys.mock, err,
		                       errlen))
			return false;
		app.keys.has_mock = true;
		if (strcmp(app.keys.mock.kid, app.keys.current.kid) == 0) {
			snprintf(err, errlen,
			         "the mock signing key is the "
			         "passport signing key");
			return false;
		}
		c->verify.mock_attestation_key =
		        load_public(c->mock_attestation_key, err, errlen);
		if (c->verify.mock_attestation_key == NULL)
			return false;
	}
	/* The transparency log's checkpoint key (docs/transparency.md). */
	if (c->transparency_log && c->log_signing_key != NULL &&
	    *c->log_signing_key != '\0' &&
	    !log_key_load(c->log_signing_key, c->log_origin, c->issuer, err,
	                  errlen))
		return false;
	jwks = passport_jwks(&app.keys);
	app.jwks_json = json_dumps(jwks, JSON_COMPACT);
	json_decref(jwks);
	if (app.keys.has_mock) {
		jwks = json_pack("{s:[O]}", "keys", app.keys.mock.jwk);
		app.dev_jwks_json = json_dumps(jwks, JSON_COMPACT);
		json_decref(jwks);
		if (app.dev_jwks_json == NULL)
			return false;
	}
	return app.jwks_json != NULL && render_discovery();
}

static bool
check_schema(char *err, size_t errlen)
{
	int applied = 0, version = 0;
	PGconn *c;

	if (app.cfg.migrate_on_start &&
	    !db_migrate(app.cfg.database_url, &applied, err, errlen))
		return false;
	if ((c = db_conn()) == NULL) {
		snprintf(err, errlen,
		         "cannot connect to the database "
		         "(TEEPASS_DATABASE_URL)");
		return false;
	}
	if (db_schema_version(c, &version) != DB_OK) {
		snprintf(err, errlen, "cannot read the schema version");
		return false;
	}
	db_conn_close();
	if (version < db_migrations_latest()) {
		snprintf(err, errlen,
		         "database schema is at version %d, this build needs "
		         "%d: run `teepass migrate` or start with --migrate",
		         version, db_migrations_latest());
		return false;
	}
	if (version > db_migrations_latest())
		tp_log(TP_LOG_WARN,
		       "database schema %d is newer than this "
		       "build's %d",
		       version, db_migrations_latest());
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", 1, NULL, 'c'},
	                                     {"migrate", 0, NULL, 'm'},
	                                     {"help", 0, NULL, 'h'},
	                                     {"version", 0, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	const char *config_path = getenv("TEEPASS_CONFIG");
	bool migrate = false;
	char err[512];
	sigset_t sigs;
	int opt, sig, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:mhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'm':
			migrate = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("teepassd %s\n", TEEPASS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	config_defaults(&app.cfg);
	if ((config_path != NULL && *config_path != '\0' &&
	     !config_load_file(&app.cfg, config_path, err, sizeof(err))) ||
	    !config_load_env(&app.cfg, err, sizeof(err)) ||
	    !config_validate(&app.cfg, true, err, sizeof(err))) {
		fprintf(stderr, "teepassd: %s\n", err);
		goto out;
	}
	if (!config_intel_root_apply(&app.cfg, err, sizeof(err))) {
		fprintf(stderr, "teepassd: %s\n", err);
		goto out;
	}
	if (migrate)
		app.cfg.migrate_on_start = true;
	tp_log_set_level(app.cfg.log_level);
	if (!load_keys(err, sizeof(err))) {
		fprintf(stderr, "teepassd: %s\n", err);
		goto out;
	}
	db_configure(app.cfg.database_url);
	db_configure_log(app.cfg.transparency_log);
	if (!db_read_configure(app.cfg.database_read_url,
	                       app.cfg.database_read_max_lag_ms)) {
		fprintf(stderr, "teepassd: database_read_url: not a libpq "
		                "connection string\n");
		goto out;
	}
	dcap_cache_configure(app.cfg.verify.dcap.cache_shared,
	                     app.cfg.verify.dcap.cache_platforms);
	snp_cache_configure(app.cfg.verify.snp.cache_chips);
	nitro_chain_cache_configure(app.cfg.verify.nitro.cache_instances);
	coll_configure(&(struct coll_config){
	        .intel_url = app.cfg.intel_pcs_url,
	        .intel_root_crl_url = app.cfg.intel_root_crl_url,
	        .intel_api_key = app.cfg.intel_pcs_api_key,
	        .amd_url = app.cfg.amd_kds_url,
	        .nvidia_nras_jwks_url = app.cfg.nvidia_nras_jwks_url,
	        .nvidia_ocsp_url = app.cfg.nvidia_ocsp_url,
	        .proxy = app.cfg.collateral_proxy,
	        .timeout_ms = (long)app.cfg.collateral_timeout_ms,
	        .offline = app.cfg.offline,
	        .max_waiting = app.cfg.threads > 1 ? app.cfg.threads / 2 : 1});
	if (!check_schema(err, sizeof(err))) {
		fprintf(stderr, "teepassd: %s\n", err);
		goto out;
	}
	/* Signals are taken by sigwait below, never by worker threads. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Without it, proofs are made on the worker threads. */
	if (log_enabled() && !log_waiters_start())
		tp_log(TP_LOG_WARN, "transparency log: cannot start the "
		                    "waiters' thread; proofs on the workers");
	if (!daemon_start(err, sizeof(err))) {
		log_waiters_stop();
		fprintf(stderr, "teepassd: %s\n", err);
		goto out;
	}
	if (!retention_start()) {
		fprintf(stderr,
		        "teepassd: cannot start the retention thread\n");
		daemon_stop(0);
		goto out;
	}
	if (!endpoint_tls_check_start()) {
		fprintf(stderr, "teepassd: cannot start the attested-TLS "
		                "check thread\n");
		daemon_stop(0);
		retention_stop();
		goto out;
	}
	if (!reappraise_start()) {
		fprintf(stderr,
		        "teepassd: cannot start the re-appraisal thread\n");
		endpoint_tls_check_stop();
		retention_stop();
		daemon_stop(0);
		goto out;
	}
	if (!events_start()) {
		fprintf(stderr, "teepassd: cannot start the event threads\n");
		daemon_stop(0);
		reappraise_stop();
		endpoint_tls_check_stop();
		retention_stop();
		goto out;
	}
	if (app.cfg.dev_mode) {
		char at[32] = "now";
		if (app.cfg.dev_fixed_time >= 0)
			tptime_format(app.cfg.dev_fixed_time, at);
		tp_log(TP_LOG_WARN,
		       "DEVELOPMENT MODE: Mock evidence accepted, "
		       "clock: %s; never run this in production",
		       at);
	}
	if (dcap_root_ca_overridden())
		tp_log(TP_LOG_WARN,
		       "CUSTOM INTEL ROOT: every DCAP check anchors at %s "
		       "(sha256 %s), not the Intel SGX Root CA; passports of "
		       "Intel evidence vouch only for that PKI",
		       app.cfg.intel_root_ca_file, dcap_root_ca_pin());
	tp_log(TP_LOG_INFO,
	       "teepassd %s listening on %s://%s:%u (%u threads), "
	       "signing key %s",
	       TEEPASS_VERSION,
	       app.cfg.tls_cert_file != NULL ? "https" : "http",
	       app.cfg.listen_host, app.cfg.listen_port, app.cfg.threads,
	       app.keys.current.kid);
	for (;;) {
		sigwait(&sigs, &sig);
		if (sig != SIGHUP)
			break;
		if (daemon_reload_tls(err, sizeof(err)))
			tp_log(TP_LOG_INFO, "SIGHUP: TLS certificate and key "
			                    "reloaded");
		else
			tp_log(TP_LOG_ERROR,
			       "SIGHUP: TLS reload failed, serving the "
			       "previous certificate: %s",
			       err);
	}
	tp_log(TP_LOG_INFO, "signal %d: finishing in-flight requests", sig);
	daemon_stop((int)app.cfg.shutdown_grace);
	events_stop();
	reappraise_stop();
	endpoint_tls_check_stop();
	retention_stop();
	tp_log(TP_LOG_INFO, "stopped");
	rc = 0;
out:
	db_conn_close();
	db_configure(NULL);
	db_read_conn_close();
	db_read_configure(NULL, 0);
	coll_configure(&(struct coll_config){0});
	passport_keyring_free(&app.keys);
	log_sequence_forget();
	log_key_free();
	free(app.jwks_json);
	free(app.dev_jwks_json);
	free(app.discovery_json);
	config_free(&app.cfg);
	return rc;
}
