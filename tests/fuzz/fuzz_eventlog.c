/*
 * Fuzz target: measured-boot event logs (verify/eventlog/eventlog.h):
 * ev_log_parse in its three modes (TPM PCRs, TDX CC MRs, and the JSON
 * runtime log its input may be), the JSON view and the register names
 * of what parsed, and the CCEL ACPI table parser on the same bytes.
 * Built only once verify/eventlog/ holds its implementation
 * (CMakeLists.txt, fuzz section).
 */
#include "tests/fuzz/fuzz.h"
#include "verify/eventlog/eventlog.h"

static void
parse(const uint8_t *data, size_t size, enum ev_regs regs)
{
	struct ev_log log;
	char why[200], name[32];
	size_t i;

	memset(&log, 0, sizeof(log));
	if (ev_log_parse(data, size, regs, &log, why, sizeof(why)) ==
	    TP_ERR_none) {
		json_decref(ev_log_json(&log));
		/* Every index the log names, as `teepass eventlog` and the
		 * verdict print them. */
		for (i = 0; i < log.n; i++)
			ev_reg_name(&log, log.events[i].index, name,
			            sizeof(name));
	}
	ev_log_free(&log);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t laml;
	char why[200];

	parse(data, size, EV_REGS_TPM_PCR);
	parse(data, size, EV_REGS_CC_MR);
	parse(data, size, EV_REGS_RTMR);
	(void)ev_ccel_table_parse(data, size, &laml, why, sizeof(why));
	return 0;
}
