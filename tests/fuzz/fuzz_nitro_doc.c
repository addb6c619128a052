/*
 * Fuzz target: AWS Nitro attestation documents (verify/aws/nitro_doc.h):
 * the COSE_Sign1 envelope, the payload parser on its payload and on the
 * raw input, then the whole verification as AwsNitro.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/aws/nitro_doc.h"
#include "verify/core/cose.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nitro_doc d;
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];

	if (cose_sign1_parse(data, size, &s, &code, why, sizeof(why)))
		(void)nitro_doc_parse(s.payload, s.payload_len, &d, why,
		                      sizeof(why));
	(void)nitro_doc_parse(data, size, &d, why, sizeof(why));
	fuzz_verify(TP_PROVIDER_AWS_NITRO, data, size);
	return 0;
}
