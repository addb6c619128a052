/* NVIDIA GPU confidential computing: not implemented yet (issue 8). */
#include "verify/provider.h"

const struct provider_ops provider_nvidia_gpu = {TP_PROVIDER_NVIDIA_GPU, NULL,
                                                 NULL};
