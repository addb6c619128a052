/* Arm PSA attestation tokens: not implemented yet (issue 8). */
#include "verify/provider.h"

const struct provider_ops provider_arm_psa = {TP_PROVIDER_ARM_PSA, NULL, NULL};
