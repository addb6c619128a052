#include <stdio.h>

#include "verify/snp_policy.h"

void
snp_policy_defaults(struct snp_policy *p)
{
	p->reserved = 0;
}

bool
snp_policy_set(struct snp_policy *p, const char *key, const char *value,
               char *err, size_t errlen)
{
	snprintf(err, errlen, "unknown policy key snp.%s", key);
	return false;
}
