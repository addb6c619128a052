/*
 * Fuzz target: the request's collateral loaders (load/load.h, load_json)
 * with the input as the JSON text of the "collateral" member, for every
 * provider's family; the Intel artifacts are then split into items and
 * verified (dcap_raw_collateral_from_artifacts, dcap_collateral_verify)
 * at the fixed time, which parses the TCB Info and QE Identity they hold.
 */
#include "load/load.h"
#include "tests/fuzz/fuzz.h"
#include "verify/intel/dcap_collateral.h"

static const enum tp_provider providers[] = {
        TP_PROVIDER_INTEL_SGX, TP_PROVIDER_INTEL_TDX,  TP_PROVIDER_AMD_SEV_SNP,
        TP_PROVIDER_AWS_NITRO, TP_PROVIDER_NVIDIA_GPU, TP_PROVIDER_ARM_PSA,
        TP_PROVIDER_ARM_CCA,
};

static void
intel_items(const struct artifact_set *set)
{
	struct dcap_raw_collateral raw;
	struct dcap_collateral *c;
	struct verdict v;

	dcap_raw_collateral_from_artifacts(set, NULL, &raw);
	verdict_init(&v, TP_PROVIDER_INTEL_TDX, FUZZ_NOW);
	if ((c = dcap_collateral_verify(&raw, FUZZ_NOW, &v)) != NULL) {
		dcap_collateral_record(c, &v);
		dcap_cache_release(&c->cached);
	}
	verdict_free(&v);
	dcap_raw_collateral_free(&raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct artifact_set set; /* large: not on the stack */
	json_t *member;
	size_t i;

	member = json_loadb((const char *)data, size,
	                    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (member == NULL)
		return 0;
	for (i = 0; i < sizeof(providers) / sizeof(*providers); i++) {
		artifact_set_init(&set);
		load_json(providers[i], member, &set);
		if (providers[i] == TP_PROVIDER_INTEL_TDX)
			intel_items(&set);
		artifact_set_clear(&set);
	}
	json_decref(member);
	return 0;
}
