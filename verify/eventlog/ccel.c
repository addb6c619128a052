/*
 * The CCEL ACPI table (ACPI 6.5, 5.2.34 "Confidential Computing Event
 * Log Table"): the ACPI description header (5.2.6: Signature[4], Length
 * u32, Revision u8, Checksum u8, OEMID[6], OEM Table ID[8], OEM Revision
 * u32, Creator ID u32, Creator Revision u32: 36 bytes), then CC Type u8,
 * CC Subtype u8, Reserved u16, LAML u64 (log area minimum length), LASA
 * u64 (log area start address): 56 bytes.
 */
#include <stdio.h>
#include <string.h>

#include "verify/core/reader.h"
#include "verify/eventlog/eventlog.h"

#define CCEL_LENGTH   56
#define CCEL_REVISION 1
#define CC_TYPE_TDX   2

enum tp_err
ev_ccel_table_parse2(const uint8_t *table, size_t len,
                     struct ev_ccel_table *out, char *why, size_t whylen)
{
	struct reader r;
	const uint8_t *sig, *all, *oem;
	uint8_t checksum, sum = 0;
	uint16_t reserved;

	memset(out, 0, sizeof(*out));
	reader_init(&r, table, len);
	if (!reader_bytes(&r, 4, &sig) || memcmp(sig, "CCEL", 4) != 0) {
		snprintf(why, whylen, "CCEL table: signature is not \"CCEL\"");
		return TP_ERR_event_log_malformed;
	}
	if (!reader_u32le(&r, &out->length) || out->length != CCEL_LENGTH ||
	    len != CCEL_LENGTH) {
		snprintf(why, whylen,
		         "CCEL table: length field %u, %zu bytes given (want "
		         "%d)",
		         out->length, len, CCEL_LENGTH);
		return TP_ERR_event_log_malformed;
	}
	/* ACPI 5.2.6: the whole table, checksum included, sums to zero. */
	reader_init(&r, table, len);
	if (!reader_bytes(&r, len, &all))
		return TP_ERR_event_log_malformed;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + all[i]);
	if (sum != 0) {
		snprintf(why, whylen,
		         "CCEL table: bytes sum to 0x%02x, want 0 (bad "
		         "checksum)",
		         sum);
		return TP_ERR_event_log_malformed;
	}
	reader_init(&r, table, len);
	if (!reader_skip(&r, 8) || !reader_u8(&r, &out->revision) ||
	    !reader_u8(&r, &checksum) || !reader_bytes(&r, 6, &oem) ||
	    !reader_skip(&r, 8 + 4 + 4 + 4) || !reader_u8(&r, &out->cc_type) ||
	    !reader_u8(&r, &out->cc_subtype) || !reader_u16le(&r, &reserved) ||
	    !reader_u64le(&r, &out->laml) || !reader_u64le(&r, &out->lasa))
		return TP_ERR_event_log_malformed;
	memcpy(out->oem_id, oem, 6);
	for (int i = 0; i < 6; i++)
		if (out->oem_id[i] < 0x20 || out->oem_id[i] >= 0x7f)
			out->oem_id[i] = '?';
	if (out->revision != CCEL_REVISION) {
		snprintf(why, whylen, "CCEL table: revision %u (want %d)",
		         out->revision, CCEL_REVISION);
		return TP_ERR_event_log_unsupported;
	}
	if (out->cc_type != CC_TYPE_TDX) {
		snprintf(why, whylen,
		         "CCEL table: CC type %u (want 2, Intel TDX)",
		         out->cc_type);
		return TP_ERR_event_log_unsupported;
	}
	if (out->laml == 0 || out->laml > EV_MAX_BYTES) {
		snprintf(why, whylen,
		         "CCEL table: log area length %llu (want 1..%u)",
		         (unsigned long long)out->laml, EV_MAX_BYTES);
		return out->laml == 0 ? TP_ERR_event_log_malformed
		                      : TP_ERR_event_log_too_large;
	}
	return TP_ERR_none;
}

enum tp_err
ev_ccel_table_parse(const uint8_t *table, size_t len, uint64_t *laml, char *why,
                    size_t whylen)
{
	struct ev_ccel_table t;
	enum tp_err err = ev_ccel_table_parse2(table, len, &t, why, whylen);

	*laml = err == TP_ERR_none ? t.laml : 0;
	return err;
}
