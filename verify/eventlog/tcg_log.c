/*
 * The TCG PC Client crypto-agile event log: parse and replay.
 *
 * TCG PC Client Platform Firmware Profile Specification (PFP), rev 1.05:
 *  - 10.2.1 TCG_PCClientPCREvent: the first event, SHA-1 format
 *    (pcrIndex u32, eventType u32, digest[20], eventSize u32, event);
 *  - 10.4.5.1 TCG_EfiSpecIDEventStruct ("Spec ID Event03"): signature[16],
 *    platformClass u32, specVersionMinor/Major, specErrata, uintnSize
 *    (u8 each), numberOfAlgorithms u32, digestSizes[] (algorithmId u16,
 *    digestSize u16), vendorInfoSize u8, vendorInfo[];
 *  - 10.2.2 TCG_PCR_EVENT2: pcrIndex u32, eventType u32, digests
 *    (TPML_DIGEST_VALUES: count u32, then algId u16 + digest), eventSize
 *    u32, event[eventSize];
 *  - 10.4.5.3 TCG_EfiStartupLocalityEvent: EV_NO_ACTION, signature
 *    "StartupLocality\0", StartupLocality u8.
 * All integers little-endian.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "verify/core/reader.h"
#include "verify/eventlog/eventlog.h"

#define EV_NO_ACTION          0x00000003u
#define EV_SEPARATOR          0x00000004u
#define EV_IPL                0x0000000Du
#define EV_EFI_VARIABLE_DRV   0x80000001u
#define EV_EFI_VARIABLE_BOOT  0x80000002u
#define EV_EFI_BOOT_APP       0x80000003u
#define EV_EFI_GPT_EVENT      0x80000006u
#define EV_EFI_VARIABLE_BOOT2 0x8000000Cu
#define EV_EFI_VARIABLE_AUTH  0x800000E0u

/* More algorithms than this in a Spec ID is not a real log. */
#define SPEC_MAX_ALGS 8

static const struct {
	uint16_t alg; /* TPM_ALG_ID, TCG Algorithm Registry */
	size_t size;
	const char *name;
} banks[EV_BANK__COUNT] = {
        [EV_SHA1] = {0x0004, 20, "sha1"},
        [EV_SHA256] = {0x000B, 32, "sha256"},
        [EV_SHA384] = {0x000C, 48, "sha384"},
        [EV_SHA512] = {0x000D, 64, "sha512"},
};

const char *
ev_bank_name(enum ev_bank b)
{
	return (unsigned)b < EV_BANK__COUNT ? banks[b].name : "?";
}

size_t
ev_bank_size(enum ev_bank b)
{
	return (unsigned)b < EV_BANK__COUNT ? banks[b].size : 0;
}

static const EVP_MD *
bank_md(enum ev_bank b)
{
	switch (b) {
	case EV_SHA1:
		return EVP_sha1();
	case EV_SHA256:
		return EVP_sha256();
	case EV_SHA384:
		return EVP_sha384();
	case EV_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

bool
ev_extend(struct ev_log *log, enum ev_bank b, uint32_t i, const uint8_t *digest)
{
	uint8_t buf[2 * EV_MAX_DIGEST];
	size_t n = ev_bank_size(b);
	const EVP_MD *md = bank_md(b);

	if (md == NULL || i >= EV_MAX_REGS)
		return false;
	memcpy(buf, log->reg[b][i], n);
	memcpy(buf + n, digest, n);
	if (EVP_Digest(buf, 2 * n, log->reg[b][i], NULL, md, NULL) != 1)
		return false;
	log->extended[b][i] = true;
	return true;
}

const char *
ev_type_name(uint32_t t)
{
	static const struct {
		uint32_t t;
		const char *name;
	} names[] = {
	        {0x00000000, "EV_PREBOOT_CERT"},
	        {0x00000001, "EV_POST_CODE"},
	        {0x00000002, "EV_UNUSED"},
	        {0x00000003, "EV_NO_ACTION"},
	        {0x00000004, "EV_SEPARATOR"},
	        {0x00000005, "EV_ACTION"},
	        {0x00000006, "EV_EVENT_TAG"},
	        {0x00000007, "EV_S_CRTM_CONTENTS"},
	        {0x00000008, "EV_S_CRTM_VERSION"},
	        {0x00000009, "EV_CPU_MICROCODE"},
	        {0x0000000A, "EV_PLATFORM_CONFIG_FLAGS"},
	        {0x0000000B, "EV_TABLE_OF_DEVICES"},
	        {0x0000000C, "EV_COMPACT_HASH"},
	        {0x0000000D, "EV_IPL"},
	        {0x0000000E, "EV_IPL_PARTITION_DATA"},
	        {0x0000000F, "EV_NONHOST_CODE"},
	        {0x00000010, "EV_NONHOST_CONFIG"},
	        {0x00000011, "EV_NONHOST_INFO"},
	        {0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS"},
	        {0x00000013, "EV_POST_CODE2"},
	        {0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG"},
	        {0x80000002, "EV_EFI_VARIABLE_BOOT"},
	        {0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION"},
	        {0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER"},
	        {0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER"},
	        {0x80000006, "EV_EFI_GPT_EVENT"},
	        {0x80000007, "EV_EFI_ACTION"},
	        {0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB"},
	        {0x80000009, "EV_EFI_HANDOFF_TABLES"},
	        {0x8000000A, "EV_EFI_PLATFORM_FIRMWARE_BLOB2"},
	        {0x8000000B, "EV_EFI_HANDOFF_TABLES2"},
	        {0x8000000C, "EV_EFI_VARIABLE_BOOT2"},
	        {0x8000000E, "EV_EFI_GPT_EVENT2"},
	        {0x80000010, "EV_EFI_HCRTM_EVENT"},
	        {0x800000E0, "EV_EFI_VARIABLE_AUTHORITY"},
	        {0x800000E1, "EV_EFI_SPDM_FIRMWARE_BLOB"},
	        {0x800000E2, "EV_EFI_SPDM_FIRMWARE_CONFIG"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].name;
	return NULL;
}

void
ev_log_free(struct ev_log *log)
{
	if (log == NULL)
		return;
	free(log->events);
	memset(log, 0, sizeof(*log));
}

/* ---- names of what an event measured (best effort: never fails) ---- */

/* UTF-16LE code units (N of them) into printable ASCII ('?' else). */
static void
utf16_ascii(const uint8_t *p, size_t units, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < units && o + 1 < outlen; i++) {
		unsigned c = p[2 * i] | (unsigned)p[2 * i + 1] << 8;

		if (c == 0)
			break;
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[o] = 0;
}

static bool
printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/*
 * The event data as a string: ASCII (an optional trailing NUL), or
 * UTF-16LE (TDX/UKI section names). False when it is neither.
 */
static bool
event_string(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t m = n;

	if (n == 0)
		return false;
	while (m > 0 && p[m - 1] == 0)
		m--;
	if (m > 0 && printable(p, m) && m < outlen) {
		memcpy(out, p, m);
		out[m] = 0;
		return true;
	}
	/* UTF-16LE: every odd byte zero, every even byte printable. */
	if (n % 2 != 0 || n / 2 >= outlen)
		return false;
	m = n / 2;
	while (m > 0 && p[2 * (m - 1)] == 0 && p[2 * (m - 1) + 1] == 0)
		m--;
	if (m == 0)
		return false;
	for (size_t i = 0; i < m; i++)
		if (p[2 * i + 1] != 0 || p[2 * i] < 0x20 || p[2 * i] >= 0x7f)
			return false;
	utf16_ascii(p, m, out, outlen);
	return true;
}

/* The digest of TEXT (with or without its NUL) equals the event's in
 * every bank it carries: the text is what was measured. */
static bool
text_digest_matches(const struct ev_event *e, const char *text)
{
	bool any = false;

	for (int b = 0; b < EV_BANK__COUNT; b++) {
		uint8_t h[EV_MAX_DIGEST];
		const EVP_MD *md = bank_md((enum ev_bank)b);
		size_t n = ev_bank_size((enum ev_bank)b);
		bool ok = false;

		if (!e->has[b])
			continue;
		for (size_t nul = 0; nul < 2 && !ok; nul++)
			ok = EVP_Digest(text, strlen(text) + nul, h, NULL, md,
			                NULL) == 1 &&
			     CRYPTO_memcmp(h, e->digest[b], n) == 0;
		if (!ok)
			return false;
		any = true;
	}
	return any;
}

static void
name_ipl(struct ev_event *e)
{
	static const struct {
		const char *section, *name;
	} uki[] = {{".linux", "kernel"},    {".initrd", "initrd"},
	           {".cmdline", "cmdline"}, {".osrel", "osrel"},
	           {".uname", "uname"},     {".sbat", "sbat"}};
	static const struct {
		const char *prefix, *name;
	} grub[] = {{"kernel_cmdline: ", "cmdline"},
	            {"grub_cmd: ", "grub_cmd"}};
	char s[sizeof(e->text) + 32];

	if (!event_string(e->data, e->data_len, s, sizeof(s)))
		return;
	for (size_t i = 0; i < sizeof(uki) / sizeof(uki[0]); i++)
		if (strcmp(s, uki[i].section) == 0) {
			snprintf(e->name, sizeof(e->name), "%s", uki[i].name);
			return;
		}
	for (size_t i = 0; i < sizeof(grub) / sizeof(grub[0]); i++) {
		size_t pl = strlen(grub[i].prefix);

		if (strncmp(s, grub[i].prefix, pl) != 0)
			continue;
		snprintf(e->name, sizeof(e->name), "%s", grub[i].name);
		snprintf(e->text, sizeof(e->text), "%s", s + pl);
		/* GRUB measures the command without its prefix. */
		e->digest_checked = strlen(s + pl) < sizeof(e->text) &&
		                    text_digest_matches(e, e->text);
		return;
	}
}

/*
 * UEFI_VARIABLE_DATA (PFP 10.4.2 / UEFI): VariableName GUID[16],
 * UnicodeNameLength u64, VariableDataLength u64, UnicodeName[] (UTF-16).
 */
static void
name_variable(struct ev_event *e)
{
	struct reader r;
	uint64_t nlen, dlen;
	const uint8_t *u;
	char ascii[64];

	reader_init(&r, e->data, e->data_len);
	if (!reader_skip(&r, 16) || !reader_u64le(&r, &nlen) ||
	    !reader_u64le(&r, &dlen) || nlen > reader_remaining(&r) / 2 ||
	    !reader_bytes(&r, (size_t)nlen * 2, &u))
		return;
	utf16_ascii(u, (size_t)nlen, ascii, sizeof(ascii));
	snprintf(e->name, sizeof(e->name), "uefi_var:%s", ascii);
}

/*
 * UEFI_IMAGE_LOAD_EVENT (PFP 10.4.3): ImageLocationInMemory u64,
 * ImageLengthInMemory u64, ImageLinkTimeAddress u64, LengthOfDevicePath
 * u64, DevicePath[]. A File Path media node (type 4, subtype 4: UEFI
 * 10.3.5.4) naming shim or GRUB names the application.
 */
static void
name_boot_app(struct ev_event *e)
{
	struct reader r, dp;
	uint64_t dplen;

	snprintf(e->name, sizeof(e->name), "boot_services_app");
	reader_init(&r, e->data, e->data_len);
	if (!reader_skip(&r, 24) || !reader_u64le(&r, &dplen) ||
	    dplen > reader_remaining(&r) || !reader_sub(&r, dplen, &dp))
		return;
	while (reader_remaining(&dp) >= 4) {
		uint8_t type, sub;
		uint16_t nlen;
		const uint8_t *body;
		char path[256], low[256];

		if (!reader_u8(&dp, &type) || !reader_u8(&dp, &sub) ||
		    !reader_u16le(&dp, &nlen) || nlen < 4 ||
		    !reader_bytes(&dp, nlen - 4u, &body))
			return;
		if (type == 0x7f) /* end of device path */
			return;
		if (type != 4 || sub != 4)
			continue;
		utf16_ascii(body, (nlen - 4u) / 2, path, sizeof(path));
		for (size_t i = 0; i <= strlen(path); i++)
			low[i] = (char)(path[i] >= 'A' && path[i] <= 'Z'
			                        ? path[i] - 'A' + 'a'
			                        : path[i]);
		snprintf(e->text, sizeof(e->text), "%s", path);
		if (strstr(low, "shim") != NULL)
			snprintf(e->name, sizeof(e->name), "shim");
		else if (strstr(low, "grub") != NULL)
			snprintf(e->name, sizeof(e->name), "grub");
	}
}

void
ev_event_name(struct ev_event *e)
{
	switch (e->type) {
	case EV_IPL:
		name_ipl(e);
		break;
	case EV_EFI_VARIABLE_DRV:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTH:
		name_variable(e);
		break;
	case EV_EFI_BOOT_APP:
		name_boot_app(e);
		break;
	case EV_EFI_GPT_EVENT:
		snprintf(e->name, sizeof(e->name), "gpt");
		break;
	case EV_SEPARATOR:
		snprintf(e->name, sizeof(e->name), "separator");
		break;
	default:
		break;
	}
}

/* ---- the log ---- */

struct spec_alg {
	uint16_t alg;
	uint16_t size;
	int bank; /* enum ev_bank, or -1: declared but not replayed */
};

/*
 * The Spec ID event's data (TCG_EfiSpecIDEventStruct, PFP 10.4.5.1):
 * the algorithms every later event carries, in the order declared.
 */
static enum tp_err
spec_id_parse(const uint8_t *p, size_t n, struct spec_alg *algs,
              uint32_t *nalgs, char *why, size_t whylen)
{
	static const uint8_t sig[16] = "Spec ID Event03";
	struct reader r;
	const uint8_t *s;
	uint32_t count;

	reader_init(&r, p, n);
	if (!reader_bytes(&r, 16, &s) || memcmp(s, sig, 16) != 0) {
		snprintf(why, whylen,
		         "first event: no \"Spec ID Event03\" "
		         "signature (not a crypto-agile log)");
		return TP_ERR_event_log_unsupported;
	}
	if (!reader_skip(&r, 4 + 4) || !reader_u32le(&r, &count)) {
		snprintf(why, whylen, "Spec ID event: truncated header");
		return TP_ERR_event_log_malformed;
	}
	if (count == 0 || count > SPEC_MAX_ALGS) {
		snprintf(why, whylen,
		         "Spec ID event: numberOfAlgorithms %u (want 1..%d)",
		         count, SPEC_MAX_ALGS);
		return TP_ERR_event_log_malformed;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct spec_alg *a = &algs[i];

		if (!reader_u16le(&r, &a->alg) || !reader_u16le(&r, &a->size)) {
			snprintf(why, whylen,
			         "Spec ID event: digestSizes[%u] truncated", i);
			return TP_ERR_event_log_malformed;
		}
		a->bank = -1;
		for (int b = 0; b < EV_BANK__COUNT; b++)
			if (banks[b].alg == a->alg)
				a->bank = b;
		if (a->bank >= 0 && a->size != banks[a->bank].size) {
			snprintf(why, whylen,
			         "Spec ID event: %s digestSize %u (want %zu)",
			         banks[a->bank].name, a->size,
			         banks[a->bank].size);
			return TP_ERR_event_log_malformed;
		}
		if (a->size == 0 || a->size > 128) {
			snprintf(
			        why, whylen,
			        "Spec ID event: algorithm 0x%04x digestSize %u",
			        a->alg, a->size);
			return TP_ERR_event_log_malformed;
		}
		for (uint32_t j = 0; j < i; j++)
			if (algs[j].alg == a->alg) {
				snprintf(why, whylen,
				         "Spec ID event: algorithm 0x%04x "
				         "listed twice",
				         a->alg);
				return TP_ERR_event_log_malformed;
			}
	}
	*nalgs = count;
	return TP_ERR_none;
}

/* The next 8 bytes (pcrIndex, eventType) are padding: all 0xFF or all
 * zero, or fewer than 8 bytes remain and they are all 0xFF or zero. */
static bool
at_padding(const struct reader *r)
{
	struct reader t = *r;
	size_t n = reader_remaining(r) < 8 ? reader_remaining(r) : 8;
	const uint8_t *p;
	bool ff = true, zero = true;

	if (!reader_bytes(&t, n, &p))
		return false;
	for (size_t i = 0; i < n; i++) {
		ff = ff && p[i] == 0xff;
		zero = zero && p[i] == 0;
	}
	return ff || zero;
}

/* Every byte left is 0x00 or 0xFF (the ACPI log area's fill). */
static bool
rest_is_padding(const struct reader *r)
{
	struct reader t = *r;
	size_t n = reader_remaining(r);
	const uint8_t *p;

	if (!reader_bytes(&t, n, &p))
		return false;
	/* Branch-free per 4 KiB block, so the compiler vectorizes it: a
	 * CCEL area is mostly this fill. */
	for (size_t i = 0; i < n; i += 4096) {
		size_t end = n - i < 4096 ? n : i + 4096;
		unsigned bad = 0;

		for (size_t k = i; k < end; k++)
			bad |= (unsigned)(uint8_t)(p[k] + 1) > 1;
		if (bad)
			return false;
	}
	return true;
}

static enum tp_err
check_index(const struct ev_event *e, enum ev_regs regs, size_t off, size_t n,
            char *why, size_t whylen)
{
	uint32_t max = regs == EV_REGS_CC_MR ? 4 : EV_MAX_REGS - 1;

	if (e->index <= max)
		return TP_ERR_none;
	snprintf(why, whylen,
	         "event %zu at byte %zu: register index %u "
	         "(want 0..%u)",
	         n, off, e->index, max);
	return TP_ERR_event_log_malformed;
}

static bool
push_event(struct ev_log *log, size_t *cap, struct ev_event **slot)
{
	if (log->n == *cap) {
		size_t nc = *cap == 0 ? 64 : *cap * 2;
		struct ev_event *ne;

		if (nc > EV_MAX_EVENTS)
			nc = EV_MAX_EVENTS;
		ne = realloc(log->events, nc * sizeof(*ne));
		if (ne == NULL)
			return false;
		log->events = ne;
		*cap = nc;
	}
	*slot = &log->events[log->n++];
	memset(*slot, 0, sizeof(**slot));
	return true;
}

/* EV_NO_ACTION "StartupLocality\0" + locality u8 (PFP 10.4.5.3). */
static bool
startup_locality(const struct ev_event *e, uint8_t *loc)
{
	static const uint8_t sig[16] = "StartupLocality";

	if (e->type != EV_NO_ACTION || e->data_len != 17 ||
	    memcmp(e->data, sig, 16) != 0)
		return false;
	*loc = e->data[16];
	return true;
}

static enum tp_err
replay(struct ev_log *log, struct ev_event *e, size_t n, size_t off, char *why,
       size_t whylen)
{
	uint8_t loc;

	if (e->type == EV_NO_ACTION) {
		if (log->regs != EV_REGS_TPM_PCR || !startup_locality(e, &loc))
			return TP_ERR_none;
		/* The locality sets PCR0's reset value: it must come first. */
		for (int b = 0; b < EV_BANK__COUNT; b++)
			if (log->extended[b][0]) {
				snprintf(why, whylen,
				         "event %zu at byte %zu: "
				         "StartupLocality "
				         "after PCR0 was extended",
				         n, off);
				return TP_ERR_event_log_malformed;
			}
		log->startup_locality = loc;
		for (int b = 0; b < EV_BANK__COUNT; b++)
			log->reg[b][0][ev_bank_size((enum ev_bank)b) - 1] = loc;
		return TP_ERR_none;
	}
	/* CC MR 0 is MRTD, measured by the TDX module, never extended. */
	if (log->regs == EV_REGS_CC_MR && e->index == 0)
		return TP_ERR_none;
	for (int b = 0; b < EV_BANK__COUNT; b++)
		if (e->has[b] &&
		    !ev_extend(log, (enum ev_bank)b, e->index, e->digest[b])) {
			snprintf(why, whylen, "event %zu: hashing failed", n);
			return TP_ERR_event_log_malformed;
		}
	return TP_ERR_none;
}

enum tp_err
ev_tcg_parse(const uint8_t *log, size_t len, enum ev_regs regs,
             struct ev_log *out, char *why, size_t whylen)
{
	struct ev_log l;
	struct reader r;
	struct spec_alg algs[SPEC_MAX_ALGS];
	uint32_t nalgs = 0, u32;
	size_t cap = 0, off = 0;
	struct ev_event *e;
	enum tp_err err = TP_ERR_event_log_malformed;

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	l.regs = regs == EV_REGS_CC_MR ? EV_REGS_CC_MR : EV_REGS_TPM_PCR;
	if (len > EV_MAX_BYTES) {
		snprintf(why, whylen, "%zu bytes (at most %u)", len,
		         EV_MAX_BYTES);
		err = TP_ERR_event_log_too_large;
		goto out;
	}
	reader_init(&r, log, len);

	/* The first event: TCG_PCClientPCREvent with a SHA-1 digest. */
	if (!push_event(&l, &cap, &e))
		goto oom;
	if (!reader_u32le(&r, &e->index) || !reader_u32le(&r, &e->type) ||
	    !reader_copy(&r, e->digest[EV_SHA1], 20) ||
	    !reader_u32le(&r, &u32)) {
		snprintf(why, whylen, "first event: truncated header");
		goto out;
	}
	if (e->type != EV_NO_ACTION) {
		snprintf(why, whylen,
		         "first event: type 0x%x, want EV_NO_ACTION (a SHA-1 "
		         "only log is not replayed)",
		         e->type);
		err = TP_ERR_event_log_unsupported;
		goto out;
	}
	if (!reader_bytes(&r, u32, &e->data)) {
		snprintf(why, whylen,
		         "first event: eventSize %u runs past the end (%zu "
		         "bytes left at byte %zu)",
		         u32, reader_remaining(&r), reader_offset(&r));
		goto out;
	}
	e->data_len = u32;
	if ((err = check_index(e, l.regs, 0, 0, why, whylen)) != TP_ERR_none)
		goto out;
	if ((err = spec_id_parse(e->data, e->data_len, algs, &nalgs, why,
	                         whylen)) != TP_ERR_none)
		goto out;
	err = TP_ERR_event_log_malformed;
	for (uint32_t i = 0; i < nalgs; i++)
		if (algs[i].bank >= 0)
			l.bank[algs[i].bank] = true;

	while (reader_remaining(&r) > 0 && !at_padding(&r)) {
		uint32_t count, dsize;
		size_t n = l.n;

		off = reader_offset(&r);
		if (l.n >= EV_MAX_EVENTS) {
			snprintf(why, whylen, "more than %d events (byte %zu)",
			         EV_MAX_EVENTS, off);
			err = TP_ERR_event_log_too_large;
			goto out;
		}
		if (!push_event(&l, &cap, &e))
			goto oom;
		if (!reader_u32le(&r, &e->index) ||
		    !reader_u32le(&r, &e->type) || !reader_u32le(&r, &count)) {
			snprintf(why, whylen,
			         "event %zu at byte %zu: truncated header", n,
			         off);
			goto out;
		}
		if ((err = check_index(e, l.regs, off, n, why, whylen)) !=
		    TP_ERR_none)
			goto out;
		err = TP_ERR_event_log_malformed;
		if (count != nalgs) {
			snprintf(why, whylen,
			         "event %zu at byte %zu: %u digests, the Spec "
			         "ID event declares %u",
			         n, off, count, nalgs);
			goto out;
		}
		for (uint32_t i = 0; i < count; i++) {
			uint16_t alg;
			const struct spec_alg *a = NULL;
			const uint8_t *d;

			if (!reader_u16le(&r, &alg)) {
				snprintf(why, whylen,
				         "event %zu at byte %zu: digest %u "
				         "truncated",
				         n, off, i);
				goto out;
			}
			for (uint32_t j = 0; j < nalgs; j++)
				if (algs[j].alg == alg)
					a = &algs[j];
			if (a == NULL) {
				snprintf(why, whylen,
				         "event %zu at byte %zu: digest "
				         "algorithm 0x%04x not in the Spec ID "
				         "event",
				         n, off, alg);
				goto out;
			}
			if (!reader_bytes(&r, a->size, &d)) {
				snprintf(why, whylen,
				         "event %zu at byte %zu: digest 0x%04x "
				         "truncated",
				         n, off, alg);
				goto out;
			}
			if (a->bank < 0)
				continue;
			if (e->has[a->bank]) {
				snprintf(why, whylen,
				         "event %zu at byte %zu: two %s "
				         "digests",
				         n, off, banks[a->bank].name);
				goto out;
			}
			e->has[a->bank] = true;
			memcpy(e->digest[a->bank], d, a->size);
		}
		if (!reader_u32le(&r, &dsize) ||
		    !reader_bytes(&r, dsize, &e->data)) {
			snprintf(
			        why, whylen,
			        "event %zu at byte %zu: eventSize %u runs past "
			        "the end of the log (%zu bytes)",
			        n, off, dsize, len);
			goto out;
		}
		e->data_len = dsize;
		ev_event_name(e);
		if ((err = replay(&l, e, n, off, why, whylen)) != TP_ERR_none)
			goto out;
		err = TP_ERR_event_log_malformed;
	}
	/* What follows the end must be padding, not hidden events. */
	if (!rest_is_padding(&r)) {
		snprintf(why, whylen,
		         "byte %zu: the log ends (an all-0xFF or all-zero "
		         "event header) but bytes other than 0x00/0xFF follow",
		         reader_offset(&r));
		goto out;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	err = TP_ERR_none;
	goto out;
oom:
	snprintf(why, whylen, "out of memory");
out:
	ev_log_free(&l);
	return err;
}

enum tp_err
ev_log_parse(const uint8_t *log, size_t len, enum ev_regs regs,
             struct ev_log *out, char *why, size_t whylen)
{
	size_t i = 0;

	if (why != NULL && whylen > 0)
		why[0] = 0;
	while (i < len && i < 64 &&
	       (log[i] == ' ' || log[i] == '\t' || log[i] == '\r' ||
	        log[i] == '\n'))
		i++;
	if (i < len && (log[i] == '[' || log[i] == '{'))
		return ev_dstack_parse(log, len, out, why, whylen);
	return ev_tcg_parse(log, len, regs, out, why, whylen);
}
