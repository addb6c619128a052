#include "verify/rim_swid.h"

bool
rim_appraise(const json_t *rims, const struct spdm_measurements *m,
             json_t *claims, const struct verify_request *req,
             struct verdict *v, const char *prefix)
{
	verdict_fail(v, "rim", TP_ERR_rim_invalid, "RIMs not supported yet");
	return false;
}
