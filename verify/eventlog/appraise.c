/*
 * The event log beside the evidence, appraised (verify/eventlog/appraise.h):
 * replayed against the registers the evidence's signature covers, its
 * measured components listed in the claims, and compared with the
 * components the reference values name.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/codec.h"
#include "verify/eventlog/appraise.h"
#include "verify/eventlog/eventlog.h"

/* The bank whose registers the evidence of provider P carries, and how
 * its log numbers them; false when P has no replayable registers. */
static bool
registers_of(enum tp_provider p, enum ev_regs *regs, enum ev_bank *bank)
{
	switch (p) {
	case TP_PROVIDER_INTEL_TDX:
		*regs = EV_REGS_CC_MR;
		*bank = EV_SHA384;
		break;
	case TP_PROVIDER_TPM:
	case TP_PROVIDER_AZURE_SNP_VTPM:
	case TP_PROVIDER_AZURE_TDX_VTPM:
	case TP_PROVIDER_GCP_VTPM:
		*regs = EV_REGS_TPM_PCR;
		*bank = EV_SHA256;
		break;
	default:
		return false;
	}
	return true;
}

/* Register I of LOG as the evidence claims it: hex, or NULL. */
static const char *
claimed_register(const struct verdict *v, const struct ev_log *log,
                 enum ev_bank bank, uint32_t i, char *name, size_t n)
{
	json_t *c;

	ev_reg_name(log, i, name, n);
	if (log->regs == EV_REGS_TPM_PCR) {
		/* "pcrs": {"sha256": {"pcr0": "<hex>", …}}: only the PCRs
		 * the quote selected and its pcrDigest covered. */
		c = json_object_get(
		        json_object_get(json_object_get(v->claims, "pcrs"),
		                        ev_bank_name(bank)),
		        name);
		return json_string_value(c);
	}
	return json_string_value(json_object_get(v->claims, name));
}

/* The registers the replay must explain: for TDX all four RTMRs (one
 * the log never extended must still be zero), for a TPM every PCR the
 * log extended and the quote covers. */
static bool
must_match(const struct ev_log *log, enum ev_bank bank, uint32_t i,
           const char *claimed)
{
	if (log->regs == EV_REGS_CC_MR)
		return i >= 1 && i <= 4;
	if (log->regs == EV_REGS_RTMR)
		return i <= 3;
	return claimed != NULL && log->extended[bank][i];
}

static bool
replay_matches(const struct ev_log *log, enum ev_bank bank, struct verdict *v)
{
	size_t dl = ev_bank_size(bank);
	char name[16], hex[2 * EV_MAX_DIGEST + 1];
	const char *claimed;
	bool any = false;

	for (uint32_t i = 0; i < EV_MAX_REGS; i++) {
		claimed = claimed_register(v, log, bank, i, name, sizeof(name));
		if (!must_match(log, bank, i, claimed))
			continue;
		codec_hex_encode_to(log->reg[bank][i], dl, hex);
		if (claimed == NULL) {
			verdict_fail(v, "event_log_replay",
			             TP_ERR_event_log_replay_mismatch,
			             "the evidence carries no %s to replay the "
			             "event log against",
			             name);
			return false;
		}
		if (strlen(claimed) != 2 * dl ||
		    strncasecmp(claimed, hex, 2 * dl) != 0) {
			verdict_fail(v, "event_log_replay",
			             TP_ERR_event_log_replay_mismatch,
			             "%s: the event log replays to %s, the "
			             "evidence has %s",
			             name, hex, claimed);
			return false;
		}
		any = true;
	}
	if (!any) {
		verdict_fail(
		        v, "event_log_replay", TP_ERR_event_log_replay_mismatch,
		        "the event log extends no %s register the evidence "
		        "carries",
		        ev_bank_name(bank));
		return false;
	}
	verdict_pass(v, "event_log_replay");
	return true;
}

/* The claims' component list: every extended event, in log order. */
void
claim_components(const struct ev_log *log, enum ev_bank bank, struct verdict *v)
{
	json_t *list = json_array();
	char name[16], hex[2 * EV_MAX_DIGEST + 1],
	        digest[2 * EV_MAX_DIGEST + 16];

	if (list == NULL)
		return;
	for (size_t i = 0; i < log->n; i++) {
		const struct ev_event *e = &log->events[i];
		json_t *c, *t;

		if (!e->has[bank])
			continue;
		ev_reg_name(log, e->index, name, sizeof(name));
		codec_hex_encode_to(e->digest[bank], ev_bank_size(bank), hex);
		snprintf(digest, sizeof(digest), "%s:%s", ev_bank_name(bank),
		         hex);
		c = json_pack("{s:s, s:I, s:s}", "register", name, "type",
		              (json_int_t)e->type, "digest", digest);
		if (c == NULL)
			continue;
		if (e->name[0] != '\0')
			json_object_set_new(c, "name", json_string(e->name));
		/* Text that is not UTF-8 is left out (json_string refuses
		 * it). */
		if (e->text[0] != '\0' && (t = json_string(e->text)) != NULL)
			json_object_set_new(c, "text", t);
		json_array_append_new(list, c);
	}
	json_object_set_new(v->claims, "components", list);
}

/* WANT ("sha384:<hex>" or text) against event E. */
static bool
component_equal(const char *want, const struct ev_event *e)
{
	for (int b = 0; b < EV_BANK__COUNT; b++) {
		const char *bn = ev_bank_name((enum ev_bank)b);
		size_t bl = strlen(bn), dl = ev_bank_size((enum ev_bank)b);
		char hex[2 * EV_MAX_DIGEST + 1];

		if (strncmp(want, bn, bl) != 0 || want[bl] != ':')
			continue;
		if (!e->has[b] || strlen(want + bl + 1) != 2 * dl)
			return false;
		codec_hex_encode_to(e->digest[b], dl, hex);
		return strncasecmp(want + bl + 1, hex, 2 * dl) == 0;
	}
	return e->text[0] != '\0' && strcmp(want, e->text) == 0;
}

static bool
component_allowed(const json_t *want, const struct ev_event *e)
{
	const json_t *w;
	size_t i;

	if (json_is_string(want))
		return component_equal(json_string_value(want), e);
	json_array_foreach(want, i, w)
	{
		if (json_is_string(w) &&
		    component_equal(json_string_value(w), e))
			return true;
	}
	return false;
}

/* Every event the reference values name must carry one of its values. */
static bool
check_components(const json_t *want, const struct ev_log *log,
                 struct verdict *v)
{
	const char *name;
	json_t *val;
	bool all = true;

	json_object_foreach((json_t *)want, name, val)
	{
		size_t seen = 0, bad = SIZE_MAX;

		for (size_t i = 0; i < log->n; i++) {
			if (strcmp(log->events[i].name, name) != 0)
				continue;
			seen++;
			if (bad == SIZE_MAX &&
			    !component_allowed(val, &log->events[i]))
				bad = i;
		}
		if (seen == 0) {
			all = false;
			verdict_fail(v, "expected_components",
			             TP_ERR_component_missing,
			             "component %.64s: no event of the log "
			             "measured it",
			             name);
		} else if (bad != SIZE_MAX) {
			all = false;
			verdict_fail(v, "expected_components",
			             TP_ERR_component_mismatch,
			             "component %.64s: event %zu measured a "
			             "value the reference values do not list",
			             name, bad);
		}
	}
	if (all)
		verdict_pass(v, "expected_components");
	return all;
}

void
eventlog_appraise(const struct verify_request *req, struct verdict *v)
{
	const json_t *want = json_object_get(req->expected, "components");
	struct ev_log log;
	enum ev_regs regs;
	enum ev_bank bank;
	enum tp_err rc;
	uint64_t laml = 0;
	char why[240];
	bool ok;

	if (json_object_size(want) == 0)
		want = NULL;
	if (req->event_log == NULL) {
		if (want != NULL) {
			v->measurements_valid = TP_FALSE;
			verdict_fail(v, "expected_components",
			             TP_ERR_event_log_missing,
			             "expected.components needs the event log "
			             "(event_log) of the evidence");
		}
		return;
	}
	if (!registers_of(v->provider, &regs, &bank)) {
		verdict_fail(v, "event_log", TP_ERR_event_log_unsupported,
		             "%s evidence carries no registers an event log "
		             "replays to",
		             provider_name(v->provider));
		return;
	}
	if (req->event_log_table != NULL) {
		rc = ev_ccel_table_parse(req->event_log_table,
		                         req->event_log_table_len, &laml, why,
		                         sizeof(why));
		if (rc != TP_ERR_none) {
			verdict_fail(v, "event_log", rc, "CCEL table: %s", why);
			return;
		}
	}
	rc = ev_log_parse(req->event_log, req->event_log_len, regs, &log, why,
	                  sizeof(why));
	if (rc != TP_ERR_none) {
		verdict_fail(v, "event_log", rc, "event log: %s", why);
		if (want != NULL)
			v->measurements_valid = TP_FALSE;
		return;
	}
	verdict_pass(v, "event_log");
	ok = replay_matches(&log, bank, v);
	/* Components are facts only once the replay tied them to the
	 * signed registers. */
	if (ok)
		claim_components(&log, bank, v);
	if (want != NULL) {
		if (ok && check_components(want, &log, v)) {
			if (v->measurements_valid == TP_NULL)
				v->measurements_valid = TP_TRUE;
		} else {
			v->measurements_valid = TP_FALSE;
		}
	}
	ev_log_free(&log);
}
