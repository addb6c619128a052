#ifndef TP_CONFIG_H
#define TP_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "verify/core/policy.h"

#define CONFIG_MAX_RETIRED_KEYS 8

/*
 * teepassd / teepass configuration: defaults, then the configuration file
 * (config/teepass.conf.example documents every key), then TEEPASS_*
 * environment overrides (TEEPASS_<KEY>, upper-case, for the top-level
 * keys). Validated as a whole by config_validate().
 */
struct tp_config {
	char listen_host[64];
	uint16_t listen_port;
	char *database_url;
	char *database_read_url; /* read replica for lookups, or NULL */
	int64_t database_read_max_lag_ms; /* beyond it: lookups on primary */
	bool dev_mode;
	int64_t dev_fixed_time; /* -1: the wall clock */
	char *signing_key;      /* PEM path */
	char *retired_keys[CONFIG_MAX_RETIRED_KEYS];
	size_t n_retired_keys;
	char *mock_signing_key;     /* PEM path (dev mode) */
	char *mock_attestation_key; /* PEM path (dev mode) */
	char *log_signing_key;      /* Ed25519 PEM path; NULL: no log key */
	char *log_origin;           /* checkpoint origin; NULL: from issuer */
	bool transparency_log; /* false: no log at all (docs/transparency.md) */
	char *collateral_dir;
	char *intel_pcs_url;
	char *amd_kds_url;
	char *nvidia_nras_jwks_url;
	char *nvidia_ocsp_url; /* "": the AIA URLs of the device chain */
	bool offline;
	char *intel_pcs_api_key;  /* Ocp-Apim-Subscription-Key, or NULL */
	char *intel_root_crl_url; /* Intel SGX Root CA CRL (DER) */
	/* A pre-production or test Intel PKI (docs/operations.md): every
	 * DCAP check anchors at the root in this DER or PEM file, whose
	 * SHA-256 must be intel_root_ca_sha256; both NULL: the pinned
	 * Intel SGX Root CA. */
	char *intel_root_ca_file;
	char *intel_root_ca_sha256;
	char *collateral_proxy;        /* proxy for vendor fetches, or NULL */
	int64_t collateral_timeout_ms; /* one vendor fetch, whole transfer */
	char *issuer;                  /* passport "iss" */
	char *cors_origins;            /* "*" or a comma-separated list */
	char *cors_post_origins;       /* origins that may POST cross-origin, or
	                          * NULL (none): docs/api.md, CORS */
	size_t body_limit;             /* bytes */
	unsigned threads;              /* worker threads = DB connections */
	unsigned max_connections_per_address; /* 0: no per-address limit */
	unsigned request_deadline; /* seconds for a request's headers and
	                            * body, from the connection (or the
	                            * previous reply); trickling does not
	                            * extend it */
	unsigned shutdown_grace;   /* seconds SIGTERM waits for requests */
	char *tls_cert_file;       /* PEM chain, or NULL: plain HTTP */
	char *tls_key_file;        /* PEM private key, with tls_cert_file */
	bool trusted_proxy;        /* a TLS proxy is in front: API keys on plain
	                     * HTTP from other hosts are accepted */
	int64_t passport_ttl;      /* seconds, at most 86400 */
	int64_t challenge_ttl;     /* seconds */
	bool migrate_on_start;
	bool verify_requires_key;   /* verify needs an API key */
	unsigned verify_rate_limit; /* open verify: per address per
	                             * minute, 0 = unlimited */
	/* Retention (docs/operations.md): expired challenges and, after
	 * passport_retention_days past expiry, passports are deleted by a
	 * background thread every retention_interval seconds (0: never), at
	 * most retention_batch rows per statement. */
	int64_t passport_retention_days;
	int64_t retention_interval;
	int64_t retention_batch;
	/* Attested TLS (docs/registry.md): with endpoint_tls_check, the
	 * TLS key an endpoint's evidence binds is compared with the key its
	 * URL presents, at registration, at each attestation and every
	 * endpoint_tls_interval seconds (0: not on a schedule); teepassd
	 * connects only to endpoint_tls_allowed_hosts (comma-separated
	 * names, "*.domain"), each handshake within endpoint_tls_timeout_ms. */
	bool endpoint_tls_check;
	char *endpoint_tls_allowed_hosts; /* NULL: none */
	int64_t endpoint_tls_timeout_ms;
	int64_t endpoint_tls_interval;
	/* Re-appraisal (docs/reappraisal.md): every reappraisal_interval
	 * seconds (0: off) at most reappraisal_batch passports of pending
	 * jobs are judged again as of now. */
	int64_t reappraisal_interval;
	int64_t reappraisal_batch;
	/* Push (docs/events.md): open GET /api/events streams at most, the
	 * heartbeat comment's period, how often the hub numbers and reads
	 * new events, how long events and finished deliveries are kept;
	 * webhook attempts: time limit, how many, first retry delay
	 * (doubling, at most an hour). */
	int64_t events_max_streams;
	int64_t events_heartbeat;
	int64_t events_poll_ms;
	int64_t events_retention_days;
	int64_t webhook_timeout_ms;
	int64_t webhook_max_attempts;
	int64_t webhook_retry_base_ms;
	bool webhook_allow_private; /* deliveries to private addresses */
	int64_t webhook_workers;    /* delivery threads */
	enum tp_log_level log_level;
	/* Seconds the JWKS and the issuer metadata may be cached: far below
	 * the 24 h a retired key stays published. */
	int64_t jwks_max_age;
	struct verify_config verify;
};

/* The example issuer: refused by teepassd outside development mode. */
#define CONFIG_EXAMPLE_ISSUER "https://teepass.example"

/* Fills the defaults (production-safe: no dev mode). */
void config_defaults(struct tp_config *c);

/* Frees what the configuration owns; NULL-safe. */
void config_free(struct tp_config *c);

/*
 * Sets KEY to VALUE (from a file or the environment). Returns false with
 * a message in ERR for an unknown key or a bad value.
 */
bool config_set(struct tp_config *c, const char *key, const char *value,
                char *err, size_t errlen);

/* Reads a "key = value" file ('#' comments). False with ERR on error. */
bool config_load_file(struct tp_config *c, const char *path, char *err,
                      size_t errlen);

/* Applies every TEEPASS_* variable of the environment. */
bool config_load_env(struct tp_config *c, char *err, size_t errlen);

/*
 * Checks the whole configuration for a daemon (NEED_DB: a database URL
 * is required). False with a message that says what to do.
 */
bool config_validate(const struct tp_config *c, bool need_db, char *err,
                     size_t errlen);

/*
 * Loads intel_root_ca_file, checks its SHA-256 against
 * intel_root_ca_sha256 and anchors every DCAP check at it
 * (dcap_root_ca_override). True and nothing done when neither is set;
 * false with ERR (what to fix) when the file cannot be read, is not one
 * certificate or its digest differs.
 */
bool config_intel_root_apply(const struct tp_config *c, char *err,
                             size_t errlen);

/* "now" for verification: the dev fixed clock when set, else the wall
 * clock. */
int64_t config_now(const struct tp_config *c);

/*
 * Checks that a private-key file is not readable by group or others.
 * False with ERR when it is or cannot be examined.
 */
bool config_key_file_private(const char *path, char *err, size_t errlen);

#endif
