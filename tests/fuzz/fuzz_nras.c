/*
 * Fuzz target: NVIDIA NRAS detached EATs (verify/nvidia/nras_token.h).
 * The input is the token, optionally followed by a NUL byte and the
 * text of a JWKS: nras_verify runs once with no JWKS, once with the
 * input's (parsed or not), and the token goes through the whole
 * verification as NvidiaGpu with no collateral.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/nvidia/nras_token.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tok_len = nul != NULL ? (size_t)(nul - data) : size;
	struct verify_config cfg;
	struct verify_request req;
	struct artifact_set set;
	struct verdict v;
	json_t *jwks = NULL;

	verify_config_defaults(&cfg);
	artifact_set_init(&set);
	memset(&req, 0, sizeof(req));
	req.evidence = data;
	req.evidence_len = tok_len;
	req.provider = TP_PROVIDER_NVIDIA_GPU;
	req.artifacts = &set;
	req.now = FUZZ_NOW;
	req.cfg = &cfg;
	verdict_init(&v, TP_PROVIDER_NVIDIA_GPU, FUZZ_NOW);
	nras_verify(data, tok_len, NULL, NULL, &req, &v);
	verdict_free(&v);
	if (nul != NULL) {
		jwks = json_loadb((const char *)nul + 1, size - tok_len - 1,
		                  JSON_REJECT_DUPLICATES, NULL);
		verdict_init(&v, TP_PROVIDER_NVIDIA_GPU, FUZZ_NOW);
		nras_verify(data, tok_len, jwks,
		            jwks == NULL ? "nras_jwks: not JSON" : NULL, &req,
		            &v);
		json_decref(verdict_to_json(&v));
		verdict_free(&v);
		json_decref(jwks);
	}
	artifact_set_clear(&set);
	verify_config_free(&cfg);
	fuzz_verify(TP_PROVIDER_NVIDIA_GPU, data, tok_len);
	return 0;
}
