/*
 * Arm PSA / CCA provisioned keys from a request or a path (load/load.h);
 * the keys and bodies are those of ARTIFACT_ARM_KEY (verify/core/
 * artifact.h).
 *
 * Accepted (docs/collateral.md):
 *  - request members "iak" (PSA) and "cpak" (CCA): a PEM public key, a
 *    JWK or JWKS object (kept as its JSON text: verify/arm/arm_jwk.h), or
 *    an endorsement store, an object of PEM keys or JWKs by instance id
 *    (lower-case hex);
 *  - a directory holding iak_pub.pem / cpak_pub.pem (or iak_pub.jwk /
 *    cpak_pub.jwk), or a PEM or JWK file that serves for either format
 *    (the operator's provisioned store).
 * Nothing is judged here: whether a text is a PEM EC public key is the
 * verifier's check (verify/arm/psa_claims.c), so that it names the item
 * as it always did. A path that yields no key at all is noted
 * (PSA_KEY_NOTE_DIR, PSA_KEY_NOTE_FILE) for the verifier to name the file
 * it lacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/load.h"
#include "verify/arm/psa_claims.h"

/* The largest key file read (a PEM EC public key is ~180 bytes). */
#define ARM_MAX_KEY_FILE (64u * 1024u)

/* The request members and the provisioned store's file names. */
static const struct {
	const char *member, *file, *jwk_file;
} arm_keys[] = {
        {"iak", "iak_pub.pem", "iak_pub.jwk"},
        {"cpak", "cpak_pub.pem", "cpak_pub.jwk"},
};

/*
 * V as the body of the artifact KEY: a non-empty string as it is;
 * anything else as its JSON text, flagged ARTIFACT_RESERIALIZED, which
 * the verifier refuses as "want a PEM EC public key" (not as missing).
 */
static void
add_value(const char *key, const json_t *v, struct artifact_set *set)
{
	char *text;

	if (json_is_string(v) && json_string_length(v) > 0) {
		if (!artifact_set_add(
		            set, ARTIFACT_ARM_KEY, key, json_string_value(v),
		            json_string_length(v), NULL, 0, "request", 0))
			artifact_set_malformed(set, ARTIFACT_ARM_KEY,
			                       "collateral.%s: cannot be kept "
			                       "(more than %d artifacts)",
			                       key, ARTIFACT_SET_MAX);
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL ||
	    !artifact_set_add(set, ARTIFACT_ARM_KEY, key, text, strlen(text),
	                      NULL, 0, "request", ARTIFACT_RESERIALIZED))
		artifact_set_malformed(set, ARTIFACT_ARM_KEY,
		                       "collateral.%s: cannot be kept", key);
	free(text);
}

/*
 * An endorsement store MEMBER: one artifact "<member>/<name>" per entry.
 * An empty store is kept as the artifact "<member>/" (body "{}"), so the
 * verifier still says the store has no key for the token, as it says for
 * a store without the token's instance id.
 */
static void
load_store(const char *member, const json_t *store, struct artifact_set *set)
{
	char key[sizeof(((struct artifact *)0)->key)];
	const char *name;
	const json_t *v;

	if (json_object_size(store) == 0) {
		snprintf(key, sizeof(key), "%s/", member);
		if (!artifact_set_add(set, ARTIFACT_ARM_KEY, key, "{}", 2, NULL,
		                      0, "request", ARTIFACT_RESERIALIZED))
			artifact_set_malformed(set, ARTIFACT_ARM_KEY,
			                       "collateral.%s: cannot be kept",
			                       member);
		return;
	}
	json_object_foreach((json_t *)store, name, v)
	{
		/* A name too long for a key is no instance id (33 bytes, 66
		 * hex digits): it could never be looked up. */
		if ((size_t)snprintf(key, sizeof(key), "%s/%s", member, name) >=
		    sizeof(key))
			continue;
		add_value(key, v, set);
	}
}

void
load_arm_json(const json_t *member, struct artifact_set *set)
{
	/* A collateral that is no object holds no key: the verifier says
	 * the key is missing, as it always did. */
	if (!json_is_object(member))
		return;
	for (size_t i = 0; i < sizeof(arm_keys) / sizeof(arm_keys[0]); i++) {
		const json_t *v = json_object_get(member, arm_keys[i].member);

		if (v == NULL)
			continue;
		/* A JWK ("kty") or JWKS ("keys") is one key, kept as its
		 * JSON text; any other object is a store by instance id. */
		if (json_is_object(v) && json_object_get(v, "kty") == NULL &&
		    json_object_get(v, "keys") == NULL)
			load_store(arm_keys[i].member, v, set);
		else
			add_value(arm_keys[i].member, v, set);
	}
}

/*
 * The file PATH, if it can be read, as the artifact KEY from SOURCE;
 * false when it cannot be read (absent, empty or larger than any key:
 * the verifier reports the key as missing).
 */
static bool
load_key_file(const char *path, const char *key, const char *source,
              struct artifact_set *set)
{
	uint8_t *body = NULL;
	size_t n = 0;

	if (!load_read_file(path, ARM_MAX_KEY_FILE, &body, &n))
		return false;
	if (!artifact_set_add(set, ARTIFACT_ARM_KEY, key, body, n, NULL, 0,
	                      source, 0))
		artifact_set_malformed(
		        set, ARTIFACT_ARM_KEY, "%s: cannot be kept",
		        key[0] != '\0' ? key : "collateral_path");
	free(body);
	return true;
}

void
load_arm_path(const char *path, struct artifact_set *set)
{
	char file[4352];

	if (path == NULL)
		return;
	/* A path that yields no key at all is noted, so that the verifier
	 * says which file it could not read rather than asking for a path. */
	if (!load_is_dir(path)) {
		if (!load_key_file(path, "", "file", set))
			artifact_set_malformed(set, ARTIFACT_ARM_KEY,
			                       PSA_KEY_NOTE_FILE);
		return;
	}
	for (size_t i = 0; i < sizeof(arm_keys) / sizeof(arm_keys[0]); i++) {
		snprintf(file, sizeof(file), "%s/%s", path, arm_keys[i].file);
		load_key_file(file, arm_keys[i].file, "directory", set);
		snprintf(file, sizeof(file), "%s/%s", path,
		         arm_keys[i].jwk_file);
		load_key_file(file, arm_keys[i].jwk_file, "directory", set);
	}
	/* (The export layout's DIR/arm_key/ was read before.) */
	if (artifact_set_count(set, ARTIFACT_ARM_KEY) == 0)
		artifact_set_malformed(set, ARTIFACT_ARM_KEY, PSA_KEY_NOTE_DIR);
}
