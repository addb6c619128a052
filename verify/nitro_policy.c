#include <stdio.h>

#include "verify/nitro_policy.h"

void
nitro_policy_defaults(struct nitro_policy *p)
{
	p->reserved = 0;
}

bool
nitro_policy_set(struct nitro_policy *p, const char *key, const char *value,
                 char *err, size_t errlen)
{
	snprintf(err, errlen, "unknown policy key nitro.%s", key);
	return false;
}
