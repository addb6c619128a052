#ifndef TP_CORS_H
#define TP_CORS_H
/*
 * CORS for browser dashboards (docs/api.md, "CORS"). Public GET routes
 * answer origins of cors_origins ("*" by default); the cross-origin
 * POSTs that start a verification (POST /api/challenges and
 * /api/verify/tee-attestation) only origins listed in cors_post_origins
 * (none by default). Credentials (cookies) are never allowed; an
 * Authorization header may be sent.
 */
#include <microhttpd.h>

#include "server/http.h"

/* Adds the CORS headers of an answer to R: Access-Control-Allow-Origin
 * and -Expose-Headers when the route and origin allow it; Vary: Origin
 * on every cacheable or CORS answer while an allow-list is set. */
void cors_headers(struct request *r, struct MHD_Response *resp);

/* Answers the preflight OPTIONS of R (a path with a CORS route): 204,
 * with the Access-Control-Allow-* headers only when the requested
 * method is allowed for R's Origin. */
enum MHD_Result cors_preflight(struct request *r);

#endif
