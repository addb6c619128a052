/*
 * Fuzz target: a quote's PCK chain (verify/intel/dcap_pck.h) as PEM text:
 * the first phase's precheck up to the pinned Intel root, the full
 * verification without CRLs, and the SGX extension parser on the raw
 * input as DER.
 */
#include <openssl/x509.h>

#include "tests/fuzz/fuzz.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509 *root = dcap_root_ca();
	STACK_OF(X509) *chain = NULL;
	struct dcap_pck_ext ext;
	enum dcap_pck_ca ca;
	EVP_PKEY *pub = NULL;
	int64_t from, until;
	struct verdict v;
	char why[200];

	if (dcap_pck_chain_precheck(data, size, root, FUZZ_NOW, &ext, &ca,
	                            &from, &until, &chain)) {
		verdict_init(&v, TP_PROVIDER_INTEL_TDX, FUZZ_NOW);
		(void)dcap_pck_chain_verify_parsed(
		        data, size, chain, root, NULL, NULL, NULL, FUZZ_NOW, &v,
		        &ext, &pub, &from, &until);
		EVP_PKEY_free(pub);
		pub = NULL;
		verdict_free(&v);
	}
	sk_X509_pop_free(chain, X509_free);
	verdict_init(&v, TP_PROVIDER_INTEL_SGX, FUZZ_NOW);
	(void)dcap_pck_chain_verify(data, size, root, NULL, NULL, FUZZ_NOW, &v,
	                            &ext, &pub, &from, &until);
	EVP_PKEY_free(pub);
	verdict_free(&v);
	(void)dcap_pck_ext_parse_der(data, size, &ext, why, sizeof(why));
	return 0;
}
