#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "verify/core/reader.h"
#include "verify/nvidia/spdm.h"

static bool
version_known(uint8_t v)
{
	/* 1.0 has no SlotIDParam in GET_MEASUREMENTS; the layout here is
	 * that of 1.1 and 1.2 (1.3 adds RequesterContext). */
	return v == 0x11 || v == 0x12;
}

bool
spdm_detect(const uint8_t *buf, size_t len)
{
	return len >= 2 &&
	       (buf[0] == 0x10 || buf[0] == 0x11 || buf[0] == 0x12) &&
	       buf[1] == SPDM_REQ_GET_MEASUREMENTS;
}

static bool
read_u24le(struct reader *r, uint32_t *v)
{
	uint8_t b[3];

	if (!reader_copy(r, b, sizeof(b)))
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	return true;
}

static bool
parse_request(struct reader *r, struct spdm_measurements *m, bool *unsup,
              char *why, size_t whylen)
{
	uint8_t code;

	if (!reader_u8(r, &m->version) || !reader_u8(r, &code) ||
	    !reader_u8(r, &m->req_param1) || !reader_u8(r, &m->req_param2)) {
		snprintf(why, whylen, "GET_MEASUREMENTS header: truncated");
		return false;
	}
	if (!version_known(m->version)) {
		*unsup = true;
		snprintf(why, whylen,
		         "GET_MEASUREMENTS.SPDMVersion: want 0x11 or 0x12, "
		         "have 0x%02x",
		         m->version);
		return false;
	}
	if (code != SPDM_REQ_GET_MEASUREMENTS) {
		*unsup = true;
		snprintf(why, whylen,
		         "request code: want 0xE0 (GET_MEASUREMENTS), have "
		         "0x%02x",
		         code);
		return false;
	}
	/* Without a signature the response proves nothing. */
	if ((m->req_param1 & 0x01) == 0) {
		*unsup = true;
		snprintf(why, whylen,
		         "GET_MEASUREMENTS.Param1: signature not requested "
		         "(bit 0 clear); unsigned measurements are refused");
		return false;
	}
	if (m->req_param2 == 0) {
		*unsup = true;
		snprintf(why, whylen,
		         "GET_MEASUREMENTS.Param2: 0 asks for the block count "
		         "only; no measurements would be attested");
		return false;
	}
	if ((m->req_param1 & 0xFE) != 0) {
		snprintf(why, whylen,
		         "GET_MEASUREMENTS.Param1: reserved bits set (0x%02x)",
		         m->req_param1);
		return false;
	}
	if (!reader_bytes(r, SPDM_NONCE_LEN, &m->requester_nonce) ||
	    !reader_u8(r, &m->slot_id)) {
		snprintf(why, whylen,
		         "GET_MEASUREMENTS: truncated in Nonce/SlotIDParam");
		return false;
	}
	if (m->slot_id > 7) {
		snprintf(why, whylen,
		         "GET_MEASUREMENTS.SlotIDParam: want 0..7, have %u",
		         m->slot_id);
		return false;
	}
	m->request_len = reader_offset(r);
	return true;
}

static bool
parse_block(struct reader *rec, struct spdm_measurements *m, unsigned i,
            char *why, size_t whylen)
{
	struct spdm_block *b = &m->blocks[i];
	uint16_t size, vsize;
	struct reader meas;

	if (!reader_u8(rec, &b->index) || !reader_u8(rec, &b->spec) ||
	    !reader_u16le(rec, &size)) {
		snprintf(why, whylen, "measurement block %u: truncated header",
		         i);
		return false;
	}
	if (!reader_sub(rec, size, &meas)) {
		snprintf(why, whylen,
		         "measurement block %u: MeasurementSize %u exceeds the "
		         "%zu bytes left in MeasurementRecord",
		         i, size, reader_remaining(rec));
		return false;
	}
	if (b->spec != 0x01) {
		snprintf(why, whylen,
		         "measurement block %u: MeasurementSpecification want "
		         "0x01 (DMTF), have 0x%02x",
		         i, b->spec);
		return false;
	}
	if (b->index == 0 || b->index == 0xFF) {
		snprintf(why, whylen,
		         "measurement block %u: Index %u is reserved", i,
		         b->index);
		return false;
	}
	for (unsigned j = 0; j < i; j++) {
		if (m->blocks[j].index == b->index) {
			snprintf(why, whylen,
			         "measurement block %u: Index %u repeated", i,
			         b->index);
			return false;
		}
	}
	if (!reader_u8(&meas, &b->value_type) || !reader_u16le(&meas, &vsize) ||
	    !reader_bytes(&meas, vsize, &b->value) ||
	    reader_remaining(&meas) != 0) {
		snprintf(why, whylen,
		         "measurement block %u: DMTF value size does not equal "
		         "MeasurementSize - 3 (%u)",
		         i, size);
		return false;
	}
	b->value_len = vsize;
	return true;
}

static bool
parse_opaque(struct spdm_measurements *m, char *why, size_t whylen)
{
	struct reader r;
	uint16_t type, len;
	const uint8_t *val;

	reader_init(&r, m->opaque, m->opaque_len);
	while (reader_remaining(&r) > 0) {
		size_t at = reader_offset(&r);
		if (!reader_u16le(&r, &type) || !reader_u16le(&r, &len)) {
			snprintf(why, whylen,
			         "opaque data: truncated TLV header at offset "
			         "%zu",
			         at);
			return false;
		}
		if (!reader_bytes(&r, len, &val)) {
			snprintf(why, whylen,
			         "opaque data: TLV type %u at offset %zu has "
			         "length %u; only %zu bytes left",
			         type, at, len, reader_remaining(&r));
			return false;
		}
		/* Unknown types are skipped (newer drivers add fields), but
		 * a known one twice is ambiguous. */
		if (type >= NV_OPAQUE__MAX)
			continue;
		if (m->tlv[type].present) {
			snprintf(why, whylen,
			         "opaque data: TLV type %u appears twice",
			         type);
			return false;
		}
		m->tlv[type].present = true;
		m->tlv[type].value = val;
		m->tlv[type].len = len;
	}
	return true;
}

bool
spdm_parse(const uint8_t *buf, size_t len, struct spdm_measurements *m,
           bool *unsupported, char *why, size_t whylen)
{
	struct reader r, rec;
	uint8_t version, code;
	uint32_t rec_len;

	memset(m, 0, sizeof(*m));
	*unsupported = false;
	reader_init(&r, buf, len);
	if (!parse_request(&r, m, unsupported, why, whylen))
		return false;
	if (!reader_u8(&r, &version) || !reader_u8(&r, &code) ||
	    !reader_u8(&r, &m->rsp_param1) || !reader_u8(&r, &m->rsp_param2) ||
	    !reader_u8(&r, &m->n_blocks) || !read_u24le(&r, &rec_len)) {
		snprintf(why, whylen, "MEASUREMENTS header: truncated");
		return false;
	}
	if (version != m->version) {
		snprintf(why, whylen,
		         "MEASUREMENTS.SPDMVersion: want 0x%02x (the "
		         "request's), "
		         "have 0x%02x",
		         m->version, version);
		return false;
	}
	if (code != SPDM_RSP_MEASUREMENTS) {
		snprintf(why, whylen,
		         "response code: want 0x60 (MEASUREMENTS), have 0x%02x",
		         code);
		return false;
	}
	if ((m->rsp_param2 & 0x0F) != m->slot_id) {
		snprintf(why, whylen,
		         "MEASUREMENTS.Param2 slot: want %u (requested), have "
		         "%u",
		         m->slot_id, m->rsp_param2 & 0x0F);
		return false;
	}
	if (!reader_sub(&r, rec_len, &rec)) {
		snprintf(
		        why, whylen,
		        "MeasurementRecordLength %u exceeds the %zu bytes left",
		        rec_len, reader_remaining(&r));
		return false;
	}
	if ((m->req_param2 != 0xFF && m->n_blocks != 1) || m->n_blocks == 0) {
		snprintf(why, whylen,
		         "NumberOfBlocks: want 1 (one index requested) or "
		         "at least 1 (all requested), have %u",
		         m->n_blocks);
		return false;
	}
	for (unsigned i = 0; i < m->n_blocks; i++)
		if (!parse_block(&rec, m, i, why, whylen))
			return false;
	if (reader_remaining(&rec) != 0) {
		snprintf(why, whylen,
		         "MeasurementRecord: %zu bytes after the %u declared "
		         "blocks",
		         reader_remaining(&rec), m->n_blocks);
		return false;
	}
	if (!reader_bytes(&r, SPDM_NONCE_LEN, &m->responder_nonce) ||
	    !reader_u16le(&r, &m->opaque_len)) {
		snprintf(why, whylen,
		         "MEASUREMENTS: truncated in Nonce/OpaqueDataLength");
		return false;
	}
	if (m->opaque_len > SPDM_MAX_OPAQUE) {
		snprintf(why, whylen,
		         "OpaqueDataLength: %u exceeds the SPDM maximum 1024",
		         m->opaque_len);
		return false;
	}
	if (!reader_bytes(&r, m->opaque_len, &m->opaque)) {
		snprintf(why, whylen,
		         "OpaqueDataLength %u exceeds the %zu bytes left",
		         m->opaque_len, reader_remaining(&r));
		return false;
	}
	m->signed_len = reader_offset(&r);
	if (!reader_bytes(&r, SPDM_P384_SIG_LEN, &m->signature)) {
		snprintf(why, whylen,
		         "Signature: want %d bytes after the opaque data, have "
		         "%zu",
		         SPDM_P384_SIG_LEN, reader_remaining(&r));
		return false;
	}
	m->trailing = reader_remaining(&r);
	return parse_opaque(m, why, whylen);
}

bool
spdm_vbios_version(const struct spdm_tlv *t, char out[16])
{
	const uint8_t *v = t->value;

	/* An NVSwitch states it as text: "96.10.55.00.01" (14 bytes,
	 * possibly NUL-padded), five two-digit hex groups. */
	if (t->present && t->len >= 14 && t->len <= 16) {
		bool text = true;
		for (size_t i = 0; i < t->len && text; i++) {
			uint8_t c = v[i];
			if (i >= 14)
				text = c == 0;
			else if (i % 3 == 2)
				text = c == '.';
			else
				text = isxdigit(c) != 0;
		}
		if (text) {
			for (size_t i = 0; i < 14; i++)
				out[i] = (char)toupper(v[i]);
			out[14] = '\0';
			return true;
		}
		return false;
	}
	if (!t->present || t->len != 8)
		return false;
	/* u64 LE 0x000000BB_AAAABBCC read as NVIDIA does:
	 * byte3.byte2.byte1.byte0.byte4 ("96.00.9F.00.01"). */
	snprintf(out, 16, "%02X.%02X.%02X.%02X.%02X", v[3], v[2], v[1], v[0],
	         v[4]);
	return true;
}

bool
spdm_tlv_string(const struct spdm_tlv *t, char *out, size_t outlen)
{
	struct reader r;
	size_t n = 0;
	uint8_t c;
	bool padding = false;

	if (!t->present || outlen == 0)
		return false;
	reader_init(&r, t->value, t->len);
	while (reader_u8(&r, &c)) {
		if (c == 0) {
			padding = true;
			continue;
		}
		/* printable ASCII, and nothing but NULs after the first NUL */
		if (padding || c < 0x20 || c > 0x7E || n + 1 >= outlen)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}
