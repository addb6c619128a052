#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "verify/core/policy.h"

void
verify_config_defaults(struct verify_config *c)
{
	memset(c, 0, sizeof(*c));
	c->dev_mode = false;
	c->mock_attestation_key = NULL;
	c->max_evidence_age = 24 * 3600;
	c->clock_skew = 300;
	c->allow_debug = false;
	c->max_evidence_len = 256 * 1024;
	dcap_policy_defaults(&c->dcap);
	snp_policy_defaults(&c->snp);
	nitro_policy_defaults(&c->nitro);
}

void
verify_config_free(struct verify_config *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->mock_attestation_key);
	c->mock_attestation_key = NULL;
}

bool
verify_config_set(struct verify_config *c, const char *key, const char *value,
                  char *err, size_t errlen)
{
	if (strncmp(key, "dcap.", 5) == 0)
		return dcap_policy_set(&c->dcap, key + 5, value, err, errlen);
	if (strncmp(key, "snp.", 4) == 0)
		return snp_policy_set(&c->snp, key + 4, value, err, errlen);
	if (strncmp(key, "nitro.", 6) == 0)
		return nitro_policy_set(&c->nitro, key + 6, value, err, errlen);
	snprintf(err, errlen, "unknown policy key %s", key);
	return false;
}
