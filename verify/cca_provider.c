/* Arm CCA attestation tokens: not implemented yet (issue 8). */
#include "verify/provider.h"

const struct provider_ops provider_arm_cca = {TP_PROVIDER_ARM_CCA, NULL, NULL};
