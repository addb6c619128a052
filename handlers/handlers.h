#ifndef TP_HANDLERS_H
#define TP_HANDLERS_H

#include "server/http.h"

/* One file per endpoint; each queues exactly one response. */
enum MHD_Result handler_healthz(struct request *r);
enum MHD_Result handler_readyz(struct request *r);
enum MHD_Result handler_metrics(struct request *r);
enum MHD_Result handler_jwks_get(struct request *r);
/* The transparency log (handlers/log_*.c). */
enum MHD_Result handler_log_checkpoint_get(struct request *r);
enum MHD_Result handler_log_key_get(struct request *r);
enum MHD_Result handler_log_consistency_get(struct request *r);
enum MHD_Result handler_log_inclusion_get(struct request *r);
enum MHD_Result handler_jwks_development_get(struct request *r);
enum MHD_Result handler_openid_configuration_get(struct request *r);
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

/* The endpoint registry (issue 6; docs/api.md, Registry). */
enum MHD_Result handler_routes_get(struct request *r);
enum MHD_Result handler_providers_post(struct request *r);
enum MHD_Result handler_provider_keys_post(struct request *r);
enum MHD_Result handler_keys_delete(struct request *r);
enum MHD_Result handler_keys_list(struct request *r);
enum MHD_Result handler_endpoint_attestations_get(struct request *r);
enum MHD_Result handler_endpoint_references_get(struct request *r);
enum MHD_Result handler_endpoints_post(struct request *r);
enum MHD_Result handler_endpoints_list(struct request *r);
enum MHD_Result handler_endpoints_get(struct request *r);
enum MHD_Result handler_endpoints_patch(struct request *r);
enum MHD_Result handler_endpoints_delete(struct request *r);
enum MHD_Result handler_endpoint_attestation_put(struct request *r);
enum MHD_Result handler_passport_revoke(struct request *r);
enum MHD_Result handler_passport_status(struct request *r);
/* GET /api/passports/{id}/appraisal (docs/reappraisal.md). */
enum MHD_Result handler_passport_appraisal_get(struct request *r);
enum MHD_Result handler_audit_get(struct request *r);

/* Push (issue 17, docs/events.md). */
enum MHD_Result handler_events_get(struct request *r);
enum MHD_Result handler_webhooks_post(struct request *r);
enum MHD_Result handler_webhooks_list(struct request *r);
enum MHD_Result handler_webhooks_delete(struct request *r);
enum MHD_Result handler_webhook_deliveries_get(struct request *r);

/* The dashboard (issue 16): embedded files of web/ and the HTML lists
 * readable without JavaScript (handlers/ui_get.c, handlers/html_lists.c). */
enum MHD_Result handler_ui_index(struct request *r);
enum MHD_Result handler_ui_asset(struct request *r);
enum MHD_Result handler_html_passports(struct request *r);
enum MHD_Result handler_html_endpoints(struct request *r);

#endif
