/*
 * Fuzz target: Azure confidential VM evidence (verify/azure/): the input
 * as an HCL report (hcl_report_parse, then its variable data), as the
 * variable data alone (hcl_runtime_parse), and as AzureSnpVtpm and
 * AzureTdxVtpm evidence through the whole verification.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/azure/hcl_report.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hcl_report r;
	struct hcl_runtime rt;
	char why[256];

	memset(&rt, 0, sizeof(rt));
	if (hcl_report_parse(data, size, &r, why, sizeof(why)) == TP_ERR_none) {
		(void)hcl_runtime_parse(r.var_data, r.var_len, &rt, why,
		                        sizeof(why));
		hcl_runtime_free(&rt);
	}
	memset(&rt, 0, sizeof(rt));
	(void)hcl_runtime_parse(data, size, &rt, why, sizeof(why));
	hcl_runtime_free(&rt);
	if (hcl_report_parse_type(data, size, HCL_REPORT_TYPE_TDX, &r, why,
	                          sizeof(why)) == TP_ERR_none) {
		memset(&rt, 0, sizeof(rt));
		(void)hcl_runtime_parse(r.var_data, r.var_len, &rt, why,
		                        sizeof(why));
		hcl_runtime_free(&rt);
	}
	fuzz_verify(TP_PROVIDER_AZURE_SNP_VTPM, data, size);
	fuzz_verify(TP_PROVIDER_AZURE_TDX_VTPM, data, size);
	return 0;
}
