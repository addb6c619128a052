/*
 * Fuzz target: Arm PSA attestation tokens (verify/arm/psa_claims.h): the
 * claims parser, as a PSA token and as a CCA platform token, on the
 * COSE_Sign1 payload and on the raw input; then the whole verification
 * as ArmPsa with no provisioned key.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/arm/psa_claims.h"
#include "verify/core/cose.h"

static void
claims(const uint8_t *p, size_t n)
{
	static struct psa_claims c;
	struct verdict v;
	char why[200];

	if (psa_claims_parse(p, n, PSA_KIND_TOKEN, &c, why, sizeof(why))) {
		verdict_init(&v, TP_PROVIDER_ARM_PSA, FUZZ_NOW);
		psa_claims_to_verdict(&c, "", &v);
		(void)psa_lifecycle_name(c.lifecycle);
		verdict_free(&v);
	}
	(void)psa_claims_parse(p, n, PSA_KIND_CCA_PLATFORM, &c, why,
	                       sizeof(why));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];

	if (cose_sign1_parse(data, size, &s, &code, why, sizeof(why)))
		claims(s.payload, s.payload_len);
	claims(data, size);
	fuzz_verify(TP_PROVIDER_ARM_PSA, data, size);
	return 0;
}
