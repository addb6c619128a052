/* PSA / CCA platform claims and provisioned keys: see verify/psa_claims.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/arm/arm_jwk.h"
#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"
#include "verify/arm/psa_claims.h"

#define MAX_CLAIMS   64
#define MAX_TEXT     256
#define MAX_KEY_FILE (64 * 1024)

enum field {
	C_PROFILE,
	C_NONCE,
	C_INSTANCE_ID,
	C_IMPLEMENTATION_ID,
	C_CLIENT_ID,
	C_LIFECYCLE,
	C_BOOT_SEED,
	C_CERT_REF,
	C_SW_COMPONENTS,
	C_NO_SW,
	C_VSI,
	C_PLATFORM_CONFIG,
	C_HASH_ALG,
	C__COUNT
};

/* RFC 9783 §4 keys, legacy PSA_IOT_PROFILE_1 keys (0: none). */
static const struct {
	const char *name;
	int64_t key, legacy;
} fields[C__COUNT] = {
        [C_PROFILE] = {"profile", 265, -75000},
        [C_NONCE] = {"nonce", 10, -75008},
        [C_INSTANCE_ID] = {"instance-id", 256, -75009},
        [C_IMPLEMENTATION_ID] = {"implementation-id", 2396, -75003},
        [C_CLIENT_ID] = {"client-id", 2394, -75001},
        [C_LIFECYCLE] = {"security-lifecycle", 2395, -75002},
        [C_BOOT_SEED] = {"boot-seed", 2397, -75004},
        [C_CERT_REF] = {"certification-reference", 2398, -75005},
        [C_SW_COMPONENTS] = {"software-components", 2399, -75006},
        [C_NO_SW] = {"no-sw-measurements", 0, -75007},
        [C_VSI] = {"verification-service-indicator", 2400, -75010},
        [C_PLATFORM_CONFIG] = {"platform-config", 2401, 0},
        [C_HASH_ALG] = {"platform-hash-algo-id", 2402, 0},
};

static bool
printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static bool
read_text(struct reader *r, const char *name, size_t max, struct psa_bytes *b,
          char *why, size_t whylen)
{
	if (!cose_cbor_tstr(r, &b->p, &b->n) || b->n == 0 || b->n > max ||
	    !printable(b->p, b->n)) {
		snprintf(why, whylen,
		         "%s: want printable ASCII text of 1..%zu bytes", name,
		         max);
		b->p = NULL;
		return false;
	}
	return true;
}

static bool
read_bytes(struct reader *r, const char *name, size_t min, size_t max,
           struct psa_bytes *b, char *why, size_t whylen)
{
	if (!cose_cbor_bstr(r, &b->p, &b->n) || b->n < min || b->n > max) {
		snprintf(why, whylen,
		         "%s: want a byte string of %zu..%zu bytes", name, min,
		         max);
		b->p = NULL;
		return false;
	}
	return true;
}

/* RFC 9783 §4.4.1: psa-software-component = { ? 1 => text, 2 => bstr,
 * ? 4 => text, 5 => bstr, ? 6 => text } (signer-id required in 2.0). */
static bool
read_swcomp(struct reader *r, size_t idx, struct psa_swcomp *s, char *why,
            size_t whylen)
{
	struct cose_cbor_key keys[8], k;
	size_t n, nk = 0;
	char name[48];

	if (!cose_cbor_map(r, &n) || n == 0 || n > 8) {
		snprintf(why, whylen,
		         "software-components[%zu]: want a map of 1..8 entries",
		         idx);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(r, &k)) {
			snprintf(why, whylen,
			         "software-components[%zu]: key %zu is not an "
			         "int or text",
			         idx, i);
			return false;
		}
		for (size_t j = 0; j < nk; j++) {
			if (cose_cbor_key_eq(&keys[j], &k)) {
				cose_cbor_key_name(&k, name, sizeof(name));
				snprintf(why, whylen,
				         "software-components[%zu]: key %s "
				         "appears twice",
				         idx, name);
				return false;
			}
		}
		keys[nk++] = k;
		snprintf(name, sizeof(name), "software-components[%zu]", idx);
		if (cose_cbor_key_is_int(&k, 1)) {
			if (!read_text(r, name, MAX_TEXT, &s->type, why,
			               whylen))
				return false;
		} else if (cose_cbor_key_is_int(&k, 2)) {
			if (!read_bytes(r, name, 1, 64, &s->value, why, whylen))
				return false;
		} else if (cose_cbor_key_is_int(&k, 4)) {
			if (!read_text(r, name, MAX_TEXT, &s->version, why,
			               whylen))
				return false;
		} else if (cose_cbor_key_is_int(&k, 5)) {
			if (!read_bytes(r, name, 1, 64, &s->signer_id, why,
			                whylen))
				return false;
		} else if (cose_cbor_key_is_int(&k, 6)) {
			if (!read_text(r, name, MAX_TEXT, &s->description, why,
			               whylen))
				return false;
		} else if (!cose_cbor_skip(r, 4)) {
			snprintf(why, whylen,
			         "software-components[%zu]: malformed value",
			         idx);
			return false;
		}
	}
	if (s->value.p == NULL) {
		snprintf(why, whylen,
		         "software-components[%zu]: measurement-value (2) is "
		         "missing",
		         idx);
		return false;
	}
	return true;
}

static bool
read_field(struct reader *r, enum field f, struct psa_claims *c, char *why,
           size_t whylen)
{
	const char *name = fields[f].name;
	uint64_t u;
	size_t n;

	switch (f) {
	case C_PROFILE:
		return read_text(r, name, MAX_TEXT, &c->profile, why, whylen);
	case C_NONCE:
		if (!read_bytes(r, name, 32, 64, &c->nonce, why, whylen))
			return false;
		if (c->nonce.n != 32 && c->nonce.n != 48 && c->nonce.n != 64) {
			snprintf(why, whylen, "nonce: want 32, 48 or 64 bytes");
			return false;
		}
		return true;
	case C_INSTANCE_ID:
		/* UEID type RAND (0x01) followed by 32 bytes. */
		if (!read_bytes(r, name, 33, 33, &c->instance_id, why, whylen))
			return false;
		if (c->instance_id.p[0] != 0x01) {
			snprintf(why, whylen,
			         "instance-id: want UEID type 0x01 (RAND)");
			return false;
		}
		return true;
	case C_IMPLEMENTATION_ID:
		return read_bytes(r, name, 32, 32, &c->implementation_id, why,
		                  whylen);
	case C_CLIENT_ID:
		if (!cose_cbor_int(r, &c->client_id)) {
			snprintf(why, whylen, "client-id: want an integer");
			return false;
		}
		c->has_client_id = true;
		return true;
	case C_LIFECYCLE:
		if (!cose_cbor_uint(r, &c->lifecycle) ||
		    c->lifecycle > 0xffff) {
			snprintf(
			        why, whylen,
			        "security-lifecycle: want an integer 0..65535");
			return false;
		}
		c->has_lifecycle = true;
		return true;
	case C_BOOT_SEED:
		return read_bytes(r, name, 8, 32, &c->boot_seed, why, whylen);
	case C_CERT_REF:
		return read_text(r, name, MAX_TEXT, &c->cert_ref, why, whylen);
	case C_SW_COMPONENTS:
		if (!cose_cbor_array(r, &n) || n == 0 || n > PSA_MAX_SWCOMP) {
			snprintf(why, whylen,
			         "software-components: want an array of 1..%d "
			         "maps",
			         PSA_MAX_SWCOMP);
			return false;
		}
		for (size_t i = 0; i < n; i++)
			if (!read_swcomp(r, i, &c->sw[i], why, whylen))
				return false;
		c->n_sw = n;
		return true;
	case C_NO_SW:
		if (!cose_cbor_uint(r, &u) || u != 1) {
			snprintf(why, whylen, "no-sw-measurements: want 1");
			return false;
		}
		c->no_sw_measurements = true;
		return true;
	case C_VSI:
		return read_text(r, name, MAX_TEXT, &c->vsi, why, whylen);
	case C_PLATFORM_CONFIG:
		return read_bytes(r, name, 1, 1024, &c->platform_config, why,
		                  whylen);
	case C_HASH_ALG:
		return read_text(r, name, 32, &c->hash_alg, why, whylen);
	default:
		return false;
	}
}

static bool
required(const bool *seen, enum psa_kind kind, const struct psa_claims *c,
         char *why, size_t whylen)
{
	static const enum field psa_req[] = {C_NONCE, C_INSTANCE_ID,
	                                     C_IMPLEMENTATION_ID, C_CLIENT_ID,
	                                     C_LIFECYCLE};
	static const enum field cca_req[] = {
	        C_PROFILE,           C_NONCE,     C_INSTANCE_ID,
	        C_IMPLEMENTATION_ID, C_LIFECYCLE, C_SW_COMPONENTS,
	        C_PLATFORM_CONFIG,   C_HASH_ALG};
	const enum field *req = kind == PSA_KIND_TOKEN ? psa_req : cca_req;
	size_t n = kind == PSA_KIND_TOKEN
	                   ? sizeof(psa_req) / sizeof(psa_req[0])
	                   : sizeof(cca_req) / sizeof(cca_req[0]);

	for (size_t i = 0; i < n; i++) {
		if (!seen[req[i]]) {
			snprintf(why, whylen, "claim %s (%lld) is missing",
			         fields[req[i]].name,
			         (long long)fields[req[i]].key);
			return false;
		}
	}
	if (kind == PSA_KIND_TOKEN) {
		/* The 2.0 profile names itself; the legacy one may not. */
		if (!c->legacy && !seen[C_PROFILE]) {
			snprintf(why, whylen, "claim profile (265) is missing");
			return false;
		}
		if (seen[C_SW_COMPONENTS] == seen[C_NO_SW]) {
			snprintf(why, whylen,
			         "want exactly one of software-components and "
			         "no-sw-measurements");
			return false;
		}
		/* RFC 9783 §4.4.1: signer-id is mandatory in PSA 2.0. */
		for (size_t i = 0; !c->legacy && i < c->n_sw; i++) {
			if (c->sw[i].signer_id.p == NULL) {
				snprintf(why, whylen,
				         "software-components[%zu]: signer-id "
				         "(5) is missing",
				         i);
				return false;
			}
		}
	} else if (seen[C_NO_SW] || seen[C_CLIENT_ID]) {
		snprintf(why, whylen, "%s is not a CCA platform claim",
		         seen[C_NO_SW] ? "no-sw-measurements" : "client-id");
		return false;
	}
	return true;
}

bool
psa_claims_parse(const uint8_t *buf, size_t len, enum psa_kind kind,
                 struct psa_claims *c, char *why, size_t whylen)
{
	struct cose_cbor_key keys[MAX_CLAIMS], k;
	bool seen[C__COUNT] = {false};
	struct reader r;
	size_t n;
	char name[48];
	int f;

	memset(c, 0, sizeof(*c));
	reader_init(&r, buf, len);
	if (!cose_cbor_map(&r, &n) || n == 0 || n > MAX_CLAIMS) {
		snprintf(why, whylen, "claims: want a map of 1..%d entries",
		         MAX_CLAIMS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(&r, &k)) {
			snprintf(why, whylen,
			         "claims: key %zu is not an int or text", i);
			return false;
		}
		cose_cbor_key_name(&k, name, sizeof(name));
		for (size_t j = 0; j < i; j++) {
			if (cose_cbor_key_eq(&keys[j], &k)) {
				snprintf(why, whylen,
				         "claims: key %s appears twice", name);
				return false;
			}
		}
		keys[i] = k;
		for (f = 0; f < C__COUNT; f++) {
			if (kind == PSA_KIND_CCA_PLATFORM &&
			    cose_cbor_key_is_int(&k, fields[f].key))
				break;
			if (kind == PSA_KIND_TOKEN && f != C_PLATFORM_CONFIG &&
			    f != C_HASH_ALG &&
			    ((fields[f].key != 0 &&
			      cose_cbor_key_is_int(&k, fields[f].key)) ||
			     (fields[f].legacy != 0 &&
			      cose_cbor_key_is_int(&k, fields[f].legacy))))
				break;
		}
		if (f == C__COUNT) {
			/* EAT: claims not understood are ignored. */
			if (!cose_cbor_skip(&r, 8)) {
				snprintf(why, whylen,
				         "claims: value of key %s is malformed "
				         "or nested too deep",
				         name);
				return false;
			}
			continue;
		}
		if (seen[f]) {
			snprintf(why, whylen,
			         "claims: %s given under both its PSA 2.0 and "
			         "its legacy key",
			         fields[f].name);
			return false;
		}
		seen[f] = true;
		if (k.major == COSE_CBOR_NINT)
			c->legacy = true;
		if (!read_field(&r, (enum field)f, c, why, whylen))
			return false;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "claims: %zu bytes after the map",
		         reader_remaining(&r));
		return false;
	}
	return required(seen, kind, c, why, whylen);
}

const char *
psa_lifecycle_name(uint64_t lc)
{
	switch (lc & 0xff00) {
	case 0x0000:
		return "unknown";
	case 0x1000:
		return "assembly_and_test";
	case 0x2000:
		return "psa_rot_provisioning";
	case 0x3000:
		return "secured";
	case 0x4000:
		return "non_psa_rot_debug";
	case 0x5000:
		return "recoverable_psa_rot_debug";
	case 0x6000:
		return "decommissioned";
	default:
		return "invalid";
	}
}

bool
psa_lifecycle_is_debug(uint64_t lc)
{
	return (lc & 0xff00) != 0x3000;
}

static void
claim_text(struct verdict *v, const char *prefix, const char *name,
           const struct psa_bytes *b)
{
	char key[64];
	json_t *s;

	if (b->p == NULL)
		return;
	snprintf(key, sizeof(key), "%s%s", prefix, name);
	/* Parsed texts are printable ASCII, hence valid UTF-8. */
	if ((s = json_stringn((const char *)b->p, b->n)) != NULL)
		verdict_claim_json(v, key, s);
}

static void
claim_bytes(struct verdict *v, const char *prefix, const char *name,
            const struct psa_bytes *b)
{
	char key[64];

	if (b->p == NULL)
		return;
	snprintf(key, sizeof(key), "%s%s", prefix, name);
	verdict_claim_hex(v, key, b->p, b->n);
}

static void
obj_text(json_t *o, const char *name, const struct psa_bytes *b)
{
	if (b->p != NULL)
		json_object_set_new(o, name,
		                    json_stringn((const char *)b->p, b->n));
}

static void
obj_hex(json_t *o, const char *name, const struct psa_bytes *b)
{
	char *h;

	if (b->p == NULL || (h = codec_hex_encode(b->p, b->n)) == NULL)
		return;
	json_object_set_new(o, name, json_string(h));
	free(h);
}

void
psa_claims_to_verdict(const struct psa_claims *c, const char *prefix,
                      struct verdict *v)
{
	json_t *arr, *o;
	char key[64];

	claim_text(v, prefix, "profile", &c->profile);
	claim_bytes(v, prefix, "challenge", &c->nonce);
	claim_bytes(v, prefix, "instance_id", &c->instance_id);
	claim_bytes(v, prefix, "implementation_id", &c->implementation_id);
	if (c->has_client_id) {
		snprintf(key, sizeof(key), "%sclient_id", prefix);
		verdict_claim_int(v, key, c->client_id);
	}
	if (c->has_lifecycle) {
		snprintf(key, sizeof(key), "%ssecurity_lifecycle", prefix);
		verdict_claim_str(v, key, psa_lifecycle_name(c->lifecycle));
		snprintf(key, sizeof(key), "%ssecurity_lifecycle_value",
		         prefix);
		verdict_claim_int(v, key, (int64_t)c->lifecycle);
	}
	claim_bytes(v, prefix, "boot_seed", &c->boot_seed);
	claim_text(v, prefix, "certification_reference", &c->cert_ref);
	claim_text(v, prefix, "verification_service_indicator", &c->vsi);
	claim_bytes(v, prefix, "config", &c->platform_config);
	claim_text(v, prefix, "hash_algorithm", &c->hash_alg);
	if (c->n_sw > 0 && (arr = json_array()) != NULL) {
		for (size_t i = 0; i < c->n_sw; i++) {
			if ((o = json_object()) == NULL)
				continue;
			obj_text(o, "measurement_type", &c->sw[i].type);
			obj_hex(o, "measurement_value", &c->sw[i].value);
			obj_text(o, "version", &c->sw[i].version);
			obj_hex(o, "signer_id", &c->sw[i].signer_id);
			obj_text(o, "measurement_description",
			         &c->sw[i].description);
			json_array_append_new(arr, o);
		}
		snprintf(key, sizeof(key), "%ssoftware_components", prefix);
		verdict_claim_json(v, key, arr);
	}
	if (c->no_sw_measurements) {
		snprintf(key, sizeof(key), "%sno_sw_measurements", prefix);
		verdict_claim_bool(v, key, true);
	}
}

static EVP_PKEY *
pem_pubkey(const uint8_t *buf, size_t len)
{
	EVP_PKEY *k = NULL;
	BIO *bio;

	if (len == 0 || len > MAX_KEY_FILE)
		return NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return NULL;
	k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (k != NULL && EVP_PKEY_get_base_id(k) != EVP_PKEY_EC) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* The artifact of KIND ARTIFACT_ARM_KEY whose key is PREFIX + NAME. */
static const struct artifact *
key_find(const struct artifact_set *set, const char *prefix, const char *name)
{
	char key[sizeof(((struct artifact *)0)->key)];

	if ((size_t)snprintf(key, sizeof(key), "%s%s", prefix, name) >=
	    sizeof(key))
		return NULL;
	return artifact_set_find(set, ARTIFACT_ARM_KEY, key);
}

/* True when SET holds an endorsement store of JSON_KEY ("<key>/…"). */
static bool
store_given(const struct artifact_set *set, const char *json_key)
{
	size_t n = artifact_set_count(set, ARTIFACT_ARM_KEY), kl;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%s/", json_key);
	kl = strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		const struct artifact *a =
		        artifact_set_nth(set, ARTIFACT_ARM_KEY, i);
		if (strcmp(a->source, "request") == 0 &&
		    strncmp(a->key, prefix, kl) == 0)
			return true;
	}
	return false;
}

/* Only the operator's store (a directory or a file) provisions a key. */
static bool
source_provisioned(const struct artifact *a)
{
	return strcmp(a->source, "directory") == 0 ||
	       strcmp(a->source, "file") == 0;
}

/*
 * The artifact holding the key for JSON_KEY / FILE_NAME and its
 * description in SRC, or NULL (SRC and WHY say why).
 */
static const struct artifact *
key_artifact(const struct artifact_set *set, const char *json_key,
             const char *file_name, const struct psa_bytes *instance_id,
             char *src, size_t srclen, char *why, size_t whylen)
{
	const struct artifact *a;

	/* In the order the loaders are tried: the request's member (a key,
	 * or a store by instance id), then the operator's store. */
	if ((a = artifact_set_find(set, ARTIFACT_ARM_KEY, json_key)) != NULL &&
	    strcmp(a->source, "request") == 0) {
		snprintf(src, srclen, "collateral.%s", json_key);
		return a;
	}
	if (store_given(set, json_key)) {
		char prefix[32], *id = NULL;

		snprintf(src, srclen, "collateral.%s[instance_id]", json_key);
		snprintf(prefix, sizeof(prefix), "%s/", json_key);
		if (instance_id->p != NULL)
			id = codec_hex_encode(instance_id->p, instance_id->n);
		a = id != NULL ? key_find(set, prefix, id) : NULL;
		free(id);
		if (a == NULL)
			snprintf(why, whylen,
			         "collateral.%s has no key for this token's "
			         "instance id",
			         json_key);
		return a;
	}
	if ((a = artifact_set_find(set, ARTIFACT_ARM_KEY, file_name)) != NULL &&
	    source_provisioned(a)) {
		snprintf(src, srclen, "collateral_path/%s", file_name);
		return a;
	}
	/* The same key as a JWK or JWKS: iak_pub.jwk, cpak_pub.jwk. */
	{
		char jwk_name[64];
		size_t fl = strlen(file_name);

		if (fl > 4 && fl < sizeof(jwk_name) &&
		    strcmp(file_name + fl - 4, ".pem") == 0) {
			snprintf(jwk_name, sizeof(jwk_name), "%.*s.jwk",
			         (int)(fl - 4), file_name);
			if ((a = artifact_set_find(set, ARTIFACT_ARM_KEY,
			                           jwk_name)) != NULL &&
			    source_provisioned(a)) {
				snprintf(src, srclen, "collateral_path/%s",
				         jwk_name);
				return a;
			}
		}
	}
	/* A single file (or the export layout, DIR/arm_key/): key "". */
	if ((a = artifact_set_find(set, ARTIFACT_ARM_KEY, "")) != NULL &&
	    source_provisioned(a)) {
		snprintf(src, srclen, "collateral_path");
		return a;
	}
	snprintf(why, whylen,
	         "no provisioned key: give collateral {\"%s\": "
	         "\"<PEM>\"} or a collateral path holding %s",
	         json_key, file_name);
	return NULL;
}

/* True when SET holds a key read from a directory (another format's). */
static bool
directory_given(const struct artifact_set *set)
{
	size_t n = artifact_set_count(set, ARTIFACT_ARM_KEY);

	for (size_t i = 0; i < n; i++)
		if (strcmp(artifact_set_nth(set, ARTIFACT_ARM_KEY, i)->source,
		           "directory") == 0)
			return true;
	return false;
}

/*
 * No key for FILE_NAME: *MISSING and WHY from what the loaders recorded
 * (a path that yielded no key at all is a missing key; anything else
 * they could not read or keep, an invalid one).
 */
static void
key_absent(const struct artifact_set *set, const char *file_name, bool *missing,
           char *why, size_t whylen)
{
	*missing = true;
	if (set != NULL && set->malformed &&
	    set->malformed_kind == ARTIFACT_ARM_KEY) {
		if (strcmp(set->why, PSA_KEY_NOTE_DIR) == 0)
			snprintf(
			        why, whylen,
			        "no provisioned key: collateral_path/%s is not "
			        "readable",
			        file_name);
		else if (strcmp(set->why, PSA_KEY_NOTE_FILE) == 0)
			snprintf(why, whylen,
			         "no provisioned key: collateral_path is not "
			         "readable");
		else {
			*missing = false;
			snprintf(why, whylen, "%s", set->why);
		}
	} else if (directory_given(set)) {
		snprintf(why, whylen,
		         "no provisioned key: collateral_path/%s is not "
		         "readable",
		         file_name);
	}
}

/* A JSON text that is a JWK or a JWKS (not a number, a string, a store
 * of keys by instance id). */
static bool
jwk_text(const struct artifact *a)
{
	json_error_t jerr;
	json_t *j;
	bool yes;

	if (!arm_jwk_is_json(a->body, a->body_len) ||
	    a->body_len > ARM_JWK_MAX_TEXT)
		return false;
	j = json_loadb((const char *)a->body, a->body_len, 0, &jerr);
	yes = json_is_object(j) && (json_object_get(j, "kty") != NULL ||
	                            json_object_get(j, "keys") != NULL);
	json_decref(j);
	return yes;
}

EVP_PKEY *
psa_key_load(const struct artifact_set *set, const char *json_key,
             const char *file_name, const struct psa_bytes *instance_id,
             const struct psa_bytes *kid, char *src, size_t srclen,
             bool *provisioned, bool *missing, enum tp_err *jwk_code, char *why,
             size_t whylen)
{
	const struct artifact *a;
	EVP_PKEY *k = NULL;

	*jwk_code = TP_ERR_none;
	*missing = true;
	*provisioned = false;
	snprintf(src, srclen, "none");
	if ((a = key_artifact(set, json_key, file_name, instance_id, src,
	                      srclen, why, whylen)) == NULL) {
		key_absent(set, file_name, missing, why, whylen);
		return NULL;
	}
	*missing = false;
	*provisioned = source_provisioned(a);
	/* A JWK or JWKS (a request member's object, a .jwk file, a store
	 * entry): its EC key, a JWKS's chosen by kid. */
	if (jwk_text(a)) {
		char *inst = NULL, jwhy[200];

		if (instance_id != NULL && instance_id->p != NULL)
			inst = codec_hex_encode(instance_id->p, instance_id->n);
		k = arm_jwk_key(a->body, a->body_len,
		                kid != NULL ? kid->p : NULL,
		                kid != NULL ? kid->n : 0, inst, jwk_code, jwhy,
		                sizeof(jwhy));
		free(inst);
		if (k == NULL)
			snprintf(why, whylen, "%s: %s", src, jwhy);
		else
			*jwk_code = TP_ERR_none;
		return k;
	}
	/* A member that was not a PEM text (a number, an object, ""): its
	 * JSON text is never parsed as a key. */
	if ((a->flags & ARTIFACT_RESERIALIZED) != 0 ||
	    (k = pem_pubkey(a->body, a->body_len)) == NULL) {
		/* The request's member (a key or a store) by its name. */
		if (strcmp(a->source, "request") == 0)
			snprintf(why, whylen,
			         "collateral.%s: want a PEM EC public key",
			         json_key);
		else
			snprintf(why, whylen, "%s: want a PEM EC public key",
			         src);
	}
	return k;
}

void
psa_key_record(struct verdict *v, EVP_PKEY *key, const char *item,
               const char *src)
{
	uint8_t *spki = NULL, md[32];
	size_t n = 0;

	verdict_claim_str(v, "attestation_key_source", src);
	if (!ecdsa_spki_der(key, &spki, &n))
		return;
	SHA256(spki, n, md);
	verdict_claim_hex(v, "attestation_key_sha256", md, 32);
	verdict_collateral(v, item, spki, n);
	free(spki);
}

void
psa_key_trust(struct verdict *v, bool provisioned)
{
	v->hardware_verified = provisioned;
	if (!provisioned)
		v->warning = true;
	verdict_claim_bool(v, "attestation_key_provisioned", provisioned);
}
