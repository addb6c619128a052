/*
 * Re-appraisal of stored passports (handlers/reappraise.h,
 * docs/reappraisal.md): the stored evidence and inputs verified again by
 * the same pure verifier, as of now with the current collateral and
 * reference values, or as of the passport's own time with what it used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/log.h"
#include "common/tptime.h"
#include "db/collateral.h"
#include "db/registry.h"
#include "handlers/nonce.h"
#include "handlers/reappraise.h"
#include "verify/core/composite.h"
#include "verify/verify.h"

const char *
reappraise_outcome_name(enum reappraise_outcome o)
{
	switch (o) {
	case REAPPRAISE_UNCHANGED:
		return "unchanged";
	case REAPPRAISE_SUPERSEDED:
		return "superseded";
	case REAPPRAISE_REVOKED:
		return "revoked";
	case REAPPRAISE_UNSUPPORTED:
		break;
	}
	return "unsupported";
}

/* affirming > warning > anything else (contraindicated, none: invalid). */
static int
tier(bool valid, const char *ear)
{
	if (!valid || ear == NULL)
		return 0;
	if (strcmp(ear, "affirming") == 0)
		return 2;
	if (strcmp(ear, "warning") == 0)
		return 1;
	return 0;
}

enum reappraise_outcome
reappraise_rule(const char *issued_ear, bool valid, const char *now_ear,
                bool revoked_cert)
{
	/* A passport was only ever issued for a valid verdict. */
	if (tier(valid, now_ear) >= tier(true, issued_ear))
		return REAPPRAISE_UNCHANGED;
	return revoked_cert ? REAPPRAISE_REVOKED : REAPPRAISE_SUPERSEDED;
}

void
reappraisal_clear(struct reappraisal *r)
{
	if (r == NULL)
		return;
	json_decref(r->verdict);
	json_decref(r->compared);
	r->verdict = r->compared = NULL;
}

/* Appends {check, name, ok, want, have} to OUT. */
static void
compare_one(json_t *out, const char *check, const char *name, json_t *want,
            json_t *have)
{
	bool ok = have != NULL &&
	          (json_is_string(want) && json_is_string(have)
	                   ? strcasecmp(json_string_value(want),
	                                json_string_value(have)) == 0
	                   : json_equal(want, have));

	json_array_append_new(
	        out, json_pack("{s:s, s:s, s:b, s:O, s:O}", "check", check,
	                       "name", name, "ok", ok, "want", want, "have",
	                       have != NULL ? have : json_null()));
}

/*
 * What EXPECTED asked for beside what verdict V saw: each runtime
 * register against the claims, model / config / auditors against the
 * bound runtime data (the verdict's own checks say only ok).
 */
static json_t *
compare(const json_t *expected, const struct verdict *v)
{
	json_t *out = json_array(), *want;
	const char *key;

	if (out == NULL || !json_is_object(expected))
		return out;
	json_object_foreach(json_object_get(expected, "runtime"), key, want)
	        compare_one(out, "expected_runtime", key, want,
	                    json_object_get(v->claims, key));
	json_object_foreach((json_t *)expected, key,
	                    want) if (strcmp(key, "model") == 0 ||
	                              strcmp(key, "config") == 0 ||
	                              strcmp(key, "auditors") == 0)
	{
		char check[32];

		snprintf(check, sizeof(check), "expected_%s", key);
		compare_one(out, check, key, want,
		            v->bound != NULL ? json_object_get(v->bound, key)
		                             : NULL);
	}
	return out;
}

/*
 * What one batch looked up already (one transaction: one view of the
 * cache): the cache rows by kind and key, and the blobs by digest — the
 * passports of a fleet share their collateral set.
 */
#define MEMO_ROWS 16
struct memo {
	json_t *blobs; /* digest -> base64 */
	struct {
		char kind[32], key[160];
		bool found;
		struct db_collateral_row row;
	} rows[MEMO_ROWS];
	size_t n;
};

static void
memo_clear(struct memo *m)
{
	json_decref(m->blobs);
	for (size_t i = 0; i < m->n; i++)
		db_collateral_row_clear(&m->rows[i].row);
	memset(m, 0, sizeof(*m));
}

/* The cache's row KIND/KEY valid at AT, through M (NULL: none). */
static enum db_status
cache_get(PGconn *c, struct memo *m, const char *kind, const char *key,
          int64_t at, const struct db_collateral_row **out,
          struct db_collateral_row *own)
{
	enum db_status st;
	size_t i;

	*out = NULL;
	for (i = 0; m != NULL && i < m->n; i++)
		if (strcmp(m->rows[i].kind, kind) == 0 &&
		    strcmp(m->rows[i].key, key) == 0) {
			if (m->rows[i].found)
				*out = &m->rows[i].row;
			return m->rows[i].found ? DB_OK : DB_NOT_FOUND;
		}
	if (m != NULL && m->n < MEMO_ROWS) {
		i = m->n;
		st = db_collateral_get(c, kind, key, at, &m->rows[i].row);
		if (st != DB_OK && st != DB_NOT_FOUND)
			return st;
		snprintf(m->rows[i].kind, sizeof(m->rows[i].kind), "%s", kind);
		snprintf(m->rows[i].key, sizeof(m->rows[i].key), "%s", key);
		m->rows[i].found = st == DB_OK;
		m->n++;
		if (st == DB_OK)
			*out = &m->rows[i].row;
		return st;
	}
	st = db_collateral_get(c, kind, key, at, own);
	if (st == DB_OK)
		*out = own;
	return st;
}

/* The digests of every blob A's appraisal names. */
static json_t *
wanted_digests(const struct db_appraisal *a)
{
	static const char *const inputs[] = {"runtime_data", "expected",
	                                     "event_log", "event_log_table"};
	json_t *d = json_array(), *e;
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		if ((e = json_object_get(a->appraisal, inputs[i])) != NULL)
			json_array_append(d, e);
	json_array_foreach(json_object_get(a->appraisal, "devices"), i, e)
	        json_array_append(d, json_object_get(e, "evidence"));
	json_array_foreach(a->artifacts, i, e)
	{
		json_array_append(d, json_object_get(e, "sha256"));
		if (json_object_get(e, "chain_sha256") != NULL)
			json_array_append(d,
			                  json_object_get(e, "chain_sha256"));
	}
	return d;
}

/* Blob NAME of the appraisal's inputs, decoded: false when it is named
 * but missing. *out NULL when not named. */
static bool
blob_bytes(const json_t *blobs, const json_t *digest, uint8_t **out,
           size_t *len)
{
	const char *b64;

	*out = NULL;
	*len = 0;
	if (digest == NULL)
		return true;
	b64 = json_string_value(
	        json_object_get(blobs, json_string_value(digest)));
	return b64 != NULL && codec_base64_decode(b64, strlen(b64), out, len);
}

/* The blobs DIGESTS name (*out: a new reference), those M holds not
 * asked for again. */
static enum db_status
blobs_get(PGconn *c, struct memo *m, const json_t *digests, json_t **out)
{
	json_t *missing, *got = NULL, *e;
	enum db_status st;
	size_t i;

	if (m == NULL)
		return db_appraisal_blobs_get(c, digests, out);
	if (m->blobs == NULL && (m->blobs = json_object()) == NULL)
		return DB_ERROR;
	if ((missing = json_array()) == NULL)
		return DB_ERROR;
	json_array_foreach(
	        digests, i,
	        e) if (json_object_get(m->blobs, json_string_value(e)) == NULL)
	        json_array_append(missing, e);
	st = DB_OK;
	if (json_array_size(missing) > 0 &&
	    (st = db_appraisal_blobs_get(c, missing, &got)) == DB_OK)
		json_object_update(m->blobs, got);
	json_decref(missing);
	json_decref(got);
	if (st == DB_OK)
		*out = json_incref(m->blobs);
	return st;
}

/*
 * The artifact set of the evidence (DEV 0) or of its device DEV - 1 (the
 * stored entries with "device": DEV): the stored artifacts, each of a
 * kind the cache holds replaced (for NOW) by the cache's current one for
 * its key when that is valid at AT. False when a stored blob is missing.
 */
static bool
build_set(PGconn *c, struct memo *m, const struct db_appraisal *a,
          const json_t *blobs, bool now, int64_t at, size_t dev,
          struct artifact_set *set)
{
	size_t i;
	json_t *e;

	json_array_foreach(a->artifacts, i, e)
	{
		if ((size_t)json_integer_value(json_object_get(e, "device")) !=
		    dev)
			continue;
		const char *kind =
		        json_string_value(json_object_get(e, "kind"));
		const char *key = json_string_value(json_object_get(e, "key"));
		const char *src =
		        json_string_value(json_object_get(e, "source"));
		unsigned flags = (unsigned)json_integer_value(
		        json_object_get(e, "flags"));
		enum artifact_kind k;
		struct db_collateral_row own = {0};
		const struct db_collateral_row *row;
		uint8_t *body = NULL, *chain = NULL;
		size_t blen = 0, clen = 0;
		bool added;

		if (kind == NULL || key == NULL ||
		    !artifact_kind_parse(kind, &k))
			return false;
		if (now && k < COLL_KIND__COUNT && key[0] != '\0' &&
		    cache_get(c, m, kind, key, at, &row, &own) == DB_OK) {
			added = artifact_set_add(
			        set, k, key, row->body, row->body_len,
			        row->issuer_chain,
			        row->issuer_chain ? strlen(row->issuer_chain)
			                          : 0,
			        "cache", 0);
			db_collateral_row_clear(&own);
			if (!added)
				return false;
			continue;
		}
		if (!blob_bytes(blobs, json_object_get(e, "sha256"), &body,
		                &blen) ||
		    !blob_bytes(blobs, json_object_get(e, "chain_sha256"),
		                &chain, &clen)) {
			free(body);
			free(chain);
			return false;
		}
		added = body != NULL &&
		        artifact_set_add(set, k, key, body, blen, (char *)chain,
		                         clen, src != NULL ? src : "stored",
		                         flags);
		free(body);
		free(chain);
		if (!added)
			return false;
	}
	return true;
}

/* The devices of a composite appraisal, as stored: each one's provider,
 * evidence (a blob) and collateral (the set's entries with "device"). */
struct stored_devices {
	struct verify_device devs[COMPOSITE_MAX_DEVICES];
	uint8_t *evidence[COMPOSITE_MAX_DEVICES];
	struct artifact_set *sets; /* [n] */
	size_t n;
};

static void
stored_devices_clear(struct stored_devices *sd)
{
	for (size_t i = 0; i < sd->n; i++) {
		free(sd->evidence[i]);
		if (sd->sets != NULL)
			artifact_set_clear(&sd->sets[i]);
	}
	free(sd->sets);
	memset(sd, 0, sizeof(*sd));
}

/* SD from the array DEVS of A's appraisal; false when a member is
 * malformed or a blob missing. */
static bool
stored_devices_load(PGconn *c, struct memo *m, const struct db_appraisal *a,
                    const json_t *devs, const json_t *blobs, bool now,
                    int64_t at, struct stored_devices *sd)
{
	size_t n = json_array_size(devs), len;
	json_t *d;

	memset(sd, 0, sizeof(*sd));
	if (n == 0 || n > COMPOSITE_MAX_DEVICES ||
	    (sd->sets = calloc(n, sizeof(*sd->sets))) == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		artifact_set_init(&sd->sets[i]);
	sd->n = n;
	for (size_t i = 0; i < n; i++) {
		const char *p;

		d = json_array_get(devs, i);
		p = json_string_value(json_object_get(d, "provider"));
		if (p == NULL ||
		    (p[0] != '\0' && !provider_parse(p, &sd->devs[i].provider)))
			return false;
		if (!blob_bytes(blobs, json_object_get(d, "evidence"),
		                &sd->evidence[i], &len) ||
		    sd->evidence[i] == NULL)
			return false;
		sd->devs[i].evidence = sd->evidence[i];
		sd->devs[i].evidence_len = len;
		if (!build_set(c, m, a, blobs, now, at, 1 + i, &sd->sets[i]))
			return false;
		sd->devs[i].artifacts = &sd->sets[i];
	}
	return true;
}

/* Whether V, or one of its devices (submods), has ERR. */
static bool
any_has_error(const struct verdict *v, enum tp_err err)
{
	const char *name, *code = tp_err_code(err);
	json_t *sm, *e;
	size_t i;

	if (verdict_has_error(v, err))
		return true;
	json_object_foreach(v->submods, name, sm)
	{
		json_array_foreach(json_object_get(sm, "errors"), i, e)
		{
			const char *c =
			        json_string_value(json_object_get(e, "code"));

			if (c != NULL && strcmp(c, code) == 0)
				return true;
		}
	}
	return false;
}

static enum db_status
run(PGconn *c, struct memo *m, const struct tp_config *cfg, const char *id,
    enum reappraise_when when, int64_t at, struct reappraisal *out)
{
	struct db_appraisal a;
	struct db_endpoint_ref ref = {0};
	struct artifact_set *set = NULL;
	struct verify_request req;
	struct verdict v;
	json_t *digests = NULL, *blobs = NULL, *expected = NULL, *devs;
	struct stored_devices sd = {0};
	uint8_t *rd = NULL, *el = NULL, *elt = NULL, *exp = NULL, nonce[32];
	size_t rdlen, ellen, eltlen, explen;
	const char *s;
	enum tp_provider prov;
	enum db_status st;
	bool has_nonce = false, verified = false;

	memset(out, 0, sizeof(*out));
	if ((st = db_appraisal_get(c, id, &a)) != DB_OK)
		return st;
	out->at = when == REAPPRAISE_ISSUED ? a.verified_at : at;
	out->outcome = REAPPRAISE_UNSUPPORTED;
	st = DB_OK;
	if (a.appraisal == NULL || a.evidence == NULL) {
		out->reason = "no stored appraisal inputs (issued before "
		              "migration 0007)";
		goto out;
	}
	/* Composite passports stored before their devices were recorded
	 * kept only the count. */
	devs = json_object_get(a.appraisal, "devices");
	if (devs != NULL && !json_is_array(devs)) {
		out->reason = "composite passport stored without its "
		              "devices' inputs (only their count)";
		goto out;
	}
	if (!provider_parse(
	            json_string_value(json_object_get(a.appraisal, "provider")),
	            &prov)) {
		out->reason = "stored provider unknown";
		goto out;
	}
	digests = wanted_digests(&a);
	if ((st = blobs_get(c, m, digests, &blobs)) != DB_OK)
		goto out;
	st = DB_ERROR;
	if (!blob_bytes(blobs, json_object_get(a.appraisal, "runtime_data"),
	                &rd, &rdlen) ||
	    !blob_bytes(blobs, json_object_get(a.appraisal, "event_log"), &el,
	                &ellen) ||
	    !blob_bytes(blobs, json_object_get(a.appraisal, "event_log_table"),
	                &elt, &eltlen) ||
	    !blob_bytes(blobs, json_object_get(a.appraisal, "expected"), &exp,
	                &explen))
		goto out;
	if (exp != NULL &&
	    (expected = json_loadb((const char *)exp, explen, 0, NULL)) == NULL)
		goto out;
	/* Now: the endpoint's current reference values, if it still lives. */
	if (when == REAPPRAISE_NOW && a.endpoint_id[0] != '\0' &&
	    db_endpoint_ref(c, a.endpoint_id, &ref) == DB_OK) {
		json_decref(expected);
		expected = json_incref(ref.doc);
	}
	if ((s = json_string_value(json_object_get(a.appraisal, "nonce")))) {
		if (!codec_hex_decode_fixed(s, nonce, 32))
			goto out;
		has_nonce = true;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL)
		goto out;
	artifact_set_init(set);
	if (!build_set(c, m, &a, blobs, when == REAPPRAISE_NOW, out->at, 0,
	               set))
		goto out;
	if (devs != NULL &&
	    !stored_devices_load(c, m, &a, devs, blobs, when == REAPPRAISE_NOW,
	                         out->at, &sd))
		goto out;
	memset(&req, 0, sizeof(req));
	req.evidence = a.evidence;
	req.evidence_len = a.evidence_len;
	req.provider = prov;
	req.runtime_data = rd;
	req.runtime_data_len = rd != NULL ? rdlen : 0;
	req.runtime_data_upper = json_is_true(
	        json_object_get(a.appraisal, "runtime_data_upper"));
	req.nonce = has_nonce ? nonce : NULL;
	req.nonce_len = has_nonce ? 32 : 0;
	req.expected = expected;
	req.event_log = el;
	req.event_log_len = el != NULL ? ellen : 0;
	req.event_log_table = elt;
	req.event_log_table_len = elt != NULL ? eltlen : 0;
	req.artifacts = set;
	req.now = out->at;
	req.cfg = &cfg->verify;
	verify_run(&req, &v);
	verified = true;
	/* Composite: each device judged again and bound to the CPU
	 * evidence, as when the passport was issued. */
	if (sd.n > 0)
		verify_devices(&req, sd.devs, sd.n, &v);
	/* The nonce's single use was settled when the passport was issued
	 * (no passport without it); its binding is checked again above. */
	if (has_nonce)
		nonce_record(&v, DB_NONCE_OK);
	out->valid = verdict_valid(&v);
	out->ear_status = verdict_status(&v);
	out->outcome =
	        reappraise_rule(a.ear_status, out->valid, out->ear_status,
	                        any_has_error(&v, TP_ERR_certificate_revoked));
	out->verdict = verdict_to_json(&v);
	out->compared = compare(expected, &v);
	st = out->verdict != NULL && out->compared != NULL ? DB_OK : DB_ERROR;
out:
	if (verified)
		verdict_free(&v);
	if (set != NULL) {
		artifact_set_clear(set);
		free(set);
	}
	stored_devices_clear(&sd);
	json_decref(ref.doc);
	json_decref(expected);
	json_decref(digests);
	json_decref(blobs);
	free(rd);
	free(el);
	free(elt);
	free(exp);
	db_appraisal_clear(&a);
	if (st != DB_OK)
		reappraisal_clear(out);
	return st;
}

enum db_status
reappraise_passport(PGconn *c, const struct tp_config *cfg, const char *id,
                    enum reappraise_when when, int64_t at,
                    struct reappraisal *out)
{
	return run(c, NULL, cfg, id, when, at, out);
}

json_t *
reappraisal_errors(const json_t *verdict)
{
	json_t *out = json_array(), *sm, *e;
	const char *name;
	size_t i;

	if (out == NULL)
		return NULL;
	json_array_extend(out, json_object_get(verdict, "errors"));
	/* A composite's device that fails: its own errors, named. */
	json_object_foreach(json_object_get(verdict, "submods"), name, sm)
	{
		if (json_is_true(json_object_get(sm, "valid")))
			continue;
		json_array_foreach(json_object_get(sm, "errors"), i, e)
		{
			json_t *c = json_deep_copy(e);

			if (c == NULL)
				continue;
			json_object_set_new(c, "device", json_string(name));
			json_array_append_new(out, c);
		}
	}
	return out;
}

enum db_status
reappraise_apply(PGconn *c, const char *id, const struct reappraisal *r)
{
	char at[32], *doc = NULL, *errors = NULL;
	json_t *j, *errs;
	enum db_status st = DB_ERROR;

	if (r->outcome != REAPPRAISE_SUPERSEDED &&
	    r->outcome != REAPPRAISE_REVOKED)
		return DB_OK;
	tptime_format(r->at, at);
	errs = reappraisal_errors(r->verdict);
	j = json_pack("{s:s, s:s, s:b, s:s, s:O?, s:o}", "outcome",
	              reappraise_outcome_name(r->outcome), "at", at, "valid",
	              r->valid, "ear_status", r->ear_status, "tcb_status",
	              json_object_get(r->verdict, "tcb_status"), "errors",
	              errs);
	if (j == NULL || (doc = json_dumps(j, JSON_COMPACT)) == NULL ||
	    (errors = json_dumps(json_object_get(j, "errors"), JSON_COMPACT)) ==
	            NULL)
		goto out;
	st = db_passport_supersede(c, id, reappraise_outcome_name(r->outcome),
	                           doc, errors, r->at);
	/* events: passport.superseded|revoked, endpoint.failed (in
	 * db_passport_supersede, same transaction) */
	if (st == DB_OK)
		tp_log(TP_LOG_DEBUG, "reappraisal: passport %s %s (%s)", id,
		       reappraise_outcome_name(r->outcome), r->ear_status);
out:
	free(doc);
	free(errors);
	json_decref(j);
	return st;
}

/* One batch of one job, inside the transaction. */
struct batch {
	const struct tp_config *cfg;
	int64_t now;
	int limit;
	int examined, changed;
	bool none; /* no pending job */
};

static enum db_status
batch_tx(PGconn *c, void *arg)
{
	struct batch *b = arg;
	struct db_reappraisal_job job;
	char(*ids)[37] = NULL;
	size_t n = 0;
	enum db_status st;
	struct memo m;

	memset(&m, 0, sizeof(m));
	b->examined = b->changed = 0;
	b->none = false;
	st = db_reappraisal_job_take(c, &job);
	if (st == DB_NOT_FOUND) {
		b->none = true;
		return DB_OK;
	}
	if (st != DB_OK)
		return st;
	st = db_reappraisal_affected(c, &job, b->now, b->limit, &ids, &n);
	if (st != DB_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		struct reappraisal r;

		st = run(c, &m, b->cfg, ids[i], REAPPRAISE_NOW, b->now, &r);
		if (st == DB_NOT_FOUND)
			continue;
		/* Stored inputs that cannot be read back (a missing blob, a
		 * malformed record) would stop the job for good: the passport
		 * is skipped. A failed statement aborts the batch instead (it
		 * is retried in the next round). */
		if ((st == DB_ERROR || st == DB_INVALID) &&
		    PQtransactionStatus(c) == PQTRANS_INTRANS) {
			tp_log(TP_LOG_WARN,
			       "reappraisal: passport %s cannot be judged "
			       "again "
			       "(its stored inputs do not read back); skipped",
			       ids[i]);
			b->examined++;
			continue;
		}
		if (st == DB_OK)
			st = reappraise_apply(c, ids[i], &r);
		if (st == DB_OK && (r.outcome == REAPPRAISE_SUPERSEDED ||
		                    r.outcome == REAPPRAISE_REVOKED))
			b->changed++;
		reappraisal_clear(&r);
		if (st == DB_NOT_FOUND)
			st = DB_OK; /* no longer active: nothing to do */
		if (st != DB_OK)
			goto out;
		b->examined++;
	}
	st = db_reappraisal_job_advance(c, job.id, n > 0 ? ids[n - 1] : NULL,
	                                b->examined, b->changed,
	                                n < (size_t)b->limit);
out:
	memo_clear(&m);
	free(ids);
	return st;
}

enum db_status
reappraise_jobs(const struct tp_config *cfg, int64_t now, int batch, int budget,
                int *examined, int *changed)
{
	struct batch b = {.cfg = cfg, .now = now};
	enum db_status st = DB_OK;
	int ex = 0, ch = 0;

	while (budget > 0) {
		b.limit = batch < budget ? batch : budget;
		if ((st = db_tx_read_committed(batch_tx, &b)) != DB_OK)
			break;
		if (b.none)
			break;
		ex += b.examined;
		ch += b.changed;
		/* A finished job that examined nothing costs no budget, but
		 * each transaction costs at least one. */
		budget -= b.examined > 0 ? b.examined : 1;
	}
	if (examined != NULL)
		*examined = ex;
	if (changed != NULL)
		*changed = ch;
	return st;
}
