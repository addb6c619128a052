/*
 * NVIDIA GPU collateral from a request or a directory (load/load.h).
 *
 * Accepted (docs/collateral.md, docs/providers.md):
 *  - the request's "collateral": "cert_chain" (the device chain, PEM
 *    text), "rim" (one RIM, SWID XML text) and "rims" ([XML, ...]),
 *    "nras_jwks" (the NRAS key set, an object or its JSON text), "ocsp"
 *    and "rim_ocsp" ({"<serial hex>": "<base64 DER OCSPResponse>"}, for
 *    the device chain resp. the RIM signing chains);
 *  - a directory holding cert_chain.pem, nras_jwks.json and RIMs
 *    (*.swidtag, *.xml that hold a <SoftwareIdentity>), beside the export
 *    layout load_path reads for every kind;
 *  - a single file: a PEM chain, a JWKS or a RIM (by its content).
 * Each item becomes one artifact: ARTIFACT_NVIDIA_DEVICE_CHAIN,
 * ARTIFACT_NVIDIA_RIM (one per RIM), ARTIFACT_NVIDIA_NRAS_JWKS (key
 * "nras"; an object is re-serialised and flagged ARTIFACT_RESERIALIZED),
 * ARTIFACT_NVIDIA_OCSP / ARTIFACT_NVIDIA_RIM_OCSP keyed by the serial in
 * upper-case hex, as OpenSSL's BN_bn2hex prints it (the collateral
 * service's online responses use the same key), the base64 decoded to
 * the DER the responder served. A map that yields no response (an empty
 * "ocsp": {}) leaves the marker GPU_OCSP_GIVEN_KEY, so the collateral
 * service does not ask for that chain (verify/nvidia/gpu_ocsp.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/nvidia/gpu_ocsp.h"

static bool
has(const uint8_t *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

static bool
accept_pem(const uint8_t *b, size_t n)
{
	return has(b, n, "-----BEGIN CERTIFICATE-----");
}

static bool
accept_jwks(const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n &&
	       (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i < n && b[i] == '{' && has(b, n, "\"keys\"");
}

static bool
accept_rim(const uint8_t *b, size_t n)
{
	return has(b, n, "<SoftwareIdentity");
}

static void
add_text(struct artifact_set *set, enum artifact_kind k, const char *key,
         const void *body, size_t len, const char *src, unsigned flags)
{
	if (len > 0)
		artifact_set_add(set, k, key, body, len, NULL, 0, src, flags);
}

/* "ocsp" / "rim_ocsp": {"<serial hex>": "<base64 DER>"}. */
static void
load_ocsp(const json_t *c, const char *name, enum artifact_kind k,
          struct artifact_set *set)
{
	const json_t *m = json_object_get(c, name), *val;
	const char *serial;
	char key[sizeof(((struct artifact *)0)->key)];

	size_t before = artifact_set_count(set, k);

	if (m == NULL)
		return;
	if (!json_is_object(m))
		artifact_set_malformed(set, k,
		                       "%s: want an object {\"<serial hex>\": "
		                       "\"<base64 DER OCSP response>\"}",
		                       name);
	json_object_foreach((json_t *)m, serial, val)
	{
		const char *b64 = json_string_value(val);
		uint8_t *der = NULL;
		size_t n = 0, i;

		/* No certificate serial is that long: it answers nothing. */
		if (strlen(serial) >= sizeof(key))
			continue;
		for (i = 0; serial[i] != '\0'; i++)
			key[i] = (char)toupper((unsigned char)serial[i]);
		key[i] = '\0';
		if (b64 == NULL) {
			artifact_set_malformed(set, k,
			                       "%s: the response for serial %s "
			                       "is not a string",
			                       name, key);
			continue;
		}
		if (!codec_base64_decode(b64, strlen(b64), &der, &n) ||
		    n == 0) {
			artifact_set_malformed(set, k,
			                       "%s: the response for serial %s "
			                       "is not base64",
			                       name, key);
			free(der);
			continue;
		}
		artifact_set_add(set, k, key, der, n, NULL, 0, "request", 0);
		free(der);
	}
	/* The caller gave this map: the collateral service asks nothing
	 * for that chain even when no response came of it. */
	if (artifact_set_count(set, k) == before)
		artifact_set_add(set, k, GPU_OCSP_GIVEN_KEY, "{}", 2, NULL, 0,
		                 "request", 0);
}

static void
load_rim_string(const json_t *r, const char *what, struct artifact_set *set)
{
	if (!json_is_string(r) || json_string_length(r) == 0) {
		artifact_set_malformed(set, ARTIFACT_NVIDIA_RIM,
		                       "%s: want a RIM (SWID XML) string",
		                       what);
		return;
	}
	add_text(set, ARTIFACT_NVIDIA_RIM, NULL, json_string_value(r),
	         json_string_length(r), "request", 0);
}

void
load_nvidia_json(const json_t *member, struct artifact_set *set)
{
	const json_t *v;
	size_t i;

	if (!json_is_object(member)) {
		artifact_set_malformed(set, ARTIFACT_NVIDIA_DEVICE_CHAIN,
		                       "collateral: want a JSON object");
		return;
	}
	if ((v = json_object_get(member, "cert_chain")) != NULL) {
		if (json_is_string(v))
			add_text(set, ARTIFACT_NVIDIA_DEVICE_CHAIN, NULL,
			         json_string_value(v), json_string_length(v),
			         "request", 0);
		else
			artifact_set_malformed(set,
			                       ARTIFACT_NVIDIA_DEVICE_CHAIN,
			                       "cert_chain: want a PEM string");
	}
	if ((v = json_object_get(member, "rim")) != NULL)
		load_rim_string(v, "rim", set);
	if ((v = json_object_get(member, "rims")) != NULL) {
		const json_t *r;
		char what[32];

		if (!json_is_array(v))
			artifact_set_malformed(set, ARTIFACT_NVIDIA_RIM,
			                       "rims: want an array of RIM "
			                       "(SWID XML) strings");
		json_array_foreach(v, i, r)
		{
			snprintf(what, sizeof(what), "rims[%zu]", i);
			load_rim_string(r, what, set);
		}
	}
	if ((v = json_object_get(member, "nras_jwks")) != NULL) {
		if (json_is_string(v)) {
			add_text(set, ARTIFACT_NVIDIA_NRAS_JWKS, "nras",
			         json_string_value(v), json_string_length(v),
			         "request", 0);
		} else if (json_is_object(v)) {
			char *text = json_dumps(v, JSON_COMPACT);
			if (text != NULL)
				add_text(set, ARTIFACT_NVIDIA_NRAS_JWKS, "nras",
				         text, strlen(text), "request",
				         ARTIFACT_RESERIALIZED);
			free(text);
		} else {
			artifact_set_malformed(set, ARTIFACT_NVIDIA_NRAS_JWKS,
			                       "nras_jwks: want a JWKS object "
			                       "or its JSON text");
		}
	}
	load_ocsp(member, "ocsp", ARTIFACT_NVIDIA_OCSP, set);
	load_ocsp(member, "rim_ocsp", ARTIFACT_NVIDIA_RIM_OCSP, set);
}

/* DIR/NAME, when it can be read, as KIND (KEY). */
static void
load_dir_file(const char *dir, const char *name, enum artifact_kind k,
              const char *key, bool (*accept)(const uint8_t *, size_t),
              struct artifact_set *set)
{
	char path[4096];
	uint8_t *b = NULL;
	size_t n = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return;
	if (load_read_file(path, LOAD_MAX_FILE, &b, &n) &&
	    (accept == NULL || accept(b, n)))
		add_text(set, k, key, b, n, "directory", 0);
	free(b);
}

static bool
rim_name(const char *s)
{
	size_t n = strlen(s);

	return (n > 8 && strcmp(s + n - 8, ".swidtag") == 0) ||
	       (n > 4 && strcmp(s + n - 4, ".xml") == 0);
}

void
load_nvidia_path(const char *path, struct artifact_set *set)
{
	uint8_t *b = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	if (path == NULL)
		return;
	if (!load_is_dir(path)) {
		/* One file: whatever it holds of the three. */
		if (!load_read_file(path, LOAD_MAX_FILE, &b, &n))
			return;
		if (accept_pem(b, n))
			add_text(set, ARTIFACT_NVIDIA_DEVICE_CHAIN, NULL, b, n,
			         "file", 0);
		if (accept_jwks(b, n))
			add_text(set, ARTIFACT_NVIDIA_NRAS_JWKS, "nras", b, n,
			         "file", 0);
		if (accept_rim(b, n))
			add_text(set, ARTIFACT_NVIDIA_RIM, NULL, b, n, "file",
			         0);
		free(b);
		return;
	}
	load_dir_file(path, "cert_chain.pem", ARTIFACT_NVIDIA_DEVICE_CHAIN,
	              NULL, NULL, set);
	load_dir_file(path, "nras_jwks.json", ARTIFACT_NVIDIA_NRAS_JWKS, "nras",
	              NULL, set);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (rim_name(e->d_name))
			load_dir_file(path, e->d_name, ARTIFACT_NVIDIA_RIM,
			              NULL, accept_rim, set);
	closedir(d);
}
