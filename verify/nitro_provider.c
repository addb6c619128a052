/* AWS Nitro Enclaves: not implemented yet (issue 5). */
#include "verify/provider.h"

const struct provider_ops provider_aws_nitro = {TP_PROVIDER_AWS_NITRO, NULL,
                                                NULL};
