#ifndef TP_ROUTER_H
#define TP_ROUTER_H

#include "server/http.h"

typedef enum MHD_Result (*route_fn)(struct request *r);

struct route {
	const char *method;
	const char *pattern; /* "/api/passports/{id}": one {id} segment */
	route_fn fn;
	bool body; /* takes a JSON body */
	bool cors; /* answers CORS (browser dashboards) */
};

/*
 * Finds the route for METHOD and PATH. Returns it, or NULL with *allow
 * set to the methods the path does accept ("" when the path is
 * unknown: 404). *param points into PATH at the {id} segment.
 */
const struct route *router_match(const char *method, const char *path,
                                 char *allow, size_t allowlen,
                                 const char **param, size_t *paramlen,
                                 bool *cors);

/* True when the route of METHOD and PATH answers CORS (server/cors.c). */
bool router_cors(const char *method, const char *path);

/* The whole route table (*N entries), for GET /api/routes. */
const struct route *router_routes(size_t *n);

#endif
