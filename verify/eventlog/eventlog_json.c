/* The JSON view of a parsed event log (eventlog.h: ev_log_json). */
#include <stdio.h>
#include <string.h>

#include "common/codec.h"
#include "verify/eventlog/eventlog.h"

void
ev_reg_name(const struct ev_log *log, uint32_t i, char *out, size_t n)
{
	switch (log->regs) {
	case EV_REGS_CC_MR:
		if (i == 0)
			snprintf(out, n, "mrtd");
		else
			snprintf(out, n, "rtmr%u", i - 1);
		break;
	case EV_REGS_RTMR:
		snprintf(out, n, "rtmr%u", i);
		break;
	default:
		snprintf(out, n, "pcr%u", i);
		break;
	}
}

static const char *
format_name(enum ev_regs r)
{
	return r == EV_REGS_CC_MR  ? "ccel"
	       : r == EV_REGS_RTMR ? "dstack"
	                           : "tcg";
}

static json_t *
hex(const uint8_t *p, size_t n)
{
	char s[2 * EV_MAX_DIGEST + 1];

	codec_hex_encode_to(p, n, s);
	return json_string(s);
}

/* Registers a bank shows: the RTMRs always (all four are in a quote);
 * TPM PCRs only when extended (or set by StartupLocality). */
static bool
reg_shown(const struct ev_log *log, int b, uint32_t i)
{
	switch (log->regs) {
	case EV_REGS_CC_MR:
		return i >= 1 && i <= 4;
	case EV_REGS_RTMR:
		return i <= 3;
	default:
		return log->extended[b][i] ||
		       (i == 0 && log->startup_locality != 0);
	}
}

json_t *
ev_log_json(const struct ev_log *log)
{
	json_t *o = json_object(), *evs = json_array(), *regs = json_object();

	for (size_t k = 0; k < log->n; k++) {
		const struct ev_event *e = &log->events[k];
		const char *tn = ev_type_name(e->type);
		json_t *j = json_object(), *d = json_object();
		char name[16];

		ev_reg_name(log, e->index, name, sizeof(name));
		json_object_set_new(j, "index", json_integer(e->index));
		json_object_set_new(j, "register", json_string(name));
		json_object_set_new(j, "type", json_integer(e->type));
		/* dstack's imr-3 types are its own, not TCG's. */
		if (tn != NULL && !(log->regs == EV_REGS_RTMR && e->index == 3))
			json_object_set_new(j, "type_name", json_string(tn));
		if (e->name[0] != 0)
			json_object_set_new(j, "name", json_string(e->name));
		if (e->text[0] != 0)
			json_object_set_new(j, "text", json_string(e->text));
		if (e->digest_checked)
			json_object_set_new(j, "digest_checked", json_true());
		for (int b = 0; b < EV_BANK__COUNT; b++)
			if (e->has[b])
				json_object_set_new(
				        d, ev_bank_name((enum ev_bank)b),
				        hex(e->digest[b],
				            ev_bank_size((enum ev_bank)b)));
		json_object_set_new(j, "digests", d);
		json_array_append_new(evs, j);
	}
	for (int b = 0; b < EV_BANK__COUNT; b++) {
		json_t *r;

		if (!log->bank[b])
			continue;
		r = json_object();
		for (uint32_t i = 0; i < EV_MAX_REGS; i++) {
			char name[16];

			if (!reg_shown(log, b, i))
				continue;
			ev_reg_name(log, i, name, sizeof(name));
			json_object_set_new(r, name,
			                    hex(log->reg[b][i],
			                        ev_bank_size((enum ev_bank)b)));
		}
		json_object_set_new(regs, ev_bank_name((enum ev_bank)b), r);
	}
	json_object_set_new(o, "format", json_string(format_name(log->regs)));
	if (log->regs == EV_REGS_TPM_PCR)
		json_object_set_new(o, "startup_locality",
		                    json_integer(log->startup_locality));
	json_object_set_new(o, "events", evs);
	json_object_set_new(o, "registers", regs);
	return o;
}
