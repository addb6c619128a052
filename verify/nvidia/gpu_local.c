/* Local verification of one NVIDIA GPU's SPDM evidence: device chain to
 * the pinned NVIDIA Device Identity CA, the ECDSA P-384 signature, the
 * leaf FWID against the opaque data, and the claims. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "verify/core/ecdsa.h"
#include "verify/nvidia/gpu.h"
#include "verify/nvidia/gpu_chain_cache.h"
#include "verify/nvidia/gpu_ocsp.h"
#include "verify/core/reader.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/nvidia/spdm.h"
#include "verify/core/x509.h"

#define GPU_MAX_CHAIN 8
#define FWID_LEN      48

/* DER of OBJECT IDENTIFIER 2.16.840.1.101.3.4.2.2 (SHA-384). */
static const uint8_t oid_sha384[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02};

/* One DER TLV (X.690 8.1): low tag numbers and lengths up to 65535 only,
 * which is all a certificate extension of this size can need. */
static bool
der_next(struct reader *r, uint8_t *tag, struct reader *body, size_t *hdr_at)
{
	uint8_t l0, l1;
	uint16_t l2;
	size_t len;

	*hdr_at = reader_offset(r);
	if (!reader_u8(r, tag) || (*tag & 0x1F) == 0x1F || !reader_u8(r, &l0))
		return false;
	if (l0 < 0x80)
		len = l0;
	else if (l0 == 0x81 && reader_u8(r, &l1) && l1 >= 0x80)
		len = l1;
	else if (l0 == 0x82 && reader_u16be(r, &l2) && l2 >= 0x100)
		len = l2;
	else
		return false;
	return reader_sub(r, len, body);
}

/*
 * Finds FWID ::= SEQUENCE { hashAlg OID sha384, digest OCTET STRING (48) }
 * anywhere inside the value of extension 2.23.133.5.4.1 (TCG DICE
 * TcbInfo; NVIDIA GH100 puts a SEQUENCE { INTEGER, SPKI, FWID } there).
 * Returns 1 found, 0 not found, -1 malformed or ambiguous.
 */
static int
der_find_fwid(struct reader *r, int depth, const uint8_t **fwid)
{
	int found = 0;

	if (depth > 6)
		return -1;
	while (reader_remaining(r) > 0) {
		struct reader body, probe;
		const uint8_t *oid, *dig;
		size_t at;
		uint8_t tag, t2;
		int sub;

		if (!der_next(r, &tag, &body, &at))
			return -1;
		if ((tag & 0x20) == 0)
			continue; /* primitive */
		probe = body;
		if (tag == 0x30 &&
		    reader_bytes(&probe, sizeof(oid_sha384), &oid) &&
		    memcmp(oid, oid_sha384, sizeof(oid_sha384)) == 0 &&
		    reader_u8(&probe, &t2) && t2 == 0x04 &&
		    reader_u8(&probe, &t2) && t2 == FWID_LEN &&
		    reader_bytes(&probe, FWID_LEN, &dig) &&
		    reader_remaining(&probe) == 0) {
			if (found && CRYPTO_memcmp(*fwid, dig, FWID_LEN) != 0)
				return -1;
			*fwid = dig;
			found = 1;
			continue;
		}
		sub = der_find_fwid(&body, depth + 1, fwid);
		if (sub < 0)
			return -1;
		if (sub > 0)
			found = 1;
	}
	return found;
}

/*
 * Blackwell (GB100) leaves: the extension 2.23.133.5.4.1.1 holds a TCG
 * DICE TcbInfo (DICE Attestation Architecture: SEQUENCE of context-tagged
 * fields, [6] fwids = SEQUENCE OF FWID); the first FWID is the one the
 * firmware reports (NVIDIA's attestation SDK compares that one; the
 * second is all zeros in GB100 evidence). Every field is walked strictly;
 * the first FWID must be SHA-384 of 48 bytes. 1 found, 0 no fwids, -1
 * malformed.
 */
static int
dice_tcbinfo_first_fwid(struct reader *r, const uint8_t **fwid)
{
	struct reader seq, f, list, one, probe;
	const uint8_t *oid, *dig;
	uint8_t tag, t2;
	size_t at;
	bool have = false;

	if (!der_next(r, &tag, &seq, &at) || tag != 0x30 ||
	    reader_remaining(r) != 0)
		return -1;
	while (reader_remaining(&seq) > 0) {
		if (!der_next(&seq, &tag, &f, &at))
			return -1;
		if (tag != 0xa6)
			continue; /* vendor, model, version, svn, ... */
		if (have)
			return -1; /* two fwids fields */
		have = true;
		list = f;
		if (reader_remaining(&list) == 0)
			return -1;
		for (int i = 0; reader_remaining(&list) > 0; i++) {
			if (!der_next(&list, &tag, &one, &at) || tag != 0x30)
				return -1;
			probe = one;
			/* FWID ::= SEQUENCE { hashAlg OID, digest OCTET
			 * STRING }: every entry well-formed. */
			if (!der_next(&probe, &tag, &f, &at) || tag != 0x06 ||
			    !der_next(&probe, &tag, &f, &at) || tag != 0x04 ||
			    reader_remaining(&probe) != 0)
				return -1;
			if (i > 0)
				continue;
			probe = one;
			if (!reader_bytes(&probe, sizeof(oid_sha384), &oid) ||
			    memcmp(oid, oid_sha384, sizeof(oid_sha384)) != 0 ||
			    !reader_u8(&probe, &t2) || t2 != 0x04 ||
			    !reader_u8(&probe, &t2) || t2 != FWID_LEN ||
			    !reader_bytes(&probe, FWID_LEN, &dig))
				return -1;
			*fwid = dig;
		}
	}
	return have ? 1 : 0;
}

/* The value of LEAF's only extension OID (NULL if absent; *TWICE when it
 * appears more than once). */
static const ASN1_OCTET_STRING *
ext_value(X509 *leaf, const char *oid, bool *twice)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int idx;

	*twice = false;
	if (obj == NULL)
		return NULL;
	idx = X509_get_ext_by_OBJ(leaf, obj, -1);
	if (idx >= 0 && X509_get_ext_by_OBJ(leaf, obj, idx) >= 0)
		*twice = true;
	ASN1_OBJECT_free(obj);
	return idx < 0 ? NULL
	               : X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
}

int
gpu_leaf_fwid(X509 *leaf, uint8_t out[48])
{
	const ASN1_OCTET_STRING *hopper, *blackwell;
	const uint8_t *fwid = NULL;
	bool twice_h, twice_b;
	struct reader r;
	int rc;

	hopper = ext_value(leaf, "2.23.133.5.4.1", &twice_h);
	blackwell = ext_value(leaf, "2.23.133.5.4.1.1", &twice_b);
	if (twice_h || twice_b || (hopper != NULL && blackwell != NULL))
		return -1; /* two TcbInfo extensions */
	if (hopper == NULL && blackwell == NULL)
		return 0;
	if (hopper != NULL) {
		reader_init(&r, ASN1_STRING_get0_data(hopper),
		            (size_t)ASN1_STRING_length(hopper));
		rc = der_find_fwid(&r, 0, &fwid);
	} else {
		reader_init(&r, ASN1_STRING_get0_data(blackwell),
		            (size_t)ASN1_STRING_length(blackwell));
		rc = dice_tcbinfo_first_fwid(&r, &fwid);
	}
	if (rc > 0)
		memcpy(out, fwid, FWID_LEN);
	return rc;
}

static bool
is_p384(EVP_PKEY *k)
{
	char name[32];
	size_t n = 0;

	return k != NULL && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	       EVP_PKEY_get_group_name(k, name, sizeof(name), &n) == 1 &&
	       strcmp(name, "secp384r1") == 0;
}

static void
check_name(char *out, size_t len, const char *prefix, const char *check)
{
	snprintf(out, len, "%s%s", prefix, check);
}

/* An NVSwitch's attestation leaf ("LS_10 A01 FSP FMC LF"): NVIDIA's
 * third-generation NVSwitch, attested like a GPU (SPDM, the same Device
 * Identity CA) by its FSP. */
static bool
is_nvswitch_leaf(X509 *leaf)
{
	char cn[128] = "";

	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName,
	                          cn, sizeof(cn));
	return strncmp(cn, "LS_10 ", 6) == 0;
}

/* "Hopper" for GH100 parts, from the leaf's CN ("GH100 A01 GSP FMC LF");
 * "LS10" for an NVSwitch, whose model is named as its RIMs name it. */
static void
claim_arch(X509 *leaf, json_t *claims)
{
	char cn[128] = "";
	const char *arch = "unknown";

	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName,
	                          cn, sizeof(cn));
	if (is_nvswitch_leaf(leaf)) {
		json_object_set_new(claims, "device_kind",
		                    json_string("nvswitch"));
		json_object_set_new(claims, "gpu_arch", json_string("LS10"));
		json_object_set_new(claims, "gpu_model", json_string("LS10"));
		return;
	}
	if (strncmp(cn, "GH100 ", 6) == 0)
		arch = "Hopper";
	else if (strncmp(cn, "GB10", 4) == 0 || strncmp(cn, "GB20", 4) == 0)
		arch = "Blackwell";
	json_object_set_new(claims, "gpu_arch", json_string(arch));
	if (strchr(cn, ' ') != NULL && strchr(cn, ' ') - cn < 16)
		json_object_set_new(
		        claims, "gpu_model",
		        json_stringn(cn, (size_t)(strchr(cn, ' ') - cn)));
}

static void
set_hex(json_t *o, const char *k, const uint8_t *b, size_t n)
{
	char *h = codec_hex_encode(b, n);

	if (h != NULL)
		json_object_set_new(o, k, json_string(h));
	free(h);
}

static void
set_tlv_str(json_t *o, const char *k, const struct spdm_tlv *t)
{
	char s[128];

	if (spdm_tlv_string(t, s, sizeof(s)))
		json_object_set_new(o, k, json_string(s));
}

static void
set_tlv_hex(json_t *o, const char *k, const struct spdm_tlv *t)
{
	if (t->present)
		set_hex(o, k, t->value, t->len);
}

/* Claims from the verified evidence; trustee's claim names where it has
 * them (deps/verifier/src/nvidia), so its claims file can be matched. */
/*
 * device_id: the serialNumber of the leaf's issuer, the GPU's own
 * per-device certificate (GH100/GB100 "GSP BROM", whose subject
 * serialNumber names the device), else the leaf's serial (hex): what
 * tells two GPUs of one request apart (gpu_duplicate_device).
 */
static void
claim_device_id(X509 *leaf, json_t *claims)
{
	X509_NAME *iss = X509_get_issuer_name(leaf);
	int idx = X509_NAME_get_index_by_NID(iss, NID_serialNumber, -1);
	const ASN1_STRING *sn;
	BIGNUM *bn;
	char *hex;

	if (idx >= 0 &&
	    (sn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(iss, idx))) !=
	            NULL &&
	    ASN1_STRING_length(sn) > 0 && ASN1_STRING_length(sn) <= 64) {
		char buf[65];
		int n = ASN1_STRING_length(sn);
		const unsigned char *p = ASN1_STRING_get0_data(sn);

		for (int i = 0; i < n; i++)
			buf[i] = (p[i] >= 0x21 && p[i] <= 0x7e) ? (char)p[i]
			                                        : '?';
		buf[n] = '\0';
		json_object_set_new(claims, "device_id", json_string(buf));
		return;
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
	hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	if (hex != NULL)
		json_object_set_new(claims, "device_id", json_string(hex));
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
add_claims(const struct spdm_measurements *m, X509 *leaf, json_t *claims)
{
	json_t *meas = json_object(), *counts = NULL;
	char vbios[16], key[24];
	const struct spdm_tlv *t;

	claim_arch(leaf, claims);
	claim_device_id(leaf, claims);
	snprintf(key, sizeof(key), "%u.%u", m->version >> 4, m->version & 0xF);
	json_object_set_new(claims, "spdm_version", json_string(key));
	set_hex(claims, "nonce", m->requester_nonce, SPDM_NONCE_LEN);
	set_hex(claims, "responder_nonce", m->responder_nonce, SPDM_NONCE_LEN);
	for (unsigned i = 0; i < m->n_blocks; i++) {
		char *h = codec_hex_encode(m->blocks[i].value,
		                           m->blocks[i].value_len);
		if (h == NULL)
			continue;
		snprintf(key, sizeof(key), "%u", m->blocks[i].index);
		json_object_set_new(meas, key, json_string(h));
		/* Flat names for expected.runtime: measurement_<index>. */
		snprintf(key, sizeof(key), "measurement_%u",
		         m->blocks[i].index);
		json_object_set_new(claims, key, json_string(h));
		free(h);
	}
	json_object_set_new(claims, "measurements", meas);
	json_object_set_new(claims, "measurement_block_count",
	                    json_integer(m->n_blocks));
	set_tlv_str(claims, "driver_version",
	            &m->tlv[NV_OPAQUE_DRIVER_VERSION]);
	if (spdm_vbios_version(&m->tlv[NV_OPAQUE_VBIOS_VERSION], vbios))
		json_object_set_new(claims, "vbios_version",
		                    json_string(vbios));
	set_tlv_str(claims, "project", &m->tlv[NV_OPAQUE_PROJECT]);
	set_tlv_str(claims, "project_sku", &m->tlv[NV_OPAQUE_PROJECT_SKU]);
	set_tlv_hex(claims, "project_sku_mod",
	            &m->tlv[NV_OPAQUE_PROJECT_SKU_MOD]);
	set_tlv_str(claims, "chip_sku", &m->tlv[NV_OPAQUE_CHIP_SKU]);
	set_tlv_str(claims, "chip_sku_mod", &m->tlv[NV_OPAQUE_CHIP_SKU_MOD]);
	set_tlv_hex(claims, "board_id", &m->tlv[NV_OPAQUE_BOARD_ID]);
	set_tlv_hex(claims, "cpr_info", &m->tlv[NV_OPAQUE_CPRINFO]);
	set_tlv_hex(claims, "gpu_info", &m->tlv[NV_OPAQUE_GPU_INFO]);
	set_tlv_str(claims, "nvdec0_status", &m->tlv[NV_OPAQUE_NVDEC0_STATUS]);
	set_tlv_str(claims, "protected_pcie_status",
	            &m->tlv[NV_OPAQUE_PROTECTED_PCIE_STATUS]);
	set_tlv_hex(claims, "fwid", &m->tlv[NV_OPAQUE_FWID]);
	/* NVSwitch: its PDI, its position and lock state, the disabled
	 * ports (a bitmask, a bit per 4 ports), and in SWITCH_GPU_PDIS the
	 * PDIs of the 8 GPUs it links (8 bytes each) then, per port, the
	 * index of the GPU on it (0xff: none) — raw, as reported. */
	set_tlv_hex(claims, "device_pdi", &m->tlv[NV_OPAQUE_DEVICE_PDI]);
	/* A GPU's field 22 (nvtrust OPAQUE_FIELD_ID_SWITCH_PDI) is instead
	 * the PDI of the NVSwitch on each of its NVLinks, 8 bytes each,
	 * little-endian (zero: a disabled link); read so, it names the
	 * switches as their own DEVICE_PDI does (verify/nvidia/
	 * gpu_topology.h). */
	t = &m->tlv[NV_OPAQUE_DEVICE_PDI];
	if (t->present && t->len > 8 && t->len % 8 == 0 &&
	    json_object_get(claims, "device_kind") == NULL) {
		json_t *pdis = json_array();
		for (size_t i = 0; pdis != NULL && i < t->len; i += 8) {
			uint8_t be[8];
			char *h;

			for (size_t k = 0; k < 8; k++)
				be[k] = t->value[i + 7 - k];
			if ((h = codec_hex_encode(be, 8)) != NULL)
				json_array_append_new(pdis, json_string(h));
			free(h);
		}
		json_object_set_new(claims, "switch_pdis", pdis);
	}
	set_tlv_hex(claims, "disabled_ports",
	            &m->tlv[NV_OPAQUE_DISABLED_PORTS]);
	set_tlv_hex(claims, "switch_position_id",
	            &m->tlv[NV_OPAQUE_SWITCH_POSITION_ID]);
	set_tlv_hex(claims, "switch_lock_status",
	            &m->tlv[NV_OPAQUE_SWITCH_LOCK_STATUS]);
	t = &m->tlv[NV_OPAQUE_SWITCH_GPU_PDIS];
	if (t->present && t->len >= 64) {
		json_t *pdis = json_array();
		for (size_t i = 0; pdis != NULL && i < 64; i += 8) {
			char *h = codec_hex_encode(t->value + i, 8);
			if (h != NULL)
				json_array_append_new(pdis, json_string(h));
			free(h);
		}
		json_object_set_new(claims, "switch_gpu_pdis", pdis);
		if (t->len > 64)
			set_hex(claims, "switch_ports", t->value + 64,
			        t->len - 64);
	}
	/* MSRSCNT: one u32 LE per measurement index, 1-based. */
	t = &m->tlv[NV_OPAQUE_MSRSCNT];
	if (t->present && t->len % 4 == 0 && (counts = json_object()) != NULL) {
		struct reader r;
		uint32_t c;
		reader_init(&r, t->value, t->len);
		for (unsigned i = 1; reader_u32le(&r, &c); i++) {
			snprintf(key, sizeof(key), "%u", i);
			json_object_set_new(counts, key, json_integer(c));
		}
		json_object_set_new(claims, "measurement_count", counts);
	}
	if (m->trailing > 0)
		json_object_set_new(claims, "spdm_trailing_bytes",
		                    json_integer((json_int_t)m->trailing));
	/* Revocation of the device chain needs NVIDIA's OCSP responder;
	 * teepass verifies offline, so say so rather than pass it. */
	json_object_set_new(claims, "ocsp_status", json_string("unchecked"));
}

/* Number of PEM certificate blocks in the text. */
static int
pem_blocks(const uint8_t *pem, size_t len)
{
	static const char tag[] = "-----BEGIN CERTIFICATE-----";
	const uint8_t *p = pem, *end = pem + len;
	int n = 0;

	while ((p = memmem(p, (size_t)(end - p), tag, sizeof(tag) - 1)) !=
	       NULL) {
		n++;
		p += sizeof(tag) - 1;
	}
	return n;
}

static int64_t
not_before(const X509 *cert)
{
	const ASN1_TIME *t = X509_get0_notBefore(cert);
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MAX;
	return (int64_t)timegm(&tm);
}

/* Verifies the PEM device chain to the pinned CA at req->now; on success
 * *leaf_out is the leaf (the caller frees it). */
static bool
chain_check(const uint8_t *pem, size_t pemlen, const struct verify_request *req,
            struct verdict *v, const char *prefix, X509 **leaf_out)
{
	STACK_OF(X509) *chain = NULL, *untrusted = NULL;
	X509 *anchor, *leaf;
	enum tp_err code;
	char why[256], check[48];
	uint8_t key[32];
	int64_t nb, na;
	bool ok = false;
	int n;

	check_name(check, sizeof(check), prefix, "gpu_cert_chain");
	if (pem == NULL || pemlen == 0) {
		const char *bad = gpu_malformed(req->artifacts,
		                                ARTIFACT_NVIDIA_DEVICE_CHAIN);
		v->certificate_chain_valid = TP_FALSE;
		if (bad != NULL)
			verdict_fail(v, check, TP_ERR_gpu_cert_chain_malformed,
			             "device chain collateral: %s", bad);
		else
			verdict_fail(
			        v, check, TP_ERR_gpu_cert_chain_missing,
			        "no device certificate chain: give "
			        "collateral cert_chain, a cert_chain.pem in "
			        "the collateral directory, or the JSON "
			        "evidence's certificate");
		goto out;
	}
	/* A chain that verified before is valid again while the time is
	 * inside all its certificates' validity (no CRLs are involved). */
	SHA256(pem, pemlen, key);
	if ((*leaf_out = gpu_chain_cache_get(key, req->now, &na)) != NULL) {
		verdict_expires_no_later_than(v, na);
		if (v->certificate_chain_valid != TP_FALSE)
			v->certificate_chain_valid = TP_TRUE;
		verdict_pass(v, check);
		ok = true;
		goto out;
	}
	chain = x509_parse_pem_chain(pem, pemlen);
	n = chain == NULL ? 0 : sk_X509_num(chain);
	/* x509_parse_pem_chain stops at the first block that does not
	 * parse: a damaged certificate must not silently shorten the
	 * chain, so every BEGIN block has to have parsed. */
	if (n == 0 || n > GPU_MAX_CHAIN || n != pem_blocks(pem, pemlen)) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, check, TP_ERR_gpu_cert_chain_malformed,
		             "device chain: want 1..%d PEM certificates that "
		             "all parse; %d of %d parse",
		             GPU_MAX_CHAIN, n, pem_blocks(pem, pemlen));
		goto out;
	}
	leaf = sk_X509_value(chain, 0);
	if (!is_p384(X509_get0_pubkey(leaf))) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, check, TP_ERR_gpu_cert_chain_malformed,
		             "device chain: the leaf key is not ECDSA P-384");
		goto out;
	}
	if ((anchor = x509_anchor("nvidia_device_identity_ca.pem",
	                          GPU_DEVICE_CA_PIN)) == NULL) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, check, TP_ERR_certificate_chain_invalid,
		             "the pinned NVIDIA Device Identity CA is not "
		             "available in this build");
		goto out;
	}
	/* A chain that carries its own root must carry exactly the pinned
	 * one: a look-alike (same name, other key) or a corrupted copy is
	 * refused even though OpenSSL would prefer the trusted store. */
	if (n > 1 &&
	    X509_NAME_cmp(X509_get_subject_name(sk_X509_value(chain, n - 1)),
	                  X509_get_issuer_name(sk_X509_value(chain, n - 1))) ==
	            0 &&
	    X509_cmp(sk_X509_value(chain, n - 1), anchor) != 0) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(
		        v, check, TP_ERR_certificate_chain_invalid,
		        "device chain ends at a self-signed certificate "
		        "that is not the pinned NVIDIA Device Identity CA");
		goto out;
	}
	if ((untrusted = sk_X509_dup(chain)) == NULL)
		goto out;
	(void)sk_X509_shift(untrusted); /* the leaf */
	/* X509_STRICT accepts NVIDIA's device certificates as they are
	 * (checked on all three sample chains); no relaxation is needed. */
	if (!x509_chain_verify(leaf, untrusted, anchor, req->now, NULL, &code,
	                       why, sizeof(why))) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(
		        v, check, code,
		        "device chain to the NVIDIA Device Identity CA: %s",
		        why);
		goto out;
	}
	nb = not_before(anchor);
	na = x509_not_after(anchor);
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		if (not_before(x) > nb)
			nb = not_before(x);
		if (x509_not_after(x) < na)
			na = x509_not_after(x);
	}
	verdict_expires_no_later_than(v, na);
	if (v->certificate_chain_valid != TP_FALSE)
		v->certificate_chain_valid = TP_TRUE;
	verdict_pass(v, check);
	gpu_chain_cache_put(key, leaf, nb, na);
	if (X509_up_ref(leaf) != 1)
		goto out;
	*leaf_out = leaf;
	ok = true;
out:
	ERR_clear_error();
	sk_X509_free(untrusted);
	sk_X509_pop_free(chain, X509_free);
	return ok;
}

/*
 * Revocation of the device chain (already verified) by the OCSP
 * responses of req->artifacts (ARTIFACT_NVIDIA_OCSP), one per certificate
 * below the pinned root, keyed by serial number. Every certificate answered
 * "good" by an authentic, current response: check gpu_ocsp passes and
 * claim ocsp_status "passed". One revoked or one response that does not
 * verify: the check fails. Any certificate without a response (offline,
 * or the responder did not answer): "unchecked", no check recorded —
 * never "passed" without a verified response for each.
 */
static bool
ocsp_appraise(const uint8_t *pem, size_t pemlen,
              const struct verify_request *req, struct verdict *v,
              const char *prefix, json_t *claims)
{
	const char *bad = gpu_malformed(req->artifacts, ARTIFACT_NVIDIA_OCSP);
	STACK_OF(X509) *chain = NULL;
	X509 *anchor;
	char check[48], item[64], why[256];
	int n, missing = 0;
	bool ok = false;

	if (gpu_ocsp_count(req->artifacts, ARTIFACT_NVIDIA_OCSP) == 0 &&
	    bad == NULL)
		return true;
	check_name(check, sizeof(check), prefix, "gpu_ocsp");
	anchor =
	        x509_anchor("nvidia_device_identity_ca.pem", GPU_DEVICE_CA_PIN);
	chain = x509_parse_pem_chain(pem, pemlen);
	n = chain == NULL ? 0 : sk_X509_num(chain);
	if (anchor == NULL || n == 0) {
		verdict_fail(v, check, TP_ERR_gpu_ocsp_invalid,
		             "OCSP: the device chain or the pinned root is "
		             "unavailable");
		goto out;
	}
	/* A response the loader could not read (not base64, ...). */
	if (bad != NULL) {
		verdict_fail(v, check, TP_ERR_gpu_ocsp_invalid, "OCSP: %s",
		             bad);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		X509 *x = sk_X509_value(chain, i);
		X509 *issuer = i + 1 < n ? sk_X509_value(chain, i + 1) : anchor;
		const struct artifact *a;
		int64_t nu;
		enum gpu_ocsp_result r;

		if (X509_cmp(x, anchor) == 0)
			continue; /* the root is pinned, not revocable here */
		if ((a = gpu_ocsp_find(req->artifacts, ARTIFACT_NVIDIA_OCSP, x,
		                       issuer)) == NULL) {
			missing++;
			continue;
		}
		snprintf(item, sizeof(item), "%s.%d", check, i);
		verdict_collateral(v, item, a->body, a->body_len);
		r = gpu_ocsp_check(a->body, a->body_len, x, issuer, chain,
		                   anchor, req->now, req->cfg->clock_skew, &nu,
		                   why, sizeof(why));
		if (r == GPU_OCSP_REVOKED) {
			v->certificate_chain_valid = TP_FALSE;
			json_object_set_new(claims, "ocsp_status",
			                    json_string("revoked"));
			verdict_fail(v, check, TP_ERR_certificate_revoked,
			             "device chain certificate %d: %s", i, why);
			goto out;
		}
		if (r != GPU_OCSP_GOOD) {
			verdict_fail(v, check, TP_ERR_gpu_ocsp_invalid,
			             "device chain certificate %d: %s", i, why);
			goto out;
		}
		verdict_expires_no_later_than(v, nu);
	}
	if (missing == 0) {
		verdict_pass(v, check);
		json_object_set_new(claims, "ocsp_status",
		                    json_string("passed"));
	}
	ok = true;
out:
	sk_X509_pop_free(chain, X509_free);
	return ok;
}

bool
gpu_verify_spdm(const uint8_t *spdm, size_t spdmlen, const uint8_t *pem,
                size_t pemlen, const struct verify_request *req,
                struct verdict *v, const char *prefix, json_t *claims,
                const uint8_t **nonce)
{
	struct spdm_measurements *m = NULL;
	X509 *leaf = NULL;
	uint8_t fwid[FWID_LEN];
	char why[256], check[48];
	bool unsupported, ok = false;
	int rc;

	*nonce = NULL;
	check_name(check, sizeof(check), prefix, "spdm_format");
	if ((m = malloc(sizeof(*m))) == NULL) {
		verdict_fail(v, check, TP_ERR_internal_error, "out of memory");
		goto out;
	}
	if (!spdm_parse(spdm, spdmlen, m, &unsupported, why, sizeof(why))) {
		verdict_fail(v, check,
		             unsupported ? TP_ERR_spdm_unsupported
		                         : TP_ERR_spdm_parse_error,
		             "SPDM evidence: %s", why);
		goto out;
	}
	verdict_pass(v, check);
	if (pem != NULL) {
		check_name(check, sizeof(check), prefix, "gpu_cert_chain");
		verdict_collateral(v, check, pem, pemlen);
	}
	if (!chain_check(pem, pemlen, req, v, prefix, &leaf))
		goto out;

	/* DSP0274 1.1 10.11.2: the signature covers the transcript of the
	 * GET_MEASUREMENTS request and the MEASUREMENTS response up to the
	 * signature; NVIDIA signs SHA-384 of it with the FMC leaf key. */
	check_name(check, sizeof(check), prefix, "spdm_signature");
	if (!ecdsa_verify_raw(X509_get0_pubkey(leaf), EVP_sha384(), spdm,
	                      m->signed_len, m->signature, m->signature + 48,
	                      48)) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, check, TP_ERR_spdm_signature_invalid,
		             "ECDSA P-384 signature over SHA-384 of bytes "
		             "0..%zu does not verify with the leaf key",
		             m->signed_len - 1);
		goto out;
	}
	if (v->signature_valid != TP_FALSE)
		v->signature_valid = TP_TRUE;
	verdict_pass(v, check);

	/* The leaf is derived by the GSP boot ROM from the FMC it loads; its
	 * TcbInfo FWID must be the FWID the firmware reports. */
	check_name(check, sizeof(check), prefix, "gpu_fwid");
	rc = gpu_leaf_fwid(leaf, fwid);
	if (rc < 0) {
		verdict_fail(v, check, TP_ERR_gpu_cert_chain_malformed,
		             "leaf TcbInfo extension (2.23.133.5.4.1, or "
		             "2.23.133.5.4.1.1 on Blackwell) is malformed, "
		             "repeated, or holds two different SHA-384 FWIDs");
		goto out;
	}
	/* An NVSwitch report carries no FWID: NVIDIA's own verifier then
	 * compares none (attestation SDK, "FWID not found" is a match), so
	 * there is no gpu_fwid check (and no claim "fwid") for it; the
	 * report is bound to the switch by the FMC leaf's signature. A
	 * switch report that does carry one is compared. */
	if (rc > 0 && !m->tlv[NV_OPAQUE_FWID].present && is_nvswitch_leaf(leaf))
		goto fwid_done;
	if (rc == 0 || !m->tlv[NV_OPAQUE_FWID].present) {
		verdict_fail(v, check, TP_ERR_gpu_fwid_missing, "FWID: %s",
		             rc == 0 ? "the leaf has no TcbInfo "
		                       "(2.23.133.5.4.1 or 2.23.133.5.4.1.1) "
		                       "SHA-384 FWID"
		                     : "the opaque data has no FWID "
		                       "(type 20)");
		goto out;
	}
	if (m->tlv[NV_OPAQUE_FWID].len != FWID_LEN ||
	    CRYPTO_memcmp(m->tlv[NV_OPAQUE_FWID].value, fwid, FWID_LEN) != 0) {
		verdict_fail(v, check, TP_ERR_gpu_fwid_mismatch,
		             "opaque FWID (%u bytes) differs from the leaf "
		             "certificate's TcbInfo FWID",
		             m->tlv[NV_OPAQUE_FWID].len);
		goto out;
	}
	verdict_pass(v, check);
fwid_done:
	add_claims(m, leaf, claims);
	*nonce = m->requester_nonce;
	ok = ocsp_appraise(pem, pemlen, req, v, prefix, claims);
	if (artifact_set_count(req->artifacts, ARTIFACT_NVIDIA_RIM) > 0 ||
	    gpu_malformed(req->artifacts, ARTIFACT_NVIDIA_RIM) != NULL)
		ok = rim_appraise(m, claims, req, v, prefix) && ok;
out:
	X509_free(leaf);
	free(m);
	return ok;
}
