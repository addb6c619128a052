/*
 * Fuzz target: SEV-SNP attestation reports (verify/amd/snp_report.h),
 * the parser and what is derived from a parsed report, then the whole
 * verification as AmdSevSnp (the report alone, or an extended report
 * with its certificate table) with no collateral.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/amd/snp_report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snp_report rep;
	struct snp_tcb tcb;
	enum snp_product p;
	char why[200], key[160];

	if (snp_report_parse(data, size, &rep, why, sizeof(why))) {
		(void)snp_report_signing_key(&rep);
		p = snp_report_product(&rep);
		(void)snp_report_vcek_key(&rep, p, key, sizeof(key));
		snp_tcb_decode(rep.reported_tcb, p, &tcb);
		json_decref(snp_tcb_json(&tcb));
		json_decref(snp_policy_bits_json(rep.policy));
		json_decref(snp_platform_info_json(rep.platform_info));
	}
	fuzz_verify(TP_PROVIDER_AMD_SEV_SNP, data, size);
	return 0;
}
