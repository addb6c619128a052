/* NVIDIA GPU confidential computing (provider NvidiaGpu): evidence forms,
 * collateral, and dispatch to local SPDM verification or NRAS tokens. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "common/codec.h"
#include "verify/nvidia/gpu.h"
#include "verify/nvidia/nras_token.h"
#include "verify/nvidia/spdm.h"

#define GPU_MAX_DEVICES    8
#define GPU_MAX_COLLATERAL (4u << 20)

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

static bool
read_file(const char *path, uint8_t **out, size_t *outlen)
{
	FILE *f = NULL;
	uint8_t *buf = NULL;
	struct stat st;
	bool ok = false;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > GPU_MAX_COLLATERAL)
		goto out;
	if ((f = fopen(path, "rb")) == NULL)
		goto out;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	buf[st.st_size] = '\0';
	*out = buf;
	*outlen = (size_t)st.st_size;
	buf = NULL;
	ok = true;
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return ok;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
gpu_collateral_file(const struct verify_request *req, const char *name,
                    bool (*accept)(const uint8_t *, size_t), uint8_t **out,
                    size_t *outlen)
{
	char path[4096];

	*out = NULL;
	*outlen = 0;
	if (req->collateral_path == NULL)
		return false;
	if (is_dir(req->collateral_path)) {
		if (snprintf(path, sizeof(path), "%s/%s", req->collateral_path,
		             name) >= (int)sizeof(path))
			return false;
		return read_file(path, out, outlen);
	}
	if (!read_file(req->collateral_path, out, outlen))
		return false;
	if (accept != NULL && accept(*out, *outlen))
		return true;
	free(*out);
	*out = NULL;
	*outlen = 0;
	return false;
}

static bool
accept_pem(const uint8_t *b, size_t n)
{
	return has(b, n, "-----BEGIN CERTIFICATE-----");
}

static bool
accept_jwks(const uint8_t *b, size_t n)
{
	size_t i = skip_ws(b, n, 0);

	return i < n && b[i] == '{' && has(b, n, "\"keys\"");
}

static bool
accept_rim(const uint8_t *b, size_t n)
{
	return has(b, n, "<SoftwareIdentity");
}

/* The device chain the caller supplied outside the evidence. */
static bool
collateral_chain(const struct verify_request *req, uint8_t **out,
                 size_t *outlen)
{
	const char *s = json_string_value(
	        json_object_get(req->collateral, "cert_chain"));

	if (s != NULL) {
		*outlen = strlen(s);
		*out = (uint8_t *)strdup(s);
		return *out != NULL;
	}
	return gpu_collateral_file(req, "cert_chain.pem", accept_pem, out,
	                           outlen);
}

/* RIM XML texts from collateral "rim"/"rims" and the collateral path
 * (*.swidtag and *.xml in a directory, or a RIM file). New reference. */
static json_t *
collateral_rims(const struct verify_request *req)
{
	json_t *rims = json_array(), *c;
	uint8_t *buf = NULL;
	size_t len, i;
	DIR *d = NULL;
	struct dirent *e;

	if (rims == NULL)
		return NULL;
	if ((c = json_object_get(req->collateral, "rim")) != NULL &&
	    json_is_string(c))
		json_array_append(rims, c);
	json_array_foreach(json_object_get(req->collateral, "rims"), i, c)
	{
		if (json_is_string(c))
			json_array_append(rims, c);
	}
	if (req->collateral_path == NULL)
		goto out;
	if (!is_dir(req->collateral_path)) {
		if (gpu_collateral_file(req, "", accept_rim, &buf, &len))
			json_array_append_new(
			        rims, json_stringn((const char *)buf, len));
		goto out;
	}
	if ((d = opendir(req->collateral_path)) == NULL)
		goto out;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (!((n > 8 && strcmp(e->d_name + n - 8, ".swidtag") == 0) ||
		      (n > 4 && strcmp(e->d_name + n - 4, ".xml") == 0)))
			continue;
		free(buf);
		buf = NULL;
		if (gpu_collateral_file(req, e->d_name, NULL, &buf, &len) &&
		    accept_rim(buf, len))
			json_array_append_new(
			        rims, json_stringn((const char *)buf, len));
	}
out:
	if (d != NULL)
		closedir(d);
	free(buf);
	return rims;
}

static json_t *
collateral_jwks(const struct verify_request *req)
{
	json_t *j = json_object_get(req->collateral, "nras_jwks");
	uint8_t *buf = NULL;
	size_t len;

	if (json_is_object(j))
		return json_incref(j);
	if (json_is_string(j))
		return json_loads(json_string_value(j), JSON_REJECT_DUPLICATES,
		                  NULL);
	if (!gpu_collateral_file(req, "nras_jwks.json", accept_jwks, &buf,
	                         &len))
		return NULL;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	free(buf);
	return j;
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
	uint8_t *coll_pem = NULL;
	size_t coll_len = 0;
	json_t *doc = NULL, *rims = NULL, *gpus = NULL;
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
	collateral_chain(req, &coll_pem, &coll_len);
	rims = collateral_rims(req);
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
		                rims, req, v, prefix, claims, &nonce);
		if (nonce != NULL) {
			check_stated(&items[i], nonce, claims, v, prefix);
			add_nonce_binding(v, nonce);
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
	if (json_array_size(rims) == 0 && !has_reference_values(req))
		v->warning = true;
out:
	items_free(items, GPU_MAX_DEVICES);
	json_decref(doc);
	json_decref(rims);
	free(coll_pem);
}

void
gpu_verify(const struct verify_request *req, struct verdict *v)
{
	json_t *jwks = NULL;

	if (looks_like_eat(req->evidence, req->evidence_len)) {
		jwks = collateral_jwks(req);
		nras_verify(req->evidence, req->evidence_len, jwks, req, v);
		json_decref(jwks);
		return;
	}
	verify_local(req, v);
}

const struct provider_ops provider_nvidia_gpu = {.id = TP_PROVIDER_NVIDIA_GPU,
                                                 .detect = gpu_detect,
                                                 .verify = gpu_verify};
