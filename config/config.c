#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/tptime.h"
#include "config/config.h"

extern char **environ;

void
config_defaults(struct tp_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
	c->listen_port = 8080;
	c->dev_fixed_time = -1;
	c->intel_pcs_url = strdup("https://api.trustedservices.intel.com");
	c->amd_kds_url = strdup("https://kdsintf.amd.com");
	c->nvidia_nras_jwks_url = strdup(
	        "https://nras.attestation.nvidia.com/.well-known/jwks.json");
	/* NVIDIA's responder answers for every certificate of the device
	 * chain; the leaves carry no AIA (empty: the AIA URLs only). */
	c->nvidia_ocsp_url = strdup("http://ocsp.ndis.nvidia.com");
	c->intel_root_crl_url =
	        strdup("https://certificates.trustedservices.intel.com/"
	               "IntelSGXRootCA.der");
	c->collateral_timeout_ms = 10000;
	c->issuer = strdup(CONFIG_EXAMPLE_ISSUER);
	c->jwks_max_age = 300;
	c->cors_origins = strdup("*");
	c->body_limit = 1024 * 1024;
	c->threads = 4;
	c->transparency_log = true;
	c->max_connections_per_address = 64;
	c->request_deadline = 30;
	c->shutdown_grace = 20;
	c->passport_ttl = 24 * 3600;
	c->challenge_ttl = 300;
	c->verify_rate_limit = 600;
	c->passport_retention_days = 90;
	c->retention_interval = 60;
	c->retention_batch = 500;
	c->endpoint_tls_timeout_ms = 5000;
	c->endpoint_tls_interval = 300;
	c->reappraisal_interval = 10;
	c->reappraisal_batch = 200;
	c->events_max_streams = 256;
	c->events_heartbeat = 15;
	c->events_poll_ms = 250;
	c->events_retention_days = 30;
	c->webhook_timeout_ms = 5000;
	c->webhook_max_attempts = 8;
	c->webhook_retry_base_ms = 1000;
	c->webhook_workers = 2;
	c->log_level = TP_LOG_INFO;
	c->database_read_max_lag_ms = 1000;
	verify_config_defaults(&c->verify);
}

void
config_free(struct tp_config *c)
{
	if (c == NULL)
		return;
	free(c->database_url);
	free(c->database_read_url);
	free(c->signing_key);
	for (size_t i = 0; i < c->n_retired_keys; i++)
		free(c->retired_keys[i]);
	free(c->mock_signing_key);
	free(c->log_signing_key);
	free(c->log_origin);
	free(c->mock_attestation_key);
	free(c->collateral_dir);
	free(c->intel_pcs_url);
	free(c->amd_kds_url);
	free(c->nvidia_nras_jwks_url);
	free(c->nvidia_ocsp_url);
	free(c->intel_pcs_api_key);
	free(c->intel_root_crl_url);
	free(c->intel_root_ca_file);
	free(c->intel_root_ca_sha256);
	free(c->collateral_proxy);
	free(c->issuer);
	free(c->cors_origins);
	free(c->tls_cert_file);
	free(c->tls_key_file);
	free(c->cors_post_origins);
	free(c->endpoint_tls_allowed_hosts);
	verify_config_free(&c->verify);
	memset(c, 0, sizeof(*c));
}

static bool
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
		*out = true;
	else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
	         strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
	         *v == '\0')
		*out = false;
	else
		return false;
	return true;
}

static bool
parse_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static bool
set_str(char **dst, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return false;
	free(*dst);
	*dst = s;
	return true;
}

static bool
parse_listen(struct tp_config *c, const char *v)
{
	const char *colon = strrchr(v, ':');
	int64_t port;
	size_t hlen;

	if (colon == NULL || colon == v)
		return false;
	hlen = (size_t)(colon - v);
	if (hlen >= sizeof(c->listen_host))
		return false;
	if (!parse_int(colon + 1, 0, 65535, &port))
		return false;
	memcpy(c->listen_host, v, hlen);
	c->listen_host[hlen] = '\0';
	c->listen_port = (uint16_t)port;
	return true;
}

static bool
parse_level(const char *v, enum tp_log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			*out = (enum tp_log_level)i;
			return true;
		}
	}
	return false;
}

bool
config_set(struct tp_config *c, const char *key, const char *v, char *err,
           size_t errlen)
{
	int64_t n;
	bool b;

#define BAD(what)                                                              \
	do {                                                                   \
		snprintf(err, errlen, "%s: %s", key, what);                    \
		return false;                                                  \
	} while (0)

	if (strcmp(key, "listen") == 0) {
		if (!parse_listen(c, v))
			BAD("want host:port, e.g. 127.0.0.1:8080");
	} else if (strcmp(key, "database_url") == 0) {
		set_str(&c->database_url, v);
	} else if (strcmp(key, "database_read_url") == 0) {
		/* Empty: no read replica (every lookup on the primary). */
		if (*v == '\0') {
			free(c->database_read_url);
			c->database_read_url = NULL;
		} else {
			set_str(&c->database_read_url, v);
		}
	} else if (strcmp(key, "database_read_max_lag_ms") == 0) {
		if (!parse_int(v, 0, 3600000, &c->database_read_max_lag_ms))
			BAD("want milliseconds from 0 to 3600000");
	} else if (strcmp(key, "dev_mode") == 0) {
		if (!parse_bool(v, &c->dev_mode))
			BAD("want 0 or 1");
		c->verify.dev_mode = c->dev_mode;
	} else if (strcmp(key, "dev_fixed_time") == 0) {
		if (*v == '\0')
			c->dev_fixed_time = -1;
		else if (!tptime_parse(v, &c->dev_fixed_time))
			BAD("want an RFC 3339 time, e.g. 2025-07-01T00:00:00Z");
	} else if (strcmp(key, "signing_key") == 0) {
		set_str(&c->signing_key, v);
	} else if (strcmp(key, "retired_keys") == 0) {
		char *copy = strdup(v), *save = NULL, *tok;
		for (size_t i = 0; i < c->n_retired_keys; i++)
			free(c->retired_keys[i]);
		c->n_retired_keys = 0;
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			while (isspace((unsigned char)*tok))
				tok++;
			if (*tok == '\0')
				continue;
			if (c->n_retired_keys == CONFIG_MAX_RETIRED_KEYS) {
				free(copy);
				BAD("at most 8 retired keys");
			}
			c->retired_keys[c->n_retired_keys++] = strdup(tok);
		}
		free(copy);
	} else if (strcmp(key, "mock_signing_key") == 0) {
		set_str(&c->mock_signing_key, v);
	} else if (strcmp(key, "log_signing_key") == 0) {
		set_str(&c->log_signing_key, v);
	} else if (strcmp(key, "log_origin") == 0) {
		set_str(&c->log_origin, v);
	} else if (strcmp(key, "transparency_log") == 0) {
		if (!parse_bool(v, &c->transparency_log))
			BAD("want 0 or 1");
	} else if (strcmp(key, "mock_attestation_key") == 0) {
		set_str(&c->mock_attestation_key, v);
	} else if (strcmp(key, "collateral_dir") == 0) {
		set_str(&c->collateral_dir, v);
	} else if (strcmp(key, "intel_pcs_url") == 0) {
		set_str(&c->intel_pcs_url, v);
	} else if (strcmp(key, "amd_kds_url") == 0) {
		set_str(&c->amd_kds_url, v);
	} else if (strcmp(key, "nvidia_nras_jwks_url") == 0) {
		set_str(&c->nvidia_nras_jwks_url, v);
	} else if (strcmp(key, "nvidia_ocsp_url") == 0) {
		set_str(&c->nvidia_ocsp_url, v);
	} else if (strcmp(key, "offline") == 0) {
		if (!parse_bool(v, &c->offline))
			BAD("want 0 or 1");
	} else if (strcmp(key, "intel_pcs_api_key") == 0) {
		set_str(&c->intel_pcs_api_key, v);
	} else if (strcmp(key, "intel_root_crl_url") == 0) {
		set_str(&c->intel_root_crl_url, v);
	} else if (strcmp(key, "intel_root_ca_file") == 0 ||
	           strcmp(key, "intel_root_ca_sha256") == 0) {
		char **dst = key[14] == 'f' ? &c->intel_root_ca_file
		                            : &c->intel_root_ca_sha256;
		if (*v == '\0') { /* empty: the pinned Intel root */
			free(*dst);
			*dst = NULL;
		} else if (key[14] == 's' &&
		           (strlen(v) != 64 ||
		            strspn(v, "0123456789abcdefABCDEF") != 64)) {
			BAD("want the SHA-256 of the root's DER, 64 hex digits "
			    "(openssl x509 -in ROOT -outform DER | sha256sum)");
		} else {
			set_str(dst, v);
		}
	} else if (strcmp(key, "collateral_proxy") == 0) {
		set_str(&c->collateral_proxy, v);
	} else if (strcmp(key, "collateral_timeout_ms") == 0) {
		if (!parse_int(v, 100, 120000, &n))
			BAD("want milliseconds from 100 to 120000");
		c->collateral_timeout_ms = n;
	} else if (strcmp(key, "issuer") == 0) {
		set_str(&c->issuer, v);
	} else if (strcmp(key, "jwks_max_age") == 0) {
		/* At most 1 h: far below the 24 h a retired key stays in the
		 * JWKS (docs/passport.md, Keys and rotation). */
		if (!parse_int(v, 0, 3600, &n))
			BAD("want seconds from 0 to 3600");
		c->jwks_max_age = n;
	} else if (strcmp(key, "cors_origins") == 0) {
		set_str(&c->cors_origins, v);
	} else if (strcmp(key, "cors_post_origins") == 0) {
		/* An explicit allow-list: a wildcard would let any page
		 * start verifications (and spend the rate limit) from its
		 * visitors' browsers. */
		if (strchr(v, '*') != NULL)
			BAD("list the exact origins (https://dash.example); "
			    "\"*\" is refused");
		if (*v == '\0') {
			free(c->cors_post_origins);
			c->cors_post_origins = NULL;
		} else {
			set_str(&c->cors_post_origins, v);
		}
	} else if (strcmp(key, "body_limit") == 0) {
		if (!parse_int(v, 1024, 64 * 1024 * 1024, &n))
			BAD("want bytes from 1024 to 67108864");
		c->body_limit = (size_t)n;
	} else if (strcmp(key, "threads") == 0) {
		if (!parse_int(v, 1, 256, &n))
			BAD("want 1 to 256");
		c->threads = (unsigned)n;
	} else if (strcmp(key, "max_connections_per_address") == 0) {
		if (!parse_int(v, 0, 1024, &n))
			BAD("want 0 (no limit) to 1024");
		c->max_connections_per_address = (unsigned)n;
	} else if (strcmp(key, "request_deadline") == 0) {
		if (!parse_int(v, 1, 600, &n))
			BAD("want seconds from 1 to 600");
		c->request_deadline = (unsigned)n;
	} else if (strcmp(key, "shutdown_grace") == 0) {
		if (!parse_int(v, 1, 600, &n))
			BAD("want seconds from 1 to 600");
		c->shutdown_grace = (unsigned)n;
	} else if (strcmp(key, "tls_cert_file") == 0 ||
	           strcmp(key, "tls_key_file") == 0) {
		char **dst =
		        key[4] == 'c' ? &c->tls_cert_file : &c->tls_key_file;
		if (*v == '\0') { /* empty: plain HTTP */
			free(*dst);
			*dst = NULL;
		} else {
			set_str(dst, v);
		}
	} else if (strcmp(key, "trusted_proxy") == 0) {
		if (!parse_bool(v, &c->trusted_proxy))
			BAD("want 0 or 1");
	} else if (strcmp(key, "passport_ttl") == 0) {
		if (!parse_int(v, 60, 86400, &n))
			BAD("want seconds from 60 to 86400 (24 h, API.md)");
		c->passport_ttl = n;
	} else if (strcmp(key, "challenge_ttl") == 0) {
		if (!parse_int(v, 10, 3600, &n))
			BAD("want seconds from 10 to 3600");
		c->challenge_ttl = n;
	} else if (strcmp(key, "migrate_on_start") == 0) {
		if (!parse_bool(v, &c->migrate_on_start))
			BAD("want 0 or 1");
	} else if (strcmp(key, "verify_requires_key") == 0) {
		if (!parse_bool(v, &c->verify_requires_key))
			BAD("want 0 or 1");
	} else if (strcmp(key, "verify_rate_limit") == 0) {
		if (!parse_int(v, 0, 1000000, &n))
			BAD("want requests per minute from 0 (unlimited) to "
			    "1000000");
		c->verify_rate_limit = (unsigned)n;
	} else if (strcmp(key, "passport_retention_days") == 0) {
		if (!parse_int(v, 0, 36500, &c->passport_retention_days))
			BAD("want days from 0 to 36500");
	} else if (strcmp(key, "retention_interval") == 0) {
		if (!parse_int(v, 0, 86400, &c->retention_interval))
			BAD("want seconds from 0 (never purge) to 86400");
	} else if (strcmp(key, "retention_batch") == 0) {
		if (!parse_int(v, 1, 100000, &c->retention_batch))
			BAD("want rows from 1 to 100000");
	} else if (strcmp(key, "endpoint_tls_check") == 0) {
		if (!parse_bool(v, &c->endpoint_tls_check))
			BAD("want 0 or 1");
	} else if (strcmp(key, "endpoint_tls_allowed_hosts") == 0) {
		if (*v == '\0') {
			free(c->endpoint_tls_allowed_hosts);
			c->endpoint_tls_allowed_hosts = NULL;
		} else {
			set_str(&c->endpoint_tls_allowed_hosts, v);
		}
	} else if (strcmp(key, "endpoint_tls_timeout_ms") == 0) {
		if (!parse_int(v, 100, 60000, &c->endpoint_tls_timeout_ms))
			BAD("want milliseconds from 100 to 60000");
	} else if (strcmp(key, "endpoint_tls_interval") == 0) {
		if (!parse_int(v, 0, 86400, &c->endpoint_tls_interval))
			BAD("want seconds from 0 (only at attestation) to "
			    "86400");
	} else if (strcmp(key, "reappraisal_interval") == 0) {
		if (!parse_int(v, 0, 86400, &c->reappraisal_interval))
			BAD("want seconds from 0 (off) to 86400");
	} else if (strcmp(key, "reappraisal_batch") == 0) {
		if (!parse_int(v, 1, 100000, &c->reappraisal_batch))
			BAD("want passports from 1 to 100000");
	} else if (strcmp(key, "events_max_streams") == 0) {
		if (!parse_int(v, 0, 100000, &c->events_max_streams))
			BAD("want streams from 0 (no stream) to 100000");
	} else if (strcmp(key, "events_heartbeat") == 0) {
		if (!parse_int(v, 1, 300, &c->events_heartbeat))
			BAD("want seconds from 1 to 300");
	} else if (strcmp(key, "events_poll_ms") == 0) {
		if (!parse_int(v, 10, 60000, &c->events_poll_ms))
			BAD("want milliseconds from 10 to 60000");
	} else if (strcmp(key, "events_retention_days") == 0) {
		if (!parse_int(v, 1, 36500, &c->events_retention_days))
			BAD("want days from 1 to 36500");
	} else if (strcmp(key, "webhook_timeout_ms") == 0) {
		if (!parse_int(v, 100, 60000, &c->webhook_timeout_ms))
			BAD("want milliseconds from 100 to 60000");
	} else if (strcmp(key, "webhook_max_attempts") == 0) {
		if (!parse_int(v, 1, 50, &c->webhook_max_attempts))
			BAD("want attempts from 1 to 50");
	} else if (strcmp(key, "webhook_retry_base_ms") == 0) {
		if (!parse_int(v, 10, 3600000, &c->webhook_retry_base_ms))
			BAD("want milliseconds from 10 to 3600000");
	} else if (strcmp(key, "webhook_workers") == 0) {
		if (!parse_int(v, 1, 16, &c->webhook_workers))
			BAD("want threads from 1 to 16");
	} else if (strcmp(key, "webhook_allow_private") == 0) {
		if (!parse_bool(v, &c->webhook_allow_private))
			BAD("want 0 or 1");
	} else if (strcmp(key, "log_level") == 0) {
		if (!parse_level(v, &c->log_level))
			BAD("want debug, info, warn or error");
	} else if (strcmp(key, "max_evidence_age") == 0) {
		if (!parse_int(v, 1, 7 * 86400, &n))
			BAD("want seconds from 1 to 604800");
		c->verify.max_evidence_age = n;
	} else if (strcmp(key, "clock_skew") == 0) {
		if (!parse_int(v, 0, 3600, &n))
			BAD("want seconds from 0 to 3600");
		c->verify.clock_skew = n;
	} else if (strcmp(key, "allow_debug") == 0) {
		if (!parse_bool(v, &b))
			BAD("want 0 or 1");
		c->verify.allow_debug = b;
	} else if (strchr(key, '.') != NULL) {
		return verify_config_set(&c->verify, key, v, err, errlen);
	} else {
		snprintf(err, errlen, "unknown configuration key \"%s\"", key);
		return false;
	}
#undef BAD
	return true;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool
config_load_file(struct tp_config *c, const char *path, char *err,
                 size_t errlen)
{
	char line[4096], msg[256];
	FILE *f = fopen(path, "r");
	int lineno = 0;
	bool ok = false;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq;
		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: want key = value", path,
			         lineno);
			goto out;
		}
		*eq = '\0';
		if (!config_set(c, trim(s), trim(eq + 1), msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			goto out;
		}
	}
	ok = true;
out:
	fclose(f);
	return ok;
}

bool
config_load_env(struct tp_config *c, char *err, size_t errlen)
{
	char key[64], msg[256];

	for (char **e = environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		size_t n;
		if (strncmp(*e, "TEEPASS_", 8) != 0 || eq == NULL)
			continue;
		n = (size_t)(eq - *e) - 8;
		if (n == 0 || n >= sizeof(key))
			continue;
		for (size_t i = 0; i < n; i++)
			key[i] = (char)tolower((unsigned char)(*e)[8 + i]);
		key[n] = '\0';
		/* Variables that tools read but that are not configuration. */
		if (strcmp(key, "config") == 0 ||
		    strcmp(key, "source_dir") == 0)
			continue;
		/* The client's (docs/client.md): teepassd's URL, the JWKS
		 * cache, the challenge handed to attest --exec. */
		if (strcmp(key, "url") == 0 || strcmp(key, "cache_dir") == 0 ||
		    strcmp(key, "nonce") == 0)
			continue;
		if (!config_set(c, key, eq + 1, msg, sizeof(msg))) {
			snprintf(err, errlen, "environment TEEPASS_%.*s: %s",
			         (int)n, *e + 8, msg);
			return false;
		}
	}
	return true;
}

bool
config_key_file_private(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return false;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen,
		         "%s: private key is readable by group or others "
		         "(mode %03o); run chmod 600 %s",
		         path, st.st_mode & 0777, path);
		return false;
	}
	return true;
}

bool
config_validate(const struct tp_config *c, bool need_db, char *err,
                size_t errlen)
{
	if (need_db && (c->database_url == NULL || *c->database_url == '\0')) {
		snprintf(err, errlen,
		         "no database: set TEEPASS_DATABASE_URL (a libpq "
		         "connection string) or use `make run`, which starts a "
		         "private PostgreSQL under .run/");
		return false;
	}
	if (c->dev_fixed_time >= 0 && !c->dev_mode) {
		snprintf(
		        err, errlen,
		        "TEEPASS_DEV_FIXED_TIME is refused outside development "
		        "mode: production verifies as of now; set "
		        "TEEPASS_DEV_MODE=1 for development");
		return false;
	}
	if (c->signing_key == NULL) {
		snprintf(
		        err, errlen,
		        "no passport signing key: set TEEPASS_SIGNING_KEY to a "
		        "PEM P-256 key (create one with `teepass keygen --out "
		        "FILE`)");
		return false;
	}
	if (c->dev_mode &&
	    (c->mock_signing_key == NULL || c->mock_attestation_key == NULL)) {
		snprintf(err, errlen,
		         "development mode needs mock_signing_key and "
		         "mock_attestation_key (TEEPASS_MOCK_SIGNING_KEY, "
		         "TEEPASS_MOCK_ATTESTATION_KEY)");
		return false;
	}
	if (!c->dev_mode && (c->issuer == NULL || *c->issuer == '\0' ||
	                     strcmp(c->issuer, CONFIG_EXAMPLE_ISSUER) == 0)) {
		snprintf(err, errlen,
		         "issuer is the example %s: set TEEPASS_ISSUER (or "
		         "issuer in the configuration file) to this service's "
		         "public base URL, the \"iss\" of its passports",
		         CONFIG_EXAMPLE_ISSUER);
		return false;
	}
	if (c->dev_mode && c->mock_signing_key != NULL &&
	    strcmp(c->mock_signing_key, c->signing_key) == 0) {
		snprintf(err, errlen,
		         "mock_signing_key must differ from signing_key: Mock "
		         "passports must never verify against the JWKS");
		return false;
	}
	if ((c->tls_cert_file == NULL) != (c->tls_key_file == NULL)) {
		snprintf(err, errlen,
		         "TLS needs both tls_cert_file and tls_key_file "
		         "(TEEPASS_TLS_CERT_FILE, TEEPASS_TLS_KEY_FILE)");
		return false;
	}
	if ((c->intel_root_ca_file == NULL) !=
	    (c->intel_root_ca_sha256 == NULL)) {
		snprintf(
		        err, errlen,
		        "a custom Intel root needs both intel_root_ca_file and "
		        "intel_root_ca_sha256 (TEEPASS_INTEL_ROOT_CA_FILE, "
		        "TEEPASS_INTEL_ROOT_CA_SHA256): the file and its pin");
		return false;
	}
	if (c->endpoint_tls_check && c->offline) {
		snprintf(err, errlen,
		         "endpoint_tls_check connects to registered endpoints: "
		         "it cannot be on with offline = 1");
		return false;
	}
	return true;
}

int64_t
config_now(const struct tp_config *c)
{
	if (c->dev_mode && c->dev_fixed_time >= 0)
		return c->dev_fixed_time;
	return tptime_now();
}
