/*
 * GET /api/routes (public): the route table, method and pattern, so that
 * tools and the authorization-matrix test see every route the daemon
 * serves.
 */
#include "handlers/handlers.h"
#include "server/router.h"

enum MHD_Result
handler_routes_get(struct request *r)
{
	size_t n = 0;
	const struct route *routes = router_routes(&n);
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		        arr, json_pack("{s:s, s:s}", "method", routes[i].method,
		                       "pattern", routes[i].pattern));
	return reply_json(r, 200, json_pack("{s:o}", "routes", arr));
}
