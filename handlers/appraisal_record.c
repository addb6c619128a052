/*
 * What an appraisal used, recorded with its passport
 * (handlers/reappraise.h, migrations/0007): the request's inputs by
 * digest, every byte stored once (appraisal_blobs), and the collateral
 * as a set stored once by the digest of its list.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/codec.h"
#include "handlers/attestation.h"
#include "handlers/reappraise.h"
#include "verify/core/lru.h"
#include "verify/intel/dcap_collateral.h"

/*
 * Collateral sets this process saw committed: a passport with one of
 * them sends no artifact bytes (they are stored with the set). A small
 * direct-mapped table; a miss only costs sending the bytes again.
 */
#define KNOWN_SETS 64
static uint8_t known[KNOWN_SETS][32];
static bool known_used[KNOWN_SETS];
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
set_known(const uint8_t md[32], bool add)
{
	size_t slot = md[0] % KNOWN_SETS;
	bool hit;

	pthread_mutex_lock(&known_lock);
	hit = known_used[slot] && memcmp(known[slot], md, 32) == 0;
	if (add) {
		memcpy(known[slot], md, 32);
		known_used[slot] = true;
	}
	pthread_mutex_unlock(&known_lock);
	return hit;
}

/* MD is no longer stored: not known. */
static void
set_forget(const uint8_t md[32])
{
	size_t slot = md[0] % KNOWN_SETS;

	pthread_mutex_lock(&known_lock);
	if (known_used[slot] && memcmp(known[slot], md, 32) == 0)
		known_used[slot] = false;
	pthread_mutex_unlock(&known_lock);
}

/* Adds BUF as a blob (unless BLOBS is NULL: known already) and returns
 * its hex digest in HEX. */
static bool
blob(json_t *blobs, const void *buf, size_t len, char hex[65])
{
	uint8_t md[32];
	char *b64;

	SHA256(buf, len, md);
	codec_hex_encode_to(md, 32, hex);
	if (blobs == NULL)
		return true;
	if ((b64 = codec_base64_encode(buf, len)) == NULL)
		return false;
	json_array_append_new(blobs,
	                      json_pack("{s:s, s:s}", "s", hex, "b", b64));
	free(b64);
	return true;
}

/* Member NAME of IN: the digest of BUF, stored as a blob. */
static bool
input(json_t *in, json_t *blobs, const char *name, const void *buf, size_t len)
{
	char hex[65];

	if (buf == NULL)
		return true;
	if (!blob(blobs, buf, len, hex))
		return false;
	json_object_set_new(in, name, json_string(hex));
	return true;
}

/*
 * The cache's key of an Intel artifact a loader could not name (the
 * request's or a directory's), from its content, so that a job for that
 * kind and key finds it: "<tee>/<fmspc>", "tdx"/"sgx",
 * "platform"/"processor", "root". Nothing is verified here (the
 * verifier did); KEY stays "" for anything else.
 */
static void
name_from_content(const struct artifact *it, char *key, size_t len)
{
	const char *text = (const char *)it->body;
	size_t off, vlen;

	key[0] = '\0';
	if (it->kind == ARTIFACT_INTEL_TCB_INFO &&
	    dcap_json_member_span(text, it->body_len, "tcbInfo", &off, &vlen)) {
		struct dcap_tcb_info *t = calloc(1, sizeof(*t));
		char w[160], fmspc[13];

		if (t != NULL && dcap_tcb_info_parse(it->body + off, vlen, t, w,
		                                     sizeof(w))) {
			codec_hex_encode_to(t->fmspc, 6, fmspc);
			snprintf(key, len, "%s/%s", t->tdx ? "tdx" : "sgx",
			         fmspc);
		}
		if (t != NULL)
			dcap_tcb_info_clear(t);
		free(t);
	} else if (it->kind == ARTIFACT_INTEL_QE_IDENTITY &&
	           dcap_json_member_span(text, it->body_len, "enclaveIdentity",
	                                 &off, &vlen)) {
		struct dcap_qe_identity *q = calloc(1, sizeof(*q));
		char w[160];

		if (q != NULL && dcap_qe_identity_parse(it->body + off, vlen, q,
		                                        w, sizeof(w)))
			snprintf(key, len, "%s", q->td_qe ? "tdx" : "sgx");
		if (q != NULL)
			dcap_qe_identity_clear(q);
		free(q);
	} else if (it->kind == ARTIFACT_INTEL_PCK_CRL) {
		const unsigned char *p = it->body;
		X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)it->body_len);
		char cn[128] = "";

		if (crl == NULL) {
			BIO *b = BIO_new_mem_buf(it->body, (int)it->body_len);
			crl = b != NULL ? PEM_read_bio_X509_CRL(b, NULL, NULL,
			                                        NULL)
			                : NULL;
			BIO_free(b);
		}
		if (crl != NULL &&
		    X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl),
		                              NID_commonName, cn,
		                              sizeof(cn)) > 0) {
			if (strcmp(cn, "Intel SGX PCK Platform CA") == 0)
				snprintf(key, len, "platform");
			else if (strcmp(cn, "Intel SGX PCK Processor CA") == 0)
				snprintf(key, len, "processor");
		}
		X509_CRL_free(crl);
	} else if (it->kind == ARTIFACT_INTEL_ROOT_CA_CRL) {
		snprintf(key, len, "root");
	}
}

/*
 * Memos of what every request of a fleet repeats (issue 19): an
 * artifact's name from its content, and a collateral set's list and
 * digest. Both are keyed by SHA-256 over every byte they depend on, so
 * bytes that differ in one place are another entry, never a hit; both
 * are bounded (least recently used evicted) and thread-safe (lru.h).
 * A miss only costs computing the value again.
 */
#define NAME_MEMO_MAX 256
#define SET_MEMO_MAX  64

struct set_memo {
	char hex[65];
	char *json;
};

static void
set_memo_destroy(void *obj)
{
	struct set_memo *m = obj;

	if (m != NULL)
		free(m->json);
	free(m);
}

static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static struct lru *name_memo, *set_memo;

static void
memo_init(void)
{
	name_memo = lru_new(NAME_MEMO_MAX, free);
	set_memo = lru_new(SET_MEMO_MAX, set_memo_destroy);
}

void
appraisal_memo_configure(size_t names, size_t sets)
{
	pthread_once(&memo_once, memo_init);
	lru_configure(name_memo, names);
	lru_configure(set_memo, sets);
	lru_clear(name_memo);
	lru_clear(set_memo);
}

void
appraisal_memo_stats(struct lru_stats *names, struct lru_stats *sets)
{
	pthread_once(&memo_once, memo_init);
	lru_stats(name_memo, names);
	lru_stats(set_memo, sets);
}

struct text_out {
	char *buf;
	size_t len;
};

static bool
name_copy(void *obj, void *out)
{
	struct text_out *o = out;

	snprintf(o->buf, o->len, "%s", (const char *)obj);
	return true;
}

static bool
set_copy(void *obj, void *out)
{
	const struct set_memo *m = obj;
	struct set_memo *o = out;

	memcpy(o->hex, m->hex, sizeof(o->hex));
	return (o->json = strdup(m->json)) != NULL;
}

void
appraisal_artifact_name(const struct artifact *it, const uint8_t *body_md,
                        char *key, size_t len)
{
	static const char tag[] = "teepass-artifact-name-v1";
	uint8_t in[sizeof(tag) + 1 + 32], mk[32], md[32];
	struct text_out o = {key, len};
	char *copy;

	key[0] = '\0';
	if (it->key[0] != '\0') {
		snprintf(key, len, "%s", it->key);
		return;
	}
	/* Kinds named without parsing need no memo. */
	if (it->kind != ARTIFACT_INTEL_TCB_INFO &&
	    it->kind != ARTIFACT_INTEL_QE_IDENTITY &&
	    it->kind != ARTIFACT_INTEL_PCK_CRL) {
		name_from_content(it, key, len);
		return;
	}
	pthread_once(&memo_once, memo_init);
	if (body_md == NULL) {
		SHA256(it->body, it->body_len, md);
		body_md = md;
	}
	memcpy(in, tag, sizeof(tag));
	in[sizeof(tag)] = (uint8_t)it->kind;
	memcpy(in + sizeof(tag) + 1, body_md, 32);
	SHA256(in, sizeof(in), mk);
	if (lru_get(name_memo, mk, 0, name_copy, &o))
		return;
	name_from_content(it, key, len);
	if ((copy = strdup(key)) != NULL)
		lru_put(name_memo, mk, INT64_MIN, INT64_MAX, copy);
}

/* Adds the bytes of S's artifacts (bodies and chains) to BLOBS. */
static bool
set_bytes_add(const struct artifact_set *s, json_t *blobs)
{
	json_t *art_blobs = json_array();
	char hex[65];
	bool ok = false;

	if (art_blobs == NULL)
		goto out;
	for (size_t i = 0; s != NULL && i < s->n; i++) {
		const struct artifact *it = &s->items[i];

		if (!blob(art_blobs, it->body, it->body_len, hex) ||
		    (it->chain != NULL &&
		     !blob(art_blobs, it->chain, it->chain_len, hex)))
			goto out;
	}
	ok = json_array_extend(blobs, art_blobs) == 0;
out:
	json_decref(art_blobs);
	return ok;
}

/* The digests of one artifact's body and chain. */
struct item_md {
	uint8_t body[32], chain[32];
};

/* Appends the entries of S (device D; 0: the evidence itself) to LIST;
 * MD holds the digests of S's items. */
static bool
set_list_add(const struct artifact_set *s, const struct item_md *md, size_t d,
             json_t *list)
{
	char hex[65], chex[65];

	for (size_t i = 0; s != NULL && i < s->n; i++) {
		const struct artifact *it = &s->items[i];
		const char *kind = artifact_kind_name(it->kind);
		char named[sizeof(it->key)];
		json_t *e;

		if (kind == NULL)
			return false;
		codec_hex_encode_to(md[i].body, 32, hex);
		appraisal_artifact_name(it, md[i].body, named, sizeof(named));
		e = json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", kind, "key",
		              named, "sha256", hex, "source", it->source,
		              "flags", (int)it->flags);
		if (e == NULL)
			return false;
		if (it->chain != NULL) {
			codec_hex_encode_to(md[i].chain, 32, chex);
			json_object_set_new(e, "chain_sha256",
			                    json_string(chex));
		}
		if (d > 0)
			json_object_set_new(e, "device",
			                    json_integer((json_int_t)d));
		if (json_array_append_new(list, e) != 0)
			return false;
	}
	return true;
}

/*
 * The set memo's key: every input of the list, in order — per item its
 * device, kind, loader key, source, flags and the digests of its body
 * and chain (the name made from content is a function of kind and
 * body).
 */
static bool
set_memo_key(const struct artifact_set *sets, size_t n_dev,
             struct item_md *const *md, uint8_t key[32])
{
	static const char tag[] = "teepass-collateral-set-memo-v1";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(ctx, tag, sizeof(tag));
	for (size_t d = 0; d <= n_dev; d++) {
		const struct artifact_set *s = &sets[d];
		uint64_t hdr[2] = {d, s->n};

		EVP_DigestUpdate(ctx, hdr, sizeof(hdr));
		for (size_t i = 0; i < s->n; i++) {
			const struct artifact *it = &s->items[i];
			uint32_t f[3] = {(uint32_t)it->kind, it->flags,
			                 it->chain != NULL};

			EVP_DigestUpdate(ctx, f, sizeof(f));
			EVP_DigestUpdate(ctx, it->key,
			                 strnlen(it->key, sizeof(it->key)));
			EVP_DigestUpdate(ctx, "", 1);
			EVP_DigestUpdate(
			        ctx, it->source,
			        strnlen(it->source, sizeof(it->source)));
			EVP_DigestUpdate(ctx, "", 1);
			EVP_DigestUpdate(ctx, md[d][i].body, 32);
			if (it->chain != NULL)
				EVP_DigestUpdate(ctx, md[d][i].chain, 32);
		}
	}
	ok = EVP_DigestFinal_ex(ctx, key, NULL) == 1;
out:
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The list of the sets with their digests MD, as *JSON (compact; the
 * caller frees it) and the hex digest of its sorted form in SET_HEX. */
static bool
set_list_build(const struct artifact_set *sets, size_t n_dev,
               struct item_md *const *md, char set_hex[65], char **json)
{
	json_t *list = json_array();
	char *text = NULL;
	uint8_t d256[32];
	bool ok = false;

	*json = NULL;
	if (list == NULL)
		goto out;
	for (size_t d = 0; d <= n_dev; d++)
		if (!set_list_add(&sets[d], md[d], d, list))
			goto out;
	if ((text = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	SHA256((const uint8_t *)text, strlen(text), d256);
	codec_hex_encode_to(d256, 32, set_hex);
	*json = json_dumps(list, JSON_COMPACT);
	ok = *json != NULL;
out:
	free(text);
	json_decref(list);
	return ok;
}

bool
appraisal_collateral_set(const struct artifact_set *sets, size_t n_dev,
                         char set_hex[65], char **json)
{
	static const struct artifact_set none;
	struct item_md *md[1 + COMPOSITE_MAX_DEVICES] = {0};
	struct set_memo got = {{0}, NULL}, *m = NULL;
	uint8_t key[32];
	bool ok = false, keyed;

	*json = NULL;
	pthread_once(&memo_once, memo_init);
	if (n_dev > COMPOSITE_MAX_DEVICES)
		return false;
	if (sets == NULL) {
		sets = &none;
		n_dev = 0;
	}
	for (size_t d = 0; d <= n_dev; d++) {
		const struct artifact_set *s = &sets[d];

		if ((md[d] = calloc(s->n + 1, sizeof(*md[d]))) == NULL)
			goto out;
		for (size_t i = 0; i < s->n; i++) {
			const struct artifact *it = &s->items[i];

			SHA256(it->body, it->body_len, md[d][i].body);
			if (it->chain != NULL)
				SHA256((const uint8_t *)it->chain,
				       it->chain_len, md[d][i].chain);
		}
	}
	keyed = set_memo_key(sets, n_dev, md, key);
	if (keyed && lru_get(set_memo, key, 0, set_copy, &got)) {
		memcpy(set_hex, got.hex, 65);
		*json = got.json;
		ok = true;
		goto out;
	}
	if (!set_list_build(sets, n_dev, md, set_hex, json))
		goto out;
	if (keyed && (m = calloc(1, sizeof(*m))) != NULL &&
	    (m->json = strdup(*json)) != NULL) {
		memcpy(m->hex, set_hex, 65);
		lru_put(set_memo, key, INT64_MIN, INT64_MAX, m);
		m = NULL;
	}
	ok = true;
out:
	set_memo_destroy(m);
	for (size_t d = 0; d <= n_dev && d <= COMPOSITE_MAX_DEVICES; d++)
		free(md[d]);
	if (!ok) {
		free(*json);
		*json = NULL;
	}
	return ok;
}

/*
 * db_passport_row.set_bytes: the known set A's row names is no longer
 * stored (retention purged it): its bytes go in blobs_json after all,
 * and the set is known no more until a passport with it commits.
 */
static bool
set_bytes(void *arg)
{
	struct attestation *a = arg;
	json_t *blobs = json_loads(a->blobs_json, 0, NULL);
	char *text = NULL;
	uint8_t md[32];
	bool ok = false;

	if (blobs == NULL)
		goto out;
	for (size_t d = 0; a->sets != NULL && d <= a->n_devices; d++)
		if (!set_bytes_add(&a->sets[d], blobs))
			goto out;
	if ((text = json_dumps(blobs, JSON_COMPACT)) == NULL)
		goto out;
	free(a->blobs_json);
	a->blobs_json = text;
	a->row.blobs_json = text;
	a->row.set_known = false;
	if (codec_hex_decode_fixed(a->set_hex, md, 32))
		set_forget(md);
	ok = true;
out:
	json_decref(blobs);
	return ok;
}

/*
 * "devices": [{"provider", "evidence"}] in IN, in request order: the
 * provider as the request named it, the hex SHA-256 of the device's
 * evidence, its bytes a blob (stored once, like every input).
 */
static bool
devices_record(const struct attestation *a, json_t *in, json_t *blobs)
{
	json_t *devs = json_array();
	char hex[65];

	if (devs == NULL || json_object_set_new(in, "devices", devs) != 0)
		return false;
	for (size_t i = 0; i < a->n_devices; i++) {
		const struct verify_device *d = &a->devices[i];

		if (!blob(blobs, d->evidence, d->evidence_len, hex) ||
		    json_array_append_new(devs,
		                          json_pack("{s:s, s:s}", "provider",
		                                    provider_name(d->provider),
		                                    "evidence", hex)) != 0)
			return false;
	}
	return true;
}

bool
appraisal_record(struct attestation *a)
{
	json_t *in = json_object(), *blobs = json_array();
	const char *expected;
	char *own_expected = NULL, nonce[65];
	uint8_t md[32];
	bool ok = false, seen;

	if (in == NULL || blobs == NULL)
		goto out;
	json_object_set_new(in, "v", json_integer(1));
	json_object_set_new(in, "provider",
	                    json_string(provider_name(a->v.provider)));
	if (!input(in, blobs, "runtime_data", a->runtime_data,
	           a->runtime_data_len) ||
	    !input(in, blobs, "event_log", a->event_log, a->event_log_len) ||
	    !input(in, blobs, "event_log_table", a->event_log_table,
	           a->event_log_table_len))
		goto out;
	if (a->expected != NULL) {
		/* Serialised once by attestation_sign, else here. */
		expected = a->expected_json;
		if (expected == NULL)
			expected = own_expected = json_dumps(
			        a->expected, JSON_COMPACT | JSON_SORT_KEYS);
		if (expected == NULL ||
		    !input(in, blobs, "expected", expected, strlen(expected)))
			goto out;
	}
	if (a->has_nonce) {
		codec_hex_encode_to(a->nonce, 32, nonce);
		json_object_set_new(in, "nonce", json_string(nonce));
	}
	if (a->endpoint_id != NULL) {
		json_object_set_new(in, "ref_version",
		                    json_integer(a->ref_version));
		json_object_set_new(in, "ref_sha256",
		                    json_string(a->ref_sha256));
	}
	/* The split layout (tls_binding "report_data_split"): the runtime
	 * data is bound in REPORT_DATA[32:64] only, and is re-appraised so. */
	if (a->req.runtime_data_upper)
		json_object_set_new(in, "runtime_data_upper", json_true());
	/* Composite evidence: each device's provider and evidence (a blob);
	 * its collateral is in the set, entries with "device": 1 + i. */
	if (a->n_devices > 0 && !devices_record(a, in, blobs))
		goto out;
	/* The set's list and digest; its bytes only for a set not known. */
	if (!appraisal_collateral_set(a->sets, a->n_devices, a->set_hex,
	                              &a->set_json) ||
	    !codec_hex_decode_fixed(a->set_hex, md, 32))
		goto out;
	seen = set_known(md, false);
	for (size_t d = 0; !seen && a->sets != NULL && d <= a->n_devices; d++)
		if (!set_bytes_add(&a->sets[d], blobs))
			goto out;
	a->appraisal_json = json_dumps(in, JSON_COMPACT);
	a->blobs_json = json_dumps(blobs, JSON_COMPACT);
	if (a->appraisal_json == NULL || a->blobs_json == NULL ||
	    a->set_json == NULL)
		goto out;
	a->row.appraisal_json = a->appraisal_json;
	a->row.blobs_json = a->blobs_json;
	a->row.set_sha256 = a->set_hex;
	a->row.set_json = a->set_json;
	a->row.set_known = seen;
	a->row.set_bytes = set_bytes;
	a->row.set_bytes_arg = a;
	ok = true;
out:
	free(own_expected);
	json_decref(in);
	json_decref(blobs);
	return ok;
}

void
appraisal_record_committed(const struct attestation *a)
{
	uint8_t md[32];
	const char *id;

	if (a->set_json == NULL || a->passport == NULL)
		return;
	/* A passport found again (the same request) was not inserted: its
	 * set is another passport's. */
	id = json_string_value(json_object_get(a->passport, "id"));
	if (id == NULL || strcmp(id, a->passport_id) != 0)
		return;
	if (!codec_hex_decode_fixed(a->set_hex, md, 32))
		return;
	set_known(md, true);
}
