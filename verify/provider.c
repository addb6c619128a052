#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "verify/provider.h"

static const char *const names[TP_PROVIDER__COUNT] = {
        [TP_PROVIDER_NONE] = "",
        [TP_PROVIDER_INTEL_SGX] = "IntelSgx",
        [TP_PROVIDER_INTEL_TDX] = "IntelTdx",
        [TP_PROVIDER_AMD_SEV_SNP] = "AmdSevSnp",
        [TP_PROVIDER_AWS_NITRO] = "AwsNitro",
        [TP_PROVIDER_NVIDIA_GPU] = "NvidiaGpu",
        [TP_PROVIDER_ARM_PSA] = "ArmPsa",
        [TP_PROVIDER_ARM_CCA] = "ArmCca",
        [TP_PROVIDER_MOCK] = "Mock",
        [TP_PROVIDER_TPM] = "Tpm",
        [TP_PROVIDER_AZURE_SNP_VTPM] = "AzureSnpVtpm",
        [TP_PROVIDER_GCP_VTPM] = "GcpVtpm",
        [TP_PROVIDER_AZURE_TDX_VTPM] = "AzureTdxVtpm",
        [TP_PROVIDER_RA_TLS] = "RaTls",
};

/* Accepted spellings, compared after lower-casing and dropping '-', '_'
 * and ' '. */
static const struct {
	const char *alias;
	enum tp_provider p;
} aliases[] = {
        {"intelsgx", TP_PROVIDER_INTEL_SGX},
        {"sgx", TP_PROVIDER_INTEL_SGX},
        {"inteltdx", TP_PROVIDER_INTEL_TDX},
        {"tdx", TP_PROVIDER_INTEL_TDX},
        {"amdsevsnp", TP_PROVIDER_AMD_SEV_SNP},
        {"sevsnp", TP_PROVIDER_AMD_SEV_SNP},
        {"amdsnp", TP_PROVIDER_AMD_SEV_SNP},
        {"snp", TP_PROVIDER_AMD_SEV_SNP},
        {"awsnitro", TP_PROVIDER_AWS_NITRO},
        {"nitro", TP_PROVIDER_AWS_NITRO},
        {"nitroenclaves", TP_PROVIDER_AWS_NITRO},
        {"awsnitroenclaves", TP_PROVIDER_AWS_NITRO},
        {"nvidiagpu", TP_PROVIDER_NVIDIA_GPU},
        {"nvidia", TP_PROVIDER_NVIDIA_GPU},
        {"armpsa", TP_PROVIDER_ARM_PSA},
        {"psa", TP_PROVIDER_ARM_PSA},
        {"armcca", TP_PROVIDER_ARM_CCA},
        {"cca", TP_PROVIDER_ARM_CCA},
        {"mock", TP_PROVIDER_MOCK},
        {"tpm", TP_PROVIDER_TPM},
        {"tpm2", TP_PROVIDER_TPM},
        {"azuresnpvtpm", TP_PROVIDER_AZURE_SNP_VTPM},
        {"azsnpvtpm", TP_PROVIDER_AZURE_SNP_VTPM},
        {"gcpvtpm", TP_PROVIDER_GCP_VTPM},
        {"gcevtpm", TP_PROVIDER_GCP_VTPM},
        {"azuretdxvtpm", TP_PROVIDER_AZURE_TDX_VTPM},
        {"aztdxvtpm", TP_PROVIDER_AZURE_TDX_VTPM},
        {"ratls", TP_PROVIDER_RA_TLS},
};

const char *
provider_name(enum tp_provider p)
{
	return (unsigned)p < TP_PROVIDER__COUNT ? names[p] : "";
}

bool
provider_parse(const char *s, enum tp_provider *out)
{
	char norm[32];
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == '_' || *s == ' ')
			continue;
		if (n + 1 >= sizeof(norm) || !isalnum((unsigned char)*s))
			return false;
		norm[n++] = (char)tolower((unsigned char)*s);
	}
	norm[n] = '\0';
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(norm, aliases[i].alias) == 0) {
			*out = aliases[i].p;
			return true;
		}
	}
	return false;
}

/* Detection order: the most specific magic first. The Azure bundles'
 * member-name tests are cheap and specific, so they run before the SNP
 * detector, whose Tinfoil-bundle test parses JSON. */
static const struct provider_ops *const table[] = {
        &provider_mock,           &provider_intel_sgx,
        &provider_intel_tdx,      &provider_azure_tdx_vtpm,
        &provider_azure_snp_vtpm, &provider_amd_sev_snp,
        &provider_aws_nitro,      &provider_arm_cca,
        &provider_arm_psa,        &provider_tpm,
        &provider_gcp_vtpm,       &provider_ra_tls,
        &provider_nvidia_gpu,
};

const struct provider_ops *
provider_ops_get(enum tp_provider p)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i]->id == p && table[i]->verify != NULL)
			return table[i];
	return NULL;
}

enum tp_provider
provider_detect(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i]->detect != NULL && table[i]->detect(buf, len))
			return table[i]->id;
	return TP_PROVIDER_NONE;
}
