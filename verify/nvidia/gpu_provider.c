/* NVIDIA GPU confidential computing (provider NvidiaGpu): evidence forms,
 * collateral, and dispatch to local SPDM verification or NRAS tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "common/codec.h"
#include "verify/nvidia/gpu.h"
#include "verify/nvidia/nras_token.h"
#include "verify/nvidia/spdm.h"

#define GPU_MAX_DEVICES 8

static size_t
skip_ws(const uint8_t *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	                   buf[i] == '\r'))
		i++;
	return i;
}

static bool
has(const uint8_t *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* The NRAS detached EAT starts [["JWT", ... */
static bool
looks_like_eat(const uint8_t *buf, size_t len)
{
	size_t i = skip_ws(buf, len, 0);

	if (i >= len || buf[i] != '[')
		return false;
	i = skip_ws(buf, len, i + 1);
	if (i >= len || buf[i] != '[')
		return false;
	i = skip_ws(buf, len, i + 1);
	return len - i >= 5 && memcmp(buf + i, "\"JWT\"", 5) == 0;
}

bool
gpu_is_nras_eat(const uint8_t *buf, size_t len)
{
	return looks_like_eat(buf, len);
}

static bool
starts_json(const uint8_t *buf, size_t len)
{
	size_t i = skip_ws(buf, len, 0);

	return i < len && (buf[i] == '{' || buf[i] == '[');
}

bool
gpu_detect(const uint8_t *buf, size_t len)
{
	size_t i;

	if (spdm_detect(buf, len))
		return true;
	i = skip_ws(buf, len, 0);
	if (i >= len || (buf[i] != '{' && buf[i] != '['))
		return false;
	if (looks_like_eat(buf, len))
		return true;
	/* SDK / NRAS request JSON: its keys (one linear scan each; the
	 * evidence is capped by max_evidence_len). "certificate" may be
	 * absent when the chain comes as collateral. */
	return has(buf, len, "\"evidence\"") && has(buf, len, "\"arch\"");
}

const char *
gpu_malformed(const struct artifact_set *set, enum artifact_kind kind)
{
	return set != NULL && set->malformed && set->malformed_kind == kind
	               ? set->why
	               : NULL;
}

/* The NRAS key set of the artifacts, parsed; NULL when there is none or
 * its text does not parse. New reference. */
static json_t *
artifacts_jwks(const struct artifact_set *set)
{
	const struct artifact *a =
	        artifact_set_find(set, ARTIFACT_NVIDIA_NRAS_JWKS, NULL);

	if (a == NULL)
		return NULL;
	return json_loadb((const char *)a->body, a->body_len,
	                  JSON_REJECT_DUPLICATES, NULL);
}

/* One GPU of a JSON evidence: base64 SPDM and base64 PEM chain. */
struct gpu_item {
	uint8_t *spdm, *pem;
	size_t spdm_len, pem_len;
	const char *nonce; /* hex, or NULL */
	const char *arch;  /* or NULL */
};

static void
items_free(struct gpu_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].spdm);
		free(items[i].pem);
	}
}

static bool
item_decode(json_t *o, const char *outer_nonce, const char *outer_arch,
            struct gpu_item *it, char *why, size_t whylen, size_t idx)
{
	const char *ev, *cert;

	memset(it, 0, sizeof(*it));
	ev = json_string_value(json_object_get(o, "evidence"));
	cert = json_string_value(json_object_get(o, "certificate"));
	if (!json_is_object(o) || ev == NULL) {
		snprintf(why, whylen,
		         "device %zu: want an object with a "
		         "string \"evidence\"",
		         idx);
		return false;
	}
	if (!codec_base64_decode(ev, strlen(ev), &it->spdm, &it->spdm_len)) {
		snprintf(why, whylen, "device %zu: evidence is not base64",
		         idx);
		return false;
	}
	if (cert != NULL &&
	    !codec_base64_decode(cert, strlen(cert), &it->pem, &it->pem_len)) {
		snprintf(why, whylen, "device %zu: certificate is not base64",
		         idx);
		return false;
	}
	it->nonce = json_string_value(json_object_get(o, "nonce"));
	if (it->nonce == NULL)
		it->nonce = outer_nonce;
	it->arch = json_string_value(json_object_get(o, "arch"));
	if (it->arch == NULL)
		it->arch = outer_arch;
	return true;
}

/* Splits SDK JSON ([{...}]) or an NRAS request ({"evidence_list"}) into
 * items. Returns the count, or -1 with WHY. */
static int
json_items(json_t *doc, struct gpu_item *items, char *why, size_t whylen)
{
	json_t *list = doc, *o;
	const char *nonce = NULL, *arch = NULL;
	size_t i, n;

	if (json_is_object(doc)) {
		list = json_object_get(doc, "evidence_list");
		nonce = json_string_value(json_object_get(doc, "nonce"));
		arch = json_string_value(json_object_get(doc, "arch"));
	}
	n = json_array_size(list);
	if (!json_is_array(list) || n == 0 || n > GPU_MAX_DEVICES) {
		snprintf(why, whylen,
		         "want 1..%d GPU evidences in a JSON array or "
		         "evidence_list, have %zu",
		         GPU_MAX_DEVICES, n);
		return -1;
	}
	json_array_foreach(list, i, o)
	{
		if (!item_decode(o, nonce, arch, &items[i], why, whylen, i))
			return -1; /* the caller frees every item */
	}
	return (int)n;
}

/* The nonce and arch stated beside the SPDM evidence must be the ones
 * signed inside it; a stated nonce that differs is a relay attempt. */
static void
check_stated(const struct gpu_item *it, const uint8_t *nonce, json_t *claims,
             struct verdict *v, const char *prefix)
{
	uint8_t stated[SPDM_NONCE_LEN];
	const char *arch;
	char check[48];

	snprintf(check, sizeof(check), "%sgpu_stated_nonce", prefix);
	if (it->nonce != NULL) {
		if (!codec_hex_decode_fixed(it->nonce, stated,
		                            sizeof(stated)) ||
		    CRYPTO_memcmp(stated, nonce, SPDM_NONCE_LEN) != 0)
			verdict_fail(v, check, TP_ERR_gpu_nonce_mismatch,
			             "JSON nonce is not the 32-byte SPDM "
			             "requester nonce");
		else
			verdict_pass(v, check);
	}
	arch = json_string_value(json_object_get(claims, "gpu_arch"));
	snprintf(check, sizeof(check), "%sgpu_stated_arch", prefix);
	if (it->arch != NULL && arch != NULL) {
		if (strcasecmp(it->arch, arch) != 0)
			verdict_fail(v, check, TP_ERR_gpu_evidence_invalid,
			             "JSON arch differs from the architecture "
			             "of the device certificate (%s)",
			             arch);
		else
			verdict_pass(v, check);
	}
}

static void
add_nonce_binding(struct verdict *v, const uint8_t *nonce)
{
	for (size_t i = 0; i < v->n_bindings; i++)
		if (v->bindings[i].len == SPDM_NONCE_LEN &&
		    memcmp(v->bindings[i].buf, nonce, SPDM_NONCE_LEN) == 0)
			return;
	verdict_add_binding(v, "nonce", nonce, SPDM_NONCE_LEN);
}

static bool
has_reference_values(const struct verify_request *req)
{
	return json_object_size(json_object_get(req->expected, "runtime")) > 0;
}

static void
verify_local(const struct verify_request *req, struct verdict *v)
{
	struct gpu_item items[GPU_MAX_DEVICES];
	const struct artifact *chain = artifact_set_find(
	        req->artifacts, ARTIFACT_NVIDIA_DEVICE_CHAIN, NULL);
	const uint8_t *coll_pem = chain != NULL ? chain->body : NULL;
	size_t coll_len = chain != NULL ? chain->body_len : 0;
	json_t *doc = NULL, *gpus = NULL;
	char *ids[GPU_MAX_DEVICES] = {NULL};
	char why[256];
	int n = 0;

	memset(items, 0, sizeof(items));
	v->hardware_verified = true;
	if (!starts_json(req->evidence, req->evidence_len)) {
		items[0].spdm = malloc(req->evidence_len);
		if (items[0].spdm == NULL) {
			verdict_error(v, TP_ERR_internal_error,
			              "out of memory");
			goto out;
		}
		memcpy(items[0].spdm, req->evidence, req->evidence_len);
		items[0].spdm_len = req->evidence_len;
		n = 1;
	} else {
		json_error_t jerr;
		doc = json_loadb((const char *)req->evidence, req->evidence_len,
		                 JSON_REJECT_DUPLICATES, &jerr);
		if (doc == NULL) {
			verdict_fail(v, "gpu_evidence_format",
			             TP_ERR_gpu_evidence_invalid,
			             "GPU JSON evidence does not parse (line "
			             "%d)",
			             jerr.line);
			goto out;
		}
		if ((n = json_items(doc, items, why, sizeof(why))) < 0) {
			n = 0;
			verdict_fail(v, "gpu_evidence_format",
			             TP_ERR_gpu_evidence_invalid,
			             "GPU JSON evidence: %s", why);
			goto out;
		}
		verdict_pass(v, "gpu_evidence_format");
	}
	/* Several GPUs: claims per GPU, named as NRAS names them. */
	if (n > 1)
		gpus = json_object();
	for (int i = 0; i < n; i++) {
		const uint8_t *pem = items[i].pem ? items[i].pem : coll_pem;
		size_t pemlen = items[i].pem ? items[i].pem_len : coll_len;
		json_t *claims = json_object();
		const uint8_t *nonce = NULL;
		char prefix[16] = "";

		if (n > 1)
			snprintf(prefix, sizeof(prefix), "gpu%d.", i);
		/* NONCE is set once the evidence itself verified, even when
		 * a RIM then refuses its measurements. */
		gpu_verify_spdm(items[i].spdm, items[i].spdm_len, pem, pemlen,
		                req, v, prefix, claims, &nonce);
		if (nonce != NULL) {
			check_stated(&items[i], nonce, claims, v, prefix);
			add_nonce_binding(v, nonce);
		}
		/* One GPU twice (a replayed or copied evidence) is not two
		 * GPUs. */
		{
			const char *id = json_string_value(
			        json_object_get(claims, "device_id"));
			char check[48];

			snprintf(check, sizeof(check), "%sgpu_unique", prefix);
			for (int k = 0; id != NULL && n > 1 && k < i; k++) {
				if (ids[k] != NULL && strcmp(ids[k], id) == 0) {
					verdict_fail(
					        v, check,
					        TP_ERR_gpu_duplicate_device,
					        "GPU %d is GPU %d again "
					        "(device "
					        "certificate serial %s)",
					        i, k, id);
					break;
				}
			}
			ids[i] = id != NULL ? strdup(id) : NULL;
		}
		if (gpus != NULL) {
			char name[16];
			snprintf(name, sizeof(name), "GPU-%d", i);
			json_object_set_new(gpus, name, claims);
		} else {
			json_object_update(v->claims, claims);
			json_decref(claims);
		}
	}
	if (gpus != NULL) {
		verdict_claim_int(v, "gpu_count", n);
		verdict_claim_json(v, "gpus", gpus);
	}
	/* The verdict rests on signature and chain alone when nothing says
	 * what the measurements should be: at most EAR "warning". */
	if (artifact_set_count(req->artifacts, ARTIFACT_NVIDIA_RIM) == 0 &&
	    !has_reference_values(req))
		v->warning = true;
out:
	for (int i = 0; i < GPU_MAX_DEVICES; i++)
		free(ids[i]);
	items_free(items, GPU_MAX_DEVICES);
	json_decref(doc);
}

void
gpu_verify(const struct verify_request *req, struct verdict *v)
{
	json_t *jwks = NULL;

	if (looks_like_eat(req->evidence, req->evidence_len)) {
		jwks = artifacts_jwks(req->artifacts);
		nras_verify(req->evidence, req->evidence_len, jwks,
		            gpu_malformed(req->artifacts,
		                          ARTIFACT_NVIDIA_NRAS_JWKS),
		            req, v);
		json_decref(jwks);
		return;
	}
	verify_local(req, v);
}

const struct provider_ops provider_nvidia_gpu = {.id = TP_PROVIDER_NVIDIA_GPU,
                                                 .detect = gpu_detect,
                                                 .verify = gpu_verify};
