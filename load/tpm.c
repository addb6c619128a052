/*
 * TPM attestation keys from a request or a path (load/load.h); the keys
 * and bodies are those of ARTIFACT_TPM_AK (verify/core/artifact.h).
 *
 * Accepted (docs/providers.md, Tpm):
 *  - the request member "tpm_ak": a PEM public key (source "request":
 *    the attester's word, never hardware-verified);
 *  - a directory holding tpm_ak.pem (PEM or DER), or DIR/tpm_ak/ in the
 *    export layout, or a single key file (PEM or DER): the operator's
 *    provisioned AKs.
 * Nothing is judged here: whether a body is a usable public key is the
 * verifier's check (verify/tpm/tpm_quote.c). A directory without an AK
 * provisions nothing (the verdict stays not hardware-verified); a file
 * path that cannot be read is noted (TPM_AK_NOTE_FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"
#include "verify/tpm/tpm_quote.h"

/* The largest key file read (a PEM RSA-8192 public key is ~1.5 kB). */
#define TPM_MAX_KEY_FILE (64u * 1024u)

void
load_tpm_json(const json_t *member, struct artifact_set *set)
{
	const json_t *v;
	char *text;

	/* A collateral that is no object holds no AK. */
	if (!json_is_object(member) ||
	    (v = json_object_get(member, TPM_AK_MEMBER)) == NULL)
		return;
	if (json_is_string(v) && json_string_length(v) > 0) {
		if (!artifact_set_add(set, ARTIFACT_TPM_AK, TPM_AK_MEMBER,
		                      json_string_value(v),
		                      json_string_length(v), NULL, 0, "request",
		                      0))
			artifact_set_malformed(set, ARTIFACT_TPM_AK,
			                       "collateral.%s: cannot be kept",
			                       TPM_AK_MEMBER);
		return;
	}
	/* Not a PEM text: kept as its JSON text, which the verifier refuses
	 * by name rather than reporting the AK as missing. */
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL ||
	    !artifact_set_add(set, ARTIFACT_TPM_AK, TPM_AK_MEMBER, text,
	                      strlen(text), NULL, 0, "request",
	                      ARTIFACT_RESERIALIZED))
		artifact_set_malformed(set, ARTIFACT_TPM_AK,
		                       "collateral.%s: cannot be kept",
		                       TPM_AK_MEMBER);
	free(text);
}

/* The file PATH as the artifact KEY from SOURCE; false if unreadable. */
static bool
load_key_file(const char *path, const char *key, const char *source,
              struct artifact_set *set)
{
	uint8_t *body = NULL;
	size_t n = 0;

	if (!load_read_file(path, TPM_MAX_KEY_FILE, &body, &n))
		return false;
	if (!artifact_set_add(set, ARTIFACT_TPM_AK, key, body, n, NULL, 0,
	                      source, 0))
		artifact_set_malformed(
		        set, ARTIFACT_TPM_AK, "%s: cannot be kept",
		        key[0] != '\0' ? key : "collateral_path");
	free(body);
	return true;
}

void
load_tpm_path(const char *path, struct artifact_set *set)
{
	char file[4352];

	if (path == NULL)
		return;
	if (!load_is_dir(path)) {
		if (!load_key_file(path, "", "file", set))
			artifact_set_malformed(set, ARTIFACT_TPM_AK,
			                       TPM_AK_NOTE_FILE);
		return;
	}
	/* (The export layout's DIR/tpm_ak/ was read before.) */
	snprintf(file, sizeof(file), "%s/%s", path, TPM_AK_FILE);
	load_key_file(file, TPM_AK_FILE, "directory", set);
}
