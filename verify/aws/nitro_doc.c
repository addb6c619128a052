/* AWS Nitro Enclaves attestation document payload: see verify/nitro_doc.h. */
#include <stdio.h>
#include <string.h>

#include "verify/core/cose.h"
#include "verify/aws/nitro_doc.h"

enum field {
	F_MODULE_ID,
	F_DIGEST,
	F_TIMESTAMP,
	F_PCRS,
	F_CERTIFICATE,
	F_CABUNDLE,
	F_PUBLIC_KEY,
	F_USER_DATA,
	F_NONCE,
	F__COUNT
};

static const char *const field_names[F__COUNT] = {
        "module_id", "digest",     "timestamp", "pcrs",  "certificate",
        "cabundle",  "public_key", "user_data", "nonce",
};

static bool
read_blob(struct reader *r, const char *name, bool nil_ok, size_t min,
          size_t max, struct nitro_blob *b, char *why, size_t whylen)
{
	b->p = NULL;
	b->n = 0;
	if (nil_ok && cose_cbor_null(r))
		return true;
	if (!cose_cbor_bstr(r, &b->p, &b->n)) {
		snprintf(why, whylen, "%s: want a byte string%s", name,
		         nil_ok ? " or null" : "");
		return false;
	}
	if (b->n < min || b->n > max) {
		snprintf(why, whylen, "%s: %zu bytes, want %zu..%zu", name,
		         b->n, min, max);
		return false;
	}
	return true;
}

/* An optional byte string: nil, or 0..MAX bytes; empty is absent. */
static bool
read_optional(struct reader *r, const char *name, size_t max,
              struct nitro_blob *b, char *why, size_t whylen)
{
	if (!read_blob(r, name, true, 0, max, b, why, whylen))
		return false;
	if (b->n == 0)
		b->p = NULL;
	return true;
}

static bool
read_pcrs(struct reader *r, struct nitro_doc *d, char *why, size_t whylen)
{
	uint64_t idx;
	size_t n;

	if (!cose_cbor_map(r, &n) || n < 1 || n > NITRO_MAX_PCRS) {
		snprintf(why, whylen, "pcrs: want a map of 1..%d entries",
		         NITRO_MAX_PCRS);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_uint(r, &idx) || idx >= NITRO_MAX_PCRS) {
			snprintf(why, whylen,
			         "pcrs: key %zu is not an index 0..%d", i,
			         NITRO_MAX_PCRS - 1);
			return false;
		}
		if (d->pcrs[idx].present) {
			snprintf(why, whylen, "pcrs: index %llu appears twice",
			         (unsigned long long)idx);
			return false;
		}
		if (!cose_cbor_bstr(r, &d->pcrs[idx].p, &d->pcrs[idx].n) ||
		    (d->pcrs[idx].n != 32 && d->pcrs[idx].n != 48 &&
		     d->pcrs[idx].n != 64)) {
			snprintf(why, whylen,
			         "pcrs[%llu]: want a 32, 48 or 64-byte string",
			         (unsigned long long)idx);
			return false;
		}
		d->pcrs[idx].present = true;
	}
	return true;
}

static bool
read_cabundle(struct reader *r, struct nitro_doc *d, char *why, size_t whylen)
{
	char name[40];
	size_t n;

	if (!cose_cbor_array(r, &n) || n < 1 || n > NITRO_MAX_CABUNDLE) {
		snprintf(why, whylen,
		         "cabundle: want an array of 1..%d "
		         "certificates",
		         NITRO_MAX_CABUNDLE);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cabundle[%zu]", i);
		if (!read_blob(r, name, false, 1, NITRO_MAX_CERT,
		               &d->cabundle[i], why, whylen))
			return false;
	}
	d->n_cabundle = n;
	return true;
}

static bool
read_text(struct reader *r, const char *name, char *out, size_t max, char *why,
          size_t whylen)
{
	const uint8_t *p;
	size_t n;

	if (!cose_cbor_tstr(r, &p, &n)) {
		snprintf(why, whylen, "%s: want a text string", name);
		return false;
	}
	if (n < 1 || n > max) {
		snprintf(why, whylen, "%s: %zu bytes, want 1..%zu", name, n,
		         max);
		return false;
	}
	/* Module ids and digest names are ASCII identifiers; anything else
	 * would reach JSON claims and logs. */
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x21 || p[i] > 0x7e) {
			snprintf(why, whylen,
			         "%s: byte %zu is not printable ASCII", name,
			         i);
			return false;
		}
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static bool
read_field(struct reader *r, enum field f, struct nitro_doc *d, char *why,
           size_t whylen)
{
	switch (f) {
	case F_MODULE_ID:
		return read_text(r, "module_id", d->module_id,
		                 NITRO_MAX_MODULE_ID, why, whylen);
	case F_DIGEST:
		if (!read_text(r, "digest", d->digest, sizeof(d->digest) - 1,
		               why, whylen))
			return false;
		if (strcmp(d->digest, "SHA384") != 0) {
			snprintf(why, whylen, "digest: want \"SHA384\"");
			return false;
		}
		return true;
	case F_TIMESTAMP:
		if (!cose_cbor_uint(r, &d->timestamp_ms) ||
		    d->timestamp_ms == 0 ||
		    d->timestamp_ms > (uint64_t)INT64_MAX / 2) {
			snprintf(why, whylen,
			         "timestamp: want a positive integer "
			         "(milliseconds)");
			return false;
		}
		return true;
	case F_PCRS:
		return read_pcrs(r, d, why, whylen);
	case F_CERTIFICATE:
		return read_blob(r, "certificate", false, 1, NITRO_MAX_CERT,
		                 &d->certificate, why, whylen);
	case F_CABUNDLE:
		return read_cabundle(r, d, why, whylen);
	/* The optional fields: NSM itself emits an empty byte string for
	 * one the enclave did not supply (a real 2021 document has
	 * public_key = h''), so empty means absent, exactly as nil. */
	case F_PUBLIC_KEY:
		return read_optional(r, "public_key", NITRO_MAX_PUBKEY,
		                     &d->public_key, why, whylen);
	case F_USER_DATA:
		return read_optional(r, "user_data", NITRO_MAX_USERDATA,
		                     &d->user_data, why, whylen);
	case F_NONCE:
		return read_optional(r, "nonce", NITRO_MAX_USERDATA, &d->nonce,
		                     why, whylen);
	default:
		return false;
	}
}

bool
nitro_doc_parse(const uint8_t *buf, size_t len, struct nitro_doc *d, char *why,
                size_t whylen)
{
	bool seen[F__COUNT] = {false};
	struct cose_cbor_key k;
	struct reader r;
	char name[48];
	size_t n;
	int f;

	memset(d, 0, sizeof(*d));
	reader_init(&r, buf, len);
	if (!cose_cbor_map(&r, &n) || n > F__COUNT) {
		snprintf(why, whylen, "payload: want a map of at most %d keys",
		         F__COUNT);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(&r, &k) || k.major != COSE_CBOR_TSTR) {
			snprintf(why, whylen,
			         "payload: key %zu is not a text string", i);
			return false;
		}
		for (f = 0; f < F__COUNT; f++)
			if (cose_cbor_key_is_str(&k, field_names[f]))
				break;
		cose_cbor_key_name(&k, name, sizeof(name));
		if (f == F__COUNT) {
			snprintf(why, whylen,
			         "payload: unknown key %s (not in the AWS "
			         "attestation document specification)",
			         name);
			return false;
		}
		if (seen[f]) {
			snprintf(why, whylen, "payload: key %s appears twice",
			         name);
			return false;
		}
		seen[f] = true;
		if (!read_field(&r, (enum field)f, d, why, whylen))
			return false;
	}
	if (reader_remaining(&r) != 0) {
		snprintf(why, whylen, "payload: %zu bytes after the map",
		         reader_remaining(&r));
		return false;
	}
	for (f = 0; f <= F_CABUNDLE; f++) {
		if (!seen[f]) {
			snprintf(why, whylen,
			         "payload: required key \"%s\" is "
			         "missing",
			         field_names[f]);
			return false;
		}
	}
	return true;
}
