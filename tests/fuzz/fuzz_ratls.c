/*
 * Fuzz target: RA-TLS certificates (verify/ratls/): the input through
 * ratls_cert_parse (PEM or DER, the evidence extension's CBOR), and as
 * RaTls evidence through the whole verification.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/ratls/ratls_cert.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ratls_cert c;
	char why[320];

	(void)ratls_cert_parse(data, size, &c, why, sizeof(why));
	ratls_cert_free(&c);
	(void)ratls_cert_detect(data, size);
	fuzz_verify(TP_PROVIDER_RA_TLS, data, size);
	return 0;
}
