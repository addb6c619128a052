/*
 * TPM 2.0 quotes (verify/tpm/): the trustee and kinvolk/Azure samples of
 * tests/data/tpm (MANIFEST.md gives the expected values), hostile
 * TPMS_ATTESTs, ECDSA and RSA-PSS quotes signed here with generated keys,
 * and the provider "Tpm" end to end through verify_run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <sys/stat.h>
#include <unistd.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/core/ecdsa.h"
#include "verify/tpm/tpm_quote.h"
#include "verify/verify.h"
#include "tests/unit/test_util.h"
#include "tests/unit/test_verdict.h"

#define DIR_TRUSTEE "tests/data/tpm/trustee_tpm_evidence/"
#define DIR_AZURE   "tests/data/tpm/kinvolk_azure_vtpm_quote/"

/* From tests/data/tpm/MANIFEST.md. */
#define TRUSTEE_SIGNER                                                         \
	"000b3081a4cbbe307f3de1456f9875a3c2632528a70d91fcf578ccf092465e4e8e09"
#define TRUSTEE_EXTRA                                                          \
	"a04182b506878d4f29b91ee606a71a0d3361ccf1b22db20c98adcaa537bea393"     \
	"ef0e41a18b3569ab678f1497fbc5c120000000000000000000000000000000"       \
	"00"
#define TRUSTEE_DIGEST                                                         \
	"019de64c9318655e422c3d03831169896e31f02a1d74e4d8fef575bf4e0d75fa"
#define AZURE_SIGNER                                                           \
	"000bbf2498e2f2b96bee3a52db769ef9e9b8dc78fb75eb6a72550473ea3546f90590"
#define AZURE_DIGEST                                                           \
	"04fabd988106412e438c1b93ad3b4b046c760f8f99ec557d87adf2ab02b7a4a0"

static void
assert_hex(const uint8_t *buf, size_t len, const char *want)
{
	char *h = codec_hex_encode(buf, len);

	assert_non_null(h);
	assert_string_equal(h, want);
	free(h);
}

static EVP_PKEY *
ak_file(const char *path)
{
	size_t n;
	uint8_t *b = tu_read_file(path, &n);
	char why[160];
	EVP_PKEY *k = tpm_ak_parse(b, n, why, sizeof(why));

	if (k == NULL)
		fail_msg("%s: %s", path, why);
	free(b);
	return k;
}

/* The trustee JSON's PCR values (24 SHA-256). */
static void
trustee_pcrs(struct tpm_pcrs *p)
{
	size_t n;
	uint8_t *b = tu_read_file(DIR_TRUSTEE "tpm_evidence.json", &n);
	json_t *doc = json_loadb((const char *)b, n, 0, NULL), *a, *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->alg[0] = TPM_ALG_SHA256;
	p->n = 1;
	a = json_object_get(json_object_get(doc, "tpm_quote"), "pcrs");
	assert_int_equal(json_array_size(a), 24);
	json_array_foreach(a, i, v)
	{
		assert_true(codec_hex_decode_fixed(json_string_value(v),
		                                   p->val[0][i], 32));
		p->have[0][i] = true;
	}
	json_decref(doc);
	free(b);
}

static void
test_trustee_quote(void **state)
{
	size_t mlen, slen;
	uint8_t *msg = tu_read_file(DIR_TRUSTEE "quote_attest.bin", &mlen);
	uint8_t *sig = tu_read_file(DIR_TRUSTEE "quote_sig.bin", &slen);
	EVP_PKEY *ak = ak_file(DIR_TRUSTEE "ak_pub.der");
	struct tpm_quote q;
	struct tpm_signature s;
	struct tpm_pcrs p;
	char why[256];

	assert_true(tpm_quote_parse(msg, mlen, &q, why, sizeof(why)));
	assert_hex(q.signer, q.signer_len, TRUSTEE_SIGNER);
	assert_hex(q.extra, q.extra_len, TRUSTEE_EXTRA);
	assert_int_equal(q.clock, 1913548331);
	assert_int_equal(q.reset_count, 2);
	assert_int_equal(q.restart_count, 0);
	assert_true(q.safe);
	assert_true(q.firmware_version == 0x2019102300163636ull);
	assert_int_equal(q.n_sel, 1);
	assert_int_equal(q.sel[0].hash, TPM_ALG_SHA256);
	for (unsigned i = 0; i < 24; i++)
		assert_true(tpm_pcr_selected(&q.sel[0], i));
	assert_hex(q.pcr_digest, q.pcr_digest_len, TRUSTEE_DIGEST);

	assert_int_equal(tpm_signature_decode(sig, slen, ak, q.pcr_digest_len,
	                                      &s, why, sizeof(why)),
	                 TP_ERR_none);
	assert_false(s.raw);
	assert_int_equal(s.sig_alg, TPM_ALG_RSASSA);
	assert_int_equal(s.hash, TPM_ALG_SHA256);
	assert_int_equal(s.sig_len, 256);
	assert_int_equal(
	        tpm_quote_verify_signature(&q, &s, ak, why, sizeof(why)),
	        TP_ERR_none);
	trustee_pcrs(&p);
	assert_int_equal(tpm_quote_check_pcrs(&q, s.hash, &p, why, sizeof(why)),
	                 TP_ERR_none);
	/* One PCR off: the digest no longer matches. */
	p.val[0][17][0] ^= 1;
	assert_int_equal(tpm_quote_check_pcrs(&q, s.hash, &p, why, sizeof(why)),
	                 TP_ERR_tpm_pcr_digest_mismatch);
	p.val[0][17][0] ^= 1;
	/* A selected PCR without a value. */
	p.have[0][23] = false;
	assert_int_equal(tpm_quote_check_pcrs(&q, s.hash, &p, why, sizeof(why)),
	                 TP_ERR_tpm_pcr_digest_mismatch);
	EVP_PKEY_free(ak);
	free(msg);
	free(sig);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* quote.bincode (MANIFEST): u64 LE length + signature, u64 LE length +
 * message, u64 LE count + count × 32 bytes. */
struct azure {
	uint8_t *file;
	const uint8_t *sig, *msg;
	size_t sig_len, msg_len;
	struct tpm_pcrs pcrs;
};

static void
azure_load(struct azure *a)
{
	size_t n, off = 0, cnt;

	memset(a, 0, sizeof(*a));
	a->file = tu_read_file(DIR_AZURE "quote.bincode", &n);
	assert_true(n >= 8);
	a->sig_len = le64(a->file);
	off = 8;
	assert_true(a->sig_len <= n - off);
	a->sig = a->file + off;
	off += a->sig_len;
	assert_true(n - off >= 8);
	a->msg_len = le64(a->file + off);
	off += 8;
	assert_true(a->msg_len <= n - off);
	a->msg = a->file + off;
	off += a->msg_len;
	assert_true(n - off >= 8);
	cnt = le64(a->file + off);
	off += 8;
	assert_int_equal(cnt, 24);
	assert_int_equal(n - off, cnt * 32);
	a->pcrs.alg[0] = TPM_ALG_SHA256;
	a->pcrs.n = 1;
	for (size_t i = 0; i < cnt; i++) {
		memcpy(a->pcrs.val[0][i], a->file + off + 32 * i, 32);
		a->pcrs.have[0][i] = true;
	}
}

static void
test_azure_quote(void **state)
{
	struct azure a;
	size_t n;
	uint8_t *fmsg, *fsig, rev[256];
	EVP_PKEY *ak = ak_file(DIR_AZURE "akpub.pem");
	struct tpm_quote q;
	struct tpm_signature s;
	char why[256];

	azure_load(&a);
	/* The split files are the bincode's fields. */
	fmsg = tu_read_file(DIR_AZURE "quote_attest.bin", &n);
	assert_int_equal(n, a.msg_len);
	assert_memory_equal(fmsg, a.msg, n);
	fsig = tu_read_file(DIR_AZURE "quote_sig.bin", &n);
	assert_int_equal(n, a.sig_len);
	assert_memory_equal(fsig, a.sig, n);

	assert_true(tpm_quote_parse(a.msg, a.msg_len, &q, why, sizeof(why)));
	assert_hex(q.extra, q.extra_len, "6368616c6c656e6765");
	assert_int_equal(q.clock, 3131573);
	assert_int_equal(q.reset_count, 3);
	assert_true(q.firmware_version == 0x2020031200120003ull);
	assert_hex(q.signer, q.signer_len, AZURE_SIGNER);
	assert_hex(q.pcr_digest, q.pcr_digest_len, AZURE_DIGEST);

	assert_int_equal(tpm_signature_decode(a.sig, a.sig_len, ak,
	                                      q.pcr_digest_len, &s, why,
	                                      sizeof(why)),
	                 TP_ERR_none);
	assert_true(s.raw);
	assert_int_equal(s.sig_alg, TPM_ALG_RSASSA);
	assert_int_equal(s.hash, TPM_ALG_SHA256);
	assert_int_equal(
	        tpm_quote_verify_signature(&q, &s, ak, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(tpm_quote_check_nonce(&q, (const uint8_t *)"challenge",
	                                       9, why, sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(tpm_quote_check_nonce(&q, (const uint8_t *)"01020304",
	                                       8, why, sizeof(why)),
	                 TP_ERR_tpm_nonce_mismatch);
	assert_int_equal(tpm_quote_check_nonce(&q,
	                                       (const uint8_t[]){1, 2, 3, 4}, 4,
	                                       why, sizeof(why)),
	                 TP_ERR_tpm_nonce_mismatch);
	assert_int_equal(
	        tpm_quote_check_pcrs(&q, s.hash, &a.pcrs, why, sizeof(why)),
	        TP_ERR_none);

	/* The origin's reversed signature. */
	assert_int_equal(a.sig_len, sizeof(rev));
	for (size_t i = 0; i < a.sig_len; i++)
		rev[i] = a.sig[a.sig_len - 1 - i];
	assert_int_equal(tpm_signature_decode(rev, sizeof(rev), ak,
	                                      q.pcr_digest_len, &s, why,
	                                      sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(
	        tpm_quote_verify_signature(&q, &s, ak, why, sizeof(why)),
	        TP_ERR_tpm_signature_invalid);

	/* The trustee AK does not verify this quote. */
	EVP_PKEY_free(ak);
	ak = ak_file(DIR_TRUSTEE "ak_pub.der");
	assert_int_equal(tpm_signature_decode(a.sig, a.sig_len, ak,
	                                      q.pcr_digest_len, &s, why,
	                                      sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(
	        tpm_quote_verify_signature(&q, &s, ak, why, sizeof(why)),
	        TP_ERR_tpm_signature_invalid);
	EVP_PKEY_free(ak);
	free(fmsg);
	free(fsig);
	free(a.file);
}

/* Every byte of the signed message flipped: never a valid quote. */
static void
flips(const uint8_t *msg, size_t mlen, const uint8_t *sig, size_t slen,
      EVP_PKEY *ak)
{
	uint8_t *m = malloc(mlen);
	struct tpm_quote q;
	struct tpm_signature s;
	char why[256];

	assert_non_null(m);
	for (size_t i = 0; i < mlen; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(m, msg, mlen);
			m[i] ^= (uint8_t)(1u << bit);
			if (!tpm_quote_parse(m, mlen, &q, why, sizeof(why)))
				continue;
			if (tpm_signature_decode(sig, slen, ak,
			                         q.pcr_digest_len, &s, why,
			                         sizeof(why)) != TP_ERR_none)
				continue;
			if (tpm_quote_verify_signature(&q, &s, ak, why,
			                               sizeof(why)) ==
			    TP_ERR_none)
				fail_msg("byte %zu bit %d flipped: still valid",
				         i, bit);
		}
	}
	free(m);
}

static void
test_byte_flips(void **state)
{
	size_t mlen, slen;
	uint8_t *msg = tu_read_file(DIR_TRUSTEE "quote_attest.bin", &mlen);
	uint8_t *sig = tu_read_file(DIR_TRUSTEE "quote_sig.bin", &slen);
	EVP_PKEY *ak = ak_file(DIR_TRUSTEE "ak_pub.der");
	struct azure a;

	flips(msg, mlen, sig, slen, ak);
	EVP_PKEY_free(ak);
	azure_load(&a);
	ak = ak_file(DIR_AZURE "akpub.pem");
	flips(a.msg, a.msg_len, a.sig, a.sig_len, ak);
	EVP_PKEY_free(ak);
	free(a.file);
	free(msg);
	free(sig);
}

/* Parse BUF expecting failure whose WHY names FIELD. */
static void
refused(const uint8_t *buf, size_t len, const char *field)
{
	struct tpm_quote q;
	char why[256] = "";

	if (tpm_quote_parse(buf, len, &q, why, sizeof(why)))
		fail_msg("accepted (%zu bytes), want %s refused", len, field);
	if (strstr(why, field) == NULL)
		fail_msg("why \"%s\" does not name %s", why, field);
}

static void
test_hostile_attest(void **state)
{
	size_t n;
	uint8_t *msg = tu_read_file(DIR_AZURE "quote_attest.bin", &n);
	uint8_t *m = malloc(n + 1);
	struct tpm_quote q;
	char why[256];
	/* Offsets in this quote (MANIFEST layout): signer size at 6 (34
	 * bytes), extraData size at 42 (9), clock at 53, firmware at 70,
	 * selection count at 78, sizeofSelect at 84, pcrDigest size at 88. */
	const size_t o_signer = 6, o_extra = 42, o_count = 78, o_sos = 84,
	             o_digest = 88;

	assert_non_null(m);
	assert_true(tpm_quote_parse(msg, n, &q, why, sizeof(why)));
	assert_int_equal(m != NULL && msg[o_signer + 1] == 34 &&
	                         msg[o_extra + 1] == 9 &&
	                         msg[o_count + 3] == 1 && msg[o_sos] == 3 &&
	                         msg[o_digest + 1] == 32,
	                 1);
	/* Truncated at every byte. */
	for (size_t i = 0; i < n; i++) {
		struct tpm_quote t;
		if (tpm_quote_parse(msg, i, &t, why, sizeof(why)))
			fail_msg("truncated to %zu bytes: accepted", i);
		assert_non_null(strstr(why, "offset"));
	}
#define EDIT(off, val)                                                         \
	do {                                                                   \
		memcpy(m, msg, n);                                             \
		m[off] = (val);                                                \
	} while (0)
	EDIT(0, 0xfe);
	refused(m, n, "magic");
	EDIT(5, 0x17); /* 0x8017 TPM_ST_ATTEST_CERTIFY */
	refused(m, n, "type");
	EDIT(o_signer, 0xff);
	refused(m, n, "qualifiedSigner.size");
	EDIT(o_signer + 1, 0x43); /* 67 > sizeof(TPMT_HA) */
	refused(m, n, "qualifiedSigner.size");
	EDIT(o_extra, 0xff);
	refused(m, n, "extraData.size");
	EDIT(o_extra + 1, 0x60); /* fits TPMT_HA? no: 96 > 66 */
	refused(m, n, "extraData.size");
	EDIT(o_count, 0x80);
	refused(m, n, "pcrSelect.count");
	EDIT(o_count + 3, 9);
	refused(m, n, "pcrSelect.count");
	EDIT(o_sos, 5);
	refused(m, n, "sizeofSelect");
	EDIT(o_sos, 0xff);
	refused(m, n, "sizeofSelect");
	EDIT(o_digest, 0xff);
	refused(m, n, "pcrDigest.size");
	EDIT(o_digest + 1, 0x41);
	refused(m, n, "pcrDigest.size");
	EDIT(o_digest + 1, 0x20 - 1);
	refused(m, n, "trailing");
	EDIT(69, 2); /* clockInfo.safe */
	refused(m, n, "clockInfo.safe");
	/* A trailing byte. */
	memcpy(m, msg, n);
	m[n] = 0;
	refused(m, n + 1, "trailing");
	/* Larger than any quote. */
	refused(msg, TPM_MAX_ATTEST + 1, "TPMS_ATTEST");
#undef EDIT
	free(m);
	free(msg);
}

/* A quote over PCRs 0..23 of BANK with values i*j, extraData EXTRA. */
static size_t
build_attest(uint8_t *out, uint16_t bank, const uint8_t *extra, size_t elen,
             struct tpm_pcrs *pcrs)
{
	const EVP_MD *md = tpm_alg_md(bank);
	size_t dl = (size_t)EVP_MD_get_size(md), o = 0;
	uint8_t d[64];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	static const uint8_t hdr[] = {0xff, 0x54, 0x43, 0x47, 0x80,
	                              0x18, 0x00, 0x22, 0x00, 0x0b};

	memset(pcrs, 0, sizeof(*pcrs));
	pcrs->alg[0] = bank;
	pcrs->n = 1;
	EVP_DigestInit_ex(ctx, md, NULL);
	for (unsigned i = 0; i < 24; i++) {
		for (size_t j = 0; j < dl; j++)
			pcrs->val[0][i][j] = (uint8_t)(i * 7 + j);
		pcrs->have[0][i] = true;
		EVP_DigestUpdate(ctx, pcrs->val[0][i], dl);
	}
	EVP_DigestFinal_ex(ctx, d, NULL);
	EVP_MD_CTX_free(ctx);
	memcpy(out, hdr, sizeof(hdr));
	o = sizeof(hdr);
	memset(out + o, 0x5a, 32); /* the signer's name digest */
	o += 32;
	out[o++] = 0;
	out[o++] = (uint8_t)elen;
	memcpy(out + o, extra, elen);
	o += elen;
	/* clock 0x0102030405060708, resetCount 9, restartCount 10, safe 1,
	 * firmwareVersion 0x1122334455667788. */
	static const uint8_t clk[] = {
	        1, 2, 3,  4, 5,    6,    7,    8,    0,    0,    0,    9,   0,
	        0, 0, 10, 1, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	memcpy(out + o, clk, sizeof(clk));
	o += sizeof(clk);
	static const uint8_t sel[] = {0, 0, 0, 1, 0, 0, 3, 0xff, 0xff, 0xff};
	memcpy(out + o, sel, sizeof(sel));
	out[o + 4] = (uint8_t)(bank >> 8);
	out[o + 5] = (uint8_t)bank;
	o += sizeof(sel);
	out[o++] = 0;
	out[o++] = (uint8_t)dl;
	memcpy(out + o, d, dl);
	return o + dl;
}

static EVP_PKEY *
public_of(EVP_PKEY *priv)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(priv, &der);
	char why[160];
	EVP_PKEY *k;

	assert_true(n > 0);
	k = tpm_ak_parse(der, (size_t)n, why, sizeof(why));
	OPENSSL_free(der);
	assert_non_null(k);
	return k;
}

/* Decodes and verifies SIG; the code. */
static enum tp_err
check_sig(const uint8_t *attest, size_t alen, const uint8_t *sig, size_t slen,
          EVP_PKEY *ak, struct tpm_signature *s)
{
	struct tpm_quote q;
	char why[256];
	enum tp_err rc;

	assert_true(tpm_quote_parse(attest, alen, &q, why, sizeof(why)));
	rc = tpm_signature_decode(sig, slen, ak, q.pcr_digest_len, s, why,
	                          sizeof(why));
	if (rc == TP_ERR_none)
		rc = tpm_quote_verify_signature(&q, s, ak, why, sizeof(why));
	return rc;
}

static void
ecdsa_case(const char *group, uint16_t hash, size_t n)
{
	EVP_PKEY *priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
	EVP_PKEY *ak;
	uint8_t attest[512], rs[132], tpmt[160], der[160], *p;
	struct tpm_pcrs pcrs;
	struct tpm_signature s;
	struct tpm_quote q;
	char why[256];
	size_t alen, o = 0;
	ECDSA_SIG *es;
	BIGNUM *br, *bs;
	int dl;

	assert_non_null(priv);
	ak = public_of(priv);
	alen = build_attest(attest, hash, (const uint8_t *)"nonce-1234", 10,
	                    &pcrs);
	assert_true(
	        ecdsa_sign_raw(priv, tpm_alg_md(hash), attest, alen, rs, n));
	/* TPMT_SIGNATURE: ECDSA, hash, TPM2B r, TPM2B s. */
	tpmt[o++] = 0x00;
	tpmt[o++] = 0x18;
	tpmt[o++] = (uint8_t)(hash >> 8);
	tpmt[o++] = (uint8_t)hash;
	tpmt[o++] = 0;
	tpmt[o++] = (uint8_t)n;
	memcpy(tpmt + o, rs, n);
	o += n;
	tpmt[o++] = 0;
	tpmt[o++] = (uint8_t)n;
	memcpy(tpmt + o, rs + n, n);
	o += n;
	assert_int_equal(check_sig(attest, alen, tpmt, o, ak, &s), TP_ERR_none);
	assert_false(s.raw);
	assert_int_equal(s.sig_alg, TPM_ALG_ECDSA);
	assert_int_equal(check_sig(attest, alen, rs, 2 * n, ak, &s),
	                 TP_ERR_none);
	assert_true(s.raw);
	assert_int_equal(s.hash, hash);
	/* DER. */
	es = ECDSA_SIG_new();
	br = BN_bin2bn(rs, (int)n, NULL);
	bs = BN_bin2bn(rs + n, (int)n, NULL);
	assert_true(ECDSA_SIG_set0(es, br, bs));
	p = der;
	dl = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	assert_true(dl > 0);
	assert_int_equal(check_sig(attest, alen, der, (size_t)dl, ak, &s),
	                 TP_ERR_none);
	/* The PCR digest with the scheme's hash. */
	assert_true(tpm_quote_parse(attest, alen, &q, why, sizeof(why)));
	assert_int_equal(
	        tpm_quote_check_pcrs(&q, hash, &pcrs, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(tpm_quote_check_nonce(&q,
	                                       (const uint8_t *)"nonce-1234",
	                                       10, why, sizeof(why)),
	                 TP_ERR_none);
	/* A flipped s, in each encoding. */
	tpmt[o - 1] ^= 1;
	assert_int_equal(check_sig(attest, alen, tpmt, o, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	rs[2 * n - 1] ^= 1;
	assert_int_equal(check_sig(attest, alen, rs, 2 * n, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	/* The same signature, another message. */
	rs[2 * n - 1] ^= 1;
	attest[20] ^= 1;
	assert_int_equal(check_sig(attest, alen, rs, 2 * n, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	/* An ECDAA scheme: unsupported. */
	tpmt[1] = 0x1a;
	assert_int_equal(check_sig(attest, alen, tpmt, o, ak, &s),
	                 TP_ERR_tpm_signature_unsupported);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(priv);
}

static void
test_ecdsa(void **state)
{
	ecdsa_case("P-256", TPM_ALG_SHA256, 32);
	ecdsa_case("P-384", TPM_ALG_SHA384, 48);
}

static size_t
rsa_sign(EVP_PKEY *priv, int pad, const EVP_MD *md, const uint8_t *msg,
         size_t mlen, uint8_t *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t sl = 512;

	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, md, NULL, priv), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, pad), 1);
	if (pad == RSA_PKCS1_PSS_PADDING)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(
		                         pctx, RSA_PSS_SALTLEN_DIGEST),
		                 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &sl, msg, mlen), 1);
	EVP_MD_CTX_free(ctx);
	return sl;
}

static void
test_rsa_pss(void **state)
{
	EVP_PKEY *priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ak;
	uint8_t attest[512], sig[512], tpmt[600];
	struct tpm_pcrs pcrs;
	struct tpm_signature s;
	size_t alen, sl;

	assert_non_null(priv);
	ak = public_of(priv);
	alen = build_attest(attest, TPM_ALG_SHA256, (const uint8_t *)"n", 1,
	                    &pcrs);
	sl = rsa_sign(priv, RSA_PKCS1_PSS_PADDING, EVP_sha256(), attest, alen,
	              sig);
	assert_int_equal(sl, 256);
	memcpy(tpmt, (const uint8_t[]){0x00, 0x16, 0x00, 0x0b, 0x01, 0x00}, 6);
	memcpy(tpmt + 6, sig, sl);
	assert_int_equal(check_sig(attest, alen, tpmt, sl + 6, ak, &s),
	                 TP_ERR_none);
	assert_int_equal(s.sig_alg, TPM_ALG_RSAPSS);
	/* Labelled RSASSA, the PSS signature fails. */
	tpmt[1] = 0x14;
	assert_int_equal(check_sig(attest, alen, tpmt, sl + 6, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	/* PSS labelled with SHA-384: fails. */
	tpmt[1] = 0x16;
	tpmt[3] = 0x0c;
	assert_int_equal(check_sig(attest, alen, tpmt, sl + 6, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	/* An SM3 hash: unsupported. */
	tpmt[3] = 0x12;
	assert_int_equal(check_sig(attest, alen, tpmt, sl + 6, ak, &s),
	                 TP_ERR_tpm_signature_unsupported);
	/* Raw PKCS#1 v1.5 over SHA-384: the pcrDigest (SHA-256) says the
	 * hash, so this does not verify. */
	sl = rsa_sign(priv, RSA_PKCS1_PADDING, EVP_sha384(), attest, alen, sig);
	assert_int_equal(check_sig(attest, alen, sig, sl, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	sl = rsa_sign(priv, RSA_PKCS1_PADDING, EVP_sha256(), attest, alen, sig);
	assert_int_equal(check_sig(attest, alen, sig, sl, ak, &s), TP_ERR_none);
	/* Neither shape: one byte short. */
	assert_int_equal(check_sig(attest, alen, sig, sl - 1, ak, &s),
	                 TP_ERR_tpm_signature_invalid);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(priv);
}

static void
test_ak_parse(void **state)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *k25519 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char *der = NULL;
	char why[160];
	int n;

	n = i2d_PUBKEY(small, &der);
	assert_null(tpm_ak_parse(der, (size_t)n, why, sizeof(why)));
	assert_non_null(strstr(why, "1024"));
	OPENSSL_free(der);
	der = NULL;
	n = i2d_PUBKEY(k25519, &der);
	assert_null(tpm_ak_parse(der, (size_t)n, why, sizeof(why)));
	/* Trailing bytes after the DER. */
	OPENSSL_free(der);
	der = NULL;
	{
		size_t l;
		uint8_t *b = tu_read_file(DIR_TRUSTEE "ak_pub.der", &l);
		uint8_t *c = malloc(l + 1);
		EVP_PKEY *k;

		memcpy(c, b, l);
		c[l] = 0;
		assert_null(tpm_ak_parse(c, l + 1, why, sizeof(why)));
		assert_null(tpm_ak_parse(c, l - 1, why, sizeof(why)));
		k = tpm_ak_parse(c, l, why, sizeof(why));
		assert_non_null(k);
		EVP_PKEY_free(k);
		free(c);
		free(b);
	}
	EVP_PKEY_free(small);
	EVP_PKEY_free(k25519);
}

/* ---- The provider, end to end. ---- */

static const char *run_rd; /* runtime_data of the next run, or NULL */

static void
run(const uint8_t *buf, size_t len, const json_t *col, const char *path,
    const uint8_t *nonce, size_t nonce_len, struct verdict *v)
{
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	if (col != NULL)
		load_json(TP_PROVIDER_TPM, col, &set);
	if (path != NULL)
		load_path(TP_PROVIDER_TPM, path, &set);
	memset(&req, 0, sizeof(req));
	req.evidence = buf;
	req.evidence_len = len;
	req.provider = TP_PROVIDER_NONE; /* detected */
	req.nonce = nonce;
	req.nonce_len = nonce_len;
	if (run_rd != NULL) {
		req.runtime_data = (const uint8_t *)run_rd;
		req.runtime_data_len = strlen(run_rd);
	}
	req.artifacts = &set;
	req.now = 1700000000;
	req.cfg = &cfg;
	verify_run(&req, v);
	artifact_set_clear(&set);
	verify_config_free(&cfg);
}

static json_t *
trustee_doc(void)
{
	size_t n;
	uint8_t *b = tu_read_file(DIR_TRUSTEE "tpm_evidence.json", &n);
	json_t *doc = json_loadb((const char *)b, n, 0, NULL);

	free(b);
	assert_non_null(doc);
	return doc;
}

static void
run_doc(json_t *doc, const json_t *col, const char *path, struct verdict *v)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	run((const uint8_t *)s, strlen(s), col, path, NULL, 0, v);
	free(s);
}

static const char *
pcr_claim(const struct verdict *v, const char *bank, const char *pcr)
{
	return json_string_value(json_object_get(
	        json_object_get(json_object_get(v->claims, "pcrs"), bank),
	        pcr));
}

static void
test_provider_trustee(void **state)
{
	size_t n;
	uint8_t *ev = tu_read_file(DIR_TRUSTEE "tpm_evidence.json", &n);
	uint8_t extra[64];
	struct verdict v;

	assert_int_equal(provider_detect(ev, n), TP_PROVIDER_TPM);
	assert_string_equal(provider_name(TP_PROVIDER_TPM), "Tpm");
	{
		enum tp_provider p;
		assert_true(provider_parse("tpm", &p));
		assert_int_equal(p, TP_PROVIDER_TPM);
	}
	/* The evidence's AK alone: valid, not hardware-verified. */
	run(ev, n, NULL, NULL, NULL, 0, &v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.provider, TP_PROVIDER_TPM);
	assert_int_equal(v.signature_valid, TP_TRUE);
	assert_false(v.hardware_verified);
	assert_string_equal(claim(&v, "extra_data"), TRUSTEE_EXTRA);
	assert_string_equal(claim(&v, "qualified_signer"), TRUSTEE_SIGNER);
	assert_string_equal(claim(&v, "firmware_version"), "2019102300163636");
	assert_string_equal(claim(&v, "pcr_digest"), TRUSTEE_DIGEST);
	assert_int_equal(json_integer_value(json_object_get(v.claims, "clock")),
	                 1913548331);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "reset_count")),
	        2);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "restart_count")),
	        0);
	assert_string_equal(claim(&v, "attestation_key_source"), "ak_public");
	assert_string_equal(pcr_claim(&v, "sha256", "pcr0"),
	                    "0000000000000000000000000000000000000000000000000"
	                    "000000000000000");
	assert_string_equal(pcr_claim(&v, "sha256", "pcr17"),
	                    "fffffffffffffffffffffffffffffffffffffffffffffffff"
	                    "fffffffffffffff");
	assert_non_null(pcr_claim(&v, "sha256", "pcr23"));
	assert_int_equal(v.n_bindings, 1);
	assert_string_equal(v.bindings[0].name, "extra_data");
	verdict_free(&v);

	/* Provisioned by the operator (a directory): hardware-verified. */
	run(ev, n, NULL, DIR_TRUSTEE "provisioned", NULL, 0, &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral_path/tpm_ak.pem");
	verdict_free(&v);
	/* … or a single file. */
	run(ev, n, NULL, DIR_TRUSTEE "provisioned/tpm_ak.pem", NULL, 0, &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	verdict_free(&v);

	/* Another TPM's AK provisioned: refused. */
	run(ev, n, NULL, DIR_AZURE "provisioned", NULL, 0, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	assert_false(v.hardware_verified);
	assert_int_equal(v.signature_valid, TP_FALSE);
	verdict_free(&v);

	/* A file path that cannot be read. */
	run(ev, n, NULL, DIR_TRUSTEE "provisioned/absent.pem", NULL, 0, &v);
	assert_only_error(&v, "tpm_ak_missing");
	verdict_free(&v);

	/* The nonce is extraData itself (no runtime_data). */
	assert_true(codec_hex_decode_fixed(TRUSTEE_EXTRA, extra, 64));
	run(ev, n, NULL, NULL, extra, 64, &v);
	assert_true(verdict_valid(&v));
	verdict_free(&v);
	extra[0] ^= 1;
	run(ev, n, NULL, NULL, extra, 64, &v);
	assert_false(verdict_valid(&v));
	assert_true(verdict_has_error(&v, TP_ERR_tpm_nonce_mismatch));
	verdict_free(&v);
	free(ev);
}

static void
test_provider_shapes(void **state)
{
	json_t *doc, *q, *pcrs, *bank, *col;
	struct verdict v;
	char *pem;
	size_t n;

	/* A PCR value changed: the digest does not match. */
	doc = trustee_doc();
	pcrs = json_object_get(json_object_get(doc, "tpm_quote"), "pcrs");
	json_array_set_new(
	        pcrs, 3,
	        json_string("00000000000000000000000000000000000000000000000000"
	                    "00000000000001"));
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_pcr_digest_mismatch");
	assert_null(json_object_get(v.claims, "pcrs"));
	verdict_free(&v);
	json_decref(doc);

	/* Too few PCRs for the selection. */
	doc = trustee_doc();
	pcrs = json_object_get(json_object_get(doc, "tpm_quote"), "pcrs");
	json_array_remove(pcrs, 23);
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_pcr_digest_mismatch");
	verdict_free(&v);
	json_decref(doc);

	/* "pcrs" as an object of banks. */
	doc = trustee_doc();
	q = json_object_get(doc, "tpm_quote");
	pcrs = json_object_get(q, "pcrs");
	bank = json_object();
	for (size_t i = 0; i < json_array_size(pcrs); i++) {
		char k[24];
		snprintf(k, sizeof(k), "%zu", i);
		json_object_set(bank, k, json_array_get(pcrs, i));
	}
	json_object_set_new(q, "pcrs", json_pack("{s:o}", "sha256", bank));
	run_doc(doc, NULL, NULL, &v);
	assert_true(verdict_valid(&v));
	assert_non_null(pcr_claim(&v, "sha256", "pcr17"));
	verdict_free(&v);
	json_decref(doc);

	/* No ak_public and no other AK: tpm_ak_missing; with the request's
	 * AK: valid, not hardware-verified; with the provisioned one: both. */
	doc = trustee_doc();
	json_object_del(doc, "ak_public");
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_ak_missing");
	verdict_free(&v);
	pem = (char *)tu_read_file(DIR_TRUSTEE "provisioned/tpm_ak.pem", &n);
	col = json_pack("{s:s}", "tpm_ak", pem);
	run_doc(doc, col, NULL, &v);
	assert_true(verdict_valid(&v));
	assert_false(v.hardware_verified);
	assert_string_equal(claim(&v, "attestation_key_source"),
	                    "collateral.tpm_ak");
	verdict_free(&v);
	run_doc(doc, NULL, DIR_TRUSTEE "provisioned", &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	verdict_free(&v);
	json_decref(doc);
	json_decref(col);
	free(pem);

	/* The request's AK disagrees with ak_public: refused. */
	doc = trustee_doc();
	pem = (char *)tu_read_file(DIR_AZURE "akpub.pem", &n);
	col = json_pack("{s:s}", "tpm_ak", pem);
	run_doc(doc, col, NULL, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	verdict_free(&v);
	json_decref(col);
	/* A request AK that is no PEM text. */
	col = json_pack("{s:i}", "tpm_ak", 5);
	run_doc(doc, col, NULL, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	verdict_free(&v);
	json_decref(col);
	free(pem);

	/* The Azure AK in ak_public: the signature fails. */
	{
		EVP_PKEY *k = ak_file(DIR_AZURE "akpub.pem");
		uint8_t *der = NULL;
		size_t dl;
		char *b64;

		assert_true(tpm_ak_spki(k, &der, &dl));
		b64 = codec_base64_encode(der, dl);
		json_object_set_new(doc, "ak_public", json_string(b64));
		run_doc(doc, NULL, NULL, &v);
		assert_only_error(&v, "tpm_signature_invalid");
		verdict_free(&v);
		free(b64);
		free(der);
		EVP_PKEY_free(k);
	}
	json_decref(doc);

	/* Malformed members. */
	doc = trustee_doc();
	q = json_object_get(doc, "tpm_quote");
	json_object_set_new(q, "message", json_string("!!"));
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_quote_malformed");
	verdict_free(&v);
	json_object_set_new(q, "message", json_string("AAAA"));
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_quote_malformed");
	verdict_free(&v);
	json_decref(doc);
	doc = trustee_doc();
	json_object_del(json_object_get(doc, "tpm_quote"), "pcrs");
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_quote_malformed");
	verdict_free(&v);
	json_decref(doc);
}

/* A quote signed here (ECDSA P-256, raw r||s, "pcrs" by bank) whose
 * extraData is SHA-256(runtime_data): bound through extra_data. */
static void
test_provider_binding(void **state)
{
	static const char rd[] = "{\"nonce\":\"00ff\",\"model\":\"m\"}";
	EVP_PKEY *priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t attest[512], rs[64], extra[32], *spki = NULL;
	struct tpm_pcrs pcrs;
	size_t alen, sl;
	json_t *doc, *bank;
	char *b64m, *b64s, *b64k, hex[65], k[24];
	struct verdict v;

	assert_non_null(priv);
	SHA256((const uint8_t *)rd, strlen(rd), extra);
	alen = build_attest(attest, TPM_ALG_SHA256, extra, 32, &pcrs);
	assert_true(ecdsa_sign_raw(priv, EVP_sha256(), attest, alen, rs, 32));
	assert_true(tpm_ak_spki(priv, &spki, &sl));
	b64m = codec_base64_encode(attest, alen);
	b64s = codec_base64_encode(rs, 64);
	b64k = codec_base64_encode(spki, sl);
	bank = json_object();
	for (unsigned i = 0; i < 24; i++) {
		codec_hex_encode_to(pcrs.val[0][i], 32, hex);
		snprintf(k, sizeof(k), "%u", i);
		json_object_set_new(bank, k, json_string(hex));
	}
	doc = json_pack("{s:s, s:{s:s, s:s, s:{s:o}}}", "ak_public", b64k,
	                "tpm_quote", "message", b64m, "signature", b64s, "pcrs",
	                "sha256", bank);
	assert_non_null(doc);

	run_rd = rd;
	run_doc(doc, NULL, NULL, &v);
	assert_true(verdict_valid(&v));
	assert_int_equal(v.binding_valid, TP_TRUE);
	assert_false(v.hardware_verified);
	codec_hex_encode_to(pcrs.val[0][5], 32, hex);
	assert_string_equal(pcr_claim(&v, "sha256", "pcr5"), hex);
	assert_int_equal(json_integer_value(json_object_get(v.claims, "clock")),
	                 0x0102030405060708ll);
	assert_int_equal(
	        json_integer_value(json_object_get(v.claims, "reset_count")),
	        9);
	assert_string_equal(claim(&v, "firmware_version"), "1122334455667788");
	verdict_free(&v);
	run_rd = "{\"nonce\":\"00fe\"}";
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "binding_mismatch");
	verdict_free(&v);
	run_rd = NULL;

	/* The PCR digest fails: no pcrs claim, the signed claims remain. */
	json_object_set_new(bank, "7", json_string(hex));
	run_doc(doc, NULL, NULL, &v);
	assert_only_error(&v, "tpm_pcr_digest_mismatch");
	assert_null(json_object_get(v.claims, "pcrs"));
	assert_non_null(claim(&v, "extra_data"));
	verdict_free(&v);

	json_decref(doc);
	free(b64m);
	free(b64s);
	free(b64k);
	free(spki);
	EVP_PKEY_free(priv);
}

/* Writes the file SRC as DIR/NAME. */
static void
copy_to(const char *src, const char *dir, const char *name)
{
	char path[512];
	size_t n;
	uint8_t *b = tu_read_file(src, &n);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
	free(b);
}

/* The export layout's DIR/tpm_ak/: an operator store of several AKs. */
static void
test_provider_store(void **state)
{
	char dir[] = "/tmp/test_tpm_XXXXXX", sub[64], path[128];
	json_t *doc;
	struct verdict v;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/tpm_ak", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	copy_to(DIR_AZURE "akpub.pem", sub, "azure.pem");
	copy_to(DIR_TRUSTEE "provisioned/tpm_ak.pem", sub, "trustee.pem");

	doc = trustee_doc();
	run_doc(doc, NULL, dir, &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	verdict_free(&v);
	/* Without ak_public, each provisioned AK is tried. */
	json_object_del(doc, "ak_public");
	run_doc(doc, NULL, dir, &v);
	assert_true(verdict_valid(&v));
	assert_true(v.hardware_verified);
	verdict_free(&v);
	json_decref(doc);

	/* Only another TPM's AK in the store: refused. */
	snprintf(path, sizeof(path), "%s/trustee.pem", sub);
	assert_int_equal(unlink(path), 0);
	doc = trustee_doc();
	run_doc(doc, NULL, dir, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	verdict_free(&v);
	json_object_del(doc, "ak_public");
	run_doc(doc, NULL, dir, &v);
	assert_only_error(&v, "tpm_signature_invalid");
	verdict_free(&v);
	json_decref(doc);

	/* A store file that is no key: refused by name. */
	snprintf(path, sizeof(path), "%s/azure.pem", sub);
	assert_int_equal(unlink(path), 0);
	copy_to(DIR_TRUSTEE "quote_sig.bin", sub, "junk.pem");
	doc = trustee_doc();
	run_doc(doc, NULL, dir, &v);
	assert_only_error(&v, "tpm_ak_invalid");
	verdict_free(&v);
	json_decref(doc);
	snprintf(path, sizeof(path), "%s/junk.pem", sub);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_trustee_quote),
	        cmocka_unit_test(test_azure_quote),
	        cmocka_unit_test(test_byte_flips),
	        cmocka_unit_test(test_hostile_attest),
	        cmocka_unit_test(test_ecdsa),
	        cmocka_unit_test(test_rsa_pss),
	        cmocka_unit_test(test_ak_parse),
	        cmocka_unit_test(test_provider_trustee),
	        cmocka_unit_test(test_provider_shapes),
	        cmocka_unit_test(test_provider_store),
	        cmocka_unit_test(test_provider_binding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
