/*
 * Fuzz target: Tinfoil attestation bundles (verify/amd/snp_tinfoil.h):
 * the input as a bundle (JSON), and as the gzip stream of a bundle's
 * body (wrapped here in a v2 bundle without vcek), unpacked and, when
 * that succeeds, verified as AmdSevSnp with no collateral.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "tests/fuzz/fuzz.h"
#include "verify/amd/snp_tinfoil.h"

static void
unpack(const uint8_t *p, size_t n)
{
	enum tp_err code;
	uint8_t *out = NULL;
	size_t outlen;
	char why[200];

	(void)snp_tinfoil_detect(p, n);
	if (snp_tinfoil_unpack(p, n, &out, &outlen, &code, why, sizeof(why)))
		fuzz_verify(TP_PROVIDER_AMD_SEV_SNP, p, n);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] =
	        "{\"enclaveAttestationReport\": "
	        "{\"format\": \"" SNP_TINFOIL_FORMAT "v2\", \"body\": \"";
	char *b64, *doc;
	size_t n;

	unpack(data, size);
	if (size == 0 || size > 64 * 1024)
		return 0;
	b64 = codec_base64_encode(data, size);
	if (b64 == NULL)
		return 0;
	n = strlen(head) + strlen(b64) + 4;
	doc = malloc(n);
	if (doc != NULL) {
		snprintf(doc, n, "%s%s\"}}", head, b64);
		unpack((const uint8_t *)doc, strlen(doc));
	}
	free(doc);
	free(b64);
	return 0;
}
