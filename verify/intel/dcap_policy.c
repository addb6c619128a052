#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_policy.h"

#define DEFAULT_ACCEPTED                                                       \
	((1u << DCAP_UP_TO_DATE) | (1u << DCAP_SW_HARDENING_NEEDED) |          \
	 (1u << DCAP_CONFIGURATION_NEEDED) |                                   \
	 (1u << DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED))

void
dcap_policy_defaults(struct dcap_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->accepted = DEFAULT_ACCEPTED;
	p->grace_period = 0;
	p->require_sept_ve_disable = true;
	p->check_mrservicetd = false;
	p->cache_platforms = DCAP_CACHE_PLATFORM_DEFAULT;
	p->cache_shared = DCAP_CACHE_SHARED_DEFAULT;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
	    strcmp(v, "yes") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
	    strcmp(v, "no") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* Calls FN on each trimmed, non-empty item of the comma list V. */
static bool
each_item(const char *v,
          bool (*fn)(struct dcap_policy *, const char *, char *, size_t),
          struct dcap_policy *p, char *err, size_t errlen)
{
	char item[64];
	const char *s = v, *e;
	size_t n;

	while (*s != '\0') {
		e = strchr(s, ',');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n >= sizeof(item)) {
			snprintf(err, errlen, "list item too long");
			return false;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		if (n > 0 && !fn(p, item, err, errlen))
			return false;
		if (e == NULL)
			break;
		s = e + 1;
	}
	return true;
}

static bool
add_status(struct dcap_policy *p, const char *s, char *err, size_t errlen)
{
	enum dcap_tcb_status st;

	if (!dcap_status_parse(s, &st) || st == DCAP_REVOKED) {
		snprintf(err, errlen,
		         "dcap.accepted_statuses: \"%.48s\" is not an "
		         "acceptable TCB status",
		         s);
		return false;
	}
	p->accepted |= 1u << st;
	return true;
}

static bool
add_deny(struct dcap_policy *p, const char *s, char *err, size_t errlen)
{
	if (p->n_deny == DCAP_POLICY_MAX_DENY ||
	    strlen(s) >= sizeof(p->deny[0])) {
		snprintf(err, errlen,
		         "dcap.advisory_deny: at most %d ids of < 32 chars",
		         DCAP_POLICY_MAX_DENY);
		return false;
	}
	snprintf(p->deny[p->n_deny++], sizeof(p->deny[0]), "%s", s);
	return true;
}

bool
dcap_policy_set(struct dcap_policy *p, const char *key, const char *value,
                char *err, size_t errlen)
{
	struct dcap_policy t = *p;
	bool b;
	char *end;
	long days;

	if (strcmp(key, "accepted_statuses") == 0) {
		t.accepted = 0;
		if (!each_item(value, add_status, &t, err, errlen))
			return false;
	} else if (strcmp(key, "allow_out_of_date") == 0) {
		if (!parse_bool(value, &b))
			goto bad_bool;
		if (b)
			t.accepted |=
			        (1u << DCAP_OUT_OF_DATE) |
			        (1u << DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED);
		else
			t.accepted &= ~(
			        (1u << DCAP_OUT_OF_DATE) |
			        (1u << DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED));
	} else if (strcmp(key, "tcb_grace_period_days") == 0) {
		days = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || days < 0 || days > 3650) {
			snprintf(err, errlen,
			         "dcap.tcb_grace_period_days: want 0..3650");
			return false;
		}
		t.grace_period = (int64_t)days * 86400;
	} else if (strcmp(key, "advisory_deny") == 0) {
		t.n_deny = 0;
		if (!each_item(value, add_deny, &t, err, errlen))
			return false;
	} else if (strcmp(key, "cache_platforms") == 0 ||
	           strcmp(key, "cache_shared") == 0) {
		bool plat = key[6] == 'p';
		long long n = strtoll(value, &end, 10);

		if (*value == '\0' || *end != '\0' || n < 0 ||
		    n > (plat ? 10000000 : 100000)) {
			snprintf(err, errlen, "dcap.%s: want 0..%d entries",
			         key, plat ? 10000000 : 100000);
			return false;
		}
		if (plat)
			t.cache_platforms = (size_t)n;
		else
			t.cache_shared = (size_t)n;
	} else if (strcmp(key, "require_sept_ve_disable") == 0) {
		if (!parse_bool(value, &t.require_sept_ve_disable))
			goto bad_bool;
	} else if (strcmp(key, "mrservicetd") == 0) {
		if (*value == '\0') {
			t.check_mrservicetd = false;
		} else if (strlen(value) != 96 ||
		           !codec_hex_decode_fixed(value, t.mrservicetd, 48)) {
			snprintf(err, errlen,
			         "dcap.mrservicetd: want 96 hex characters or "
			         "\"\"");
			return false;
		} else {
			t.check_mrservicetd = true;
		}
	} else {
		snprintf(err, errlen, "unknown policy key dcap.%s", key);
		return false;
	}
	*p = t;
	return true;
bad_bool:
	snprintf(err, errlen, "dcap.%s: want true or false", key);
	return false;
}

enum tp_err
dcap_policy_tcb(const struct dcap_policy *p, int status, int64_t outdated_since,
                int64_t now, int64_t *until)
{
	bool ood = status == DCAP_OUT_OF_DATE ||
	           status == DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED;

	*until = INT64_MAX;
	if (status < 0 || status >= DCAP_STATUS__COUNT ||
	    status == DCAP_REVOKED)
		return TP_ERR_tcb_revoked;
	if (p->accepted & (1u << status))
		return TP_ERR_none;
	/* Grace: out of date for at most grace_period seconds so far. */
	if (ood && p->grace_period > 0 && outdated_since > 0 &&
	    now >= outdated_since && now - outdated_since <= p->grace_period) {
		*until = outdated_since + p->grace_period;
		return TP_ERR_none;
	}
	return ood ? TP_ERR_tcb_out_of_date : TP_ERR_tcb_status_not_accepted;
}

bool
dcap_policy_denied(const struct dcap_policy *p, const json_t *advisories,
                   const char **id)
{
	for (size_t i = 0; i < json_array_size(advisories); i++) {
		const char *s =
		        json_string_value(json_array_get(advisories, i));
		for (size_t k = 0; s != NULL && k < p->n_deny; k++) {
			if (strcmp(s, p->deny[k]) == 0) {
				*id = s;
				return true;
			}
		}
	}
	return false;
}
