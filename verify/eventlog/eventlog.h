#ifndef TP_EVENTLOG_H
#define TP_EVENTLOG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/errors.h"

/*
 * Measured-boot event logs: parsing and replay. Pure and bounded: no
 * I/O, at most EV_MAX_BYTES of input and EV_MAX_EVENTS events, every
 * length checked before it is used. Three shapes:
 *
 *  - the TCG PC Client crypto-agile log (TPM 2.0 firmware log, and the
 *    TDX CCEL data area, whose register index 0 is MRTD and 1..4 are
 *    RTMR0..3): a SHA-1 format first event carrying the "Spec ID
 *    Event03" (the banks and their digest sizes), then TCG_PCR_EVENT2
 *    events; the log ends cleanly at the first event whose header is all
 *    0xFF or all zero (the ACPI area's padding; every byte after it
 *    must then be 0x00 or 0xFF) or at the end of input;
 *  - dstack's JSON runtime log: an array of {"imr", "event_type",
 *    "digest", "event", "event_payload"} (imr 0..3 = RTMR0..3);
 *  - the CCEL ACPI table (signature "CCEL", checksum, CC type 2 = TDX),
 *    which only tells what the data area is.
 *
 * Replay: register_new = H(register_old || digest) per bank, from zeros
 * (a TPM PCR0 from the locality an EV_NO_ACTION "StartupLocality" event
 * gives, which must precede PCR0's first extend); EV_NO_ACTION events are
 * not extended, nor is CC MR 0 (MRTD, measured by the TDX module: its
 * events are listed, reg[][0] stays zero). Indices above 23 (TPM) or 4
 * (CC MR) are event_log_malformed. docs/eventlog.md has the details.
 */

#define EV_MAX_BYTES  (4u << 20)
#define EV_MAX_EVENTS 20000
#define EV_MAX_REGS   24 /* TPM PCR 0..23; CC MR 0..4 */
#define EV_MAX_DIGEST 64

enum ev_bank { EV_SHA1 = 0, EV_SHA256, EV_SHA384, EV_SHA512, EV_BANK__COUNT };

/* "sha1", "sha256", … */
const char *ev_bank_name(enum ev_bank b);
size_t ev_bank_size(enum ev_bank b);

/* What the registers of a log are. */
enum ev_regs {
	EV_REGS_TPM_PCR = 0, /* a TPM event log: PCR n */
	EV_REGS_CC_MR,       /* TDX CCEL: 0 MRTD, 1..4 RTMR0..3 */
	EV_REGS_RTMR,        /* dstack's runtime log: 0..3 RTMR0..3 */
};

struct ev_event {
	uint32_t index;           /* register, in the log's numbering */
	uint32_t type;            /* TCG event type (EV_*), or dstack's */
	bool has[EV_BANK__COUNT]; /* which banks this event carries */
	uint8_t digest[EV_BANK__COUNT][EV_MAX_DIGEST];
	const uint8_t *data; /* the event data, borrowed from input
	                            * (NULL for dstack's JSON log, whose
	                            * payload is hex: see text) */
	size_t data_len;
	/*
	 * What the event measured, when it says so: "kernel", "initrd",
	 * "cmdline", "osrel", "uname", "sbat" (EV_IPL UKI sections; "cmdline"
	 * also for GRUB's "kernel_cmdline: "), "grub_cmd" (GRUB's
	 * "grub_cmd: " lines), "grub", "shim" (a boot application whose
	 * device path names them, else "boot_services_app"),
	 * "uefi_var:<VariableName>", "gpt", "separator", or a dstack runtime
	 * event's name ("app-id", "compose-hash", …); "" otherwise. Best
	 * effort: event data not understood leaves "" (docs/eventlog.md).
	 */
	char name[96];
	/* For a component whose value is text (kernel command line, a
	 * dstack event's payload shown as text), that text, else "". */
	char text[512];
	bool digest_checked; /* the event's digest was recomputed from its
	                      * data and matched (dstack runtime events,
	                      * where a mismatch fails the log; GRUB's
	                      * EV_IPL strings, where it only leaves this
	                      * false) */
};

struct ev_log {
	enum ev_regs regs;
	bool bank[EV_BANK__COUNT]; /* banks the log declares */
	struct ev_event *events;   /* malloc'd, n of them */
	size_t n;
	/* The replayed registers per bank; extended[b][i]: at least one
	 * event extended register i in bank b. */
	uint8_t reg[EV_BANK__COUNT][EV_MAX_REGS][EV_MAX_DIGEST];
	bool extended[EV_BANK__COUNT][EV_MAX_REGS];
	uint8_t startup_locality; /* 0 when absent */
};

/*
 * Parses and replays LOG (LEN bytes): a TCG crypto-agile log (REGS says
 * whether its indices are TPM PCRs or CC MRs) or, when it begins with
 * '[' or '{' (after white space), dstack's JSON runtime log (REGS is then
 * EV_REGS_RTMR whatever was asked). On failure returns the code
 * (event_log_malformed, event_log_too_large, event_log_unsupported) and
 * says in WHY what and at which byte offset or event; OUT is then empty.
 * Free OUT with ev_log_free.
 */
enum tp_err ev_log_parse(const uint8_t *log, size_t len, enum ev_regs regs,
                         struct ev_log *out, char *why, size_t whylen);
void ev_log_free(struct ev_log *log);

/*
 * The CCEL ACPI table TABLE (LEN bytes): signature, length, checksum and
 * CC type (2: TDX). Fills *LAML (log area minimum length). event_log_
 * malformed / event_log_unsupported with WHY otherwise.
 */
enum tp_err ev_ccel_table_parse(const uint8_t *table, size_t len,
                                uint64_t *laml, char *why, size_t whylen);

/*
 * The JSON view `teepass eventlog --format json` prints and verdicts
 * carry: {"format", "events": [{"index", "type", "type_name", "name"?,
 * "text"?, "digests": {"sha384": "<hex>"}}], "registers": {"sha384":
 * {"rtmr0": "<hex>", …}}} (register names: "pcrN"; "mrtd", "rtmrN"). New
 * reference.
 */
json_t *ev_log_json(const struct ev_log *log);

/* The name of register I in LOG's numbering ("pcr7", "rtmr1", "mrtd"). */
void ev_reg_name(const struct ev_log *log, uint32_t i, char *out, size_t n);

/*
 * The two parsers ev_log_parse dispatches to, for a caller that knows
 * the shape: the TCG crypto-agile log (REGS: EV_REGS_TPM_PCR or
 * EV_REGS_CC_MR) and dstack's JSON runtime log (an array, or an object
 * whose "event_log" member is that array or a JSON string holding it, as
 * dstack's quote report carries it). Same contract as ev_log_parse.
 */
enum tp_err ev_tcg_parse(const uint8_t *log, size_t len, enum ev_regs regs,
                         struct ev_log *out, char *why, size_t whylen);
enum tp_err ev_dstack_parse(const uint8_t *log, size_t len, struct ev_log *out,
                            char *why, size_t whylen);

/*
 * Extends register I of bank B of LOG with DIGEST (ev_bank_size(B)
 * bytes): reg = H(reg || digest). False when I >= EV_MAX_REGS or the
 * hash fails.
 */
bool ev_extend(struct ev_log *log, enum ev_bank b, uint32_t i,
               const uint8_t *digest);

/*
 * Fills E->name / E->text (and digest_checked for EV_IPL strings) from
 * E->type and E->data, best effort: an event data the function does not
 * understand leaves name "" and never fails.
 */
void ev_event_name(struct ev_event *e);

/* The TCG name of event type T ("EV_IPL", …), or NULL when unknown. */
const char *ev_type_name(uint32_t t);

/*
 * The CCEL table's fields beyond LAML (ev_ccel_table_parse2 fills them;
 * ev_ccel_table_parse is the short form).
 */
struct ev_ccel_table {
	uint32_t length;
	uint8_t revision;
	char oem_id[7];
	uint8_t cc_type; /* 2: TDX */
	uint8_t cc_subtype;
	uint64_t laml; /* log area minimum length */
	uint64_t lasa; /* log area start address (guest-physical) */
};
enum tp_err ev_ccel_table_parse2(const uint8_t *table, size_t len,
                                 struct ev_ccel_table *out, char *why,
                                 size_t whylen);

#endif
