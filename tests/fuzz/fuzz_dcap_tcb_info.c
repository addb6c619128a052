/*
 * Fuzz target: the TCB Info parser (verify/intel/dcap_collateral.h,
 * dcap_tcb_info_parse) on the input, and on the span of its "tcbInfo"
 * member when the input is a PCS body {"tcbInfo": …, "signature": …}.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/intel/dcap_collateral.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dcap_tcb_info t; /* large: not on the stack */
	char why[200];
	size_t off, vlen;

	memset(&t, 0, sizeof(t));
	(void)dcap_tcb_info_parse(data, size, &t, why, sizeof(why));
	dcap_tcb_info_clear(&t);
	if (dcap_json_member_span((const char *)data, size, "tcbInfo", &off,
	                          &vlen)) {
		memset(&t, 0, sizeof(t));
		(void)dcap_tcb_info_parse(data + off, vlen, &t, why,
		                          sizeof(why));
		dcap_tcb_info_clear(&t);
	}
	return 0;
}
