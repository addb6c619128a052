/*
 * Fuzz target: the dispatcher (verify/verify.h): detection of the format
 * from the bytes, then the whole verification of whatever was detected,
 * with no collateral.
 */
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)provider_detect(data, size);
	fuzz_verify(TP_PROVIDER_NONE, data, size);
	return 0;
}
