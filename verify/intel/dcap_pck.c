#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/core/x509.h"
#include "verify/core/reader.h"

/* DER of OID 1.2.840.113741.1.13.1 (without tag and length). */
static const uint8_t sgx_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8,
                                  0x4d, 0x01, 0x0d, 0x01};

/* One DER TLV (ITU-T X.690, 8.1): tag byte, definite length, value. */
static bool
der_tlv(struct reader *r, uint8_t *tag, struct reader *val)
{
	uint8_t b, n;
	size_t len = 0;

	if (!reader_u8(r, tag) || !reader_u8(r, &b))
		return false;
	if ((*tag & 0x1f) == 0x1f) /* high tag numbers: not used here */
		return false;
	if (b < 0x80) {
		len = b;
	} else {
		n = b & 0x7f;
		if (n == 0 || n > 3)
			return false;
		for (uint8_t i = 0; i < n; i++) {
			if (!reader_u8(r, &b))
				return false;
			len = (len << 8) | b;
		}
	}
	return reader_sub(r, len, val);
}

/* Matches an OID value against sgx_oid followed by SUFFIX (0 to 2 arcs). */
static bool
oid_is(const struct reader *oid, const uint8_t *suffix, size_t n)
{
	size_t len = reader_remaining(oid);
	const uint8_t *p = oid->buf + oid->off;

	return len == sizeof(sgx_oid) + n &&
	       memcmp(p, sgx_oid, sizeof(sgx_oid)) == 0 &&
	       memcmp(p + sizeof(sgx_oid), suffix, n) == 0;
}

static bool
der_uint(struct reader *v, uint32_t max, uint32_t *out)
{
	uint8_t b;
	uint32_t x = 0;
	size_t n = reader_remaining(v);

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!reader_u8(v, &b))
			return false;
		if (i == 0 && (b & 0x80))
			return false; /* negative */
		x = (x << 8) | b;
	}
	if (x > max)
		return false;
	*out = x;
	return true;
}

static bool
der_octets(struct reader *v, uint8_t *dst, size_t n)
{
	return reader_remaining(v) == n && reader_copy(v, dst, n);
}

/* TCB: SEQUENCE of SEQUENCE { OID .2.N, INTEGER or OCTET STRING }. */
static bool
parse_tcb(struct reader *seq, struct dcap_pck_ext *ext, unsigned *seen,
          char *why, size_t whylen)
{
	while (reader_remaining(seq) > 0) {
		struct reader item, oid, val;
		uint8_t tag, ot, vt;
		uint32_t x;
		bool known = false;

		if (!der_tlv(seq, &tag, &item) || tag != 0x30 ||
		    !der_tlv(&item, &ot, &oid) || ot != 0x06 ||
		    !der_tlv(&item, &vt, &val) || reader_remaining(&item)) {
			snprintf(why, whylen, "tcb: malformed component");
			return false;
		}
		for (uint8_t k = 1; k <= 18 && !known; k++) {
			uint8_t suf[2] = {0x02, k};
			if (!oid_is(&oid, suf, 2))
				continue;
			known = true;
			if (k <= 16) {
				if (vt != 0x02 || !der_uint(&val, 255, &x)) {
					snprintf(why, whylen,
					         "tcb.comp%02u_svn: want "
					         "INTEGER "
					         "0..255",
					         k);
					return false;
				}
				ext->comp_svn[k - 1] = (uint8_t)x;
			} else if (k == 17) {
				if (vt != 0x02 || !der_uint(&val, 65535, &x)) {
					snprintf(why, whylen,
					         "tcb.pcesvn: want INTEGER "
					         "0..65535");
					return false;
				}
				ext->pcesvn = (uint16_t)x;
			} else if (vt != 0x04 ||
			           !der_octets(&val, ext->cpusvn, 16)) {
				snprintf(why, whylen,
				         "tcb.cpusvn: want OCTET STRING (16)");
				return false;
			}
			*seen |= 1u << k;
		}
	}
	return true;
}

bool
dcap_pck_ext_parse_der(const uint8_t *der, size_t len, struct dcap_pck_ext *ext,
                       char *why, size_t whylen)
{
	struct reader r, top;
	unsigned seen = 0, tcb_seen = 0;
	uint8_t tag;

	memset(ext, 0, sizeof(*ext));
	ext->sgx_type = -1;
	reader_init(&r, der, len);
	if (!der_tlv(&r, &tag, &top) || tag != 0x30 || reader_remaining(&r)) {
		snprintf(why, whylen, "sgx_extensions: want one SEQUENCE");
		return false;
	}
	while (reader_remaining(&top) > 0) {
		struct reader item, oid, val;
		uint8_t ot, vt, arc;
		uint32_t x;

		if (!der_tlv(&top, &tag, &item) || tag != 0x30 ||
		    !der_tlv(&item, &ot, &oid) || ot != 0x06 ||
		    !der_tlv(&item, &vt, &val) || reader_remaining(&item)) {
			snprintf(why, whylen, "sgx_extensions: malformed item");
			return false;
		}
		for (arc = 1; arc <= 7; arc++)
			if (oid_is(&oid, &arc, 1))
				break;
		switch (arc) {
		case 1:
			if (vt != 0x04 || !der_octets(&val, ext->ppid, 16))
				goto bad;
			break;
		case 2:
			if (vt != 0x30 ||
			    !parse_tcb(&val, ext, &tcb_seen, why, whylen))
				goto bad_tcb;
			break;
		case 3:
			if (vt != 0x04 || !der_octets(&val, ext->pceid, 2))
				goto bad;
			break;
		case 4:
			if (vt != 0x04 || !der_octets(&val, ext->fmspc, 6))
				goto bad;
			break;
		case 5:
			if (vt != 0x0a || !der_uint(&val, 2, &x))
				goto bad;
			ext->sgx_type = (int)x;
			break;
		default:
			break; /* PlatformInstanceID, Configuration, future */
		}
		if (arc <= 7)
			seen |= 1u << arc;
		continue;
	bad:
		snprintf(why, whylen,
		         "sgx_extensions item .%u: wrong type or length", arc);
		return false;
	bad_tcb:
		if (vt != 0x30)
			snprintf(why, whylen,
			         "sgx_extensions.tcb: want SEQUENCE");
		return false;
	}
	if ((seen & 0x3e) != 0x3e) {
		snprintf(why, whylen,
		         "sgx_extensions: want PPID, TCB, PCE-ID, FMSPC and "
		         "SGX type");
		return false;
	}
	if ((tcb_seen & 0x7fffe) != 0x7fffe) {
		snprintf(why, whylen,
		         "sgx_extensions.tcb: want 16 component SVNs, PCESVN "
		         "and CPUSVN");
		return false;
	}
	return true;
}

bool
dcap_pck_ext_parse(X509 *cert, struct dcap_pck_ext *ext, char *why,
                   size_t whylen)
{
	const X509_EXTENSION *e = NULL;
	const ASN1_OBJECT *obj;
	const ASN1_OCTET_STRING *os;
	int n = X509_get_ext_count(cert);

	for (int i = 0; i < n; i++) {
		const X509_EXTENSION *c = X509_get_ext(cert, i);
		obj = X509_EXTENSION_get_object((X509_EXTENSION *)c);
		if ((size_t)OBJ_length(obj) == sizeof(sgx_oid) &&
		    memcmp(OBJ_get0_data(obj), sgx_oid, sizeof(sgx_oid)) == 0) {
			if (e != NULL) {
				snprintf(why, whylen,
				         "sgx_extensions: present twice");
				return false;
			}
			e = c;
		}
	}
	if (e == NULL) {
		snprintf(why, whylen,
		         "sgx_extensions: OID 1.2.840.113741.1.13.1 absent");
		return false;
	}
	os = X509_EXTENSION_get_data((X509_EXTENSION *)e);
	return dcap_pck_ext_parse_der(ASN1_STRING_get0_data(os),
	                              (size_t)ASN1_STRING_length(os), ext, why,
	                              whylen);
}

static int64_t
asn1_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MAX; /* unreadable: never inside a window */
	return (int64_t)timegm(&tm);
}

/* Number of PEM certificate blocks in BUF. */
static int
pem_blocks(const uint8_t *buf, size_t len)
{
	static const char marker[] = "-----BEGIN CERTIFICATE-----";
	const uint8_t *p = buf, *end = buf + len, *hit;
	int n = 0;

	while (p < end && (hit = memmem(p, (size_t)(end - p), marker,
	                                sizeof(marker) - 1)) != NULL) {
		n++;
		p = hit + sizeof(marker) - 1;
	}
	return n;
}

bool
dcap_pck_chain_verify(const uint8_t *pem, size_t len, X509 *root,
                      X509_CRL *pck_crl, X509_CRL *root_crl, int64_t now,
                      struct verdict *v, struct dcap_pck_ext *ext,
                      EVP_PKEY **pub, int64_t *from, int64_t *until)
{
	return dcap_pck_chain_verify_parsed(pem, len, NULL, root, pck_crl,
	                                    root_crl, NULL, now, v, ext, pub,
	                                    from, until);
}

/*
 * The revocation of a chain phase 1 verified: the leaf through PCK_CRL,
 * its CA through ROOT_CRL, without verifying the chain's signatures
 * again. Skips the CRL signatures the caller verified (SIGNER: the
 * certificate PCK_CRL verified with, and ROOT_CRL with ROOT).
 */
static enum x509_crl_result
revocation(STACK_OF(X509) * sk, X509 *root, X509_CRL *pck_crl,
           X509_CRL *root_crl, X509 *signer, int64_t now, enum tp_err *code,
           char *why, size_t whylen)
{
	X509 *leaf = sk_X509_value(sk, 0), *ca = sk_X509_value(sk, 1);
	enum x509_crl_result r;

	r = x509_crl_check(leaf, ca, pck_crl,
	                   signer != NULL && X509_cmp(signer, ca) == 0, now, 0,
	                   code, why, whylen);
	if (r != X509_CRL_GOOD)
		return r;
	return x509_crl_check(ca, root, root_crl, signer != NULL, now, 1, code,
	                      why, whylen);
}

bool
dcap_pck_chain_verify_parsed(const uint8_t *pem, size_t len,
                             STACK_OF(X509) * parsed, X509 *root,
                             X509_CRL *pck_crl, X509_CRL *root_crl,
                             X509 *signer, int64_t now, struct verdict *v,
                             struct dcap_pck_ext *ext, EVP_PKEY **pub,
                             int64_t *from, int64_t *until)
{
	enum x509_crl_result r = X509_CRL_UNSUPPORTED;
	STACK_OF(X509) *sk = NULL, *untrusted = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	X509 *leaf = NULL;
	enum tp_err code;
	char why[200];
	bool ok = false;

	*pub = NULL;
	/* Counted before anything is parsed or verified: a chain inflated
	 * with hundreds of certificates costs a scan, not their parsing. */
	if (pem_blocks(pem, len) > DCAP_PCK_CHAIN_MAX) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(
		        v, "pck_chain", TP_ERR_pck_chain_too_long,
		        "certification_data: %d certificates; Intel's PCK "
		        "chain has at most %d (PCK certificate, its CA, the "
		        "root)",
		        pem_blocks(pem, len), DCAP_PCK_CHAIN_MAX);
		goto out;
	}
	/* The first phase's parse of these same bytes, when it kept one:
	 * parsing a certificate costs about as much as verifying it. */
	sk = parsed != NULL ? sk_X509_dup(parsed)
	                    : x509_parse_pem_chain_anchor(pem, len, root);
	if (parsed != NULL && sk != NULL) {
		for (int i = 0; i < sk_X509_num(sk); i++)
			X509_up_ref(sk_X509_value(sk, i));
	}
	if (sk == NULL || sk_X509_num(sk) < 2) {
		verdict_fail(v, "pck_chain", TP_ERR_pck_chain_invalid,
		             "certification_data: want the PEM chain PCK "
		             "certificate, PCK CA (and root); have %d "
		             "certificates",
		             sk == NULL ? 0 : sk_X509_num(sk));
		goto out;
	}
	if (pem_blocks(pem, len) != sk_X509_num(sk)) {
		verdict_fail(v, "pck_chain", TP_ERR_pck_chain_invalid,
		             "certification_data: certificate %d of %d does "
		             "not parse",
		             sk_X509_num(sk) + 1, pem_blocks(pem, len));
		goto out;
	}
	leaf = sk_X509_value(sk, 0);
	/* The chain is exactly PCK leaf, its issuing CA and optionally a
	 * copy of the root, which must then be the pinned one: the only
	 * trusted root is the pinned one and nothing else rides along. */
	if (sk_X509_num(sk) > DCAP_PCK_CHAIN_MAX ||
	    X509_check_issued(sk_X509_value(sk, 1), leaf) != X509_V_OK) {
		verdict_fail(v, "pck_chain", TP_ERR_pck_chain_invalid,
		             "certification_data: want PCK certificate, the "
		             "CA that issued it and optionally the root; have "
		             "%d certificates not in that order",
		             sk_X509_num(sk));
		goto out;
	}
	if (sk_X509_num(sk) == 3 &&
	    (root == NULL || X509_cmp(sk_X509_value(sk, 2), root) != 0)) {
		verdict_fail(v, "pck_chain", TP_ERR_certificate_chain_invalid,
		             "certification_data: certificate 3 is not the "
		             "pinned Intel SGX Root CA (sha256 %s)",
		             dcap_root_ca_pin());
		goto out;
	}
	if ((untrusted = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(untrusted, sk_X509_value(sk, 1)))
		goto oom;
	if (pck_crl != NULL && root_crl != NULL) {
		if (X509_NAME_cmp(X509_CRL_get_issuer(pck_crl),
		                  X509_get_issuer_name(leaf)) != 0) {
			verdict_fail(v, "pck_chain",
			             TP_ERR_pck_crl_issuer_mismatch,
			             "pck_crl is issued by another CA than the "
			             "PCK certificate's issuer (Platform vs "
			             "Processor CA?)");
			goto out;
		}
		if ((crls = sk_X509_CRL_new_null()) == NULL ||
		    !sk_X509_CRL_push(crls, pck_crl) ||
		    !sk_X509_CRL_push(crls, root_crl))
			goto oom;
	}
	/* A chain phase 1 verified at NOW needs only its revocation
	 * checked; anything else (no phase 1, a CRL with extensions only
	 * OpenSSL's rules cover) gets OpenSSL's whole verification. */
	if (parsed != NULL && crls == NULL)
		r = X509_CRL_GOOD;
	else if (parsed != NULL)
		r = revocation(sk, root, pck_crl, root_crl, signer, now, &code,
		               why, sizeof(why));
	if (r == X509_CRL_UNSUPPORTED &&
	    !x509_chain_verify(leaf, untrusted, root, now, crls, &code, why,
	                       sizeof(why)))
		r = X509_CRL_BAD;
	if (r == X509_CRL_BAD) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "pck_chain", code, "PCK chain: %s", why);
		goto out;
	}
	if (v->certificate_chain_valid == TP_NULL)
		v->certificate_chain_valid = TP_TRUE;
	verdict_pass(v, "pck_chain");
	if (!dcap_pck_ext_parse(leaf, ext, why, sizeof(why))) {
		verdict_fail(v, "pck_extensions", TP_ERR_pck_extension_invalid,
		             "PCK certificate %s", why);
		goto out;
	}
	verdict_pass(v, "pck_extensions");
	if ((*pub = X509_get_pubkey(leaf)) == NULL) {
		verdict_fail(v, "pck_chain", TP_ERR_pck_chain_invalid,
		             "PCK certificate: public key unreadable");
		goto out;
	}
	*from = asn1_unix(X509_get0_notBefore(leaf));
	*until = x509_not_after(leaf);
	for (int i = 0; i < sk_X509_num(untrusted); i++) {
		int64_t na = x509_not_after(sk_X509_value(untrusted, i));
		int64_t nb = asn1_unix(
		        X509_get0_notBefore(sk_X509_value(untrusted, i)));
		if (na < *until)
			*until = na;
		if (nb > *from)
			*from = nb;
	}
	ok = true;
	goto out;
oom:
	verdict_error(v, TP_ERR_internal_error, "out of memory");
out:
	ERR_clear_error();
	sk_X509_CRL_free(crls);
	sk_X509_free(untrusted);
	sk_X509_pop_free(sk, X509_free);
	if (!ok) {
		EVP_PKEY_free(*pub);
		*pub = NULL;
	}
	return ok;
}

/* A certificate verified under the root (a PCK CA, the TCB Signing
 * certificate), cached by its PEM text and the root's digest: every
 * platform of a fleet shares these few. */
struct dcap_ca {
	struct dcap_cached cached; /* first member */
	X509 *ca;
};

static void
ca_destroy(struct dcap_cached *cc)
{
	X509_free(((struct dcap_ca *)cc)->ca);
	free(cc);
}

/*
 * TAIL (the chain's PEM after the leaf: the CA, optionally a copy of
 * ROOT; N certificates) verified up to ROOT at NOW, X509_STRICT; from
 * the cache when the same text verified before within the window of CA
 * and root. Release the result.
 */
static struct dcap_ca *
ca_verified(const uint8_t *tail, size_t len, int n, X509 *root, int64_t now)
{
	const void *parts[3];
	size_t lens[3];
	uint8_t rootmd[32], key[32];
	STACK_OF(X509) *sk = NULL;
	struct dcap_ca *c = NULL;
	enum tp_err code;
	char why[200];
	int64_t from, until;

	if (!x509_sha256(root, rootmd))
		return NULL;
	parts[0] = "teepass-dcap-pck-ca-v1";
	lens[0] = 22;
	parts[1] = rootmd;
	lens[1] = 32;
	/* Keyed without what follows the last block (a quote's chain ends
	 * in NUL padding, the collateral's copy in a newline): bytes after
	 * the last END line add no certificate, so both texts parse to the
	 * same chain and share one verification. */
	parts[2] = tail;
	lens[2] = len;
	while (lens[2] > 0 &&
	       (tail[lens[2] - 1] == '\0' || tail[lens[2] - 1] == '\n' ||
	        tail[lens[2] - 1] == '\r' || tail[lens[2] - 1] == ' '))
		lens[2]--;
	if (!dcap_sha256_parts(parts, lens, 3, key))
		return NULL;
	if ((c = (struct dcap_ca *)dcap_cache_get(key, now)) != NULL)
		return c;
	/* The root's copy compared by its DER with the pinned root, not
	 * parsed again. */
	if ((sk = x509_parse_pem_chain_anchor(tail, len, root)) == NULL ||
	    sk_X509_num(sk) != n ||
	    (n == 2 && X509_cmp(sk_X509_value(sk, 1), root) != 0))
		goto fail;
	if (!x509_chain_verify(sk_X509_value(sk, 0), NULL, root, now, NULL,
	                       &code, why, sizeof(why)))
		goto fail;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->cached.refs = 1;
	c->cached.destroy = ca_destroy;
	c->ca = sk_X509_shift(sk);
	from = asn1_unix(X509_get0_notBefore(c->ca));
	until = x509_not_after(c->ca);
	if (asn1_unix(X509_get0_notBefore(root)) > from)
		from = asn1_unix(X509_get0_notBefore(root));
	if (x509_not_after(root) < until)
		until = x509_not_after(root);
	dcap_cache_put(key, from, until + 1, &c->cached);
	sk_X509_pop_free(sk, X509_free);
	return c;
fail:
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

X509 *
dcap_root_issued_verified(const uint8_t *pem, size_t len, X509 *root,
                          int64_t now)
{
	int n = pem_blocks(pem, len);
	struct dcap_ca *c;
	X509 *x = NULL;

	if (root == NULL || n < 1 || n > 2 ||
	    (c = ca_verified(pem, len, n, root, now)) == NULL)
		return NULL;
	if (X509_up_ref(c->ca) == 1)
		x = c->ca;
	dcap_cache_release(&c->cached);
	return x;
}

bool
dcap_pck_chain_precheck(const uint8_t *pem, size_t len, X509 *root, int64_t now,
                        struct dcap_pck_ext *ext, enum dcap_pck_ca *ca,
                        int64_t *from, int64_t *until, STACK_OF(X509) * *chain)
{
	static const char marker[] = "-----BEGIN CERTIFICATE-----";
	STACK_OF(X509) *sk = NULL;
	struct dcap_ca *cached = NULL;
	const uint8_t *second;
	X509 *leaf, *issuer;
	enum tp_err code;
	char why[200], cn[128] = "";
	bool ok = false;
	int n = pem_blocks(pem, len);

	if (n < 2 || n > DCAP_PCK_CHAIN_MAX || root == NULL)
		goto out;
	/* The leaf is the platform's own; the rest (its CA, the root) is
	 * what every platform under that CA sends, verified once. */
	second = memmem(pem, len, marker, sizeof(marker) - 1);
	if (second == NULL ||
	    (second = memmem(second + 1, len - (size_t)(second + 1 - pem),
	                     marker, sizeof(marker) - 1)) == NULL)
		goto out;
	if ((cached = ca_verified(second, len - (size_t)(second - pem), n - 1,
	                          root, now)) == NULL)
		goto out;
	issuer = cached->ca;
	if ((sk = x509_parse_pem_chain(pem, (size_t)(second - pem))) == NULL ||
	    sk_X509_num(sk) != 1)
		goto out;
	leaf = sk_X509_value(sk, 0);
	if (X509_check_issued(issuer, leaf) != X509_V_OK)
		goto out;
	/* The leaf under its verified CA, which is the trust anchor here
	 * (partial chain): one signature. */
	if (!x509_leaf_verify(leaf, issuer, now, &code, why, sizeof(why)))
		goto out;
	if (!dcap_pck_ext_parse(leaf, ext, why, sizeof(why)))
		goto out;
	X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf), NID_commonName,
	                          cn, sizeof(cn));
	if (strcmp(cn, "Intel SGX PCK Platform CA") == 0)
		*ca = DCAP_PCK_CA_PLATFORM;
	else if (strcmp(cn, "Intel SGX PCK Processor CA") == 0)
		*ca = DCAP_PCK_CA_PROCESSOR;
	else
		goto out;
	*from = asn1_unix(X509_get0_notBefore(leaf));
	*until = x509_not_after(leaf);
	if (asn1_unix(X509_get0_notBefore(issuer)) > *from)
		*from = asn1_unix(X509_get0_notBefore(issuer));
	if (x509_not_after(issuer) < *until)
		*until = x509_not_after(issuer);
	if (chain != NULL) {
		/* As x509_parse_pem_chain would give the whole text. */
		if (!X509_up_ref(issuer) || !sk_X509_push(sk, issuer)) {
			X509_free(issuer);
			goto out;
		}
		if (n == 3) {
			if (!X509_up_ref(root) || !sk_X509_push(sk, root)) {
				X509_free(root);
				goto out;
			}
		}
		*chain = sk;
		sk = NULL;
	}
	ok = true;
out:
	ERR_clear_error();
	dcap_cache_release(cached != NULL ? &cached->cached : NULL);
	sk_X509_pop_free(sk, X509_free);
	return ok;
}
