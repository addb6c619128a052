#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/codec.h"
#include "verify/intel/dcap_tcb.h"

#define FAIL(code, chk, ...)                                                   \
	do {                                                                   \
		*check = (chk);                                                \
		snprintf(why, whylen, __VA_ARGS__);                            \
		rc = (code);                                                   \
		goto out;                                                      \
	} while (0)

static void
add_advisories(json_t *acc, const json_t *adv)
{
	size_t i, j;
	const char *s;

	for (i = 0; i < json_array_size(adv); i++) {
		s = json_string_value(json_array_get(adv, i));
		for (j = 0; j < json_array_size(acc); j++)
			if (strcmp(json_string_value(json_array_get(acc, j)),
			           s) == 0)
				break;
		if (j == json_array_size(acc))
			json_array_append_new(acc, json_string(s));
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	              json_string_value(*(json_t *const *)b));
}

static void
sort_advisories(json_t *acc)
{
	size_t n = json_array_size(acc);
	json_t *tmp[256];

	if (n < 2 || n > 256)
		return;
	for (size_t i = 0; i < n; i++)
		tmp[i] = json_incref(json_array_get(acc, i));
	qsort(tmp, n, sizeof(tmp[0]), cmp_str);
	json_array_clear(acc);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(acc, tmp[i]);
}

static int64_t
since(const struct dcap_tcb_level *levels, size_t i)
{
	return i > 0 ? levels[i - 1].date : levels[i].date;
}

static bool
out_of_date(enum dcap_tcb_status s)
{
	return s == DCAP_OUT_OF_DATE ||
	       s == DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

static void
hex_of(const uint8_t *b, size_t n, char *out)
{
	codec_hex_encode_to(b, n, out);
}

enum tp_err
dcap_tcb_platform(const struct dcap_quote *q, const struct dcap_pck_ext *ext,
                  const struct dcap_tcb_info *t, struct dcap_tcb_result *r,
                  const char **check, char *why, size_t whylen)
{
	enum tp_err rc = TP_ERR_none;
	bool tdx = q->hdr.tee_type == DCAP_TEE_TDX;
	const uint8_t *svn = tdx ? q->td.tee_tcb_svn : NULL;
	const struct dcap_tcb_level *lv = NULL;
	char a[97], b[97];
	size_t i, k;

	memset(r, 0, sizeof(*r));
	if ((r->advisories = json_array()) == NULL)
		FAIL(TP_ERR_internal_error, "tcb_info_match", "out of memory");
	if (t->tdx != tdx)
		FAIL(TP_ERR_tcb_info_mismatch, "tcb_info_match",
		     "tcb_info.id: want \"%s\" for this quote, have \"%s\"",
		     tdx ? "TDX" : "SGX", t->tdx ? "TDX" : "SGX");
	if (CRYPTO_memcmp(t->fmspc, ext->fmspc, 6) != 0) {
		hex_of(t->fmspc, 6, a);
		hex_of(ext->fmspc, 6, b);
		FAIL(TP_ERR_tcb_info_mismatch, "tcb_info_match",
		     "tcb_info.fmspc: want the PCK certificate's %s, have %s",
		     b, a);
	}
	if (CRYPTO_memcmp(t->pceid, ext->pceid, 2) != 0) {
		hex_of(t->pceid, 2, a);
		hex_of(ext->pceid, 2, b);
		FAIL(TP_ERR_tcb_info_mismatch, "tcb_info_match",
		     "tcb_info.pceId: want the PCK certificate's %s, have %s",
		     b, a);
	}
	if (tdx && t->has_module) {
		/* The TDX module that signed the TD report (SEAM). */
		if (CRYPTO_memcmp(t->module_mrsigner, q->td.mr_signer_seam,
		                  48) != 0) {
			hex_of(q->td.mr_signer_seam, 48, a);
			FAIL(TP_ERR_tcb_info_mismatch, "tdx_module",
			     "td_report.mrsignerseam %s differs from "
			     "tcb_info.tdxModule.mrsigner",
			     a);
		}
		for (k = 0; k < 8; k++)
			if ((q->td.seam_attributes[k] &
			     t->module_attributes_mask[k]) !=
			    t->module_attributes[k])
				FAIL(TP_ERR_tcb_info_mismatch, "tdx_module",
				     "td_report.seam_attributes under "
				     "tcb_info.tdxModule.attributesMask differ "
				     "from its attributes");
	}
	for (i = 0; i < t->n_levels; i++) {
		const struct dcap_tcb_level *l = &t->levels[i];
		bool ok = ext->pcesvn >= l->pcesvn;
		for (k = 0; ok && k < 16; k++)
			ok = ext->comp_svn[k] >= l->sgx[k];
		for (k = svn != NULL && svn[1] > 0 ? 2 : 0;
		     ok && svn != NULL && k < 16; k++)
			ok = svn[k] >= l->tdx[k];
		if (ok) {
			lv = l;
			break;
		}
	}
	if (lv == NULL) {
		hex_of(ext->comp_svn, 16, a);
		if (svn != NULL)
			hex_of(svn, 16, b);
		FAIL(TP_ERR_tcb_level_not_found, "tcb_level",
		     "no TCB level of tcb_info (fmspc, %zu levels) is at or "
		     "below the platform: PCK components %s, PCESVN %u%s%s",
		     t->n_levels, a, ext->pcesvn,
		     svn != NULL ? ", TEE_TCB_SVN " : "", svn != NULL ? b : "");
	}
	r->platform = lv->status;
	r->platform_index = i;
	r->tcb_date = lv->date;
	r->overall = lv->status;
	if (out_of_date(lv->status))
		r->outdated_since = since(t->levels, i);
	add_advisories(r->advisories, lv->advisories);

	/* TDX module identity (TDX 1.5+: TEE_TCB_SVN[1] is its version). */
	if (svn != NULL && svn[1] > 0 && t->n_modules > 0) {
		char id[16];
		const struct dcap_module_identity *m = NULL;
		snprintf(id, sizeof(id), "TDX_%02X", svn[1]);
		for (k = 0; k < t->n_modules; k++)
			if (strcmp(t->modules[k].id, id) == 0)
				m = &t->modules[k];
		if (m == NULL)
			FAIL(TP_ERR_tcb_info_mismatch, "tdx_module",
			     "tcb_info.tdxModuleIdentities: no %s for "
			     "TEE_TCB_SVN[1] = %u",
			     id, svn[1]);
		if (CRYPTO_memcmp(m->mrsigner, q->td.mr_signer_seam, 48) != 0)
			FAIL(TP_ERR_tcb_info_mismatch, "tdx_module",
			     "td_report.mrsignerseam differs from %s.mrsigner",
			     id);
		for (k = 0; k < 8; k++)
			if ((q->td.seam_attributes[k] &
			     m->attributes_mask[k]) != m->attributes[k])
				FAIL(TP_ERR_tcb_info_mismatch, "tdx_module",
				     "td_report.seam_attributes differ from "
				     "%s.attributes under its mask",
				     id);
		lv = NULL;
		for (k = 0; k < m->n_levels; k++) {
			if (m->levels[k].isvsvn <= svn[0]) {
				lv = &m->levels[k];
				break;
			}
		}
		if (lv == NULL)
			FAIL(TP_ERR_tcb_level_not_found, "tdx_module",
			     "%s: no TCB level with isvsvn <= TEE_TCB_SVN[0] = "
			     "%u",
			     id, svn[0]);
		r->has_module = true;
		r->module = lv->status;
		if (lv->status > r->overall)
			r->overall = lv->status;
		if (out_of_date(lv->status) &&
		    (r->outdated_since == 0 ||
		     since(m->levels, k) < r->outdated_since))
			r->outdated_since = since(m->levels, k);
		add_advisories(r->advisories, lv->advisories);
	}
out:
	return rc;
}

enum tp_err
dcap_tcb_evaluate(const struct dcap_quote *q, const struct dcap_pck_ext *ext,
                  const struct dcap_tcb_info *t,
                  const struct dcap_qe_identity *qi, struct dcap_tcb_result *r,
                  const char **check, char *why, size_t whylen)
{
	enum tp_err rc;
	bool tdx = q->hdr.tee_type == DCAP_TEE_TDX;
	const struct dcap_sgx_report *qe = &q->qe_report;
	const struct dcap_tcb_level *lv = NULL;
	size_t k;

	if ((rc = dcap_tcb_platform(q, ext, t, r, check, why, whylen)) !=
	    TP_ERR_none)
		goto out;
	/* QE Identity (enclaveIdentity v2). */
	if (qi->td_qe != tdx)
		FAIL(TP_ERR_qe_identity_mismatch, "qe_identity_match",
		     "qe_identity.id: want \"%s\" for this quote",
		     tdx ? "TD_QE" : "QE");
	if (CRYPTO_memcmp(qi->mrsigner, qe->mr_signer, 32) != 0)
		FAIL(TP_ERR_qe_identity_mismatch, "qe_identity_match",
		     "qe_report.mrsigner differs from qe_identity.mrsigner");
	if (qi->isvprodid != qe->isv_prod_id)
		FAIL(TP_ERR_qe_identity_mismatch, "qe_identity_match",
		     "qe_report.isv_prod_id: want %u, have %u", qi->isvprodid,
		     qe->isv_prod_id);
	if ((qe->misc_select & qi->miscselect_mask) != qi->miscselect)
		FAIL(TP_ERR_qe_identity_mismatch, "qe_identity_match",
		     "qe_report.miscselect under the mask differs from "
		     "qe_identity.miscselect");
	for (k = 0; k < 16; k++)
		if ((qe->attributes[k] & qi->attributes_mask[k]) !=
		    qi->attributes[k])
			FAIL(TP_ERR_qe_identity_mismatch, "qe_identity_match",
			     "qe_report.attributes under the mask differ from "
			     "qe_identity.attributes");
	for (k = 0; k < qi->n_levels; k++) {
		if (qi->levels[k].isvsvn <= qe->isv_svn) {
			lv = &qi->levels[k];
			break;
		}
	}
	if (lv == NULL)
		FAIL(TP_ERR_tcb_level_not_found, "qe_identity_match",
		     "qe_identity: no TCB level with isvsvn <= the QE's %u",
		     qe->isv_svn);
	r->qe = lv->status;
	r->qe_index = k;
	if (lv->status > r->overall)
		r->overall = lv->status;
	if (out_of_date(lv->status) &&
	    (r->outdated_since == 0 ||
	     since(qi->levels, k) < r->outdated_since))
		r->outdated_since = since(qi->levels, k);
	add_advisories(r->advisories, lv->advisories);
	sort_advisories(r->advisories);
out:
	return rc;
}

void
dcap_tcb_result_free(struct dcap_tcb_result *r)
{
	if (r == NULL)
		return;
	json_decref(r->advisories);
	r->advisories = NULL;
}
