#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/amd/snp_cert.h"
#include "verify/amd/snp_policy.h"

void
snp_policy_defaults(struct snp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->min_report_version = 2;
	p->allowed_vmpls = 0xF;
	p->allow_migrate_ma = false;
	p->allow_vlek = true;
	p->allow_outdated_tcb = false;
	p->require_crl = false;
	p->min_guest_svn = 0;
	p->cache_chips = SNP_CACHE_CHIPS_DEFAULT;
}

static bool
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && end != NULL && *end == '\0' && *out <= max;
}

static bool
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcmp(s, "yes") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcmp(s, "no") == 0) {
		*out = false;
		return true;
	}
	return false;
}

static bool
set_tcb(struct snp_tcb_min *t, const char *comp, const char *value)
{
	unsigned long long n;
	uint8_t *dst;

	if (strcmp(comp, "bl") == 0)
		dst = &t->bl;
	else if (strcmp(comp, "tee") == 0)
		dst = &t->tee;
	else if (strcmp(comp, "snp") == 0)
		dst = &t->snp;
	else if (strcmp(comp, "microcode") == 0)
		dst = &t->microcode;
	else if (strcmp(comp, "fmc") == 0)
		dst = &t->fmc;
	else
		return false;
	if (!parse_uint(value, 255, &n))
		return false;
	*dst = (uint8_t)n;
	return true;
}

static bool
set_vmpls(uint8_t *mask, const char *value)
{
	uint8_t m = 0;
	const char *s = value;

	if (strcmp(value, "any") == 0) {
		*mask = 0xF;
		return true;
	}
	for (;;) {
		if (*s < '0' || *s > '3')
			return false;
		m |= (uint8_t)(1u << (*s - '0'));
		s++;
		if (*s == '\0')
			break;
		if (*s != ',')
			return false;
		s++;
	}
	*mask = m;
	return true;
}

bool
snp_policy_set(struct snp_policy *p, const char *key, const char *value,
               char *err, size_t errlen)
{
	unsigned long long n;

	if (value == NULL)
		goto bad;
	if (strncmp(key, "min_tcb.", 8) == 0) {
		if (!set_tcb(&p->min_reported_tcb, key + 8, value))
			goto bad;
		return true;
	}
	if (strncmp(key, "min_launch_tcb.", 15) == 0) {
		if (!set_tcb(&p->min_launch_tcb, key + 15, value))
			goto bad;
		return true;
	}
	if (strcmp(key, "min_report_version") == 0) {
		if (!parse_uint(value, 5, &n) || (n != 2 && n != 3 && n != 5))
			goto bad;
		p->min_report_version = (uint32_t)n;
		return true;
	}
	if (strcmp(key, "allowed_vmpls") == 0) {
		if (!set_vmpls(&p->allowed_vmpls, value))
			goto bad;
		return true;
	}
	if (strcmp(key, "allow_migrate_ma") == 0) {
		if (!parse_bool(value, &p->allow_migrate_ma))
			goto bad;
		return true;
	}
	if (strcmp(key, "allow_vlek") == 0) {
		if (!parse_bool(value, &p->allow_vlek))
			goto bad;
		return true;
	}
	if (strcmp(key, "allow_outdated_tcb") == 0) {
		if (!parse_bool(value, &p->allow_outdated_tcb))
			goto bad;
		return true;
	}
	if (strcmp(key, "min_guest_svn") == 0) {
		if (!parse_uint(value, UINT32_MAX, &n))
			goto bad;
		p->min_guest_svn = (uint32_t)n;
		return true;
	}
	if (strcmp(key, "require_crl") == 0) {
		if (!parse_bool(value, &p->require_crl))
			goto bad;
		return true;
	}
	if (strcmp(key, "cache_chips") == 0) {
		if (!parse_uint(value, 10000000, &n))
			goto bad;
		p->cache_chips = (size_t)n;
		return true;
	}
	if (strcmp(key, "crl_file") == 0) {
		if (strlen(value) >= sizeof(p->crl_file))
			goto bad;
		snprintf(p->crl_file, sizeof(p->crl_file), "%s", value);
		return true;
	}
	snprintf(err, errlen, "unknown policy key snp.%s", key);
	return false;
bad:
	snprintf(err, errlen, "snp.%s: invalid value", key);
	return false;
}
