/*
 * Fuzz target: TPM 2.0 quotes (verify/tpm/tpm_quote.h). The input as a
 * TPMS_ATTEST (parse, then the PCR and nonce checks on what parsed), as
 * a signature for the trustee sample's RSA AK and for a fixed P-256 AK
 * (decode and verify against the trustee sample's TPMS_ATTEST), as an AK
 * (tpm_ak_parse), and as Tpm evidence through the whole verification.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "verify/tpm/tpm_quote.h"

static const uint8_t *
file(const char *path, size_t *len)
{
	static uint8_t buf[2][4096];
	static size_t lens[2];
	static int n;
	FILE *f;
	int i = n < 2 ? n : 1;

	if ((f = fopen(path, "rb")) == NULL) {
		*len = 0;
		return NULL;
	}
	lens[i] = fread(buf[i], 1, sizeof(buf[i]), f);
	fclose(f);
	n++;
	*len = lens[i];
	return buf[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *rsa, *ec;
	static uint8_t attest[4096];
	static size_t attest_len;
	struct tpm_quote q, sq;
	struct tpm_signature s;
	struct tpm_pcrs pcrs;
	EVP_PKEY *k;
	char why[256];

	if (rsa == NULL) {
		size_t n;
		const uint8_t *b = file(
		        "tests/data/tpm/trustee_tpm_evidence/ak_pub.der", &n);
		rsa = b != NULL ? tpm_ak_parse(b, n, why, sizeof(why)) : NULL;
		b = file("tests/data/tpm/trustee_tpm_evidence/quote_attest.bin",
		         &n);
		if (b != NULL && n <= sizeof(attest)) {
			memcpy(attest, b, n);
			attest_len = n;
		}
		ec = EVP_EC_gen("P-256");
	}
	if (tpm_quote_parse(data, size, &q, why, sizeof(why))) {
		memset(&pcrs, 0, sizeof(pcrs));
		(void)tpm_quote_check_pcrs(&q, 0x000b, &pcrs, why, sizeof(why));
		(void)tpm_quote_check_nonce(&q, data, size < 64 ? size : 64,
		                            why, sizeof(why));
	}
	if (tpm_quote_parse(attest, attest_len, &sq, why, sizeof(why))) {
		EVP_PKEY *aks[2] = {rsa, ec};
		for (int i = 0; i < 2; i++) {
			if (aks[i] == NULL)
				continue;
			if (tpm_signature_decode(data, size, aks[i],
			                         sq.pcr_digest_len, &s, why,
			                         sizeof(why)) == TP_ERR_none)
				(void)tpm_quote_verify_signature(
				        &sq, &s, aks[i], why, sizeof(why));
		}
	}
	if ((k = tpm_ak_parse(data, size, why, sizeof(why))) != NULL)
		EVP_PKEY_free(k);
	fuzz_verify(TP_PROVIDER_TPM, data, size);
	return 0;
}
