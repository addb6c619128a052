/* Intel DCAP (SGX, TDX): not implemented yet (issue 3). The ops exist so
 * the dispatcher links; verify == NULL answers unsupported_provider. */
#include "verify/provider.h"

const struct provider_ops provider_intel_sgx = {TP_PROVIDER_INTEL_SGX, NULL,
                                                NULL};
const struct provider_ops provider_intel_tdx = {TP_PROVIDER_INTEL_TDX, NULL,
                                                NULL};
