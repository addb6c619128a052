/* SEV-SNP attestation report parsing (layout: verify/snp_report.h). */
#include <stdio.h>
#include <string.h>

#include "common/codec.h"
#include "verify/core/reader.h"
#include "verify/amd/snp_report.h"

/* Names the field a short report ends in. Always false. */
static bool
truncated(const struct reader *r, const char *name, char *why, size_t whylen)
{
	snprintf(why, whylen,
	         "%s: truncated at offset 0x%zx (report is 0x%x bytes)", name,
	         reader_offset(r), SNP_REPORT_LEN);
	return false;
}

static bool
field(struct reader *r, void *dst, size_t n, const char *name, char *why,
      size_t whylen)
{
	if (reader_copy(r, dst, n))
		return true;
	return truncated(r, name, why, whylen);
}

static bool
u32_field(struct reader *r, uint32_t *v, const char *name, char *why,
          size_t whylen)
{
	if (reader_u32le(r, v))
		return true;
	return truncated(r, name, why, whylen);
}

static bool
u64_field(struct reader *r, uint64_t *v, const char *name, char *why,
          size_t whylen)
{
	if (reader_u64le(r, v))
		return true;
	return truncated(r, name, why, whylen);
}

static bool
skip_field(struct reader *r, size_t n, const char *name, char *why,
           size_t whylen)
{
	if (reader_skip(r, n))
		return true;
	return truncated(r, name, why, whylen);
}

bool
snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *rep,
                 char *why, size_t whylen)
{
	struct reader r, sig;
	uint8_t b[4];
	bool ok = false;

	memset(rep, 0, sizeof(*rep));
	/* Only the report itself: what follows is not ours to read here. */
	reader_init(&r, buf, len < SNP_REPORT_LEN ? len : SNP_REPORT_LEN);
	if (!u32_field(&r, &rep->version, "VERSION", why, whylen))
		goto out;
	/* ABI spec: version 2 (rev. 1.51+), 3 adds CPUID fields (1.55),
	 * 5 adds the mitigation vectors (1.57). 4 was never published. */
	if (rep->version != 2 && rep->version != 3 && rep->version != 5) {
		snprintf(why, whylen,
		         "VERSION: want 2, 3 or 5, have %u (unsupported)",
		         rep->version);
		goto out;
	}
	if (!u32_field(&r, &rep->guest_svn, "GUEST_SVN", why, whylen) ||
	    !u64_field(&r, &rep->policy, "POLICY", why, whylen) ||
	    !field(&r, rep->family_id, 16, "FAMILY_ID", why, whylen) ||
	    !field(&r, rep->image_id, 16, "IMAGE_ID", why, whylen) ||
	    !u32_field(&r, &rep->vmpl, "VMPL", why, whylen) ||
	    !u32_field(&r, &rep->signature_algo, "SIGNATURE_ALGO", why,
	               whylen) ||
	    !u64_field(&r, &rep->current_tcb, "CURRENT_TCB", why, whylen) ||
	    !u64_field(&r, &rep->platform_info, "PLATFORM_INFO", why, whylen) ||
	    !u32_field(&r, &rep->flags, "SIGNING_KEY/flags", why, whylen) ||
	    !skip_field(&r, 4, "reserved 0x04C", why, whylen) ||
	    !field(&r, rep->report_data, 64, "REPORT_DATA", why, whylen) ||
	    !field(&r, rep->measurement, 48, "MEASUREMENT", why, whylen) ||
	    !field(&r, rep->host_data, 32, "HOST_DATA", why, whylen) ||
	    !field(&r, rep->id_key_digest, 48, "ID_KEY_DIGEST", why, whylen) ||
	    !field(&r, rep->author_key_digest, 48, "AUTHOR_KEY_DIGEST", why,
	           whylen) ||
	    !field(&r, rep->report_id, 32, "REPORT_ID", why, whylen) ||
	    !field(&r, rep->report_id_ma, 32, "REPORT_ID_MA", why, whylen) ||
	    !u64_field(&r, &rep->reported_tcb, "REPORTED_TCB", why, whylen) ||
	    !field(&r, b, 3, "CPUID_FAM/MOD/STEP", why, whylen) ||
	    !skip_field(&r, 21, "reserved 0x18B", why, whylen))
		goto out;
	if (rep->version >= 3) {
		rep->cpuid_fam = b[0];
		rep->cpuid_mod = b[1];
		rep->cpuid_step = b[2];
	}
	if (!field(&r, rep->chip_id, 64, "CHIP_ID", why, whylen) ||
	    !u64_field(&r, &rep->committed_tcb, "COMMITTED_TCB", why, whylen) ||
	    !field(&r, b, 4, "CURRENT_BUILD/MINOR/MAJOR", why, whylen))
		goto out;
	rep->current_build = b[0];
	rep->current_minor = b[1];
	rep->current_major = b[2];
	if (!field(&r, b, 4, "COMMITTED_BUILD/MINOR/MAJOR", why, whylen))
		goto out;
	rep->committed_build = b[0];
	rep->committed_minor = b[1];
	rep->committed_major = b[2];
	if (!u64_field(&r, &rep->launch_tcb, "LAUNCH_TCB", why, whylen))
		goto out;
	if (rep->version >= 5) {
		if (!u64_field(&r, &rep->launch_mit_vector, "LAUNCH_MIT_VECTOR",
		               why, whylen) ||
		    !u64_field(&r, &rep->current_mit_vector,
		               "CURRENT_MIT_VECTOR", why, whylen) ||
		    !skip_field(&r, 0x98, "reserved 0x208", why, whylen))
			goto out;
	} else if (!skip_field(&r, 0xA8, "reserved 0x1F8", why, whylen))
		goto out;
	if (reader_offset(&r) != SNP_REPORT_SIGNED_LEN) {
		snprintf(why, whylen, "layout: signed part ends at 0x%zx",
		         reader_offset(&r));
		goto out;
	}
	if (!reader_sub(&r, SNP_REPORT_LEN - SNP_REPORT_SIGNED_LEN, &sig)) {
		snprintf(why, whylen,
		         "SIGNATURE: truncated, %zu of 0x200 bytes present",
		         reader_remaining(&r));
		goto out;
	}
	if (!field(&sig, rep->sig_r, SNP_SIG_COMPONENT_LEN, "SIGNATURE.R", why,
	           whylen) ||
	    !field(&sig, rep->sig_s, SNP_SIG_COMPONENT_LEN, "SIGNATURE.S", why,
	           whylen))
		goto out;
	/* The reserved tail of the signature is outside the signed bytes:
	 * insisting on zeros keeps one report from having many encodings. */
	if (!reader_rest_is_zero(&sig)) {
		snprintf(why, whylen,
		         "SIGNATURE reserved bytes 0x330..0x49F: must be zero");
		goto out;
	}
	if (rep->signature_algo != SNP_SIG_ALGO_ECDSA_P384_SHA384) {
		snprintf(why, whylen,
		         "SIGNATURE_ALGO: want 1 (ECDSA P-384 with SHA-384), "
		         "have %u",
		         rep->signature_algo);
		goto out;
	}
	if (rep->vmpl > 3) {
		snprintf(why, whylen, "VMPL: want 0..3, have %u", rep->vmpl);
		goto out;
	}
	if ((rep->policy & SNP_POLICY_RESERVED_ONE) == 0) {
		snprintf(why, whylen, "POLICY bit 17: reserved, must be 1");
		goto out;
	}
	ok = true;
out:
	return ok;
}

unsigned
snp_report_signing_key(const struct snp_report *rep)
{
	return (rep->flags >> 2) & 7;
}

enum snp_product
snp_report_product(const struct snp_report *rep)
{
	if (rep->version < 3)
		return SNP_PRODUCT_UNKNOWN;
	/* AMD processor families: 19h models 00h-0Fh Milan, 10h-1Fh Genoa,
	 * A0h-AFh Bergamo/Siena (Genoa keys); 1Ah models 00h-1Fh Turin. */
	if (rep->cpuid_fam == 0x19) {
		if (rep->cpuid_mod <= 0x0F)
			return SNP_PRODUCT_MILAN;
		if (rep->cpuid_mod <= 0x1F ||
		    (rep->cpuid_mod >= 0xA0 && rep->cpuid_mod <= 0xAF))
			return SNP_PRODUCT_GENOA;
	}
	if (rep->cpuid_fam == 0x1A && rep->cpuid_mod <= 0x1F)
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

const char *
snp_product_name(enum snp_product p)
{
	switch (p) {
	case SNP_PRODUCT_MILAN:
		return "Milan";
	case SNP_PRODUCT_GENOA:
		return "Genoa";
	case SNP_PRODUCT_TURIN:
		return "Turin";
	default:
		return "";
	}
}

void
snp_tcb_decode(uint64_t raw, enum snp_product p, struct snp_tcb *out)
{
	memset(out, 0, sizeof(*out));
	out->raw = raw;
	out->microcode = (uint8_t)(raw >> 56);
	if (p == SNP_PRODUCT_TURIN) {
		out->has_fmc = true;
		out->fmc = (uint8_t)raw;
		out->bl = (uint8_t)(raw >> 8);
		out->tee = (uint8_t)(raw >> 16);
		out->snp = (uint8_t)(raw >> 24);
	} else {
		out->bl = (uint8_t)raw;
		out->tee = (uint8_t)(raw >> 8);
		out->snp = (uint8_t)(raw >> 48);
	}
}

static json_t *
raw_hex(uint64_t raw)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)raw);
	return json_string(hex);
}

json_t *
snp_tcb_json(const struct snp_tcb *t)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "bl", json_integer(t->bl));
	json_object_set_new(o, "tee", json_integer(t->tee));
	json_object_set_new(o, "snp", json_integer(t->snp));
	json_object_set_new(o, "microcode", json_integer(t->microcode));
	if (t->has_fmc)
		json_object_set_new(o, "fmc", json_integer(t->fmc));
	json_object_set_new(o, "raw", raw_hex(t->raw));
	return o;
}

json_t *
snp_policy_bits_json(uint64_t policy)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "abi_minor", json_integer(policy & 0xff));
	json_object_set_new(o, "abi_major", json_integer((policy >> 8) & 0xff));
	json_object_set_new(o, "smt", json_boolean(policy & SNP_POLICY_SMT));
	json_object_set_new(o, "migrate_ma",
	                    json_boolean(policy & SNP_POLICY_MIGRATE_MA));
	json_object_set_new(o, "debug",
	                    json_boolean(policy & SNP_POLICY_DEBUG));
	json_object_set_new(o, "single_socket",
	                    json_boolean(policy & SNP_POLICY_SINGLE_SOCKET));
	json_object_set_new(o, "cxl_allow",
	                    json_boolean(policy & SNP_POLICY_CXL_ALLOW));
	json_object_set_new(o, "mem_aes_256_xts",
	                    json_boolean(policy & SNP_POLICY_MEM_AES_256_XTS));
	json_object_set_new(o, "rapl_dis",
	                    json_boolean(policy & SNP_POLICY_RAPL_DIS));
	json_object_set_new(
	        o, "ciphertext_hiding",
	        json_boolean(policy & SNP_POLICY_CIPHERTEXT_HIDING));
	json_object_set_new(
	        o, "page_swap_disable",
	        json_boolean(policy & SNP_POLICY_PAGE_SWAP_DISABLE));
	json_object_set_new(o, "raw", raw_hex(policy));
	return o;
}

json_t *
snp_platform_info_json(uint64_t info)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	/* ABI spec, "PLATFORM_INFO Field". */
	json_object_set_new(o, "smt_en", json_boolean(info & 1));
	json_object_set_new(o, "tsme_en", json_boolean(info & 2));
	json_object_set_new(o, "ecc_en", json_boolean(info & 4));
	json_object_set_new(o, "rapl_dis", json_boolean(info & 8));
	json_object_set_new(o, "ciphertext_hiding_en", json_boolean(info & 16));
	json_object_set_new(o, "alias_check_complete", json_boolean(info & 32));
	json_object_set_new(o, "raw", raw_hex(info));
	return o;
}

bool
snp_vcek_key(enum snp_product p, const char *hwid, uint64_t reported_tcb,
             char *out, size_t n)
{
	struct snp_tcb t;
	int k;

	snp_tcb_decode(reported_tcb, p, &t);
	if (t.has_fmc)
		k = snprintf(out, n, "%s/%s/%d.%d.%d.%d.%d",
		             snp_product_name(p), hwid, t.bl, t.tee, t.snp,
		             t.microcode, t.fmc);
	else
		k = snprintf(out, n, "%s/%s/%d.%d.%d.%d", snp_product_name(p),
		             hwid, t.bl, t.tee, t.snp, t.microcode);
	return k > 0 && (size_t)k < n;
}

bool
snp_report_vcek_key(const struct snp_report *rep, enum snp_product p, char *out,
                    size_t n)
{
	char hwid[129];

	codec_hex_encode_to(rep->chip_id, p == SNP_PRODUCT_TURIN ? 8 : 64,
	                    hwid);
	return snp_vcek_key(p, hwid, rep->reported_tcb, out, n);
}
