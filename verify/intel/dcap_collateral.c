#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/core/ecdsa.h"
#include "verify/core/x509.h"

#define ROOT_CA_FILE "intel_sgx_root_ca.der"
#define ROOT_CA_PIN  DCAP_ROOT_CA_PIN

static const char *const status_names[DCAP_STATUS__COUNT] = {
        "UpToDate",
        "SWHardeningNeeded",
        "ConfigurationNeeded",
        "ConfigurationAndSWHardeningNeeded",
        "OutOfDate",
        "OutOfDateConfigurationNeeded",
        "Revoked",
};

static const char *const item_names[DCAP_ITEM__COUNT] = {
        "tcb_info",    "tcb_info_signature",    "tcb_info_issuer_chain",
        "qe_identity", "qe_identity_signature", "qe_identity_issuer_chain",
        "pck_crl",     "pck_crl_issuer_chain",  "root_ca_crl",
};

const char *
dcap_status_name(enum dcap_tcb_status s)
{
	if ((int)s < 0 || s >= DCAP_STATUS__COUNT)
		return NULL;
	return status_names[s];
}

bool
dcap_status_parse(const char *s, enum dcap_tcb_status *out)
{
	for (int i = 0; s != NULL && i < DCAP_STATUS__COUNT; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum dcap_tcb_status)i;
			return true;
		}
	}
	return false;
}

const char *
dcap_item_name(enum dcap_item i)
{
	return item_names[i];
}

/* Set once at start, before any verification thread (no lock). */
static X509 *root_override;
static char root_override_pin[65];

void
dcap_root_ca_override(X509 *root, const char *pin_hex)
{
	X509_free(root_override);
	root_override = root;
	snprintf(root_override_pin, sizeof(root_override_pin), "%s",
	         root != NULL ? pin_hex : "");
}

bool
dcap_root_ca_overridden(void)
{
	return root_override != NULL;
}

const char *
dcap_root_ca_pin(void)
{
	return root_override != NULL ? root_override_pin : ROOT_CA_PIN;
}

X509 *
dcap_root_ca(void)
{
	if (root_override != NULL)
		return root_override;
	return x509_anchor(ROOT_CA_FILE, ROOT_CA_PIN);
}

/* ---- JSON text scanning (to keep the exact signed bytes) ---- */

static size_t
skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n &&
	       (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* End (exclusive) of the string starting at s[i] == '"'; 0 on error. */
static size_t
skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End (exclusive) of the value starting at s[i]; 0 on error. */
static size_t
skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;

	if (i >= n)
		return 0;
	if (s[i] == '"')
		return skip_string(s, n, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
		       s[i] != ' ' && s[i] != '\n' && s[i] != '\r' &&
		       s[i] != '\t')
			i++;
		return i;
	}
	for (; i < n; i++) {
		if (s[i] == '"') {
			size_t e = skip_string(s, n, i);
			if (e == 0)
				return 0;
			i = e - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

unsigned
dcap_json_members_span(const char *text, size_t len, const char *const *keys,
                       size_t n, size_t *off, size_t *vlen)
{
	size_t i = skip_ws(text, len, 0);
	unsigned found = 0, all = (1u << n) - 1;

	if (i >= len || text[i] != '{')
		return 0;
	i = skip_ws(text, len, i + 1);
	while (i < len && text[i] == '"' && found != all) {
		size_t ke = skip_string(text, len, i), ve, k;

		if (ke == 0)
			return found;
		for (k = 0; k < n; k++)
			if (!(found & (1u << k)) &&
			    ke - i - 2 == strlen(keys[k]) &&
			    memcmp(text + i + 1, keys[k], ke - i - 2) == 0)
				break;
		i = skip_ws(text, len, ke);
		if (i >= len || text[i] != ':')
			return found;
		i = skip_ws(text, len, i + 1);
		if ((ve = skip_value(text, len, i)) == 0)
			return found;
		if (k < n) {
			found |= 1u << k;
			off[k] = i;
			vlen[k] = ve - i;
		}
		i = skip_ws(text, len, ve);
		if (i < len && text[i] == ',')
			i = skip_ws(text, len, i + 1);
	}
	return found;
}

bool
dcap_json_member_span(const char *text, size_t len, const char *key,
                      size_t *off, size_t *vlen)
{
	return dcap_json_members_span(text, len, &key, 1, off, vlen) == 1;
}

/* ---- Loading ---- */

static void
raw_bad(struct dcap_raw_collateral *raw, enum dcap_item it, const char *why)
{
	if (raw->malformed)
		return;
	raw->malformed = true;
	raw->bad_item = it;
	snprintf(raw->why, sizeof(raw->why), "%s: %s", item_names[it], why);
}

/* Borrows P (N bytes) for item IT, unless it is already set. */
static void
raw_borrow(struct dcap_raw_collateral *raw, enum dcap_item it, const void *p,
           size_t n)
{
	if (raw->buf[it] != NULL || n == 0)
		return;
	raw->buf[it] = p;
	raw->len[it] = n;
}

/* Takes ownership of P (malloc'd) for item IT. */
static void
raw_own(struct dcap_raw_collateral *raw, enum dcap_item it, uint8_t *p,
        size_t n)
{
	if (raw->buf[it] != NULL || raw->own[it] != NULL || n == 0) {
		free(p);
		return;
	}
	raw->own[it] = p;
	raw->buf[it] = p;
	raw->len[it] = n;
}

/* A signature: hex of r||s (64 bytes), decoded. */
static void
raw_set_sig_hex(struct dcap_raw_collateral *raw, enum dcap_item it,
                const char *s, size_t n)
{
	uint8_t *b = NULL;
	size_t bn = 0;

	if (raw->buf[it] != NULL)
		return;
	if (!codec_hex_decode(s, n, &b, &bn)) {
		raw_bad(raw, it, "not hex");
		return;
	}
	raw_own(raw, it, b, bn);
}

/*
 * A signed document (tcbInfo / enclaveIdentity) given as text: either the
 * PCS response body {"tcbInfo": {...}, "signature": "..."} (the signed
 * bytes are the member's value exactly as served) or the object itself.
 * S must outlive RAW (it is borrowed).
 */
static void
raw_set_signed_text(struct dcap_raw_collateral *raw, enum dcap_item it,
                    enum dcap_item sig_it, const char *member, const char *s,
                    size_t n)
{
	/* One pass over the body for the signed member (QE Identity v1
	 * called it qeIdentity) and the signature beside it. */
	const char *keys[3] = {member, "signature", "qeIdentity"};
	size_t offs[3], lens[3], off, vlen, soff, slen;
	unsigned found = dcap_json_members_span(
	        s, n, keys, strcmp(member, "enclaveIdentity") == 0 ? 3 : 2,
	        offs, lens);

	if (found & 5u) {
		off = (found & 1u) ? offs[0] : offs[2];
		vlen = (found & 1u) ? lens[0] : lens[2];
		soff = offs[1];
		slen = lens[1];
		raw_borrow(raw, it, s + off, vlen);
		/* "signature": "<hex>" beside it (hex needs no escapes). */
		if (found & 2u) {
			if (slen < 2 || s[soff] != '"' ||
			    s[soff + slen - 1] != '"')
				raw_bad(raw, sig_it, "want a hex string");
			else
				raw_set_sig_hex(raw, sig_it, s + soff + 1,
				                slen - 2);
		}
		return;
	}
	raw_borrow(raw, it, s, n);
}

/* Which verify-side item each Intel artifact kind fills, and its chain. */
static const struct {
	enum artifact_kind kind;
	enum dcap_item item, sig, chain;
	const char *member; /* of the PCS body; NULL for a CRL */
} kinds[4] = {
        {ARTIFACT_INTEL_TCB_INFO, DCAP_TCB_INFO, DCAP_TCB_INFO_SIGNATURE,
         DCAP_TCB_INFO_ISSUER_CHAIN, "tcbInfo"},
        {ARTIFACT_INTEL_QE_IDENTITY, DCAP_QE_IDENTITY,
         DCAP_QE_IDENTITY_SIGNATURE, DCAP_QE_IDENTITY_ISSUER_CHAIN,
         "enclaveIdentity"},
        {ARTIFACT_INTEL_PCK_CRL, DCAP_PCK_CRL, DCAP_ITEM__COUNT,
         DCAP_PCK_CRL_ISSUER_CHAIN, NULL},
        {ARTIFACT_INTEL_ROOT_CA_CRL, DCAP_ROOT_CA_CRL, DCAP_ITEM__COUNT,
         DCAP_ITEM__COUNT, NULL},
};

void
dcap_raw_collateral_from_artifacts(const struct artifact_set *set,
                                   const struct artifact_needs *want,
                                   struct dcap_raw_collateral *raw)
{
	memset(raw, 0, sizeof(*raw));
	if (set == NULL)
		return;
	for (int k = 0; k < 4; k++) {
		const struct artifact *a = NULL;

		for (size_t i = 0; want != NULL && i < want->n && a == NULL;
		     i++)
			if (want->items[i].kind == kinds[k].kind)
				a = artifact_set_find(set, kinds[k].kind,
				                      want->items[i].key);
		if (a == NULL)
			a = artifact_set_find(set, kinds[k].kind, "");
		if (a == NULL)
			a = artifact_set_find(set, kinds[k].kind, NULL);

		if (set->malformed && set->malformed_kind == kinds[k].kind &&
		    !raw->malformed) {
			/* The loader's message names the member. */
			raw->malformed = true;
			raw->bad_item = kinds[k].item;
			snprintf(raw->why, sizeof(raw->why), "%s", set->why);
		}
		if (a == NULL)
			continue;
		if (kinds[k].member != NULL)
			raw_set_signed_text(raw, kinds[k].item, kinds[k].sig,
			                    kinds[k].member,
			                    (const char *)a->body, a->body_len);
		else
			raw_borrow(raw, kinds[k].item, a->body, a->body_len);
		raw->reserialized[kinds[k].item] =
		        (a->flags & ARTIFACT_RESERIALIZED) != 0;
		if (kinds[k].chain != DCAP_ITEM__COUNT && a->chain != NULL)
			raw_borrow(raw, kinds[k].chain, a->chain, a->chain_len);
	}
}

void
dcap_raw_collateral_free(struct dcap_raw_collateral *raw)
{
	if (raw == NULL)
		return;
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		free(raw->own[i]);
		raw->own[i] = NULL;
		raw->buf[i] = NULL;
	}
}

/* ---- TCB Info / QE Identity parsing ---- */

#define PFAIL(...)                                                             \
	do {                                                                   \
		snprintf(why, whylen, __VA_ARGS__);                            \
		goto out;                                                      \
	} while (0)

static bool
get_int(const json_t *o, const char *k, json_int_t lo, json_int_t hi,
        json_int_t *out)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return *out >= lo && *out <= hi;
}

static bool
get_hex(const json_t *o, const char *k, uint8_t *buf, size_t n)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL && strlen(s) == 2 * n &&
	       codec_hex_decode_fixed(s, buf, n);
}

static bool
get_time(const json_t *o, const char *k, int64_t *out)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL && tptime_parse(s, out);
}

/* {svn: N} x 16 */
static bool
get_components(const json_t *a, uint8_t out[16])
{
	json_int_t x;

	if (!json_is_array(a) || json_array_size(a) != 16)
		return false;
	for (size_t i = 0; i < 16; i++) {
		if (!get_int(json_array_get(a, i), "svn", 0, 255, &x))
			return false;
		out[i] = (uint8_t)x;
	}
	return true;
}

/* TCB Info v2's flat tcb object: sgxtcbcomp01svn .. sgxtcbcomp16svn
 * (and pcesvn, read by the caller), nothing else. */
static bool
get_flat_components(const json_t *tcb, uint8_t out[16])
{
	char name[32];
	json_int_t x;

	if (!json_is_object(tcb) || json_object_size(tcb) != 17)
		return false;
	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "sgxtcbcomp%02dsvn", i + 1);
		if (!get_int(tcb, name, 0, 255, &x))
			return false;
		out[i] = (uint8_t)x;
	}
	return true;
}

/* Common part of a level: tcbDate, tcbStatus, advisoryIDs. */
static bool
get_level_common(const json_t *l, struct dcap_tcb_level *lv)
{
	const json_t *adv = json_object_get(l, "advisoryIDs");

	if (!get_time(l, "tcbDate", &lv->date) ||
	    !dcap_status_parse(
	            json_string_value(json_object_get(l, "tcbStatus")),
	            &lv->status))
		return false;
	if (adv != NULL) {
		if (!json_is_array(adv))
			return false;
		for (size_t i = 0; i < json_array_size(adv); i++)
			if (!json_is_string(json_array_get(adv, i)))
				return false;
		lv->advisories = json_deep_copy(adv);
	} else {
		lv->advisories = json_array();
	}
	return lv->advisories != NULL;
}

/* tcbLevels with {tcb: {isvsvn}} (QE Identity, TDX module identities). */
static bool
get_isv_levels(const json_t *a, struct dcap_tcb_level *levels, size_t *n)
{
	json_int_t x;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > DCAP_MAX_LEVELS)
		return false;
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *l = json_array_get(a, i);
		struct dcap_tcb_level *lv = &levels[i];
		if (!get_int(json_object_get(l, "tcb"), "isvsvn", 0, 65535, &x))
			return false;
		lv->isvsvn = (uint16_t)x;
		*n = i + 1;
		if (!get_level_common(l, lv))
			return false;
	}
	return true;
}

static void
clear_levels(struct dcap_tcb_level *levels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(levels[i].advisories);
		levels[i].advisories = NULL;
	}
}

void
dcap_tcb_info_clear(struct dcap_tcb_info *t)
{
	if (t == NULL)
		return;
	clear_levels(t->levels, t->n_levels);
	for (size_t m = 0; m < t->n_modules; m++)
		clear_levels(t->modules[m].levels, t->modules[m].n_levels);
	memset(t, 0, sizeof(*t));
}

void
dcap_qe_identity_clear(struct dcap_qe_identity *q)
{
	if (q == NULL)
		return;
	clear_levels(q->levels, q->n_levels);
	memset(q, 0, sizeof(*q));
}

bool
dcap_tcb_info_parse(const uint8_t *buf, size_t len, struct dcap_tcb_info *t,
                    char *why, size_t whylen)
{
	json_t *doc = NULL;
	const json_t *a, *mod;
	const char *id;
	json_int_t x;
	bool ok = false;

	memset(t, 0, sizeof(*t));
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc))
		PFAIL("tcbInfo: not a JSON object");
	if (!get_int(doc, "version", 0, 100, &x) || (x != 2 && x != 3))
		PFAIL("tcbInfo.version: want 2 (SGX) or 3");
	t->version = (int)x;
	/* Version 2 (Intel PCS API v2/v3, SGX only) has no "id"; version 3
	 * names SGX or TDX. */
	id = json_string_value(json_object_get(doc, "id"));
	if (t->version == 2) {
		if (json_object_get(doc, "id") != NULL)
			PFAIL("tcbInfo.id: not in version 2");
		id = "SGX";
	}
	if (id == NULL || (strcmp(id, "SGX") != 0 && strcmp(id, "TDX") != 0))
		PFAIL("tcbInfo.id: want \"SGX\" or \"TDX\"");
	t->tdx = strcmp(id, "TDX") == 0;
	if (!get_time(doc, "issueDate", &t->issue_date) ||
	    !get_time(doc, "nextUpdate", &t->next_update))
		PFAIL("tcbInfo.issueDate/nextUpdate: want RFC 3339 times");
	if (!get_hex(doc, "fmspc", t->fmspc, 6) ||
	    !get_hex(doc, "pceId", t->pceid, 2))
		PFAIL("tcbInfo.fmspc/pceId: want 6 and 2 bytes of hex");
	if (!get_int(doc, "tcbType", 0, 0, &x))
		PFAIL("tcbInfo.tcbType: want 0");
	t->tcb_type = (int)x;
	if (!get_int(doc, "tcbEvaluationDataNumber", 0, INT32_MAX, &x))
		PFAIL("tcbInfo.tcbEvaluationDataNumber: want an integer");
	t->eval_number = (int)x;
	a = json_object_get(doc, "tcbLevels");
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > DCAP_MAX_LEVELS)
		PFAIL("tcbInfo.tcbLevels: want 1..%d levels", DCAP_MAX_LEVELS);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *l = json_array_get(a, i);
		const json_t *tcb = json_object_get(l, "tcb");
		struct dcap_tcb_level *lv = &t->levels[i];
		t->n_levels = i + 1;
		if (!(t->version == 2
		              ? get_flat_components(tcb, lv->sgx)
		              : get_components(json_object_get(
		                                       tcb, "sgxtcbcomponents"),
		                               lv->sgx)) ||
		    !get_int(tcb, "pcesvn", 0, 65535, &x))
			PFAIL("tcbInfo.tcbLevels[%zu].tcb: want 16 %s and "
			      "pcesvn",
			      i,
			      t->version == 2 ? "sgxtcbcompNNsvn"
			                      : "sgxtcbcomponents");
		lv->pcesvn = (uint16_t)x;
		if (t->tdx &&
		    !get_components(json_object_get(tcb, "tdxtcbcomponents"),
		                    lv->tdx))
			PFAIL("tcbInfo.tcbLevels[%zu].tcb: want 16 "
			      "tdxtcbcomponents",
			      i);
		if (!get_level_common(l, lv))
			PFAIL("tcbInfo.tcbLevels[%zu]: want tcbDate, a known "
			      "tcbStatus and string advisoryIDs",
			      i);
	}
	if (t->tdx) {
		mod = json_object_get(doc, "tdxModule");
		if (!get_hex(mod, "mrsigner", t->module_mrsigner, 48) ||
		    !get_hex(mod, "attributes", t->module_attributes, 8) ||
		    !get_hex(mod, "attributesMask", t->module_attributes_mask,
		             8))
			PFAIL("tcbInfo.tdxModule: want mrsigner, attributes, "
			      "attributesMask");
		t->has_module = true;
		a = json_object_get(doc, "tdxModuleIdentities");
		if (a != NULL && (!json_is_array(a) ||
		                  json_array_size(a) > DCAP_MAX_MODULES))
			PFAIL("tcbInfo.tdxModuleIdentities: want at most %d",
			      DCAP_MAX_MODULES);
		for (size_t i = 0; i < json_array_size(a); i++) {
			const json_t *m = json_array_get(a, i);
			struct dcap_module_identity *mi = &t->modules[i];
			const char *mid =
			        json_string_value(json_object_get(m, "id"));
			t->n_modules = i + 1;
			if (mid == NULL || strlen(mid) >= sizeof(mi->id) ||
			    !get_hex(m, "mrsigner", mi->mrsigner, 48) ||
			    !get_hex(m, "attributes", mi->attributes, 8) ||
			    !get_hex(m, "attributesMask", mi->attributes_mask,
			             8) ||
			    !get_isv_levels(json_object_get(m, "tcbLevels"),
			                    mi->levels, &mi->n_levels))
				PFAIL("tcbInfo.tdxModuleIdentities[%zu]: "
				      "malformed",
				      i);
			snprintf(mi->id, sizeof(mi->id), "%s", mid);
		}
	}
	ok = true;
out:
	json_decref(doc);
	if (!ok)
		dcap_tcb_info_clear(t);
	return ok;
}

bool
dcap_qe_identity_parse(const uint8_t *buf, size_t len,
                       struct dcap_qe_identity *q, char *why, size_t whylen)
{
	json_t *doc = NULL;
	const char *id;
	uint8_t m4[4];
	json_int_t x;
	bool ok = false;

	memset(q, 0, sizeof(*q));
	doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc))
		PFAIL("enclaveIdentity: not a JSON object");
	if (!get_int(doc, "version", 0, 100, &x) || (x != 1 && x != 2))
		PFAIL("enclaveIdentity.version: want 1 (qeIdentity) or 2");
	q->version = (int)x;
	/* Version 1 (Intel PCS API v1, "qeIdentity"): the SGX QE, no id, no
	 * tcbEvaluationDataNumber, one isvsvn instead of tcbLevels. */
	id = q->version == 1 ? "QE"
	                     : json_string_value(json_object_get(doc, "id"));
	if (q->version == 1 && (json_object_get(doc, "id") != NULL ||
	                        json_object_get(doc, "tcbLevels") != NULL))
		PFAIL("qeIdentity: id and tcbLevels are not in version 1");
	if (id == NULL || (strcmp(id, "QE") != 0 && strcmp(id, "TD_QE") != 0))
		PFAIL("enclaveIdentity.id: want \"QE\" or \"TD_QE\"");
	q->td_qe = strcmp(id, "TD_QE") == 0;
	if (!get_time(doc, "issueDate", &q->issue_date) ||
	    !get_time(doc, "nextUpdate", &q->next_update))
		PFAIL("enclaveIdentity.issueDate/nextUpdate: want RFC 3339 "
		      "times");
	if (q->version == 2 &&
	    !get_int(doc, "tcbEvaluationDataNumber", 0, INT32_MAX, &x))
		PFAIL("enclaveIdentity.tcbEvaluationDataNumber: want an "
		      "integer");
	q->eval_number = q->version == 2 ? (int)x : 0;
	/* miscselect is a big-endian hex rendering of the 32-bit value. */
	if (!get_hex(doc, "miscselect", m4, 4))
		PFAIL("enclaveIdentity.miscselect: want 4 bytes of hex");
	q->miscselect = (uint32_t)m4[0] << 24 | (uint32_t)m4[1] << 16 |
	                (uint32_t)m4[2] << 8 | m4[3];
	if (!get_hex(doc, "miscselectMask", m4, 4))
		PFAIL("enclaveIdentity.miscselectMask: want 4 bytes of hex");
	q->miscselect_mask = (uint32_t)m4[0] << 24 | (uint32_t)m4[1] << 16 |
	                     (uint32_t)m4[2] << 8 | m4[3];
	if (!get_hex(doc, "attributes", q->attributes, 16) ||
	    !get_hex(doc, "attributesMask", q->attributes_mask, 16))
		PFAIL("enclaveIdentity.attributes/attributesMask: want 16 "
		      "bytes of hex");
	if (!get_hex(doc, "mrsigner", q->mrsigner, 32))
		PFAIL("enclaveIdentity.mrsigner: want 32 bytes of hex");
	if (!get_int(doc, "isvprodid", 0, 65535, &x))
		PFAIL("enclaveIdentity.isvprodid: want 0..65535");
	q->isvprodid = (uint16_t)x;
	if (q->version == 1) {
		/* The QE's ISVSVN at least isvsvn: UpToDate; below it,
		 * OutOfDate (no level date: no grace period). */
		if (!get_int(doc, "isvsvn", 0, 65535, &x))
			PFAIL("qeIdentity.isvsvn: want 0..65535");
		q->levels[0].isvsvn = (uint16_t)x;
		q->levels[0].status = DCAP_UP_TO_DATE;
		q->levels[0].date = q->issue_date;
		q->levels[0].advisories = json_array();
		q->n_levels = 1;
		if (x > 0) {
			q->levels[1].isvsvn = 0;
			q->levels[1].status = DCAP_OUT_OF_DATE;
			q->levels[1].date = 0;
			q->levels[1].advisories = json_array();
			q->n_levels = 2;
		}
		if (q->levels[0].advisories == NULL ||
		    (q->n_levels == 2 && q->levels[1].advisories == NULL))
			PFAIL("out of memory");
	} else if (!get_isv_levels(json_object_get(doc, "tcbLevels"), q->levels,
	                           &q->n_levels)) {
		PFAIL("enclaveIdentity.tcbLevels: malformed");
	}
	ok = true;
out:
	json_decref(doc);
	if (!ok)
		dcap_qe_identity_clear(q);
	return ok;
}

/* ---- Verification ---- */

static int64_t
asn1_time_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return INT64_MIN;
	return (int64_t)timegm(&tm);
}

static void
collateral_destroy(struct dcap_cached *cc)
{
	struct dcap_collateral *c = (struct dcap_collateral *)cc;

	dcap_tcb_info_clear(&c->tcb);
	dcap_qe_identity_clear(&c->qe);
	X509_CRL_free(c->pck_crl);
	X509_CRL_free(c->root_crl);
	X509_free(c->pck_crl_signer);
	for (int i = 0; i < DCAP_ITEM__COUNT; i++)
		free(c->copy[i]);
	free(c);
}

/*
 * The cache index of RAW: SHA-256 of each item's length and its first
 * and last 128 bytes. It only finds the candidate; a hit is used only
 * when every byte of every item equals what was verified (same_bytes), so
 * the lookup costs a memcmp instead of hashing all the collateral.
 */
static bool
index_key(const struct dcap_raw_collateral *raw, uint8_t key[32])
{
	const void *parts[1 + 2 * DCAP_ITEM__COUNT];
	size_t lens[1 + 2 * DCAP_ITEM__COUNT], k = 0;

	parts[k] = "teepass-dcap-collateral-index-v1";
	lens[k++] = 32;
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		size_t e = raw->len[i] < 128 ? raw->len[i] : 128;
		parts[k] = raw->buf[i];
		lens[k++] = e;
		parts[k] = raw->buf[i] + raw->len[i] - e;
		lens[k++] = e;
	}
	return dcap_sha256_parts(parts, lens, k, key);
}

static bool
same_bytes(const struct dcap_collateral *c,
           const struct dcap_raw_collateral *raw)
{
	for (int i = 0; i < DCAP_ITEM__COUNT; i++)
		if (c->copy_len[i] != raw->len[i] ||
		    memcmp(c->copy[i], raw->buf[i], raw->len[i]) != 0)
			return false;
	return true;
}

/* A CRL item, DER or PEM; MD gets the SHA-256 of its bytes. NULL when it
 * does not parse. */
static X509_CRL *
crl_item(const struct dcap_raw_collateral *raw, enum dcap_item it,
         uint8_t md[32])
{
	SHA256(raw->buf[it], raw->len[it], md);
	return x509_crl_parse(raw->buf[it], raw->len[it]);
}

static bool
cache_key(const struct dcap_raw_collateral *raw, uint8_t key[32])
{
	const void *parts[DCAP_ITEM__COUNT + 1];
	size_t lens[DCAP_ITEM__COUNT + 1];

	parts[0] = "teepass-dcap-collateral-v1";
	lens[0] = 26;
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		parts[i + 1] = raw->buf[i];
		lens[i + 1] = raw->len[i];
	}
	return dcap_sha256_parts(parts, lens, DCAP_ITEM__COUNT + 1, key);
}

/* The names of the checks that a verified bundle has passed. */
static const char *const bundle_checks[] = {
        "root_ca_crl",           "pck_crl",
        "tcb_info_issuer_chain", "tcb_info_signature",
        "tcb_info_validity",     "qe_identity_issuer_chain",
        "qe_identity_signature", "qe_identity_validity",
};

struct window {
	int64_t from, until;
};

static void
window_cert(struct window *w, X509 *x)
{
	int64_t nb = asn1_time_unix(X509_get0_notBefore(x));
	int64_t na = x509_not_after(x);

	if (nb > w->from)
		w->from = nb;
	if (na < w->until)
		w->until = na;
}

/* A CRL's window check; records CHECK on failure only. */
static bool
crl_window(X509_CRL *crl, int64_t now, struct verdict *v, const char *check,
           struct window *w)
{
	int64_t tu = asn1_time_unix(X509_CRL_get0_lastUpdate(crl));
	int64_t nu = X509_CRL_get0_nextUpdate(crl) == NULL
	                     ? INT64_MIN
	                     : asn1_time_unix(X509_CRL_get0_nextUpdate(crl));
	char a[32], b[32], n[32];

	if (tu == INT64_MIN || nu == INT64_MIN || now < tu || now >= nu) {
		tptime_format(tu == INT64_MIN ? 0 : tu, a);
		tptime_format(nu == INT64_MIN ? 0 : nu, b);
		tptime_format(now, n);
		verdict_fail(v, check, TP_ERR_collateral_expired,
		             "%s: valid %s .. %s, verification time %s", check,
		             a, b, n);
		return false;
	}
	if (tu > w->from)
		w->from = tu;
	if (nu < w->until)
		w->until = nu;
	return true;
}

/* First certificate of a PEM issuer chain, the rest as untrusted. */
static X509 *
chain_leaf(const struct dcap_raw_collateral *raw, enum dcap_item it,
           STACK_OF(X509) * *rest)
{
	STACK_OF(X509) *sk = x509_parse_pem_chain(raw->buf[it], raw->len[it]);
	X509 *leaf;

	*rest = NULL;
	if (sk == NULL)
		return NULL;
	leaf = sk_X509_shift(sk);
	*rest = sk;
	return leaf;
}

/*
 * An issuer chain (TCB Signing or PCK CA) up to the pinned root, with the
 * root CA CRL (ROOT_CRL_SIGNED: its signature by ROOT already verified).
 * Records CHECK on failure. Returns the leaf (caller frees).
 *
 * Intel's chains are the certificate and a copy of the root: that
 * certificate verified under the root comes from the shared cache (the
 * quote's PCK chain verified the same PCK CA, and TCB Info and QE
 * Identity share their signer), and the root CRL, whose signature was
 * verified once, is applied to it (and to the root, as a full chain
 * check with CRL_CHECK_ALL does) without verifying that signature
 * again. Anything else, and a CRL x509_crl_check does not support, takes
 * the full chain verification.
 */
static X509 *
verify_issuer_chain(const struct dcap_raw_collateral *raw, enum dcap_item it,
                    X509 *root, X509_CRL *root_crl, bool root_crl_signed,
                    int64_t now, struct verdict *v, const char *check,
                    struct window *w)
{
	STACK_OF(X509) *rest = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	X509 *leaf = NULL;
	enum x509_crl_result r = X509_CRL_GOOD;
	enum tp_err code;
	char why[200];

	leaf = dcap_root_issued_verified(raw->buf[it], raw->len[it], root, now);
	if (leaf != NULL && root_crl != NULL) {
		r = x509_crl_check(leaf, root, root_crl, root_crl_signed, now,
		                   0, &code, why, sizeof(why));
		if (r == X509_CRL_GOOD)
			r = x509_crl_check(root, root, root_crl, true, now, 1,
			                   &code, why, sizeof(why));
	}
	if (leaf != NULL && r == X509_CRL_GOOD) {
		window_cert(w, leaf);
		return leaf;
	}
	X509_free(leaf);
	leaf = NULL;
	if (r == X509_CRL_BAD) {
		verdict_fail(v, check, code, "%s: %s", item_names[it], why);
		v->certificate_chain_valid = TP_FALSE;
		return NULL;
	}
	if ((leaf = chain_leaf(raw, it, &rest)) == NULL) {
		verdict_fail(v, check, TP_ERR_collateral_invalid,
		             "%s: no PEM certificate", item_names[it]);
		goto out;
	}
	if (root_crl != NULL) {
		crls = sk_X509_CRL_new_null();
		if (crls == NULL || !sk_X509_CRL_push(crls, root_crl))
			goto fail_internal;
	}
	if (!x509_chain_verify(leaf, rest, root, now, crls, &code, why,
	                       sizeof(why))) {
		verdict_fail(v, check, code, "%s: %s", item_names[it], why);
		v->certificate_chain_valid = TP_FALSE;
		X509_free(leaf);
		leaf = NULL;
		goto out;
	}
	window_cert(w, leaf);
	goto out;
fail_internal:
	verdict_fail(v, check, TP_ERR_internal_error, "out of memory");
	X509_free(leaf);
	leaf = NULL;
out:
	sk_X509_CRL_free(crls);
	sk_X509_pop_free(rest, X509_free);
	return leaf;
}

static bool
crl_signed_by(X509_CRL *crl, X509 *issuer)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);
	bool ok;

	ok = k != NULL &&
	     X509_NAME_cmp(X509_CRL_get_issuer(crl),
	                   X509_get_subject_name(issuer)) == 0 &&
	     X509_CRL_verify(crl, k) == 1;
	ERR_clear_error();
	return ok;
}

/* A signed document: signature by SIGNER's key over the exact bytes. */
static bool
doc_signed(const struct dcap_raw_collateral *raw, enum dcap_item doc,
           enum dcap_item sig, X509 *signer)
{
	EVP_PKEY *k = X509_get0_pubkey(signer);

	return k != NULL && raw->len[sig] == 64 &&
	       ecdsa_verify_raw(k, EVP_sha256(), raw->buf[doc], raw->len[doc],
	                        raw->buf[sig], raw->buf[sig] + 32, 32);
}

static bool
doc_window(int64_t issue, int64_t next, int64_t now, struct verdict *v,
           const char *check, const char *what, struct window *w)
{
	char a[32], b[32], n[32];

	if (now < issue || now >= next) {
		tptime_format(issue, a);
		tptime_format(next, b);
		tptime_format(now, n);
		verdict_fail(v, check, TP_ERR_collateral_expired,
		             "%s: issueDate %s, nextUpdate %s, verification "
		             "time %s",
		             what, a, b, n);
		return false;
	}
	if (issue > w->from)
		w->from = issue;
	if (next < w->until)
		w->until = next;
	return true;
}

struct dcap_collateral *
dcap_collateral_verify(const struct dcap_raw_collateral *raw, int64_t now,
                       struct verdict *v)
{
	struct dcap_collateral *c = NULL, *hit;
	X509 *root, *tcb_signer = NULL, *qe_signer = NULL, *pck_ca = NULL;
	struct window w = {INT64_MIN, INT64_MAX};
	bool ok = true, root_crl_signed = false;
	char why[160];
	uint8_t key[32], full[32];

	if (raw->malformed) {
		verdict_fail(v, "collateral_format", TP_ERR_collateral_invalid,
		             "%s", raw->why);
		return NULL;
	}
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		if (raw->buf[i] == NULL) {
			verdict_fail(v, "collateral_present",
			             TP_ERR_collateral_missing,
			             "collateral item %s was not supplied",
			             item_names[i]);
			ok = false;
		}
	}
	if (!ok)
		return NULL;
	if (!index_key(raw, key)) {
		verdict_error(v, TP_ERR_internal_error, "SHA-256 unavailable");
		return NULL;
	}
	hit = (struct dcap_collateral *)dcap_cache_get(key, now);
	if (hit != NULL && !same_bytes(hit, raw)) {
		dcap_cache_release(&hit->cached);
		hit = NULL;
	}
	if (hit != NULL) {
		verdict_pass(v, "collateral_present");
		for (size_t i = 0;
		     i < sizeof(bundle_checks) / sizeof(bundle_checks[0]); i++)
			verdict_pass(v, bundle_checks[i]);
		return hit;
	}
	verdict_pass(v, "collateral_present");
	if (!cache_key(raw, full)) {
		verdict_error(v, TP_ERR_internal_error, "SHA-256 unavailable");
		return NULL;
	}
	if ((root = dcap_root_ca()) == NULL) {
		verdict_fail(v, "root_ca", TP_ERR_certificate_chain_invalid,
		             "the pinned Intel SGX Root CA (config/trust/%s, "
		             "sha256 %s) is unavailable",
		             ROOT_CA_FILE, dcap_root_ca_pin());
		return NULL;
	}
	window_cert(&w, root);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return NULL;
	}
	c->cached.destroy = collateral_destroy;
	c->cached.refs = 1;
	memcpy(c->key, full, 32);
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		if ((c->copy[i] = malloc(raw->len[i])) == NULL) {
			verdict_error(v, TP_ERR_internal_error,
			              "out of memory");
			dcap_cache_release(&c->cached);
			return NULL;
		}
		memcpy(c->copy[i], raw->buf[i], raw->len[i]);
		c->copy_len[i] = raw->len[i];
		if (i != DCAP_PCK_CRL && i != DCAP_ROOT_CA_CRL)
			SHA256(raw->buf[i], raw->len[i], c->item_sha256[i]);
	}

	/* Root CA CRL: signed by the pinned root, inside its window. */
	c->root_crl = crl_item(raw, DCAP_ROOT_CA_CRL,
	                       c->item_sha256[DCAP_ROOT_CA_CRL]);
	if (c->root_crl == NULL) {
		verdict_fail(v, "root_ca_crl", TP_ERR_collateral_invalid,
		             "root_ca_crl: not a DER or PEM CRL");
		ok = false;
	} else if (!(root_crl_signed = crl_signed_by(c->root_crl, root))) {
		verdict_fail(
		        v, "root_ca_crl", TP_ERR_crl_signature_invalid,
		        "root_ca_crl: not signed by the Intel SGX Root CA");
		ok = false;
	} else if (!crl_window(c->root_crl, now, v, "root_ca_crl", &w)) {
		ok = false;
	} else {
		verdict_pass(v, "root_ca_crl");
	}

	/* PCK CRL: its issuer chained to the root, signature, window. */
	pck_ca = verify_issuer_chain(raw, DCAP_PCK_CRL_ISSUER_CHAIN, root,
	                             ok ? c->root_crl : NULL, root_crl_signed,
	                             now, v, "pck_crl", &w);
	c->pck_crl = crl_item(raw, DCAP_PCK_CRL, c->item_sha256[DCAP_PCK_CRL]);
	if (pck_ca == NULL) {
		ok = false;
	} else if (c->pck_crl == NULL) {
		verdict_fail(v, "pck_crl", TP_ERR_collateral_invalid,
		             "pck_crl: not a DER or PEM CRL");
		ok = false;
	} else if (!crl_signed_by(c->pck_crl, pck_ca)) {
		verdict_fail(v, "pck_crl", TP_ERR_crl_signature_invalid,
		             "pck_crl: not signed by the first certificate of "
		             "pck_crl_issuer_chain");
		ok = false;
	} else if (!crl_window(c->pck_crl, now, v, "pck_crl", &w)) {
		ok = false;
	} else {
		verdict_pass(v, "pck_crl");
		/* The PCK chain check need not verify this signature again
		 * for a PCK CA that is this certificate. */
		if (X509_up_ref(pck_ca) == 1)
			c->pck_crl_signer = pck_ca;
	}

	/* TCB Info: signer chain, signature over the exact bytes, window. */
	tcb_signer = verify_issuer_chain(raw, DCAP_TCB_INFO_ISSUER_CHAIN, root,
	                                 c->root_crl, root_crl_signed, now, v,
	                                 "tcb_info_issuer_chain", &w);
	if (tcb_signer != NULL)
		verdict_pass(v, "tcb_info_issuer_chain");
	else
		ok = false;
	if (tcb_signer != NULL) {
		if (doc_signed(raw, DCAP_TCB_INFO, DCAP_TCB_INFO_SIGNATURE,
		               tcb_signer)) {
			verdict_pass(v, "tcb_info_signature");
		} else {
			verdict_fail(
			        v, "tcb_info_signature",
			        TP_ERR_tcb_info_signature_invalid,
			        "tcb_info_signature: ECDSA P-256 over the %zu "
			        "bytes of tcbInfo%s does not verify with the "
			        "TCB Signing key",
			        raw->len[DCAP_TCB_INFO],
			        raw->reserialized[DCAP_TCB_INFO]
			                ? " (re-serialised from a JSON object: "
			                  "send it as the exact text served)"
			                : "");
			ok = false;
		}
	}
	if (!dcap_tcb_info_parse(raw->buf[DCAP_TCB_INFO],
	                         raw->len[DCAP_TCB_INFO], &c->tcb, why,
	                         sizeof(why))) {
		verdict_fail(v, "tcb_info_validity", TP_ERR_collateral_invalid,
		             "%s", why);
		ok = false;
	} else if (doc_window(c->tcb.issue_date, c->tcb.next_update, now, v,
	                      "tcb_info_validity", "tcb_info", &w)) {
		verdict_pass(v, "tcb_info_validity");
	} else {
		ok = false;
	}

	/* QE Identity: the same. */
	qe_signer = verify_issuer_chain(raw, DCAP_QE_IDENTITY_ISSUER_CHAIN,
	                                root, c->root_crl, root_crl_signed, now,
	                                v, "qe_identity_issuer_chain", &w);
	if (qe_signer != NULL)
		verdict_pass(v, "qe_identity_issuer_chain");
	else
		ok = false;
	if (qe_signer != NULL) {
		if (doc_signed(raw, DCAP_QE_IDENTITY,
		               DCAP_QE_IDENTITY_SIGNATURE, qe_signer)) {
			verdict_pass(v, "qe_identity_signature");
		} else {
			verdict_fail(
			        v, "qe_identity_signature",
			        TP_ERR_qe_identity_signature_invalid,
			        "qe_identity_signature: ECDSA P-256 over the "
			        "%zu bytes of enclaveIdentity%s does not "
			        "verify "
			        "with the TCB Signing key",
			        raw->len[DCAP_QE_IDENTITY],
			        raw->reserialized[DCAP_QE_IDENTITY]
			                ? " (re-serialised from a JSON object)"
			                : "");
			ok = false;
		}
	}
	if (!dcap_qe_identity_parse(raw->buf[DCAP_QE_IDENTITY],
	                            raw->len[DCAP_QE_IDENTITY], &c->qe, why,
	                            sizeof(why))) {
		verdict_fail(v, "qe_identity_validity",
		             TP_ERR_collateral_invalid, "%s", why);
		ok = false;
	} else if (doc_window(c->qe.issue_date, c->qe.next_update, now, v,
	                      "qe_identity_validity", "qe_identity", &w)) {
		verdict_pass(v, "qe_identity_validity");
	} else {
		ok = false;
	}

	X509_free(tcb_signer);
	X509_free(qe_signer);
	X509_free(pck_ca);
	if (!ok) {
		dcap_cache_release(&c->cached);
		return NULL;
	}
	c->valid_from = w.from;
	c->valid_until = w.until;
	dcap_cache_put(key, w.from, w.until, &c->cached);
	return c;
}

void
dcap_collateral_record(const struct dcap_collateral *c, struct verdict *v)
{
	char hex[65];

	/* The same as verdict_collateral() over the item's bytes, from the
	 * hash kept with the verified (possibly cached) collateral. */
	for (int i = 0; i < DCAP_ITEM__COUNT; i++) {
		codec_hex_encode_to(c->item_sha256[i], 32, hex);
		json_object_set_new(v->collateral, item_names[i],
		                    json_string(hex));
	}
	verdict_expires_no_later_than(v, c->valid_until);
}
