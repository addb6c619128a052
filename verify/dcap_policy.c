#include <stdio.h>

#include "verify/dcap_policy.h"

void
dcap_policy_defaults(struct dcap_policy *p)
{
	p->reserved = 0;
}

bool
dcap_policy_set(struct dcap_policy *p, const char *key, const char *value,
                char *err, size_t errlen)
{
	snprintf(err, errlen, "unknown policy key dcap.%s", key);
	return false;
}
