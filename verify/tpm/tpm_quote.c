/*
 * TPM 2.0 quotes (verify/tpm/tpm_quote.h): TPMS_ATTEST parsing, the
 * signature by the AK and the PCR digest. Structures: TCG TPM 2.0
 * Library, Part 2 "Structures" (rev. 1.59), sections cited beside each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "verify/core/ecdsa.h"
#include "verify/core/reader.h"
#include "verify/tpm/tpm_quote.h"

/* The largest AK text read (a PEM RSA-8192 public key is ~1.5 kB). */
#define TPM_MAX_AK_TEXT (16u * 1024u)

static bool
u64be(struct reader *r, uint64_t *v)
{
	uint32_t hi, lo;
	struct reader save = *r;

	if (!reader_u32be(r, &hi) || !reader_u32be(r, &lo)) {
		*r = save;
		return false;
	}
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/*
 * A TPM2B (Part 2, §10.4: UINT16 size, then size bytes) of at most MAX
 * bytes, copied into DST.
 */
static bool
tpm2b(struct reader *r, const char *field, size_t max, uint8_t *dst,
      size_t *len, char *why, size_t whylen)
{
	uint16_t n;
	size_t at = reader_offset(r);

	if (!reader_u16be(r, &n)) {
		snprintf(why, whylen, "%s.size: truncated at offset %zu", field,
		         at);
		return false;
	}
	if (n > max) {
		snprintf(why, whylen,
		         "%s.size: %u at offset %zu; at most %zu allowed",
		         field, n, at, max);
		return false;
	}
	if (!reader_copy(r, dst, n)) {
		snprintf(why, whylen,
		         "%s: %u bytes declared at offset %zu, %zu remain",
		         field, n, at, reader_remaining(r));
		return false;
	}
	*len = n;
	return true;
}

#define TRUNC(field)                                                           \
	do {                                                                   \
		snprintf(why, whylen, "%s: truncated at offset %zu", field,    \
		         reader_offset(&r));                                   \
		goto out;                                                      \
	} while (0)

bool
tpm_quote_parse(const uint8_t *buf, size_t len, struct tpm_quote *q, char *why,
                size_t whylen)
{
	struct reader r;
	uint32_t magic, count;
	uint16_t type;
	uint8_t safe;
	bool ok = false;

	memset(q, 0, sizeof(*q));
	if (len > TPM_MAX_ATTEST) {
		snprintf(why, whylen, "TPMS_ATTEST: %zu bytes; at most %u", len,
		         TPM_MAX_ATTEST);
		return false;
	}
	reader_init(&r, buf, len);
	/* TPMS_ATTEST (§10.12.12): magic, type, qualifiedSigner, extraData,
	 * clockInfo, firmwareVersion, attested. */
	if (!reader_u32be(&r, &magic))
		TRUNC("magic");
	/* The TPM signs only what it generated itself with this magic: a
	 * structure without it was not produced by TPM2_Quote. */
	if (magic != TPM_GENERATED_VALUE) {
		snprintf(why, whylen,
		         "magic: 0x%08x; want 0xff544347 (TPM_GENERATED_VALUE)",
		         magic);
		goto out;
	}
	if (!reader_u16be(&r, &type))
		TRUNC("type");
	if (type != TPM_ST_ATTEST_QUOTE) {
		snprintf(why, whylen,
		         "type: 0x%04x; want 0x8018 (TPM_ST_ATTEST_QUOTE)",
		         type);
		goto out;
	}
	/* TPM2B_NAME (§10.5.3): at most sizeof(TPMU_NAME) = a TPMT_HA. */
	if (!tpm2b(&r, "qualifiedSigner", TPM_MAX_HA, q->signer, &q->signer_len,
	           why, whylen))
		goto out;
	/* TPM2B_DATA (§10.4.3): at most sizeof(TPMT_HA). */
	if (!tpm2b(&r, "extraData", TPM_MAX_HA, q->extra, &q->extra_len, why,
	           whylen))
		goto out;
	/* TPMS_CLOCK_INFO (§10.11.1). */
	if (!u64be(&r, &q->clock))
		TRUNC("clockInfo.clock");
	if (!reader_u32be(&r, &q->reset_count))
		TRUNC("clockInfo.resetCount");
	if (!reader_u32be(&r, &q->restart_count))
		TRUNC("clockInfo.restartCount");
	if (!reader_u8(&r, &safe))
		TRUNC("clockInfo.safe");
	/* TPMI_YES_NO (§9.2): only 0 or 1. */
	if (safe > 1) {
		snprintf(why, whylen,
		         "clockInfo.safe: %u at offset %zu; want 0 or 1", safe,
		         reader_offset(&r) - 1);
		goto out;
	}
	q->safe = safe == 1;
	if (!u64be(&r, &q->firmware_version))
		TRUNC("firmwareVersion");
	/* TPMS_QUOTE_INFO (§10.12.4): TPML_PCR_SELECTION (§10.9.7), then
	 * pcrDigest. */
	if (!reader_u32be(&r, &count))
		TRUNC("pcrSelect.count");
	if (count > TPM_MAX_BANKS) {
		snprintf(why, whylen,
		         "pcrSelect.count: %u at offset %zu; at most %d banks",
		         count, reader_offset(&r) - 4, TPM_MAX_BANKS);
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct tpm_pcr_selection *s = &q->sel[i];
		char f[48];

		snprintf(f, sizeof(f), "pcrSelect[%u].hash", i);
		if (!reader_u16be(&r, &s->hash))
			TRUNC(f);
		snprintf(f, sizeof(f), "pcrSelect[%u].sizeofSelect", i);
		if (!reader_u8(&r, &s->size))
			TRUNC(f);
		if (s->size > TPM_MAX_SELECT) {
			snprintf(
			        why, whylen,
			        "pcrSelect[%u].sizeofSelect: %u at offset %zu; "
			        "at most %d",
			        i, s->size, reader_offset(&r) - 1,
			        TPM_MAX_SELECT);
			goto out;
		}
		snprintf(f, sizeof(f), "pcrSelect[%u].pcrSelect", i);
		if (!reader_copy(&r, s->select, s->size))
			TRUNC(f);
	}
	q->n_sel = count;
	/* TPM2B_DIGEST (§10.4.2): at most sizeof(TPMU_HA). */
	if (!tpm2b(&r, "pcrDigest", TPM_MAX_DIGEST, q->pcr_digest,
	           &q->pcr_digest_len, why, whylen))
		goto out;
	/* The signature covers exactly these bytes: anything after them is
	 * not part of the quote and would be unsigned. */
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen,
		         "TPMS_ATTEST: %zu trailing bytes at offset %zu",
		         reader_remaining(&r), reader_offset(&r));
		goto out;
	}
	q->attest = buf;
	q->attest_len = len;
	ok = true;
out:
	if (!ok)
		memset(q, 0, sizeof(*q));
	return ok;
}

const EVP_MD *
tpm_alg_md(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return EVP_sha1();
	case TPM_ALG_SHA256:
		return EVP_sha256();
	case TPM_ALG_SHA384:
		return EVP_sha384();
	case TPM_ALG_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

const char *
tpm_alg_name(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return "sha1";
	case TPM_ALG_SHA256:
		return "sha256";
	case TPM_ALG_SHA384:
		return "sha384";
	case TPM_ALG_SHA512:
		return "sha512";
	case TPM_ALG_RSASSA:
		return "rsassa";
	case TPM_ALG_RSAPSS:
		return "rsapss";
	case TPM_ALG_ECDSA:
		return "ecdsa";
	default:
		return "unknown";
	}
}

/* The hash whose digest has N bytes. */
static uint16_t
alg_of_size(size_t n)
{
	switch (n) {
	case 20:
		return TPM_ALG_SHA1;
	case 32:
		return TPM_ALG_SHA256;
	case 48:
		return TPM_ALG_SHA384;
	case 64:
		return TPM_ALG_SHA512;
	default:
		return 0;
	}
}

/* The AK's size in bytes: the RSA modulus or the EC field; 0 if neither. */
static size_t
ak_size(EVP_PKEY *ak, bool *rsa)
{
	int id = EVP_PKEY_get_base_id(ak);

	*rsa = id == EVP_PKEY_RSA;
	if (id == EVP_PKEY_RSA)
		return (size_t)EVP_PKEY_get_size(ak);
	if (id == EVP_PKEY_EC)
		return ((size_t)EVP_PKEY_get_bits(ak) + 7) / 8;
	return 0;
}

/* Signature schemes of TPMT_SIG_SCHEME (§11.2.1.5) this module refuses. */
static bool
other_scheme(uint16_t alg)
{
	switch (alg) {
	case 0x0005: /* TPM_ALG_HMAC */
	case TPM_ALG_NULL:
	case 0x001a: /* TPM_ALG_ECDAA */
	case 0x001b: /* TPM_ALG_SM2 */
	case 0x001c: /* TPM_ALG_ECSCHNORR */
		return true;
	default:
		return false;
	}
}

/* r or s of a TPMS_SIGNATURE_ECC (§11.3.2), left-padded to N bytes. */
static bool
ecc_param(struct reader *r, size_t n, uint8_t *dst)
{
	uint16_t len;
	const uint8_t *p;

	if (!reader_u16be(r, &len) || len == 0 || len > n ||
	    !reader_bytes(r, len, &p))
		return false;
	memset(dst, 0, n - len);
	memcpy(dst + (n - len), p, len);
	return true;
}

/*
 * SIG as a TPMT_SIGNATURE (§11.3.4) for an AK of SIZE bytes: 1 when it
 * parses exactly as one of a scheme for the AK's type, 0 when it does
 * not, -1 when it names a scheme or hash this module does not support
 * (*OUT filled as far as read).
 */
static int
tpmt_decode(const uint8_t *sig, size_t len, bool rsa, size_t size,
            struct tpm_signature *out)
{
	struct reader r;
	uint16_t alg, hash, n;
	const uint8_t *p;

	reader_init(&r, sig, len);
	if (!reader_u16be(&r, &alg) || !reader_u16be(&r, &hash))
		return 0;
	out->sig_alg = alg;
	out->hash = hash;
	if (rsa && (alg == TPM_ALG_RSASSA || alg == TPM_ALG_RSAPSS)) {
		/* TPMS_SIGNATURE_RSA (§11.3.1): TPM2B_PUBLIC_KEY_RSA of the
		 * modulus size. */
		if (!reader_u16be(&r, &n) || n != size ||
		    !reader_bytes(&r, n, &p) || reader_remaining(&r) != 0)
			return 0;
		memcpy(out->sig, p, n);
		out->sig_len = n;
	} else if (!rsa && alg == TPM_ALG_ECDSA) {
		if (!ecc_param(&r, size, out->r) ||
		    !ecc_param(&r, size, out->s) || reader_remaining(&r) != 0)
			return 0;
		out->rs_len = size;
	} else {
		return other_scheme(alg) ? -1 : 0;
	}
	return tpm_alg_md(hash) != NULL ? 1 : -1;
}

enum tp_err
tpm_signature_decode(const uint8_t *sig, size_t len, EVP_PKEY *ak,
                     size_t pcr_digest_len, struct tpm_signature *out,
                     char *why, size_t whylen)
{
	ECDSA_SIG *es = NULL;
	const unsigned char *p = sig;
	const BIGNUM *br, *bs;
	bool rsa;
	size_t size;
	int t;
	enum tp_err rc = TP_ERR_tpm_signature_invalid;

	memset(out, 0, sizeof(*out));
	if ((size = ak_size(ak, &rsa)) == 0 || size > sizeof(out->sig) ||
	    (!rsa && size > sizeof(out->r))) {
		snprintf(why, whylen, "the AK is neither RSA nor EC");
		return TP_ERR_tpm_ak_invalid;
	}
	if ((t = tpmt_decode(sig, len, rsa, size, out)) == 1)
		return TP_ERR_none;
	memset(out, 0, sizeof(*out));
	out->raw = true;
	if (rsa && len == size) {
		out->sig_alg = TPM_ALG_RSASSA;
		memcpy(out->sig, sig, len);
		out->sig_len = len;
	} else if (!rsa && len == 2 * size) {
		out->sig_alg = TPM_ALG_ECDSA;
		memcpy(out->r, sig, size);
		memcpy(out->s, sig + size, size);
		out->rs_len = size;
	} else if (!rsa && len > 0 && sig[0] == 0x30 && len < 256 &&
	           (es = d2i_ECDSA_SIG(NULL, &p, (long)len)) != NULL &&
	           (size_t)(p - sig) == len) {
		ECDSA_SIG_get0(es, &br, &bs);
		if (BN_num_bytes(br) > (int)size ||
		    BN_num_bytes(bs) > (int)size ||
		    BN_bn2binpad(br, out->r, (int)size) < 0 ||
		    BN_bn2binpad(bs, out->s, (int)size) < 0) {
			snprintf(why, whylen,
			         "signature: DER r or s larger than the curve");
			goto out;
		}
		out->sig_alg = TPM_ALG_ECDSA;
		out->rs_len = size;
	} else if (t == -1) {
		uint16_t alg = (uint16_t)(sig[0] << 8 | sig[1]);
		uint16_t hash = (uint16_t)(sig[2] << 8 | sig[3]);

		snprintf(why, whylen,
		         "TPMT_SIGNATURE: sigAlg 0x%04x, hash 0x%04x; "
		         "supported: "
		         "RSASSA, RSAPSS, ECDSA with SHA-1/256/384/512",
		         alg, hash);
		rc = TP_ERR_tpm_signature_unsupported;
		goto out;
	} else {
		snprintf(why, whylen,
		         "signature (%zu bytes): neither a TPMT_SIGNATURE nor "
		         "a raw %s signature for the %zu-byte AK",
		         len, rsa ? "RSA" : "ECDSA", size);
		goto out;
	}
	/* A raw signature names no hash: TPM2_Quote digests the PCRs with
	 * the signing scheme's hash (Part 3, §18.4), so pcrDigest's size
	 * names it. */
	if ((out->hash = alg_of_size(pcr_digest_len)) == 0) {
		snprintf(why, whylen,
		         "raw signature: no hash of the pcrDigest's size %zu",
		         pcr_digest_len);
		rc = TP_ERR_tpm_signature_unsupported;
		goto out;
	}
	rc = TP_ERR_none;
out:
	ECDSA_SIG_free(es);
	ERR_clear_error();
	return rc;
}

EVP_PKEY *
tpm_ak_parse(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	EVP_PKEY *k = NULL;
	const unsigned char *p = buf;
	BIO *bio = NULL;
	int bits;

	if (buf == NULL || len == 0 || len > TPM_MAX_AK_TEXT) {
		snprintf(why, whylen, "%zu bytes; want a public key", len);
		goto out;
	}
	if (buf[0] == 0x30) {
		/* DER SubjectPublicKeyInfo, exactly. */
		if ((k = d2i_PUBKEY(NULL, &p, (long)len)) != NULL &&
		    (size_t)(p - buf) != len) {
			EVP_PKEY_free(k);
			k = NULL;
		}
	} else if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	if (k == NULL) {
		snprintf(why, whylen,
		         "not a DER SubjectPublicKeyInfo or a PEM public key");
		goto out;
	}
	bits = EVP_PKEY_get_bits(k);
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		/* Below 2048 bits RSA is factorable by a well-funded attacker;
		 * no TPM 2.0 AK is smaller. */
		if (bits < 2048 || bits > 8192) {
			snprintf(why, whylen,
			         "RSA key of %d bits; want 2048..8192", bits);
			goto fail;
		}
	} else if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC) {
		char group[32];
		size_t gl = 0;

		if (EVP_PKEY_get_utf8_string_param(
		            k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		            &gl) != 1 ||
		    (strcmp(group, "prime256v1") != 0 &&
		     strcmp(group, "secp384r1") != 0)) {
			snprintf(why, whylen, "EC key not on P-256 or P-384");
			goto fail;
		}
	} else {
		snprintf(why, whylen, "neither an RSA nor an EC key");
		goto fail;
	}
	goto out;
fail:
	EVP_PKEY_free(k);
	k = NULL;
out:
	BIO_free(bio);
	ERR_clear_error();
	return k;
}

bool
tpm_ak_spki(EVP_PKEY *key, uint8_t **out, size_t *outlen)
{
	unsigned char *der = NULL;
	int n;

	*out = NULL;
	*outlen = 0;
	if (key == NULL || (n = i2d_PUBKEY(key, &der)) <= 0)
		return false;
	if ((*out = malloc((size_t)n)) == NULL) {
		OPENSSL_free(der);
		return false;
	}
	memcpy(*out, der, (size_t)n);
	*outlen = (size_t)n;
	OPENSSL_free(der);
	return true;
}

enum tp_err
tpm_quote_verify_signature(const struct tpm_quote *q,
                           const struct tpm_signature *sig, EVP_PKEY *ak,
                           char *why, size_t whylen)
{
	const EVP_MD *md = tpm_alg_md(sig->hash);
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	bool rsa, ok = false;
	size_t size = ak_size(ak, &rsa);

	if (whylen > 0)
		why[0] = '\0';
	if (md == NULL || q->attest == NULL) {
		snprintf(why, whylen, "hash 0x%04x is not supported",
		         sig->hash);
		return TP_ERR_tpm_signature_unsupported;
	}
	if (sig->sig_alg == TPM_ALG_ECDSA) {
		if (rsa || sig->rs_len != size) {
			snprintf(why, whylen, "ECDSA signature, not an EC AK");
			goto out;
		}
		ok = ecdsa_verify_raw(ak, md, q->attest, q->attest_len, sig->r,
		                      sig->s, sig->rs_len);
		goto out;
	}
	if (!rsa || sig->sig_len != size) {
		snprintf(why, whylen, "RSA signature, not an RSA AK");
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, &pctx, md, NULL, ak) != 1)
		goto out;
	if (sig->sig_alg == TPM_ALG_RSAPSS) {
		/* Part 1, §C.7 / Part 2 §11.2.1.2: MGF1 with the scheme's
		 * hash; TPMs use the largest salt or the digest size, both of
		 * which the automatic salt length accepts. */
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) !=
		            1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		                                     RSA_PSS_SALTLEN_AUTO) != 1)
			goto out;
	} else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
		goto out;
	}
	ok = EVP_DigestVerify(ctx, sig->sig, sig->sig_len, q->attest,
	                      q->attest_len) == 1;
out:
	if (!ok && why[0] == '\0')
		snprintf(why, whylen,
		         "%s%s/%s signature over the %zu-byte TPMS_ATTEST does "
		         "not verify with the AK",
		         sig->raw ? "raw " : "", tpm_alg_name(sig->sig_alg),
		         tpm_alg_name(sig->hash), q->attest_len);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? TP_ERR_none : TP_ERR_tpm_signature_invalid;
}

int
tpm_pcrs_bank(const struct tpm_pcrs *p, uint16_t alg)
{
	for (size_t b = 0; b < p->n; b++)
		if (p->alg[b] == alg)
			return (int)b;
	return -1;
}

bool
tpm_pcr_selected(const struct tpm_pcr_selection *sel, unsigned i)
{
	/* pcrSelect (§10.6.2): bit (i % 8) of octet i / 8. */
	return i / 8 < sel->size && (sel->select[i / 8] >> (i % 8) & 1) != 0;
}

enum tp_err
tpm_quote_check_pcrs(const struct tpm_quote *q, uint16_t hash,
                     const struct tpm_pcrs *pcrs, char *why, size_t whylen)
{
	const EVP_MD *md = tpm_alg_md(hash);
	EVP_MD_CTX *ctx = NULL;
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	enum tp_err rc = TP_ERR_tpm_pcr_digest_mismatch;

	if (md == NULL) {
		snprintf(why, whylen, "pcrDigest: hash 0x%04x not supported",
		         hash);
		return rc;
	}
	if ((size_t)EVP_MD_get_size(md) != q->pcr_digest_len) {
		snprintf(why, whylen,
		         "pcrDigest: %zu bytes; a %s digest has %d",
		         q->pcr_digest_len, tpm_alg_name(hash),
		         EVP_MD_get_size(md));
		return rc;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		snprintf(why, whylen, "pcrDigest: cannot hash");
		goto out;
	}
	for (size_t s = 0; s < q->n_sel; s++) {
		const struct tpm_pcr_selection *sel = &q->sel[s];
		const EVP_MD *bmd = tpm_alg_md(sel->hash);
		int b = tpm_pcrs_bank(pcrs, sel->hash);

		for (unsigned i = 0; i < 8u * sel->size; i++) {
			if (!tpm_pcr_selected(sel, i))
				continue;
			if (bmd == NULL || b < 0 || i >= TPM_PCR_COUNT ||
			    !pcrs->have[b][i]) {
				snprintf(why, whylen,
				         "pcrSelect[%zu]: PCR %u of bank %s "
				         "(0x%04x) is selected but its value "
				         "is not given",
				         s, i, tpm_alg_name(sel->hash),
				         sel->hash);
				goto out;
			}
			EVP_DigestUpdate(ctx, pcrs->val[b][i],
			                 (size_t)EVP_MD_get_size(bmd));
		}
	}
	if (EVP_DigestFinal_ex(ctx, d, &dl) != 1 || dl != q->pcr_digest_len) {
		snprintf(why, whylen, "pcrDigest: cannot hash");
		goto out;
	}
	if (CRYPTO_memcmp(d, q->pcr_digest, dl) != 0) {
		snprintf(why, whylen,
		         "pcrDigest: want %s of the selected PCR values, which "
		         "differs",
		         tpm_alg_name(hash));
		goto out;
	}
	rc = TP_ERR_none;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

enum tp_err
tpm_quote_check_nonce(const struct tpm_quote *q, const uint8_t *nonce,
                      size_t nonce_len, char *why, size_t whylen)
{
	if (nonce_len != q->extra_len ||
	    CRYPTO_memcmp(nonce, q->extra, nonce_len) != 0) {
		snprintf(
		        why, whylen,
		        "extraData (%zu bytes): want the %zu-byte nonce, which "
		        "differs",
		        q->extra_len, nonce_len);
		return TP_ERR_tpm_nonce_mismatch;
	}
	return TP_ERR_none;
}
