/*
 * go-tpm-tools' Attestation message and the TPMT_PUBLIC of its AK.
 * Protobuf wire format: https://protobuf.dev/programming-guides/encoding/
 * (a key is the varint (field << 3 | wire type); type 0 varint, 1 64-bit,
 * 2 length-delimited, 5 32-bit; 3/4 are the deprecated groups).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "verify/core/reader.h"
#include "verify/gcp/gcp_attest.h"

/* A bounded protobuf reader over one message. */
struct pb {
	const uint8_t *buf;
	size_t len, off;
};

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

static bool
pb_varint(struct pb *p, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < 10; i++) {
		uint8_t b;

		if (p->off >= p->len)
			return false;
		b = p->buf[p->off++];
		/* The tenth byte may carry only the top bit of 64. */
		if (i == 9 && b > 1)
			return false;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = x;
			return true;
		}
	}
	return false;
}

/*
 * The next field: its number, wire type and, for PB_LEN, its bytes; other
 * types are skipped over (*DATA NULL) and a varint's value is in *VAL.
 * False with WHY at the end of input (*END true) or on a malformed key.
 */
static bool
pb_next(struct pb *p, const char *path, uint32_t *field, unsigned *type,
        const uint8_t **data, size_t *dlen, uint64_t *val, bool *end, char *why,
        size_t whylen)
{
	uint64_t key, n;
	size_t at = p->off;

	*end = false;
	*data = NULL;
	*dlen = 0;
	*val = 0;
	if (p->off == p->len) {
		*end = true;
		return false;
	}
	if (!pb_varint(p, &key)) {
		snprintf(why, whylen, "%s: truncated field key at byte %zu",
		         path, at);
		return false;
	}
	*field = (uint32_t)(key >> 3);
	*type = (unsigned)(key & 7);
	if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
		snprintf(why, whylen, "%s: field number %llu at byte %zu", path,
		         (unsigned long long)(key >> 3), at);
		return false;
	}
	switch (*type) {
	case PB_VARINT:
		if (!pb_varint(p, val)) {
			snprintf(why, whylen,
			         "%s: field %u: truncated varint at byte %zu",
			         path, *field, at);
			return false;
		}
		return true;
	case PB_I64:
	case PB_I32:
		n = *type == PB_I64 ? 8 : 4;
		if (p->len - p->off < n) {
			snprintf(why, whylen,
			         "%s: field %u: truncated at byte %zu", path,
			         *field, at);
			return false;
		}
		p->off += n;
		return true;
	case PB_LEN:
		if (!pb_varint(p, &n)) {
			snprintf(why, whylen,
			         "%s: field %u: truncated length at byte %zu",
			         path, *field, at);
			return false;
		}
		if (n > p->len - p->off) {
			snprintf(why, whylen,
			         "%s: field %u: length %llu at byte %zu runs "
			         "past the end (%zu bytes remain)",
			         path, *field, (unsigned long long)n, at,
			         p->len - p->off);
			return false;
		}
		*data = p->buf + p->off;
		*dlen = (size_t)n;
		p->off += (size_t)n;
		return true;
	default:
		snprintf(why, whylen,
		         "%s: field %u: wire type %u at byte %zu (groups and "
		         "unknown types are refused)",
		         path, *field, *type, at);
		return false;
	}
}

/* Field F of PATH must be length-delimited. */
static bool
want_len(const char *path, uint32_t f, unsigned type, char *why, size_t whylen)
{
	if (type == PB_LEN)
		return true;
	snprintf(why, whylen, "%s: field %u: wire type %u, want 2", path, f,
	         type);
	return false;
}

/* map<uint32, bytes> entry {1 key, 2 value} into bank B of P. */
static bool
pcr_entry(const uint8_t *buf, size_t len, struct tpm_pcrs *p, int b,
          size_t dsize, char *why, size_t whylen)
{
	struct pb pb = {buf, len, 0};
	const char *path = "quotes.pcrs.pcrs";
	const uint8_t *d, *val = NULL;
	size_t dl, val_len = 0;
	uint64_t v, key = 0;
	uint32_t f;
	unsigned t;
	bool end, have_key = false;

	while (pb_next(&pb, path, &f, &t, &d, &dl, &v, &end, why, whylen)) {
		if (f != 1 && f != 2)
			continue;
		if ((f == 1 && t != PB_VARINT) || (f == 2 && t != PB_LEN)) {
			snprintf(why, whylen,
			         "%s: field %u: wire type %u, want %d", path, f,
			         t, f == 1 ? PB_VARINT : PB_LEN);
			return false;
		}
		if ((f == 1 && have_key) || (f == 2 && val != NULL)) {
			snprintf(why, whylen, "%s: field %u given twice", path,
			         f);
			return false;
		}
		if (f == 1) {
			key = v;
			have_key = true;
		} else {
			val = d;
			val_len = dl;
		}
	}
	if (!end)
		return false;
	/* proto3 omits a zero key: PCR 0 has no key field. */
	if (key >= TPM_PCR_COUNT) {
		snprintf(why, whylen, "%s: PCR index %llu, want 0..%d", path,
		         (unsigned long long)key, TPM_PCR_COUNT - 1);
		return false;
	}
	if (val_len != dsize) {
		snprintf(why, whylen,
		         "%s: PCR %llu: %zu bytes, want %zu (the %s digest)",
		         path, (unsigned long long)key, val_len, dsize,
		         tpm_alg_name(p->alg[b]));
		return false;
	}
	if (p->have[b][key]) {
		snprintf(why, whylen, "%s: PCR %llu given twice", path,
		         (unsigned long long)key);
		return false;
	}
	memcpy(p->val[b][key], val, dsize);
	p->have[b][key] = true;
	return true;
}

/*
 * PCRs {1 hash (TPM_ALG_ID), 2 map<uint32, bytes> pcrs}. The hash comes
 * first in go-tpm-tools' encoding, but protobuf allows any order: the
 * entries are read in a second pass.
 */
static bool
pcrs_parse(const uint8_t *buf, size_t len, struct tpm_pcrs *p, char *why,
           size_t whylen)
{
	struct pb pb = {buf, len, 0};
	const char *path = "quotes.pcrs";
	const uint8_t *d;
	size_t dl;
	uint64_t v, hash = 0;
	uint32_t f;
	unsigned t;
	bool end;
	const EVP_MD *md;

	memset(p, 0, sizeof(*p));
	while (pb_next(&pb, path, &f, &t, &d, &dl, &v, &end, why, whylen))
		if (f == 1 && t == PB_VARINT)
			hash = v;
	if (!end)
		return false;
	if (hash > 0xffff || (md = tpm_alg_md((uint16_t)hash)) == NULL) {
		snprintf(why, whylen,
		         "%s.hash: %llu is not sha1, sha256, sha384 or sha512",
		         path, (unsigned long long)hash);
		return false;
	}
	p->alg[0] = (uint16_t)hash;
	p->n = 1;
	pb.off = 0;
	while (pb_next(&pb, path, &f, &t, &d, &dl, &v, &end, why, whylen)) {
		if (f != 2)
			continue;
		if (!want_len(path, f, t, why, whylen) ||
		    !pcr_entry(d, dl, p, 0, (size_t)EVP_MD_get_size(md), why,
		               whylen))
			return false;
	}
	return end;
}

/* Quote {1 quote, 2 raw_sig, 3 pcrs}. */
static bool
quote_parse(const uint8_t *buf, size_t len, struct gcp_quote *q, char *why,
            size_t whylen)
{
	struct pb pb = {buf, len, 0};
	const char *path = "quotes";
	const uint8_t *d;
	size_t dl;
	uint64_t v;
	uint32_t f;
	unsigned t;
	bool end, have_pcrs = false;

	memset(q, 0, sizeof(*q));
	while (pb_next(&pb, path, &f, &t, &d, &dl, &v, &end, why, whylen)) {
		if (f < 1 || f > 3)
			continue;
		if (!want_len(path, f, t, why, whylen))
			return false;
		if ((f == 1 && q->attest != NULL) ||
		    (f == 2 && q->sig != NULL) || (f == 3 && have_pcrs)) {
			snprintf(why, whylen, "%s: field %u given twice", path,
			         f);
			return false;
		}
		if (f == 1) {
			q->attest = d;
			q->attest_len = dl;
		} else if (f == 2) {
			q->sig = d;
			q->sig_len = dl;
		} else {
			if (!pcrs_parse(d, dl, &q->pcrs, why, whylen))
				return false;
			have_pcrs = true;
		}
	}
	if (!end)
		return false;
	if (q->attest == NULL || q->attest_len == 0 || q->sig == NULL ||
	    q->sig_len == 0 || !have_pcrs) {
		snprintf(why, whylen,
		         "%s: a quote needs quote, raw_sig and pcrs", path);
		return false;
	}
	return true;
}

bool
gcp_attestation_parse(const uint8_t *buf, size_t len,
                      struct gcp_attestation *out, char *why, size_t whylen)
{
	struct pb pb = {buf, len, 0};
	const char *path = "attestation";
	const uint8_t *d;
	size_t dl;
	uint64_t v;
	uint32_t f;
	unsigned t;
	bool end;

	memset(out, 0, sizeof(*out));
	while (pb_next(&pb, path, &f, &t, &d, &dl, &v, &end, why, whylen)) {
		if ((f == 8 || f == 9) && t == PB_LEN && dl > 0)
			out->tee_field = f; /* a oneof: the last one given */
		if (f != 1 && f != 2 && f != 3 && f != 6 && f != 7)
			continue; /* instance_info, canonical log, TEE */
		if (!want_len(path, f, t, why, whylen))
			return false;
		if ((f == 1 && out->ak_pub != NULL) ||
		    (f == 3 && out->event_log != NULL) ||
		    (f == 6 && out->ak_cert != NULL)) {
			snprintf(why, whylen, "%s: field %u given twice", path,
			         f);
			return false;
		}
		switch (f) {
		case 1:
			out->ak_pub = d;
			out->ak_pub_len = dl;
			break;
		case 2:
			if (out->n_quotes >= GCP_MAX_QUOTES) {
				snprintf(why, whylen, "%s.quotes: more than %d",
				         path, GCP_MAX_QUOTES);
				return false;
			}
			if (!quote_parse(d, dl, &out->quotes[out->n_quotes],
			                 why, whylen))
				return false;
			out->n_quotes++;
			break;
		case 3:
			out->event_log = d;
			out->event_log_len = dl;
			break;
		case 6:
			out->ak_cert = d;
			out->ak_cert_len = dl;
			break;
		case 7:
			if (out->n_inter >= GCP_MAX_INTERMEDIATES) {
				snprintf(why, whylen,
				         "%s.intermediate_certs: more than %d",
				         path, GCP_MAX_INTERMEDIATES);
				return false;
			}
			out->inter[out->n_inter] = d;
			out->inter_len[out->n_inter++] = dl;
			break;
		}
	}
	if (!end)
		return false;
	if (out->ak_pub == NULL || out->ak_pub_len == 0) {
		snprintf(why, whylen, "%s.ak_pub: missing", path);
		return false;
	}
	if (out->n_quotes == 0) {
		snprintf(why, whylen, "%s.quotes: none", path);
		return false;
	}
	if (out->event_log != NULL && out->event_log_len == 0)
		out->event_log = NULL;
	if (out->ak_cert != NULL && out->ak_cert_len == 0)
		out->ak_cert = NULL;
	return true;
}

bool
gcp_attestation_detect(const uint8_t *buf, size_t len)
{
	struct pb pb = {buf, len, 0};
	uint64_t n;
	const uint8_t *t;

	if (len < 8 || buf[0] != 0x0a)
		return false;
	pb.off = 1;
	if (!pb_varint(&pb, &n) || n < 8 || n > len - pb.off)
		return false;
	t = buf + pb.off;
	/* TPMT_PUBLIC.type: TPM_ALG_RSA or TPM_ALG_ECC; nameAlg a hash. */
	if (t[0] != 0x00 || (t[1] != 0x01 && t[1] != 0x23) || t[2] != 0x00 ||
	    tpm_alg_md(t[3]) == NULL)
		return false;
	pb.off += (size_t)n;
	return pb.off < len && buf[pb.off] == 0x12; /* field 2, LEN */
}

/* TPM 2.0 Part 2, §6.3 and §6.4 (TPM_ECC_CURVE). */
#define TPM_ALG_RSA       0x0001u
#define TPM_ALG_ECC       0x0023u
#define TPM_ECC_NIST_P256 0x0003u
#define TPM_ECC_NIST_P384 0x0004u

/* A TPM2B: u16 size then the bytes. */
static bool
tpm2b(struct reader *r, const uint8_t **p, uint16_t *n)
{
	return reader_u16be(r, n) && reader_bytes(r, *n, p);
}

/* A TPMT_*_SCHEME or TPMT_SYM_DEF_OBJECT: an algorithm, then DETAIL more
 * u16 fields unless it is TPM_ALG_NULL. */
static bool
alg_with_details(struct reader *r, uint16_t *alg, unsigned detail)
{
	uint16_t x;

	if (!reader_u16be(r, alg))
		return false;
	if (*alg == TPM_ALG_NULL)
		return true;
	for (unsigned i = 0; i < detail; i++)
		if (!reader_u16be(r, &x))
			return false;
	return true;
}

static EVP_PKEY *
key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return key;
}

static EVP_PKEY *
rsa_key(const uint8_t *n, size_t n_len, uint32_t exp)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL);
	BIGNUM *be = BN_new();
	EVP_PKEY *key = NULL;

	if (bld != NULL && bn != NULL && be != NULL &&
	    BN_set_word(be, exp != 0 ? exp : 65537) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		key = key_from_params("RSA", bld);
	BN_free(bn);
	BN_free(be);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

static EVP_PKEY *
ec_key(const char *group, size_t fsize, const uint8_t *x, size_t xl,
       const uint8_t *y, size_t yl)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t pt[1 + 2 * 48];
	EVP_PKEY *key = NULL;

	if (bld == NULL || xl > fsize || yl > fsize)
		goto out;
	memset(pt, 0, sizeof(pt));
	pt[0] = 0x04;
	memcpy(pt + 1 + fsize - xl, x, xl);
	memcpy(pt + 1 + 2 * fsize - yl, y, yl);
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                    group, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	                                     1 + 2 * fsize))
		key = key_from_params("EC", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	return key;
}

EVP_PKEY *
gcp_tpmt_public_key(const uint8_t *buf, size_t len, uint32_t *attrs,
                    uint8_t *name, size_t *name_len, char *why, size_t whylen)
{
	struct reader r;
	uint16_t type, name_alg, n16, sym, scheme, bits, curve, kdf, xl, yl;
	uint32_t exp;
	const uint8_t *p, *x, *y;
	const EVP_MD *md;
	unsigned int mdlen = 0;
	EVP_PKEY *key = NULL;

	reader_init(&r, buf, len);
	if (!reader_u16be(&r, &type) || !reader_u16be(&r, &name_alg) ||
	    !reader_u32be(&r, attrs) || !tpm2b(&r, &p, &n16)) {
		snprintf(why, whylen, "ak_pub: truncated header at byte %zu",
		         reader_offset(&r));
		return NULL;
	}
	if ((md = tpm_alg_md(name_alg)) == NULL) {
		snprintf(why, whylen, "ak_pub.nameAlg: 0x%04x is no hash",
		         name_alg);
		return NULL;
	}
	if (type == TPM_ALG_RSA) {
		/* TPMS_RSA_PARMS: symmetric (alg, keyBits, mode), scheme
		 * (alg, hashAlg), keyBits, exponent; unique TPM2B. */
		if (!alg_with_details(&r, &sym, 2) ||
		    !alg_with_details(&r, &scheme, 1) ||
		    !reader_u16be(&r, &bits) || !reader_u32be(&r, &exp) ||
		    !tpm2b(&r, &x, &xl)) {
			snprintf(why, whylen,
			         "ak_pub: truncated RSA parameters at byte %zu",
			         reader_offset(&r));
			return NULL;
		}
		if (bits < 2048 || bits > 8192 || xl != bits / 8) {
			snprintf(why, whylen,
			         "ak_pub: RSA keyBits %u with a %u-byte "
			         "modulus; want 2048..8192 bits",
			         bits, xl);
			return NULL;
		}
		if (reader_remaining(&r) == 0)
			key = rsa_key(x, xl, exp);
	} else if (type == TPM_ALG_ECC) {
		/* TPMS_ECC_PARMS: symmetric, scheme (alg, hashAlg; ECDAA
		 * would add a count and is no AK's), curveID, kdf (alg,
		 * hashAlg); unique TPMS_ECC_POINT {x, y}. */
		if (!alg_with_details(&r, &sym, 2) ||
		    !alg_with_details(&r, &scheme, 1) ||
		    !reader_u16be(&r, &curve) ||
		    !alg_with_details(&r, &kdf, 1) || !tpm2b(&r, &x, &xl) ||
		    !tpm2b(&r, &y, &yl)) {
			snprintf(why, whylen,
			         "ak_pub: truncated ECC parameters at byte %zu",
			         reader_offset(&r));
			return NULL;
		}
		if (scheme != TPM_ALG_NULL && scheme != TPM_ALG_ECDSA) {
			snprintf(why, whylen,
			         "ak_pub: ECC scheme 0x%04x, want ECDSA",
			         scheme);
			return NULL;
		}
		if (curve != TPM_ECC_NIST_P256 && curve != TPM_ECC_NIST_P384) {
			snprintf(why, whylen,
			         "ak_pub: curve 0x%04x, want NIST P-256 or "
			         "P-384",
			         curve);
			return NULL;
		}
		if (reader_remaining(&r) == 0)
			key = curve == TPM_ECC_NIST_P256
			              ? ec_key("P-256", 32, x, xl, y, yl)
			              : ec_key("P-384", 48, x, xl, y, yl);
	} else {
		snprintf(why, whylen, "ak_pub.type: 0x%04x, want RSA or ECC",
		         type);
		return NULL;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "ak_pub: %zu trailing bytes",
		         reader_remaining(&r));
		return NULL;
	}
	if (key == NULL) {
		snprintf(why, whylen, "ak_pub: not a valid public key");
		return NULL;
	}
	/* Name = nameAlg (big-endian) || H_nameAlg(TPMT_PUBLIC). */
	name[0] = (uint8_t)(name_alg >> 8);
	name[1] = (uint8_t)name_alg;
	if (!EVP_Digest(buf, len, name + 2, &mdlen, md, NULL)) {
		EVP_PKEY_free(key);
		snprintf(why, whylen, "ak_pub: cannot hash");
		return NULL;
	}
	*name_len = 2 + mdlen;
	return key;
}
