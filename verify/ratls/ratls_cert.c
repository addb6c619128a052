/*
 * RA-TLS certificate parser (verify/ratls/ratls_cert.h): the certificate
 * through OpenSSL, its evidence extension through the bounded CBOR reader
 * of verify/core/cose.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "verify/core/cose.h"
#include "verify/core/reader.h"
#include "verify/ratls/ratls_cert.h"

/* OID contents (X.690 §8.19): 2.23.133.5.4.9 and 1.2.840.113741.1337.6,
 * and the latter as Gramine encodes it (its own DER as the content). */
static const uint8_t oid_dice[] = {0x67, 0x81, 0x05, 0x05, 0x04, 0x09};
static const uint8_t oid_legacy[] = {0x2a, 0x86, 0x48, 0x86, 0xf8,
                                     0x4d, 0x8a, 0x39, 0x06};
static const uint8_t oid_legacy_gramine[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                             0xf8, 0x4d, 0x8a, 0x39, 0x06};
/* dstack's (Phala) RA-TLS arc 1.3.6.1.4.1.62397.1.N (dstack ra-tls
 * oids.rs: .1 TDX quote, .2 event log, .3 app id, .4 usage, .8 its
 * SCALE/MessagePack attestation, .9 app info): recognised only to be
 * refused by name (docs/providers.md "RA-TLS"). */
static const uint8_t oid_dstack_arc[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                         0x83, 0xe7, 0x3d, 0x01};

#define CBOR_TAG_INTEL_QUOTE    60000
#define CBOR_TAG_INTEL_REPORT   60001
#define CBOR_TAG_SGX_LEGACY_REP 60002

void
ratls_cert_free(struct ratls_cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x509);
	free(c->spki);
	memset(c, 0, sizeof(*c));
}

static bool
is_space(uint8_t b)
{
	return b == ' ' || b == '\t' || b == '\r' || b == '\n';
}

static bool
oid_is(const ASN1_OBJECT *o, const uint8_t *want, size_t n)
{
	const unsigned char *d = NULL;
	size_t len = OBJ_length(o);

	d = OBJ_get0_data(o);
	return d != NULL && len == n && memcmp(d, want, n) == 0;
}

/* An OID of the dstack arc: its prefix and one arc of one byte. */
static bool
oid_is_dstack(const ASN1_OBJECT *o)
{
	const unsigned char *d = OBJ_get0_data(o);

	return d != NULL && OBJ_length(o) == sizeof(oid_dstack_arc) + 1 &&
	       memcmp(d, oid_dstack_arc, sizeof(oid_dstack_arc)) == 0 &&
	       d[sizeof(oid_dstack_arc)] < 0x80;
}

/* One certificate, DER or PEM, with nothing after it. */
static enum tp_err
cert_read(const uint8_t *buf, size_t len, X509 **out, char *why, size_t whylen)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	const unsigned char *p = buf;
	BIO *bio = NULL;
	X509 *x = NULL;
	size_t i = 0;
	char rest[64];
	int n;

	*out = NULL;
	while (i < len && is_space(buf[i]))
		i++;
	if (len - i >= sizeof(begin) - 1 &&
	    memcmp(buf + i, begin, sizeof(begin) - 1) == 0) {
		if (len > RATLS_MAX_EXT * 2 ||
		    (bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
			snprintf(why, whylen, "PEM: %zu bytes, at most %d", len,
			         RATLS_MAX_EXT * 2);
			return TP_ERR_ratls_cert_malformed;
		}
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		while (x != NULL && (n = BIO_read(bio, rest, sizeof(rest))) > 0)
			for (int k = 0; k < n; k++)
				if (!is_space((uint8_t)rest[k])) {
					X509_free(x);
					x = NULL;
					snprintf(why, whylen,
					         "PEM: bytes after the "
					         "certificate (one "
					         "certificate is evidence)");
					BIO_free(bio);
					return TP_ERR_ratls_cert_malformed;
				}
		BIO_free(bio);
		if (x == NULL) {
			snprintf(why, whylen,
			         "PEM: the CERTIFICATE block does "
			         "not decode to a certificate");
			return TP_ERR_ratls_cert_malformed;
		}
		*out = x;
		return TP_ERR_none;
	}
	if (len > RATLS_MAX_EXT * 2 ||
	    (x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		snprintf(why, whylen, "DER: not an X.509 certificate");
		return TP_ERR_ratls_cert_malformed;
	}
	if (p != buf + len) {
		X509_free(x);
		snprintf(why, whylen,
		         "DER: %zu bytes after the certificate's %zu",
		         len - (size_t)(p - buf), (size_t)(p - buf));
		return TP_ERR_ratls_cert_malformed;
	}
	*out = x;
	return TP_ERR_none;
}

/* pubkey-hash: CBOR [uint hash-alg-id, bstr hash] filling the whole
 * claim value. */
static enum tp_err
pubkey_hash_parse(const uint8_t *p, size_t n, struct ratls_cert *c, char *why,
                  size_t whylen)
{
	struct reader r;
	size_t count;
	uint64_t alg;
	size_t want;

	reader_init(&r, p, n);
	if (!cose_cbor_array(&r, &count) || count != 2 ||
	    !cose_cbor_uint(&r, &alg) ||
	    !cose_cbor_bstr(&r, &c->pubkey_hash, &c->pubkey_hash_len) ||
	    reader_remaining(&r) != 0) {
		snprintf(
		        why, whylen,
		        "claims.pubkey-hash: want the CBOR array [hash-alg-id, "
		        "bstr] and nothing else");
		return TP_ERR_ratls_extension_malformed;
	}
	switch (alg) {
	case 1:
		want = 32;
		break;
	case 7:
		want = 48;
		break;
	case 8:
		want = 64;
		break;
	default:
		snprintf(why, whylen,
		         "claims.pubkey-hash: hash-alg-id %llu, want 1 "
		         "(sha-256), 7 (sha-384) or 8 (sha-512)",
		         (unsigned long long)alg);
		return TP_ERR_ratls_evidence_unsupported;
	}
	if (c->pubkey_hash_len != want) {
		snprintf(why, whylen,
		         "claims.pubkey-hash: %zu hash bytes for hash-alg-id "
		         "%llu, want %zu",
		         c->pubkey_hash_len, (unsigned long long)alg, want);
		return TP_ERR_ratls_extension_malformed;
	}
	c->hash_alg = (int)alg;
	return TP_ERR_none;
}

/* The claims-buffer: a map of text keys to byte strings, each key once;
 * "pubkey-hash" required, "nonce" optional, others ignored. */
static enum tp_err
claims_parse(struct ratls_cert *c, char *why, size_t whylen)
{
	struct reader r;
	size_t count;
	bool have_hash = false, have_nonce = false;
	enum tp_err rc;

	reader_init(&r, c->claims, c->claims_len);
	if (!cose_cbor_map(&r, &count) || count > 64) {
		snprintf(why, whylen,
		         "claims-buffer: want a CBOR map of at most 64 claims");
		return TP_ERR_ratls_extension_malformed;
	}
	for (size_t i = 0; i < count; i++) {
		const uint8_t *k, *val;
		size_t kn, vn;

		if (!cose_cbor_tstr(&r, &k, &kn) ||
		    !cose_cbor_bstr(&r, &val, &vn)) {
			snprintf(why, whylen,
			         "claims-buffer: claim %zu: want a text name "
			         "and a byte-string value",
			         i);
			return TP_ERR_ratls_extension_malformed;
		}
		if (kn == 11 && memcmp(k, "pubkey-hash", 11) == 0) {
			if (have_hash) {
				snprintf(why, whylen,
				         "claims-buffer: pubkey-hash twice");
				return TP_ERR_ratls_extension_malformed;
			}
			have_hash = true;
			if ((rc = pubkey_hash_parse(val, vn, c, why, whylen)) !=
			    TP_ERR_none)
				return rc;
		} else if (kn == 5 && memcmp(k, "nonce", 5) == 0) {
			if (have_nonce) {
				snprintf(why, whylen,
				         "claims-buffer: nonce twice");
				return TP_ERR_ratls_extension_malformed;
			}
			have_nonce = true;
			c->nonce = val;
			c->nonce_len = vn;
		}
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "claims-buffer: %zu bytes after the map",
		         reader_remaining(&r));
		return TP_ERR_ratls_extension_malformed;
	}
	if (!have_hash) {
		snprintf(why, whylen,
		         "claims-buffer: no pubkey-hash claim (required)");
		return TP_ERR_ratls_extension_malformed;
	}
	return TP_ERR_none;
}

/* 60000([bstr quote, bstr claims-buffer]), the whole extension value. */
static enum tp_err
dice_parse(const uint8_t *p, size_t n, struct ratls_cert *c, char *why,
           size_t whylen)
{
	struct reader r;
	uint64_t tag;
	size_t count;

	reader_init(&r, p, n);
	if (!cose_cbor_tag(&r, &tag)) {
		snprintf(why, whylen,
		         "2.23.133.5.4.9: want a tagged CBOR item (the "
		         "evidence format's tag)");
		return TP_ERR_ratls_extension_malformed;
	}
	if (tag != CBOR_TAG_INTEL_QUOTE) {
		snprintf(why, whylen,
		         "2.23.133.5.4.9: CBOR tag %llu%s; teepass verifies "
		         "tag 60000 (Intel TEE quote)",
		         (unsigned long long)tag,
		         tag == CBOR_TAG_INTEL_REPORT ||
		                         tag == CBOR_TAG_SGX_LEGACY_REP
		                 ? " is a local report, verifiable only on "
		                   "the same platform"
		                 : " is not a known evidence format");
		return TP_ERR_ratls_evidence_unsupported;
	}
	if (!cose_cbor_array(&r, &count) || count != 2 ||
	    !cose_cbor_bstr(&r, &c->quote, &c->quote_len) ||
	    !cose_cbor_bstr(&r, &c->claims, &c->claims_len)) {
		snprintf(why, whylen,
		         "2.23.133.5.4.9: want 60000([bstr quote, bstr "
		         "claims-buffer])");
		return TP_ERR_ratls_extension_malformed;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen,
		         "2.23.133.5.4.9: %zu bytes after the CBOR item",
		         reader_remaining(&r));
		return TP_ERR_ratls_extension_malformed;
	}
	if (c->quote_len == 0) {
		snprintf(why, whylen, "2.23.133.5.4.9: the quote is empty");
		return TP_ERR_ratls_extension_malformed;
	}
	return claims_parse(c, why, whylen);
}

enum tp_err
ratls_cert_parse(const uint8_t *buf, size_t len, struct ratls_cert *c,
                 char *why, size_t whylen)
{
	const ASN1_OCTET_STRING *dice = NULL, *legacy = NULL;
	unsigned char *spki = NULL;
	enum tp_err rc;
	int n, spki_len, dstack = -1;

	memset(c, 0, sizeof(*c));
	if ((rc = cert_read(buf, len, &c->x509, why, whylen)) != TP_ERR_none)
		return rc;
	n = X509_get_ext_count(c->x509);
	for (int i = 0; i < n; i++) {
		X509_EXTENSION *e = X509_get_ext(c->x509, i);
		const ASN1_OBJECT *o = X509_EXTENSION_get_object(e);
		const ASN1_OCTET_STRING **slot = NULL;

		if (oid_is(o, oid_dice, sizeof(oid_dice)))
			slot = &dice;
		else if (oid_is(o, oid_legacy, sizeof(oid_legacy)) ||
		         oid_is(o, oid_legacy_gramine,
		                sizeof(oid_legacy_gramine)))
			slot = &legacy;
		else if (oid_is_dstack(o) && dstack < 0)
			dstack = OBJ_get0_data(o)[sizeof(oid_dstack_arc)];
		if (slot == NULL)
			continue;
		/* Two evidence extensions of a kind: which one is meant? */
		if (*slot != NULL) {
			snprintf(why, whylen, "extension %s appears twice",
			         slot == &dice ? "2.23.133.5.4.9"
			                       : "1.2.840.113741.1337.6");
			return TP_ERR_ratls_extension_malformed;
		}
		*slot = X509_EXTENSION_get_data(e);
	}
	if (dice == NULL && legacy == NULL && dstack >= 0) {
		snprintf(why, whylen,
		         "extension 1.3.6.1.4.1.62397.1.%d: dstack RA-TLS "
		         "evidence, not verified by teepass",
		         dstack);
		return TP_ERR_ratls_evidence_unsupported;
	}
	if (dice == NULL && legacy == NULL) {
		snprintf(why, whylen,
		         "no extension 2.23.133.5.4.9 "
		         "(tcg-dice-conceptual-message-wrapper) or "
		         "1.2.840.113741.1337.6 (Gramine SGX quote)");
		return TP_ERR_ratls_extension_missing;
	}
	if (dice != NULL) {
		if (ASN1_STRING_length(dice) <= 0 ||
		    ASN1_STRING_length(dice) > RATLS_MAX_EXT) {
			snprintf(why, whylen,
			         "2.23.133.5.4.9: %d bytes, want 1..%d",
			         ASN1_STRING_length(dice), RATLS_MAX_EXT);
			return TP_ERR_ratls_extension_malformed;
		}
		c->form = RATLS_FORM_DICE;
		if ((rc = dice_parse(ASN1_STRING_get0_data(dice),
		                     (size_t)ASN1_STRING_length(dice), c, why,
		                     whylen)) != TP_ERR_none)
			return rc;
	} else {
		if (ASN1_STRING_length(legacy) <= 0 ||
		    ASN1_STRING_length(legacy) > RATLS_MAX_EXT) {
			snprintf(why, whylen,
			         "1.2.840.113741.1337.6: %d bytes, want 1..%d",
			         ASN1_STRING_length(legacy), RATLS_MAX_EXT);
			return TP_ERR_ratls_extension_malformed;
		}
		c->form = RATLS_FORM_LEGACY;
		c->quote = ASN1_STRING_get0_data(legacy);
		c->quote_len = (size_t)ASN1_STRING_length(legacy);
	}
	spki_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x509), &spki);
	if (spki_len <= 0) {
		snprintf(why, whylen, "subjectPublicKeyInfo: not encodable");
		return TP_ERR_ratls_cert_malformed;
	}
	c->spki = malloc((size_t)spki_len);
	if (c->spki == NULL) {
		OPENSSL_free(spki);
		snprintf(why, whylen, "out of memory");
		return TP_ERR_internal_error;
	}
	memcpy(c->spki, spki, (size_t)spki_len);
	c->spki_len = (size_t)spki_len;
	OPENSSL_free(spki);
	return TP_ERR_none;
}

bool
ratls_cert_detect(const uint8_t *buf, size_t len)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	size_t i = 0;

	while (i < len && is_space(buf[i]))
		i++;
	if (len - i >= sizeof(begin) - 1 &&
	    memcmp(buf + i, begin, sizeof(begin) - 1) == 0)
		return true;
	/* DER: a SEQUENCE holding one of the OIDs (with its 06 tag). */
	if (len < 4 || buf[0] != 0x30)
		return false;
	return memmem(buf, len, "\x06\x06\x67\x81\x05\x05\x04\x09", 8) !=
	               NULL ||
	       memmem(buf, len, "\x06\x09\x2a\x86\x48\x86\xf8\x4d\x8a\x39\x06",
	              11) != NULL ||
	       memmem(buf, len,
	              "\x06\x0b\x06\x09\x2a\x86\x48\x86\xf8\x4d\x8a\x39\x06",
	              13) != NULL;
}
