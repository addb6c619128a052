/*
 * Fuzz target: Intel DCAP quotes (verify/intel/dcap_quote.h), the parser
 * alone and the whole verification as IntelTdx and as IntelSgx (phase 1
 * checks the PCK chain of the quote up to the pinned root; with no
 * collateral phase 2 must fail cleanly).
 */
#include "tests/fuzz/fuzz.h"
#include "verify/intel/dcap_quote.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcap_quote q;
	char why[200];

	(void)dcap_quote_parse(data, size, &q, why, sizeof(why));
	(void)dcap_quote_detect(data, size, DCAP_TEE_TDX);
	(void)dcap_quote_detect(data, size, DCAP_TEE_SGX);
	fuzz_verify(TP_PROVIDER_INTEL_TDX, data, size);
	fuzz_verify(TP_PROVIDER_INTEL_SGX, data, size);
	return 0;
}
