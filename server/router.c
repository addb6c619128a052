#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "server/router.h"

static const struct route routes[] = {
        {"GET", "/healthz", handler_healthz, false, false},
        {"GET", "/readyz", handler_readyz, false, false},
        {"GET", "/metrics", handler_metrics, false, false},
        {"GET", "/.well-known/jwks.json", handler_jwks_get, false, true},
        {"GET", "/.well-known/jwks-development.json",
         handler_jwks_development_get, false, true},
        {"GET", "/.well-known/openid-configuration",
         handler_openid_configuration_get, false, true},
        /* CORS for origins of cors_post_origins only (server/cors.c). */
        {"POST", "/api/challenges", handler_challenges_post, false, true},
        {"POST", "/api/verify/tee-attestation", handler_verify_tee_attestation,
         true, true},
        {"GET", "/api/passports", handler_passports_list, false, true},
        {"GET", "/api/passports/{id}", handler_passports_get, false, true},
        /* The endpoint registry (issue 6). */
        {"GET", "/api/routes", handler_routes_get, false, true},
        {"POST", "/api/providers", handler_providers_post, true, false},
        {"POST", "/api/providers/{id}/keys", handler_provider_keys_post, false,
         false},
        {"GET", "/api/keys", handler_keys_list, false, false},
        {"DELETE", "/api/keys/{id}", handler_keys_delete, false, false},
        {"POST", "/api/endpoints", handler_endpoints_post, true, false},
        {"GET", "/api/endpoints", handler_endpoints_list, false, true},
        {"GET", "/api/endpoints/{id}", handler_endpoints_get, false, true},
        {"GET", "/api/endpoints/{id}/attestations",
         handler_endpoint_attestations_get, false, true},
        {"GET", "/api/endpoints/{id}/reference-values",
         handler_endpoint_references_get, false, true},
        {"PATCH", "/api/endpoints/{id}", handler_endpoints_patch, true, false},
        {"DELETE", "/api/endpoints/{id}", handler_endpoints_delete, false,
         false},
        {"PUT", "/api/endpoints/{id}/attestation",
         handler_endpoint_attestation_put, true, false},
        {"POST", "/api/passports/{id}/revoke", handler_passport_revoke, true,
         false},
        {"GET", "/api/passports/{id}/status", handler_passport_status, false,
         true},
        {"GET", "/api/passports/{id}/appraisal", handler_passport_appraisal_get,
         false, true},
        {"GET", "/api/audit", handler_audit_get, false, false},
        /* The transparency log (issue 17, docs/transparency.md). */
        {"GET", "/api/log/checkpoint", handler_log_checkpoint_get, false, true},
        {"GET", "/api/log/key", handler_log_key_get, false, true},
        {"GET", "/api/log/consistency", handler_log_consistency_get, false,
         true},
        {"GET", "/api/passports/{id}/inclusion", handler_log_inclusion_get,
         false, true},
        /* Push (issue 17, docs/events.md). */
        {"GET", "/api/events", handler_events_get, false, true},
        {"POST", "/api/webhooks", handler_webhooks_post, true, false},
        {"GET", "/api/webhooks", handler_webhooks_list, false, false},
        {"DELETE", "/api/webhooks/{id}", handler_webhooks_delete, false, false},
        {"GET", "/api/webhooks/{id}/deliveries", handler_webhook_deliveries_get,
         false, false},
        {"GET", "/api/collateral", handler_collateral_list, false, false},
        {"POST", "/api/tcb-status", handler_tcb_status_post, true, false},
        /* The dashboard (issue 16; docs/dashboard.md). */
        {"GET", "/", handler_ui_index, false, false},
        {"GET", "/ui/{id}", handler_ui_asset, false, false},
        {"GET", "/passports", handler_html_passports, false, false},
        {"GET", "/endpoints", handler_html_endpoints, false, false},
};

const struct route *
router_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

/* Matches PATH against PATTERN; a {id} segment takes one non-empty path
 * segment. */
static bool
path_match(const char *pattern, const char *path, const char **param,
           size_t *paramlen)
{
	const char *brace = strstr(pattern, "{id}");
	size_t pre, seglen;

	if (brace == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(brace - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return false;
	seglen = strcspn(path + pre, "/");
	if (seglen == 0 || strcmp(path + pre + seglen, brace + 4) != 0)
		return false;
	*param = path + pre;
	*paramlen = seglen;
	return true;
}

const struct route *
router_match(const char *method, const char *path, char *allow, size_t allowlen,
             const char **param, size_t *paramlen, bool *cors)
{
	const struct route *found = NULL;
	size_t n = 0;

	allow[0] = '\0';
	*cors = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *p = NULL;
		size_t plen = 0;
		if (!path_match(routes[i].pattern, path, &p, &plen))
			continue;
		*cors = *cors || routes[i].cors;
		n += (size_t)snprintf(allow + n,
		                      n < allowlen ? allowlen - n : 0, "%s%s",
		                      n > 0 ? ", " : "", routes[i].method);
		if (found == NULL && strcmp(routes[i].method, method) == 0) {
			found = &routes[i];
			*param = p;
			*paramlen = plen;
		}
	}
	/* Browsers ask before cross-origin requests; CORS routes answer. */
	if (*cors && n > 0 && n < allowlen)
		snprintf(allow + n, allowlen - n, ", OPTIONS");
	return found;
}

bool
router_cors(const char *method, const char *path)
{
	const char *p;
	size_t plen;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].method, method) == 0 &&
		    path_match(routes[i].pattern, path, &p, &plen))
			return routes[i].cors;
	return false;
}
