#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "handlers/db_json.h"

/* Seconds of US, rounded down as PostgreSQL's to_char truncates. */
static int64_t
seconds(int64_t us, int64_t *frac)
{
	int64_t s = us / 1000000, f = us % 1000000;

	if (f < 0) {
		s--;
		f += 1000000;
	}
	if (frac != NULL)
		*frac = f;
	return s;
}

json_t *
db_json_time(int64_t us)
{
	char buf[32];

	if (us == DB_TIME_NULL)
		return json_null();
	tptime_format(seconds(us, NULL), buf);
	return json_string(buf);
}

json_t *
db_json_time_us(int64_t us)
{
	char buf[32], out[48];
	int64_t frac;
	size_t n;

	if (us == DB_TIME_NULL)
		return json_null();
	tptime_format(seconds(us, &frac), buf);
	n = strlen(buf);
	if (n == 0 || buf[n - 1] != 'Z')
		return NULL;
	buf[n - 1] = '\0';
	snprintf(out, sizeof(out), "%s.%06lldZ", buf, (long long)frac);
	return json_string(out);
}

json_t *
db_json_text(const char *s, bool empty_null)
{
	if (s == NULL || (empty_null && *s == '\0'))
		return json_null();
	return json_string(s);
}

json_t *
db_json_passport_summary(const struct db_passport *p)
{
	/* tee_type and hardware_attested: deprecated aliases of provider
	 * and hardware_verified (docs/api.md). */
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:o, s:o,"
	                 " s:s, s:o}",
	                 "id", p->id, "status", p->status, "ear_status",
	                 p->ear_status, "provider", p->tee_type,
	                 "hardware_verified", p->hardware_attested, "tee_type",
	                 p->tee_type, "hardware_attested", p->hardware_attested,
	                 "created_at", db_json_time_us(p->created_at),
	                 "verified_at", db_json_time(p->verified_at),
	                 "expires_at", db_json_time(p->expires_at),
	                 "evidence_sha256", p->evidence_sha256, "endpoint_id",
	                 db_json_text(p->endpoint_id, true));
}

json_t *
db_json_passport(const struct db_passport *p)
{
	json_t *o = db_json_passport_summary(p), *claims;

	if (o == NULL || p->token == NULL)
		goto fail;
	/* A stored document that does not parse shows as null, as ever. */
	claims = p->claims_json != NULL ? json_loads(p->claims_json, 0, NULL)
	                                : NULL;
	if (json_object_set_new(o, "claims",
	                        claims != NULL ? claims : json_null()) != 0 ||
	    json_object_set_new(o, "token", json_string(p->token)) != 0)
		goto fail;
	if (p->revoked_at_text != NULL &&
	    json_object_set_new(o, "revoked_at",
	                        json_string(p->revoked_at_text)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *
db_json_passport_issued(const struct db_passport_issued *p)
{
	if (p->token == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:o}", "id", p->id, "token", p->token,
	                 "expires_at", db_json_time(p->expires_at));
}

json_t *
db_json_passport_state(const struct db_passport_state *s, int64_t checked_at)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id", s->id,
	                 "status", s->status, "expires_at",
	                 db_json_time(s->expires_at), "revoked_at",
	                 db_json_time(s->revoked_at), "revocation_reason",
	                 db_json_text(s->revocation_reason, false),
	                 "endpoint_id", db_json_text(s->endpoint_id, true),
	                 "checked_at", db_json_time(checked_at * 1000000));
}

/* Stored JSON text parsed, JSON null for NULL; NULL when it does not
 * parse. */
static json_t *
doc(const char *text)
{
	return text != NULL ? json_loads(text, 0, NULL) : json_null();
}

json_t *
db_json_endpoint(const struct db_endpoint *e)
{
	json_t *passport, *tls;

	if (e->passport_id[0] == '\0')
		passport = json_null();
	else if (e->passport_token == NULL)
		return NULL;
	else
		passport =
		        json_pack("{s:s, s:s, s:o, s:s}", "id", e->passport_id,
		                  "status", e->passport_status, "expires_at",
		                  db_json_time(e->passport_expires_at), "token",
		                  e->passport_token);
	/* Attested TLS: the key the evidence binds (docs/registry.md). */
	tls = e->tls_spki_sha256[0] == '\0'
	              ? json_null()
	              : json_pack("{s:s, s:s, s:o}", "binding", e->tls_binding,
	                          "spki_sha256", e->tls_spki_sha256,
	                          "checked_at",
	                          db_json_time(e->tls_checked_at));
	if (e->url == NULL || e->model_name == NULL ||
	    e->model_digest == NULL || e->ref_doc_json == NULL) {
		json_decref(passport);
		json_decref(tls);
		return NULL;
	}
	/* tee_type: deprecated alias of provider (docs/registry.md). */
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s,"
	                 " s:{s:i, s:s, s:o}, s:o, s:o, s:o, s:o, s:o, s:o}",
	                 "id", e->id, "provider_id", e->provider_id, "url",
	                 e->url, "model", "name", e->model_name, "digest",
	                 e->model_digest, "provider", e->tee_type, "tee_type",
	                 e->tee_type, "status", e->status, "reference_values",
	                 "version", e->ref_version, "sha256", e->ref_sha256,
	                 "values", doc(e->ref_doc_json), "passport", passport,
	                 "last_attested_at", db_json_time(e->last_attested_at),
	                 "last_errors", doc(e->last_errors_json), "created_at",
	                 db_json_time(e->created_at), "retired_at",
	                 db_json_time(e->retired_at), "tls", tls);
}

json_t *
db_json_api_key_revoked(const struct db_api_key_revoked *k)
{
	return json_pack("{s:s, s:s, s:o, s:o}", "id", k->id, "scope", k->scope,
	                 "provider_id", db_json_text(k->provider_id, true),
	                 "revoked_at", db_json_time(k->revoked_at));
}

json_t *
db_json_audit_entry(const struct db_audit_entry *e)
{
	return json_pack("{s:I, s:o, s:s?, s:s?, s:o, s:o}", "id",
	                 (json_int_t)e->id, "at", db_json_time_us(e->at),
	                 "actor", e->actor, "action", e->action, "target",
	                 db_json_text(e->target, false), "detail",
	                 doc(e->detail_json));
}

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
static json_t *
seconds_json(int64_t t)
{
	char buf[32];

	tptime_format(t, buf);
	return json_string(buf);
}

static json_t *
collateral_json(const struct db_collateral_entry *e, bool bodies)
{
	const struct db_collateral_row *w = &e->row;
	json_t *o =
	        json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:b}", "kind",
	                  w->kind, "key", w->key, "sha256", w->sha256,
	                  "issue_date", seconds_json(w->issue_date),
	                  "next_update", seconds_json(w->next_update),
	                  "fetched_at", seconds_json(w->fetched_at), "source",
	                  w->source, "valid", e->valid);
	char *b64;

	if (o == NULL || !bodies)
		return o;
	b64 = w->body != NULL ? codec_base64_encode(w->body, w->body_len)
	                      : NULL;
	if (json_object_set_new(o, "body",
	                        b64 != NULL ? json_string(b64) : json_null()) !=
	            0 ||
	    (w->issuer_chain != NULL &&
	     json_object_set_new(o, "issuer_chain",
	                         json_string(w->issuer_chain)) != 0)) {
		json_decref(o);
		o = NULL;
	}
	free(b64);
	return o;
}

json_t *
db_json_collateral_list(const struct db_collateral_entry *e, size_t n,
                        bool bodies)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		if (json_array_append_new(
		            arr, collateral_json(&e[i], bodies)) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	return arr;
}

json_t *
db_json_endpoint_attempt(const struct db_endpoint_attempt *a)
{
	return json_pack("{s:o, s:s, s:o, s:i, s:o, s:o}", "at",
	                 db_json_time_us(a->at), "status", a->status,
	                 "passport_id", db_json_text(a->passport_id, true),
	                 "reference_version", a->reference_version, "errors",
	                 doc(a->errors_json), "tls_spki_sha256",
	                 db_json_text(a->tls_spki_sha256, true));
}

json_t *
db_json_reference_version(const struct db_reference_version *r)
{
	return json_pack("{s:i, s:s, s:o, s:o}", "version", r->version,
	                 "sha256", r->sha256, "values", doc(r->doc_json),
	                 "created_at", db_json_time_us(r->created_at));
}
