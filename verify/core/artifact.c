#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify/core/artifact.h"

static const char *const kind_names[ARTIFACT_KIND__COUNT] = {
        [ARTIFACT_INTEL_TCB_INFO] = "intel_tcb_info",
        [ARTIFACT_INTEL_QE_IDENTITY] = "intel_qe_identity",
        [ARTIFACT_INTEL_PCK_CRL] = "intel_pck_crl",
        [ARTIFACT_INTEL_ROOT_CA_CRL] = "intel_root_ca_crl",
        [ARTIFACT_AMD_VCEK] = "amd_vcek",
        [ARTIFACT_NVIDIA_NRAS_JWKS] = "nvidia_nras_jwks",
        [ARTIFACT_AMD_CERT_CHAIN] = "amd_cert_chain",
        [ARTIFACT_AMD_CRL] = "amd_crl",
        [ARTIFACT_AMD_VLEK] = "amd_vlek",
        [ARTIFACT_NVIDIA_DEVICE_CHAIN] = "nvidia_device_chain",
        [ARTIFACT_NVIDIA_RIM] = "nvidia_rim",
        [ARTIFACT_NVIDIA_OCSP] = "nvidia_ocsp",
        [ARTIFACT_NVIDIA_RIM_OCSP] = "nvidia_rim_ocsp",
        [ARTIFACT_ARM_KEY] = "arm_key",
        [ARTIFACT_TPM_AK] = "tpm_ak",
};

const char *
artifact_kind_name(enum artifact_kind k)
{
	return (unsigned)k < ARTIFACT_KIND__COUNT ? kind_names[k] : NULL;
}

bool
artifact_kind_parse(const char *s, enum artifact_kind *out)
{
	for (int i = 0; i < ARTIFACT_KIND__COUNT; i++) {
		if (s != NULL && strcmp(s, kind_names[i]) == 0) {
			*out = (enum artifact_kind)i;
			return true;
		}
	}
	return false;
}

void
artifact_set_init(struct artifact_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
artifact_set_clear(struct artifact_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].body);
		free(s->items[i].chain);
	}
	memset(s, 0, sizeof(*s));
}

static char *
copy_nul(const void *p, size_t n)
{
	char *c = malloc(n + 1);

	if (c == NULL)
		return NULL;
	if (n > 0)
		memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

bool
artifact_set_add(struct artifact_set *s, enum artifact_kind kind,
                 const char *key, const void *body, size_t len,
                 const char *chain, size_t chainlen, const char *source,
                 unsigned flags)
{
	struct artifact *a;

	if ((unsigned)kind >= ARTIFACT_KIND__COUNT || body == NULL ||
	    len == 0 || s->n >= ARTIFACT_SET_MAX)
		return false;
	if (key != NULL && key[0] != '\0' &&
	    artifact_set_find(s, kind, key) != NULL)
		return true;
	a = &s->items[s->n];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->key, sizeof(a->key), "%s", key != NULL ? key : "");
	snprintf(a->source, sizeof(a->source), "%s",
	         source != NULL ? source : "");
	a->flags = flags;
	if ((a->body = (uint8_t *)copy_nul(body, len)) == NULL)
		return false;
	a->body_len = len;
	if (chain != NULL && chainlen > 0) {
		if ((a->chain = copy_nul(chain, chainlen)) == NULL) {
			free(a->body);
			a->body = NULL;
			return false;
		}
		a->chain_len = chainlen;
	}
	s->n++;
	return true;
}

void
artifact_set_malformed(struct artifact_set *s, enum artifact_kind kind,
                       const char *fmt, ...)
{
	va_list ap;

	if (s->malformed)
		return;
	s->malformed = true;
	s->malformed_kind = kind;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

const struct artifact *
artifact_set_find(const struct artifact_set *s, enum artifact_kind kind,
                  const char *key)
{
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].kind == kind &&
		    (key == NULL || strcmp(s->items[i].key, key) == 0))
			return &s->items[i];
	return NULL;
}

size_t
artifact_set_count(const struct artifact_set *s, enum artifact_kind kind)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].kind == kind)
			n++;
	return n;
}

const struct artifact *
artifact_set_nth(const struct artifact_set *s, enum artifact_kind kind,
                 size_t i)
{
	if (s == NULL)
		return NULL;
	for (size_t j = 0; j < s->n; j++)
		if (s->items[j].kind == kind && i-- == 0)
			return &s->items[j];
	return NULL;
}

bool
artifact_set_has_any(const struct artifact_set *s,
                     const enum artifact_kind *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (artifact_set_find(s, kinds[i], NULL) != NULL)
			return true;
	return false;
}

bool
artifact_needs_add(struct artifact_needs *n, enum artifact_kind kind,
                   const char *key, bool optional, int group)
{
	struct artifact_need *a;

	if (n->n >= ARTIFACT_MAX_NEEDS)
		return false;
	a = &n->items[n->n++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->key, sizeof(a->key), "%s", key != NULL ? key : "");
	a->optional = optional;
	a->group = group;
	return true;
}
