#ifndef TP_ENDPOINT_REPLY_H
#define TP_ENDPOINT_REPLY_H

#include <jansson.h>

#include "db/db.h"
#include "server/http.h"

/*
 * Replies STATUS with endpoint ID as GET /api/endpoints/{id} shows it,
 * plus "verdict" when VERDICT is non-NULL (reference stolen). Reads after
 * the commit, so the answer is what is stored.
 */
enum MHD_Result endpoint_reply(struct request *r, unsigned status,
                               const char *id, json_t *verdict);

/* 422 attestation_invalid with the verdict (stolen) beside the error. */
enum MHD_Result endpoint_reply_invalid(struct request *r, json_t *verdict);

/* The registry's error code for a refused nonce. */
const char *endpoint_nonce_code(enum db_nonce_result res);

#endif
