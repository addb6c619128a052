/* Arm CCA attestation token: see verify/cca_token.h. */
#include <stdio.h>
#include <string.h>

#include "verify/arm/cca_token.h"
#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"

bool
cca_collection_parse(const uint8_t *buf, size_t len, struct cca_collection *c,
                     char *why, size_t whylen)
{
	struct reader r;
	uint64_t tag, label;
	const uint8_t *p;
	size_t n, pn;

	memset(c, 0, sizeof(*c));
	reader_init(&r, buf, len);
	if (!cose_cbor_tag(&r, &tag) || tag != CCA_TAG) {
		snprintf(why, whylen, "collection: want CBOR tag 399");
		return false;
	}
	if (!cose_cbor_map(&r, &n) || n != 2) {
		snprintf(why, whylen,
		         "collection: want a map of exactly 2 entries "
		         "(44234 platform, 44241 realm)");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_uint(&r, &label) ||
		    (label != CCA_PLATFORM_LABEL && label != CCA_REALM_LABEL)) {
			snprintf(why, whylen,
			         "collection: key %zu is neither 44234 nor "
			         "44241",
			         i);
			return false;
		}
		if (!cose_cbor_bstr(&r, &p, &pn) || pn == 0) {
			snprintf(why, whylen,
			         "collection[%llu]: want a non-empty byte "
			         "string",
			         (unsigned long long)label);
			return false;
		}
		if (label == CCA_PLATFORM_LABEL ? c->platform != NULL
		                                : c->realm != NULL) {
			snprintf(why, whylen,
			         "collection: key %llu appears twice",
			         (unsigned long long)label);
			return false;
		}
		if (label == CCA_PLATFORM_LABEL) {
			c->platform = p;
			c->platform_len = pn;
		} else {
			c->realm = p;
			c->realm_len = pn;
		}
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "collection: %zu trailing bytes",
		         reader_remaining(&r));
		return false;
	}
	return true;
}

static bool
text(struct reader *r, const char *name, struct psa_bytes *b, char *why,
     size_t whylen)
{
	if (!cose_cbor_tstr(r, &b->p, &b->n) || b->n == 0 || b->n > 256) {
		snprintf(why, whylen, "%s: want text of 1..256 bytes", name);
		return false;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (b->p[i] < 0x20 || b->p[i] > 0x7e) {
			snprintf(why, whylen, "%s: not printable ASCII", name);
			return false;
		}
	}
	return true;
}

static bool
digest_bytes(struct reader *r, const char *name, struct psa_bytes *b, char *why,
             size_t whylen)
{
	if (!cose_cbor_bstr(r, &b->p, &b->n) ||
	    (b->n != 32 && b->n != 48 && b->n != 64)) {
		snprintf(why, whylen, "%s: want 32, 48 or 64 bytes", name);
		return false;
	}
	return true;
}

enum rfield {
	R_CHALLENGE,
	R_PERSO,
	R_HASH_ALG,
	R_RAK,
	R_RIM,
	R_REMS,
	R_RAK_HASH_ALG,
	R_PROFILE,
	R__COUNT
};

static const int64_t rkeys[R__COUNT] = {10,    44235, 44236, 44237,
                                        44238, 44239, 44240, 265};
static const char *const rnames[R__COUNT] = {
        "realm challenge (10)",
        "personalization value (44235)",
        "realm hash algorithm (44236)",
        "RAK public key (44237)",
        "realm initial measurement (44238)",
        "REMs (44239)",
        "RAK hash algorithm (44240)",
        "profile (265)"};

static bool
rfield_read(struct reader *r, enum rfield f, struct cca_realm_claims *c,
            char *why, size_t whylen)
{
	char name[48];
	size_t n;

	switch (f) {
	case R_CHALLENGE:
	case R_PERSO: {
		struct psa_bytes *b =
		        f == R_CHALLENGE ? &c->challenge : &c->personalization;
		if (!cose_cbor_bstr(r, &b->p, &b->n) || b->n != 64) {
			snprintf(why, whylen, "%s: want 64 bytes", rnames[f]);
			return false;
		}
		return true;
	}
	case R_HASH_ALG:
		return text(r, rnames[f], &c->hash_alg, why, whylen);
	case R_RAK:
		if (!cose_cbor_bstr(r, &c->rak.p, &c->rak.n) || c->rak.n == 0 ||
		    c->rak.n > 512) {
			snprintf(why, whylen, "%s: want 1..512 bytes",
			         rnames[f]);
			return false;
		}
		return true;
	case R_RIM:
		return digest_bytes(r, rnames[f], &c->rim, why, whylen);
	case R_REMS:
		if (!cose_cbor_array(r, &n) || n != CCA_REM_COUNT) {
			snprintf(why, whylen, "%s: want an array of 4",
			         rnames[f]);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "REMs[%zu]", i);
			if (!digest_bytes(r, name, &c->rem[i], why, whylen))
				return false;
		}
		return true;
	case R_RAK_HASH_ALG:
		return text(r, rnames[f], &c->rak_hash_alg, why, whylen);
	case R_PROFILE:
		return text(r, rnames[f], &c->profile, why, whylen);
	default:
		return false;
	}
}

bool
cca_realm_claims_parse(const uint8_t *buf, size_t len,
                       struct cca_realm_claims *c, char *why, size_t whylen)
{
	struct cose_cbor_key keys[32], k;
	bool seen[R__COUNT] = {false};
	struct reader r;
	size_t n;
	char name[48];
	int f;

	memset(c, 0, sizeof(*c));
	reader_init(&r, buf, len);
	if (!cose_cbor_map(&r, &n) || n == 0 || n > 32) {
		snprintf(why, whylen,
		         "realm claims: want a map of 1..32 "
		         "entries");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(&r, &k)) {
			snprintf(why, whylen,
			         "realm claims: key %zu is not an int or text",
			         i);
			return false;
		}
		cose_cbor_key_name(&k, name, sizeof(name));
		for (size_t j = 0; j < i; j++) {
			if (cose_cbor_key_eq(&keys[j], &k)) {
				snprintf(why, whylen,
				         "realm claims: key %s appears twice",
				         name);
				return false;
			}
		}
		keys[i] = k;
		for (f = 0; f < R__COUNT; f++)
			if (cose_cbor_key_is_int(&k, rkeys[f]))
				break;
		if (f == R__COUNT) {
			if (!cose_cbor_skip(&r, 8)) {
				snprintf(why, whylen,
				         "realm claims: value of key %s is "
				         "malformed",
				         name);
				return false;
			}
			continue;
		}
		seen[f] = true;
		if (!rfield_read(&r, (enum rfield)f, c, why, whylen))
			return false;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "realm claims: %zu bytes after the map",
		         reader_remaining(&r));
		return false;
	}
	for (f = 0; f < R_PROFILE; f++) {
		if (!seen[f]) {
			snprintf(why, whylen, "realm claims: %s is missing",
			         rnames[f]);
			return false;
		}
	}
	return true;
}

/* RFC 9053 §7.1.1: COSE_Key {1: 2 (EC2), -1: crv, -2: x, -3: y}. */
static EVP_PKEY *
rak_from_cose_key(const struct psa_bytes *rak, char *why, size_t whylen)
{
	struct cose_cbor_key k;
	struct reader r;
	const uint8_t *x = NULL, *y = NULL;
	size_t n, xn = 0, yn = 0;
	int64_t kty = 0, crv = 0;
	uint8_t pt[1 + 2 * 48];

	reader_init(&r, rak->p, rak->n);
	if (!cose_cbor_map(&r, &n) || n > 16)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(&r, &k))
			goto bad;
		if (cose_cbor_key_is_int(&k, 1)) {
			if (kty != 0 || !cose_cbor_int(&r, &kty))
				goto bad;
		} else if (cose_cbor_key_is_int(&k, -1)) {
			if (crv != 0 || !cose_cbor_int(&r, &crv))
				goto bad;
		} else if (cose_cbor_key_is_int(&k, -2)) {
			if (x != NULL || !cose_cbor_bstr(&r, &x, &xn))
				goto bad;
		} else if (cose_cbor_key_is_int(&k, -3)) {
			if (y != NULL || !cose_cbor_bstr(&r, &y, &yn))
				goto bad;
		} else if (!cose_cbor_skip(&r, 4)) {
			goto bad;
		}
	}
	if (reader_remaining(&r) != 0 || kty != 2 || x == NULL || y == NULL)
		goto bad;
	if ((crv == 2 && xn == 48 && yn == 48) ||
	    (crv == 1 && xn == 32 && yn == 32)) {
		pt[0] = 0x04;
		memcpy(pt + 1, x, xn);
		memcpy(pt + 1 + xn, y, yn);
		return ecdsa_pub_from_point(crv == 2 ? "P-384" : "P-256", pt,
		                            1 + xn + yn);
	}
bad:
	snprintf(why, whylen,
	         "RAK public key (44237): neither a raw P-384/P-256 point nor "
	         "an EC2 COSE_Key on P-384/P-256");
	return NULL;
}

EVP_PKEY *
cca_rak_key(const struct psa_bytes *rak, char *why, size_t whylen)
{
	EVP_PKEY *k = NULL;

	if (rak->n == 97 && rak->p[0] == 0x04)
		k = ecdsa_pub_from_point("P-384", rak->p, rak->n);
	else if (rak->n == 65 && rak->p[0] == 0x04)
		k = ecdsa_pub_from_point("P-256", rak->p, rak->n);
	else
		return rak_from_cose_key(rak, why, whylen);
	if (k == NULL)
		snprintf(why, whylen,
		         "RAK public key (44237): not a point on its curve");
	return k;
}

const EVP_MD *
cca_hash_alg(const struct psa_bytes *name)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} algs[] = {
	        {"sha-256", EVP_sha256},
	        {"sha-384", EVP_sha384},
	        {"sha-512", EVP_sha512},
	};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (name->p != NULL && name->n == strlen(algs[i].name) &&
		    memcmp(name->p, algs[i].name, name->n) == 0)
			return algs[i].md();
	return NULL;
}
