#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/aws/nitro_chain.h"
#include "verify/aws/nitro_policy.h"

void
nitro_policy_defaults(struct nitro_policy *p)
{
	p->allow_debug = -1;
	p->max_future_skew = -1;
	p->cache_instances = NITRO_CACHE_INSTANCES_DEFAULT;
}

bool
nitro_policy_set(struct nitro_policy *p, const char *key, const char *value,
                 char *err, size_t errlen)
{
	char *end = NULL;
	long long n;

	if (strcmp(key, "allow_debug") == 0) {
		if (strcmp(value, "inherit") == 0)
			p->allow_debug = -1;
		else if (strcmp(value, "true") == 0)
			p->allow_debug = 1;
		else if (strcmp(value, "false") == 0)
			p->allow_debug = 0;
		else {
			snprintf(err, errlen,
			         "nitro.allow_debug: want inherit, true or "
			         "false");
			return false;
		}
		return true;
	}
	if (strcmp(key, "max_future_skew") == 0) {
		if (strcmp(value, "inherit") == 0) {
			p->max_future_skew = -1;
			return true;
		}
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < 0 ||
		    n > 86400) {
			snprintf(err, errlen,
			         "nitro.max_future_skew: want seconds 0..86400 "
			         "or inherit");
			return false;
		}
		p->max_future_skew = (int64_t)n;
		return true;
	}
	if (strcmp(key, "cache_instances") == 0) {
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < 0 ||
		    n > 10000000) {
			snprintf(err, errlen,
			         "nitro.cache_instances: want 0..10000000 "
			         "entries");
			return false;
		}
		p->cache_instances = (size_t)n;
		return true;
	}
	snprintf(err, errlen, "unknown policy key nitro.%s", key);
	return false;
}
