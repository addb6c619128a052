#ifndef TP_HANDLERS_H
#define TP_HANDLERS_H

#include "server/http.h"

/* One file per endpoint; each queues exactly one response. */
enum MHD_Result handler_healthz(struct request *r);
enum MHD_Result handler_readyz(struct request *r);
enum MHD_Result handler_metrics(struct request *r);
enum MHD_Result handler_jwks_get(struct request *r);
enum MHD_Result handler_challenges_post(struct request *r);
enum MHD_Result handler_verify_tee_attestation(struct request *r);
enum MHD_Result handler_passports_get(struct request *r);
enum MHD_Result handler_passports_list(struct request *r);
enum MHD_Result handler_collateral_list(struct request *r);
enum MHD_Result handler_tcb_status_post(struct request *r);

/* 503 for a collateral-service failure STATUS (enum coll_status), naming
 * ARTIFACT, with Retry-After RETRY seconds (handlers/collateral_reply.c). */
enum MHD_Result reply_collateral_error(struct request *r, int status,
                                       const char *artifact, int64_t retry);

#endif
