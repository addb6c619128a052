#ifndef TP_EVENTLOG_APPRAISE_H
#define TP_EVENTLOG_APPRAISE_H

#include "verify/eventlog/eventlog.h"
#include "verify/verify.h"

/*
 * Part of the common appraisal, for evidence whose signature verified:
 * REQ's event log (req->event_log, with req->event_log_table for a TDX
 * CCEL area) parsed and replayed against the registers the evidence
 * carries — TDX: RTMR0-3 (a CCEL area or dstack's JSON runtime log, all
 * four must come out equal); Tpm: every PCR the log extends that the
 * quote covers. A replay that does not match fails the verdict naming the
 * first register. Once it matches, the claims get "components" (every
 * extended event: register, type, digest "<bank>:<hex>", and name/text
 * where the event says them), and expected.components ({"<name>":
 * "<bank>:<hex>" | "<text>" | [ … ]}) is checked: every event of that
 * name must carry one of the values (component_mismatch), and at least
 * one must exist (component_missing). expected.components without an
 * event log fails with event_log_missing.
 */
void eventlog_appraise(const struct verify_request *req, struct verdict *v);

struct ev_log;

/*
 * Sets claims.components of V to every event of LOG that carries BANK,
 * in log order: {"register", "type", "digest": "<bank>:<hex>", "name"?,
 * "text"?}. Only for a log whose replay matched the signed registers.
 */
void claim_components(const struct ev_log *log, enum ev_bank bank,
                      struct verdict *v);

#endif
