#include <stdio.h>
#include <string.h>

#include "verify/intel/dcap_quote.h"
#include "verify/core/reader.h"

#define FAIL(code, ...)                                                        \
	do {                                                                   \
		snprintf(why, whylen, __VA_ARGS__);                            \
		rc = (code);                                                   \
		goto out;                                                      \
	} while (0)

static const uint8_t intel_qe_vendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c,
                                            0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3,
                                            0x95, 0x7f, 0x06, 0x07};

bool
dcap_quote_detect(const uint8_t *buf, size_t len, uint32_t tee_type)
{
	struct reader r;
	uint16_t version, key;
	uint32_t tee;

	reader_init(&r, buf, len);
	if (!reader_u16le(&r, &version) || !reader_u16le(&r, &key) ||
	    !reader_u32le(&r, &tee))
		return false;
	/* The first 8 bytes decide; a truncated quote is then refused by the
	 * parser with the field it lacks. */
	return version >= 3 && version <= 5 && key == DCAP_ATT_KEY_ECDSA_P256 &&
	       tee == tee_type;
}

/* SGX REPORTBODY (Intel SDM Vol. 3D, 38.15 "REPORT"; DCAP A.4.3). */
static bool
parse_sgx_report(struct reader *r, struct dcap_sgx_report *s)
{
	struct reader b;

	if (!reader_sub(r, DCAP_SGX_REPORT_LEN, &b))
		return false;
	s->raw = b.buf + b.off;
	return reader_bytes(&b, 16, &s->cpu_svn) &&
	       reader_u32le(&b, &s->misc_select) && reader_skip(&b, 28) &&
	       reader_bytes(&b, 16, &s->attributes) &&
	       reader_bytes(&b, 32, &s->mr_enclave) && reader_skip(&b, 32) &&
	       reader_bytes(&b, 32, &s->mr_signer) && reader_skip(&b, 96) &&
	       reader_u16le(&b, &s->isv_prod_id) &&
	       reader_u16le(&b, &s->isv_svn) && reader_skip(&b, 60) &&
	       reader_bytes(&b, 64, &s->report_data) &&
	       reader_remaining(&b) == 0;
}

/* TDX TD report body (TDX DCAP Quoting Library API, A.3.4 / A.3.5). */
static bool
parse_td_report(struct reader *r, struct dcap_td_report *t, bool td15)
{
	struct reader b;
	bool ok;

	if (!reader_sub(r, td15 ? DCAP_TD15_REPORT_LEN : DCAP_TD10_REPORT_LEN,
	                &b))
		return false;
	t->td15 = td15;
	ok = reader_bytes(&b, 16, &t->tee_tcb_svn) &&
	     reader_bytes(&b, 48, &t->mr_seam) &&
	     reader_bytes(&b, 48, &t->mr_signer_seam) &&
	     reader_bytes(&b, 8, &t->seam_attributes) &&
	     reader_bytes(&b, 8, &t->td_attributes) &&
	     reader_bytes(&b, 8, &t->xfam) && reader_bytes(&b, 48, &t->mr_td) &&
	     reader_bytes(&b, 48, &t->mr_config_id) &&
	     reader_bytes(&b, 48, &t->mr_owner) &&
	     reader_bytes(&b, 48, &t->mr_owner_config);
	for (int i = 0; ok && i < 4; i++)
		ok = reader_bytes(&b, 48, &t->rtmr[i]);
	ok = ok && reader_bytes(&b, 64, &t->report_data);
	if (ok && td15)
		ok = reader_bytes(&b, 16, &t->tee_tcb_svn2) &&
		     reader_bytes(&b, 48, &t->mr_service_td);
	return ok && reader_remaining(&b) == 0;
}

/*
 * QE certification data (A.4.1 / A.3.8): QE report, its signature, the QE
 * authentication data and the inner certification data.
 */
static enum tp_err
parse_qe_cert_data(struct reader *r, struct dcap_quote *q, char *why,
                   size_t whylen)
{
	enum tp_err rc = TP_ERR_none;
	uint16_t auth_len;
	uint32_t cert_len;

	if (!parse_sgx_report(r, &q->qe_report))
		FAIL(TP_ERR_quote_parse_error,
		     "qe_report: truncated (%zu bytes remain, want %d)",
		     reader_remaining(r), DCAP_SGX_REPORT_LEN);
	if (!reader_bytes(r, 64, &q->qe_report_sig))
		FAIL(TP_ERR_quote_parse_error,
		     "qe_report_signature: truncated (want 64 bytes)");
	if (!reader_u16le(r, &auth_len))
		FAIL(TP_ERR_quote_parse_error, "qe_auth_data.size: truncated");
	if (!reader_bytes(r, auth_len, &q->qe_auth))
		FAIL(TP_ERR_quote_parse_error,
		     "qe_auth_data: declares %u bytes, %zu remain", auth_len,
		     reader_remaining(r));
	q->qe_auth_len = auth_len;
	if (!reader_u16le(r, &q->cert_type) || !reader_u32le(r, &cert_len))
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data header: truncated");
	if (!reader_bytes(r, cert_len, &q->cert_data))
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data: declares %u bytes, %zu remain",
		     cert_len, reader_remaining(r));
	q->cert_len = cert_len;
	if (reader_remaining(r) != 0)
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data: %zu unaccounted bytes inside the "
		     "enclosing length",
		     reader_remaining(r));
out:
	return rc;
}

enum tp_err
dcap_quote_parse(const uint8_t *buf, size_t len, struct dcap_quote *q,
                 char *why, size_t whylen)
{
	enum tp_err rc = TP_ERR_none;
	struct reader r, sig, inner;
	struct dcap_header *h = &q->hdr;
	uint32_t sig_len, body_size = 0, outer_len;
	uint16_t outer_type;
	bool tdx;

	memset(q, 0, sizeof(*q));
	snprintf(why, whylen, "ok");
	reader_init(&r, buf, len);
	if (!reader_u16le(&r, &h->version) ||
	    !reader_u16le(&r, &h->att_key_type) ||
	    !reader_u32le(&r, &h->tee_type) || !reader_u16le(&r, &h->qe_svn) ||
	    !reader_u16le(&r, &h->pce_svn) ||
	    !reader_bytes(&r, 16, &h->qe_vendor_id) ||
	    !reader_bytes(&r, 20, &h->user_data))
		FAIL(TP_ERR_quote_parse_error,
		     "header: truncated (%zu bytes, want %d)", len,
		     DCAP_HEADER_LEN);
	if (h->version < 3 || h->version > 5)
		FAIL(TP_ERR_quote_version_unsupported,
		     "header.version: want 3, 4 or 5, have %u", h->version);
	if (h->att_key_type != DCAP_ATT_KEY_ECDSA_P256)
		FAIL(TP_ERR_quote_version_unsupported,
		     "header.att_key_type: want 2 (ECDSA-256-with-P-256), "
		     "have %u",
		     h->att_key_type);
	if (h->tee_type != DCAP_TEE_SGX && h->tee_type != DCAP_TEE_TDX)
		FAIL(TP_ERR_quote_parse_error,
		     "header.tee_type: want 0x0 (SGX) or 0x81 (TDX), have "
		     "0x%x",
		     h->tee_type);
	if (h->version == 3 && h->tee_type != DCAP_TEE_SGX)
		FAIL(TP_ERR_quote_parse_error,
		     "header.tee_type: a v3 quote is SGX only, have 0x%x",
		     h->tee_type);
	/* Only quotes of the Intel QE are verifiable to Intel's root. */
	if (memcmp(h->qe_vendor_id, intel_qe_vendor, 16) != 0)
		FAIL(TP_ERR_quote_parse_error,
		     "header.qe_vendor_id: want the Intel QE "
		     "939a7233f79c4ca9940a0db3957f0607");
	tdx = h->tee_type == DCAP_TEE_TDX;
	if (h->version == 5) {
		/* v5 body descriptor: type (u16) and size (u32), A.3.2. */
		if (!reader_u16le(&r, &q->body_type) ||
		    !reader_u32le(&r, &body_size))
			FAIL(TP_ERR_quote_parse_error,
			     "body_descriptor: truncated");
		if ((q->body_type == 1 && (tdx || body_size != 384)) ||
		    (q->body_type == 2 && (!tdx || body_size != 584)) ||
		    (q->body_type == 3 && (!tdx || body_size != 648)) ||
		    q->body_type < 1 || q->body_type > 3)
			FAIL(TP_ERR_quote_parse_error,
			     "body_descriptor: type %u with size %u does not "
			     "fit tee_type 0x%x (want 1/384 SGX, 2/584 TD 1.0, "
			     "3/648 TD 1.5)",
			     q->body_type, body_size, h->tee_type);
	} else {
		q->body_type = tdx ? 2 : 1;
	}
	if (tdx) {
		if (!parse_td_report(&r, &q->td, q->body_type == 3))
			FAIL(TP_ERR_quote_parse_error,
			     "td_report: truncated (%zu bytes remain)",
			     reader_remaining(&r));
	} else if (!parse_sgx_report(&r, &q->sgx)) {
		FAIL(TP_ERR_quote_parse_error,
		     "enclave_report: truncated (%zu bytes remain, want %d)",
		     reader_remaining(&r), DCAP_SGX_REPORT_LEN);
	}
	q->signed_data = buf;
	q->signed_len = reader_offset(&r);
	if (!reader_u32le(&r, &sig_len))
		FAIL(TP_ERR_quote_parse_error,
		     "signature_data_len: truncated at offset %zu",
		     reader_offset(&r));
	/* Parsing is bounded by the declared signature-data length. */
	if (!reader_sub(&r, sig_len, &sig))
		FAIL(TP_ERR_quote_parse_error,
		     "signature_data_len: declares %u bytes, %zu remain",
		     sig_len, reader_remaining(&r));
	q->trailing = reader_remaining(&r);
	q->trailing_nonzero = !reader_rest_is_zero(&r);
	if (!reader_bytes(&sig, 64, &q->signature) ||
	    !reader_bytes(&sig, 64, &q->att_key))
		FAIL(TP_ERR_quote_parse_error,
		     "signature_data: truncated before the attestation key");
	if (h->version == 3) {
		rc = parse_qe_cert_data(&sig, q, why, whylen);
		goto out;
	}
	/* v4/v5: certification data type 6 wraps the QE report (A.3.9). */
	if (!reader_u16le(&sig, &outer_type) || !reader_u32le(&sig, &outer_len))
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data header: truncated");
	if (outer_type != DCAP_CERT_QE_REPORT)
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data.type: want 6 (QE report "
		     "certification data), have %u",
		     outer_type);
	if (!reader_sub(&sig, outer_len, &inner))
		FAIL(TP_ERR_quote_parse_error,
		     "certification_data.size: declares %u bytes, %zu remain",
		     outer_len, reader_remaining(&sig));
	if (reader_remaining(&sig) != 0)
		FAIL(TP_ERR_quote_parse_error,
		     "signature_data: %zu bytes after the certification data",
		     reader_remaining(&sig));
	rc = parse_qe_cert_data(&inner, q, why, whylen);
out:
	return rc;
}
