/*
 * Fuzz target: Arm PSA / CCA keys as JWK or JWKS (verify/arm/arm_jwk.h):
 * the input as a JWK/JWKS text, chosen by a COSE kid, by an instance id,
 * and by neither.
 */
#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "verify/arm/arm_jwk.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t kid[] = {'k', '1'};
	enum tp_err code;
	char why[200];

	(void)arm_jwk_is_json(data, size);
	EVP_PKEY_free(arm_jwk_key(data, size, NULL, 0, NULL, &code, why,
	                          sizeof(why)));
	EVP_PKEY_free(arm_jwk_key(data, size, kid, sizeof(kid), NULL, &code,
	                          why, sizeof(why)));
	EVP_PKEY_free(arm_jwk_key(data, size, NULL, 0, "0123", &code, why,
	                          sizeof(why)));
	return 0;
}
