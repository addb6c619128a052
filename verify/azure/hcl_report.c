/*
 * Azure HCL attestation reports (verify/azure/hcl_report.h): a bounded
 * parse of the header, hardware report and runtime data, and of the
 * runtime data's JSON (the vTPM's attestation key as a JWK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "common/codec.h"
#include "verify/azure/hcl_report.h"
#include "verify/core/reader.h"

static enum tp_err
truncated(char *why, size_t whylen, const char *what, size_t need, size_t len)
{
	snprintf(why, whylen,
	         "HCL report truncated: %s needs %zu bytes, the report has "
	         "%zu",
	         what, need, len);
	return TP_ERR_azure_hcl_truncated;
}

enum tp_err
hcl_report_parse(const uint8_t *buf, size_t len, struct hcl_report *r,
                 char *why, size_t whylen)
{
	return hcl_report_parse_type(buf, len, HCL_REPORT_TYPE_SNP, r, why,
	                             whylen);
}

enum tp_err
hcl_report_parse_type(const uint8_t *buf, size_t len, uint32_t want,
                      struct hcl_report *r, char *why, size_t whylen)
{
	struct reader rd, tail;
	uint32_t sig, status, data_size, rt_version, var_size;

	memset(r, 0, sizeof(*r));
	if (len > HCL_MAX_REPORT) {
		snprintf(why, whylen, "HCL report: %zu bytes, at most %d", len,
		         HCL_MAX_REPORT);
		return TP_ERR_azure_hcl_malformed;
	}
	reader_init(&rd, buf, len);
	if (!reader_u32le(&rd, &sig) || !reader_u32le(&rd, &r->version) ||
	    !reader_u32le(&rd, &r->report_size) ||
	    !reader_u32le(&rd, &r->request_type) ||
	    !reader_u32le(&rd, &status) || !reader_skip(&rd, 12))
		return truncated(why, whylen, "the header (0x000..0x020)",
		                 HCL_HEADER_LEN, len);
	if (sig != HCL_SIGNATURE) {
		snprintf(why, whylen,
		         "HCL report: signature 0x%08x at 0x000, want \"HCLA\"",
		         sig);
		return TP_ERR_azure_hcl_malformed;
	}
	if (r->version < 1 || r->version > 2) {
		snprintf(why, whylen,
		         "HCL report: version %u at 0x004, want 1 or 2",
		         r->version);
		return TP_ERR_azure_hcl_unsupported;
	}
	if (!reader_bytes(&rd, HCL_HW_REPORT_LEN, &r->hw_report))
		return truncated(why, whylen,
		                 "the hardware report (0x020..0x4C0)",
		                 HCL_RUNTIME_OFF, len);
	if (!reader_u32le(&rd, &data_size) || !reader_u32le(&rd, &rt_version) ||
	    !reader_u32le(&rd, &r->report_type) ||
	    !reader_u32le(&rd, &r->hash_type) || !reader_u32le(&rd, &var_size))
		return truncated(why, whylen,
		                 "the runtime-data header (0x4C0..0x4D4)",
		                 HCL_VAR_DATA_OFF, len);
	if (r->report_type != want) {
		bool snp = want == HCL_REPORT_TYPE_SNP;

		snprintf(why, whylen,
		         "HCL report: report_type %u at 0x4C8%s, want %u (%s)",
		         r->report_type,
		         r->report_type == HCL_REPORT_TYPE_TDX && snp
		                 ? " (TDX: AzureTdxVtpm evidence)"
		         : r->report_type == HCL_REPORT_TYPE_SNP && !snp
		                 ? " (SEV-SNP: AzureSnpVtpm evidence)"
		                 : "",
		         want, snp ? "SEV-SNP" : "TDX");
		return TP_ERR_azure_hcl_unsupported;
	}
	if (r->hash_type != HCL_HASH_SHA256) {
		snprintf(why, whylen,
		         "HCL report: hash_type %u at 0x4CC, want 1 (SHA-256)",
		         r->hash_type);
		return TP_ERR_azure_hcl_unsupported;
	}
	/* The lengths must agree, so that no byte is both in and out of
	 * what REPORT_DATA covers. */
	if (var_size == 0 ||
	    (uint64_t)var_size + HCL_RUNTIME_HDR_LEN != (uint64_t)data_size) {
		snprintf(why, whylen,
		         "HCL report: variable_data_size %u at 0x4D0 and "
		         "data_size %u at 0x4C0: want data_size = 20 + "
		         "variable_data_size > 20",
		         var_size, data_size);
		return TP_ERR_azure_hcl_malformed;
	}
	if ((uint64_t)r->report_size !=
	    (uint64_t)HCL_RUNTIME_OFF + (uint64_t)data_size) {
		snprintf(why, whylen,
		         "HCL report: report_size %u at 0x008, want 0x4C0 + "
		         "data_size = %llu",
		         r->report_size,
		         (unsigned long long)HCL_RUNTIME_OFF +
		                 (unsigned long long)data_size);
		return TP_ERR_azure_hcl_malformed;
	}
	if (!reader_bytes(&rd, var_size, &r->var_data))
		return truncated(
		        why, whylen,
		        "the variable data (0x4D4 + variable_data_size)",
		        (size_t)HCL_VAR_DATA_OFF + var_size, len);
	r->var_len = var_size;
	tail = rd;
	if (!reader_rest_is_zero(&tail)) {
		snprintf(why, whylen,
		         "HCL report: non-zero bytes after the report (from "
		         "0x%zx)",
		         reader_offset(&rd));
		return TP_ERR_azure_hcl_malformed;
	}
	(void)status;
	(void)rt_version;
	return TP_ERR_none;
}

/* Member NAME of JWK (base64url, at most 1025 bytes: RSA-8192), into a
 * BIGNUM. */
static BIGNUM *
jwk_bn(const json_t *jwk, const char *name)
{
	const json_t *s = json_object_get(jwk, name);
	uint8_t *b = NULL;
	size_t n = 0;
	BIGNUM *bn = NULL;

	if (!json_is_string(s) || json_string_length(s) == 0 ||
	    json_string_length(s) > 1400)
		return NULL;
	if (codec_base64_decode(json_string_value(s), json_string_length(s), &b,
	                        &n) &&
	    n > 0 && n <= 1025)
		bn = BN_bin2bn(b, (int)n, NULL);
	free(b);
	return bn;
}

/* A DER header (tag, definite length) at P; its size (at most 4). */
static size_t
der_header(uint8_t *p, uint8_t tag, size_t len)
{
	p[0] = tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		p[1] = 0x81;
		p[2] = (uint8_t)len;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 4;
}

static size_t
der_header_len(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

/* A positive INTEGER's content: the magnitude, 0x00 first when its top
 * bit is set (X.690 §8.3). */
static size_t
der_uint_len(const BIGNUM *bn)
{
	return (size_t)BN_num_bytes(bn) + ((BN_num_bits(bn) % 8) == 0);
}

static size_t
der_uint(uint8_t *p, const BIGNUM *bn)
{
	size_t n = der_uint_len(bn), h = der_header(p, 0x02, n);

	memset(p + h, 0, n);
	BN_bn2bin(bn, p + h + n - (size_t)BN_num_bytes(bn));
	return h + n;
}

/*
 * The SubjectPublicKeyInfo of RSA key (N, E) (RFC 8017 §A.1.1, RFC 5280
 * §4.1.2.7: rsaEncryption with NULL parameters) into *OUT (malloc'd).
 */
static bool
rsa_spki(const BIGNUM *n, const BIGNUM *e, uint8_t **out, size_t *outlen)
{
	static const uint8_t alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a,
	                              0x86, 0x48, 0x86, 0xf7, 0x0d,
	                              0x01, 0x01, 0x01, 0x05, 0x00};
	size_t ni = der_uint_len(n), ei = der_uint_len(e);
	size_t rsa = der_header_len(ni) + ni + der_header_len(ei) + ei;
	size_t rsa_all = der_header_len(rsa) + rsa;
	size_t bits = 1 + rsa_all;
	size_t body = sizeof(alg) + der_header_len(bits) + bits;
	size_t total = der_header_len(body) + body, o = 0;
	uint8_t *p = malloc(total);

	if (p == NULL)
		return false;
	o += der_header(p + o, 0x30, body);
	memcpy(p + o, alg, sizeof(alg));
	o += sizeof(alg);
	o += der_header(p + o, 0x03, bits);
	p[o++] = 0; /* no unused bits */
	o += der_header(p + o, 0x30, rsa);
	o += der_uint(p + o, n);
	o += der_uint(p + o, e);
	*out = p;
	*outlen = o;
	return o == total;
}

/*
 * The RSA JWK HCLAkPub as a key and its DER SPKI, under the rules of the
 * Tpm provider's AKs (tpm_ak_parse: RSA of 2048..8192 bits), built
 * without OpenSSL's encoders (the slowest step of a verification).
 */
static bool
jwk_rsa(const json_t *jwk, struct hcl_runtime *rt, char *why, size_t whylen)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	bool ok = false;
	int bits;

	if (kty == NULL || strcmp(kty, "RSA") != 0) {
		snprintf(why, whylen, "HCLAkPub: kty: want \"RSA\"");
		goto out;
	}
	if ((n = jwk_bn(jwk, "n")) == NULL || (e = jwk_bn(jwk, "e")) == NULL) {
		snprintf(why, whylen,
		         "HCLAkPub: n and e: want base64url of at most 1025 "
		         "bytes");
		goto out;
	}
	/* Below 2048 bits RSA is within reach of factoring; an even or
	 * unit exponent is no RSA key. */
	bits = BN_num_bits(n);
	if (bits < 2048 || bits > 8192 || !BN_is_odd(e) || BN_is_one(e) ||
	    BN_num_bits(e) > 64) {
		snprintf(why, whylen,
		         "HCLAkPub: RSA key of %d bits; want 2048..8192 and "
		         "an odd exponent above 1 of at most 64 bits",
		         bits);
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &rt->ak, EVP_PKEY_PUBLIC_KEY, params) <= 0 ||
	    !rsa_spki(n, e, &rt->spki, &rt->spki_len)) {
		snprintf(why, whylen, "HCLAkPub: not a usable RSA key");
		goto out;
	}
	ok = true;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	ERR_clear_error();
	return ok;
}

enum tp_err
hcl_runtime_parse(const uint8_t *buf, size_t len, struct hcl_runtime *rt,
                  char *why, size_t whylen)
{
	json_t *doc = NULL;
	const json_t *keys, *k, *ak = NULL, *vm, *ud;
	json_error_t err;
	enum tp_err rc = TP_ERR_azure_hcl_malformed;
	size_t i;

	memset(rt, 0, sizeof(*rt));
	if ((doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	                      &err)) == NULL ||
	    !json_is_object(doc)) {
		snprintf(why, whylen,
		         "HCL variable data: not a JSON object (at byte %d)",
		         doc == NULL ? err.position : 0);
		goto out;
	}
	if (!json_is_array(keys = json_object_get(doc, "keys"))) {
		snprintf(why, whylen, "HCL variable data: keys: want an array");
		goto out;
	}
	json_array_foreach(keys, i, k)
	{
		const char *kid = json_string_value(json_object_get(k, "kid"));

		if (kid == NULL || strcmp(kid, "HCLAkPub") != 0)
			continue;
		if (ak != NULL) {
			snprintf(why, whylen,
			         "HCL variable data: keys: two HCLAkPub");
			goto out;
		}
		ak = k;
	}
	if (ak == NULL) {
		snprintf(
		        why, whylen,
		        "HCL variable data: keys: no HCLAkPub (the vTPM's AK)");
		goto out;
	}
	vm = json_object_get(doc, "vm-configuration");
	if (vm != NULL && !json_is_object(vm)) {
		snprintf(why, whylen,
		         "HCL variable data: vm-configuration: want an object");
		goto out;
	}
	ud = json_object_get(doc, "user-data");
	if (ud != NULL && !json_is_string(ud)) {
		snprintf(why, whylen,
		         "HCL variable data: user-data: want a string");
		goto out;
	}
	if (!jwk_rsa(ak, rt, why, whylen)) {
		rc = TP_ERR_tpm_ak_invalid;
		goto out;
	}
	rt->vm_config = vm != NULL ? json_deep_copy(vm) : NULL;
	rt->user_data = ud != NULL ? json_deep_copy(ud) : NULL;
	rc = TP_ERR_none;
out:
	json_decref(doc);
	if (rc != TP_ERR_none)
		hcl_runtime_free(rt);
	return rc;
}

void
hcl_runtime_free(struct hcl_runtime *rt)
{
	if (rt == NULL)
		return;
	EVP_PKEY_free(rt->ak);
	free(rt->spki);
	json_decref(rt->vm_config);
	json_decref(rt->user_data);
	memset(rt, 0, sizeof(*rt));
}
