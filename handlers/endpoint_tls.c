/* Attested TLS and the GPUs of registered endpoints
 * (handlers/endpoint_tls.h). */
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/log.h"
#include "db/attls.h"
#include "handlers/endpoint_tls.h"
#include "handlers/tls_probe.h"
#include "server/app.h"
#include "verify/core/composite.h"

/* Records the refusal in the verdict: the check, its code, the reason. */
static void
refuse(struct attestation *a, struct endpoint_tls *t, enum tp_err code,
       const char *why)
{
	verdict_fail(&a->v, "endpoint_tls", code, "%s", why);
	a->valid = false;
	t->refused = code;
}

void
endpoint_tls_appraise(struct attestation *a, const char *url,
                      struct endpoint_tls *t)
{
	struct tls_target target;
	uint8_t bound[32], seen[32];
	char why[256];
	int got;

	t->bound = false;
	t->checked = false;
	t->refused = TP_ERR_none;
	t->spki_hex[0] = '\0';
	t->device_in_use[0] = '\0';
	json_decref(t->devices);
	t->devices = NULL;
	if (!a->valid)
		return;
	t->devices = composite_verdict_gpu_ids(&a->v);
	got = tls_binding_get(&a->v, t->layout, bound, why, sizeof(why));
	if (got < 0) {
		refuse(a, t, TP_ERR_tls_binding_invalid, why);
		return;
	}
	if (got == 0) {
		if (t->layout != TLS_BINDING_RUNTIME_DATA)
			refuse(a, t, TP_ERR_tls_binding_invalid,
			       "tls_binding report_data: no report_data");
		return; /* no key bound: nothing to compare */
	}
	t->bound = true;
	codec_hex_encode_to(bound, 32, t->spki_hex);
	if (!app.cfg.endpoint_tls_check)
		return;
	/* Only https, and only to allow-listed hosts: registration must not
	 * make teepassd a port scanner of its own network. */
	if (!tls_target_parse(url, &target)) {
		refuse(a, t, TP_ERR_tls_url_not_https,
		       "url: want https://host[:port]/...");
		return;
	}
	if (!tls_target_allowed(&target, app.cfg.endpoint_tls_allowed_hosts)) {
		refuse(a, t, TP_ERR_tls_host_not_allowed,
		       "url: host not in endpoint_tls_allowed_hosts");
		return;
	}
	if (tls_probe_spki(&target, (long)app.cfg.endpoint_tls_timeout_ms, seen,
	                   why, sizeof(why)) != TP_ERR_none) {
		refuse(a, t, TP_ERR_tls_unreachable, why);
		return;
	}
	t->checked = true;
	if (tls_binding_compare(bound, seen) != TP_ERR_none) {
		char hex[65];

		codec_hex_encode_to(seen, 32, hex);
		snprintf(why, sizeof(why),
		         "the endpoint's certificate key has SPKI SHA-256 %s; "
		         "the evidence binds %s (%s)",
		         hex, t->spki_hex, tls_binding_layout_name(t->layout));
		refuse(a, t, TP_ERR_tls_key_mismatch, why);
		return;
	}
	verdict_pass(&a->v, "endpoint_tls");
}

enum db_status
endpoint_tls_devices_free(PGconn *c, const char *id, struct endpoint_tls *t,
                          bool *free_)
{
	char *json;
	enum db_status st;

	*free_ = true;
	if (json_object_size(t->devices) == 0)
		return DB_OK;
	if ((json = json_dumps(t->devices, JSON_COMPACT)) == NULL)
		return DB_ERROR;
	st = db_endpoint_devices_conflict(c, id, json, t->device_in_use);
	free(json);
	if (st == DB_OK) {
		*free_ = false;
		return DB_OK;
	}
	return st == DB_NOT_FOUND ? DB_OK : st;
}

enum db_status
endpoint_tls_commit(PGconn *c, const char *id, const struct endpoint_tls *t)
{
	enum db_status st;
	char *json;

	st = db_endpoint_tls_record(c, id, tls_binding_layout_name(t->layout),
	                            t->bound ? t->spki_hex : NULL);
	if (st != DB_OK)
		return st;
	/* The endpoint's GPUs are those of its latest valid evidence. */
	if ((json = json_dumps(t->devices != NULL ? t->devices : json_object(),
	                       JSON_COMPACT)) == NULL)
		return DB_ERROR;
	st = db_endpoint_devices_set(c, id, json);
	free(json);
	return st;
}

struct layout_args {
	const char *id;
	char layout[24];
	char *url;
};

static enum db_status
read_layout(PGconn *c, void *arg)
{
	struct layout_args *a = arg;

	free(a->url); /* a retried transaction */
	a->url = NULL;
	return db_endpoint_tls_layout(c, a->id, a->layout, &a->url);
}

enum db_status
endpoint_tls_layout_of(const char *id, enum tls_binding_layout *layout,
                       char **url)
{
	struct layout_args a = {id, "", NULL};
	enum db_status st = db_tx(read_layout, &a);

	*layout = TLS_BINDING_RUNTIME_DATA;
	if (st == DB_OK && !tls_binding_layout_parse(a.layout, layout))
		st = DB_ERROR;
	if (st != DB_OK) {
		free(a.url);
		a.url = NULL;
	}
	*url = a.url;
	return st;
}

enum MHD_Result
endpoint_tls_reply_refused(struct request *r, enum tp_err code, json_t *verdict)
{
	json_t *body = json_pack("{s:{s:s, s:s}, s:o}", "error", "code",
	                         tp_err_code(code), "message",
	                         tp_err_message(code), "verdict", verdict);

	return reply_json(r, (unsigned)tp_err_status(code), body);
}

void
endpoint_tls_free(struct endpoint_tls *t)
{
	if (t == NULL)
		return;
	json_decref(t->devices);
	t->devices = NULL;
}
