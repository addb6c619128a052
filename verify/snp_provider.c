/* AMD SEV-SNP: not implemented yet (issue 4). */
#include "verify/provider.h"

const struct provider_ops provider_amd_sev_snp = {TP_PROVIDER_AMD_SEV_SNP, NULL,
                                                  NULL};
