/*
 * Fuzz target: the QE Identity parser (verify/intel/dcap_collateral.h,
 * dcap_qe_identity_parse) on the input, and on the span of its
 * "enclaveIdentity" member when the input is a PCS body; the one-pass
 * member scanner (dcap_json_members_span) on the input.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/intel/dcap_collateral.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dcap_qe_identity q; /* large: not on the stack */
	static const char *const keys[] = {"enclaveIdentity", "signature",
	                                   "tcbInfo"};
	size_t off[3], vlen[3];
	unsigned found;
	char why[200];

	memset(&q, 0, sizeof(q));
	(void)dcap_qe_identity_parse(data, size, &q, why, sizeof(why));
	dcap_qe_identity_clear(&q);
	found = dcap_json_members_span((const char *)data, size, keys, 3, off,
	                               vlen);
	if (found & 1u) {
		memset(&q, 0, sizeof(q));
		(void)dcap_qe_identity_parse(data + off[0], vlen[0], &q, why,
		                             sizeof(why));
		dcap_qe_identity_clear(&q);
	}
	return 0;
}
