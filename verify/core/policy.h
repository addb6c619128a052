#ifndef TP_POLICY_H
#define TP_POLICY_H
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "verify/intel/dcap_policy.h"
#include "verify/amd/snp_policy.h"
#include "verify/aws/nitro_policy.h"

/*
 * Everything verification depends on besides the evidence and the time:
 * loaded once at start (config/), read-only afterwards, shared by threads.
 */
struct verify_config {
	bool dev_mode;                  /* enables Mock evidence */
	EVP_PKEY *mock_attestation_key; /* Mock trust anchor (public part) */
	int64_t max_evidence_age;       /* seconds; API.md: 24 h */
	int64_t clock_skew;             /* seconds tolerated into the future */
	bool allow_debug;        /* accept debug-mode TEEs (all formats) */
	size_t max_evidence_len; /* bytes */
	struct dcap_policy dcap;
	struct snp_policy snp;
	struct nitro_policy nitro;
};

/* Safe production defaults: no dev mode, no debug, 24 h, 300 s skew. */
void verify_config_defaults(struct verify_config *c);
/* Frees what the config owns (keys); NULL-safe. */
void verify_config_free(struct verify_config *c);

/*
 * Sets one policy key from the configuration file ("dcap.*", "snp.*",
 * "nitro.*" go to that module). Returns false with a message in ERR
 * (ERRLEN bytes) for an unknown key or a bad value.
 */
bool verify_config_set(struct verify_config *c, const char *key,
                       const char *value, char *err, size_t errlen);

#endif
