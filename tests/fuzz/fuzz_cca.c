/*
 * Fuzz target: Arm CCA token collections (verify/arm/cca_token.h): the
 * tag-399 collection, the platform token's claims and the realm token's
 * claims and RAK; then the whole verification as ArmCca with no
 * provisioned key.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/arm/cca_token.h"
#include "verify/arm/psa_claims.h"
#include "verify/core/cose.h"

static void
realm(const uint8_t *p, size_t n)
{
	struct cca_realm_claims r;
	EVP_PKEY *rak;
	char why[200];

	if (!cca_realm_claims_parse(p, n, &r, why, sizeof(why)))
		return;
	(void)cca_hash_alg(&r.hash_alg);
	(void)cca_hash_alg(&r.rak_hash_alg);
	rak = cca_rak_key(&r.rak, why, sizeof(why));
	EVP_PKEY_free(rak);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct psa_claims pc;
	struct cca_collection c;
	struct cose_sign1 s;
	enum tp_err code;
	char why[200];

	if (cca_collection_parse(data, size, &c, why, sizeof(why))) {
		if (cose_sign1_parse(c.platform, c.platform_len, &s, &code, why,
		                     sizeof(why)))
			(void)psa_claims_parse(s.payload, s.payload_len,
			                       PSA_KIND_CCA_PLATFORM, &pc, why,
			                       sizeof(why));
		if (cose_sign1_parse(c.realm, c.realm_len, &s, &code, why,
		                     sizeof(why)))
			realm(s.payload, s.payload_len);
	}
	realm(data, size);
	fuzz_verify(TP_PROVIDER_ARM_CCA, data, size);
	return 0;
}
