/*
 * Fuzz target: X.509 input (verify/core/x509.h): one certificate and one
 * CRL from DER or PEM, a PEM chain, and the chain's verification (first
 * certificate as leaf, the others untrusted) up to the pinned Intel
 * root at the fixed time.
 */
#include <openssl/x509.h>

#include "tests/fuzz/fuzz.h"
#include "verify/core/x509.h"
#include "verify/intel/dcap_collateral.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509) * chain, *rest = NULL;
	X509 *leaf, *cert;
	X509_CRL *crl;
	uint8_t h[32];
	enum tp_err code;
	char why[200];
	int i;

	if ((cert = x509_parse(data, size)) != NULL) {
		(void)x509_sha256(cert, h);
		(void)x509_not_after(cert);
		X509_free(cert);
	}
	X509_CRL_free(crl = x509_crl_parse(data, size));
	if ((chain = x509_parse_pem_chain(data, size)) != NULL) {
		leaf = sk_X509_value(chain, 0);
		if ((rest = sk_X509_new_null()) == NULL)
			abort();
		for (i = 1; i < sk_X509_num(chain); i++)
			if (!sk_X509_push(rest, sk_X509_value(chain, i)))
				abort();
		(void)x509_chain_verify(leaf, rest, dcap_root_ca(), FUZZ_NOW,
		                        NULL, &code, why, sizeof(why));
		if (sk_X509_num(chain) > 1)
			(void)x509_leaf_verify(leaf, sk_X509_value(chain, 1),
			                       FUZZ_NOW, &code, why,
			                       sizeof(why));
		sk_X509_free(rest);
		sk_X509_pop_free(chain, X509_free);
	}
	return 0;
}
