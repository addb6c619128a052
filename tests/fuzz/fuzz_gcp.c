/*
 * Fuzz target: Google's vTPM attestation (verify/gcp/): the input as the
 * go-tpm-tools Attestation protobuf (detection, parse, the AK's
 * TPMT_PUBLIC of what parsed), as a TPMT_PUBLIC alone, and as GcpVtpm
 * evidence through the whole verification.
 */
#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "verify/gcp/gcp_attest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gcp_attestation a;
	uint8_t name[80];
	size_t name_len;
	uint32_t attrs;
	char why[256];
	EVP_PKEY *k;

	(void)gcp_attestation_detect(data, size);
	if (gcp_attestation_parse(data, size, &a, why, sizeof(why))) {
		k = gcp_tpmt_public_key(a.ak_pub, a.ak_pub_len, &attrs, name,
		                        &name_len, why, sizeof(why));
		EVP_PKEY_free(k);
	}
	k = gcp_tpmt_public_key(data, size, &attrs, name, &name_len, why,
	                        sizeof(why));
	EVP_PKEY_free(k);
	fuzz_verify(TP_PROVIDER_GCP_VTPM, data, size);
	return 0;
}
