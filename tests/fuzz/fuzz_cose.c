/*
 * Fuzz target: the bounded CBOR reader and COSE_Sign1
 * (verify/core/cose.h): the whole input as a COSE_Sign1 and its
 * Sig_structure, a fixed key's verification of it, and a skip over the
 * input item by item (the reader the claims parsers use).
 */
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "tests/fuzz/fuzz.h"
#include "verify/core/cose.h"
#include "verify/core/reader.h"

/* A P-384 key generated once: no signature can verify with it, which
 * is the point (the verifier must say so). */
static EVP_PKEY *
fixed_key(void)
{
	static EVP_PKEY *k;

	if (k == NULL)
		k = EVP_EC_gen("P-384");
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cose_sign1 s;
	struct reader r;
	enum tp_err code;
	uint8_t *sig = NULL;
	size_t sig_len, items = 0;
	char why[200];

	if (cose_sign1_parse(data, size, &s, &code, why, sizeof(why))) {
		if (cose_sig_structure(&s, &sig, &sig_len))
			free(sig);
		(void)cose_sign1_verify(&s, fixed_key(), why, sizeof(why));
	}
	reader_init(&r, data, size);
	while (items++ < 64 && cose_cbor_skip(&r, COSE_CBOR_MAX_DEPTH))
		;
	return 0;
}
