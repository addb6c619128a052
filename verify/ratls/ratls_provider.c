#include "verify/verify.h"
const struct provider_ops provider_ra_tls = {.id = TP_PROVIDER_RA_TLS};
