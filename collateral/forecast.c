/*
 * TCB forecast: a quote evaluated against both the standard and the early
 * TCB Info of its FMSPC (Intel PCS API v4 "Get TCB Info", update=standard
 * | early), naming the TCB components below the first UpToDate level —
 * what an operator must update before Intel raises the bar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "collateral/service.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/intel/dcap_pck.h"
#include "verify/intel/dcap_quote.h"
#include "verify/intel/dcap_tcb.h"
#include "verify/core/x509.h"

/* {"component", "have", "need"} for each component of the quote's
 * platform below LV. */
json_t *
coll_forecast_shortfall(const struct dcap_quote *q,
                        const struct dcap_pck_ext *ext,
                        const struct dcap_tcb_level *lv)
{
	json_t *a = json_array();
	const uint8_t *svn =
	        q->hdr.tee_type == DCAP_TEE_TDX ? q->td.tee_tcb_svn : NULL;
	char name[32];

	for (int k = 0; a != NULL && k < 16; k++) {
		if (ext->comp_svn[k] >= lv->sgx[k])
			continue;
		snprintf(name, sizeof(name), "sgxtcbcomp%02dsvn", k + 1);
		json_array_append_new(a,
		                      json_pack("{s:s, s:i, s:i}", "component",
		                                name, "have", ext->comp_svn[k],
		                                "need", lv->sgx[k]));
	}
	if (a != NULL && ext->pcesvn < lv->pcesvn)
		json_array_append_new(
		        a, json_pack("{s:s, s:i, s:i}", "component", "pcesvn",
		                     "have", ext->pcesvn, "need", lv->pcesvn));
	/* TEE_TCB_SVN[0..1] are the TDX module's when [1] > 0: judged by
	 * the module identity, not here (as dcap_tcb_platform does). */
	for (int k = svn != NULL && svn[1] > 0 ? 2 : 0;
	     a != NULL && svn != NULL && k < 16; k++) {
		if (svn[k] >= lv->tdx[k])
			continue;
		snprintf(name, sizeof(name), "tdxtcbcomp%02dsvn", k + 1);
		json_array_append_new(a, json_pack("{s:s, s:i, s:i}",
		                                   "component", name, "have",
		                                   svn[k], "need", lv->tdx[k]));
	}
	return a;
}

/* The evaluation of Q against the TCB Info in ROW. */
static json_t *
evaluate(const struct dcap_quote *q, const struct dcap_pck_ext *ext,
         const struct db_collateral_row *row)
{
	struct dcap_tcb_info *t = calloc(1, sizeof(*t));
	struct dcap_tcb_result res;
	const char *check = NULL;
	char why[256], a[32], b[32];
	size_t off, vlen;
	json_t *o = NULL, *sf = json_null();
	enum tp_err rc;

	memset(&res, 0, sizeof(res));
	if (t == NULL ||
	    !dcap_json_member_span((const char *)row->body, row->body_len,
	                           "tcbInfo", &off, &vlen) ||
	    !dcap_tcb_info_parse(row->body + off, vlen, t, why, sizeof(why)))
		goto out;
	tptime_format(t->issue_date, a);
	tptime_format(t->next_update, b);
	o = json_pack("{s:i, s:s, s:s, s:s}", "tcb_evaluation_data_number",
	              t->eval_number, "issue_date", a, "next_update", b,
	              "sha256", row->sha256);
	if (o == NULL)
		goto out;
	rc = dcap_tcb_platform(q, ext, t, &res, &check, why, sizeof(why));
	if (rc != TP_ERR_none) {
		json_object_set_new(o, "tcb_status", json_null());
		json_object_set_new(o, "error", json_string(tp_err_code(rc)));
		json_object_set_new(o, "message", json_string(why));
	} else {
		json_object_set_new(
		        o, "tcb_status",
		        json_string(dcap_status_name(res.platform)));
		json_object_set(o, "advisory_ids", res.advisories);
	}
	/* The first UpToDate level: what "no shortfall" means. */
	for (size_t i = 0; i < t->n_levels; i++) {
		if (t->levels[i].status == DCAP_UP_TO_DATE) {
			json_decref(sf);
			sf = coll_forecast_shortfall(q, ext, &t->levels[i]);
			break;
		}
	}
	json_object_set_new(o, "short_of_up_to_date", sf);
	sf = NULL;
out:
	json_decref(sf);
	dcap_tcb_result_free(&res);
	if (t != NULL)
		dcap_tcb_info_clear(t);
	free(t);
	return o;
}

enum coll_status
coll_tcb_forecast(const uint8_t *ev, size_t len, int64_t now, json_t **out,
                  char *artifact, size_t artifactlen, int64_t *retry_after)
{
	struct dcap_quote q;
	struct dcap_pck_ext ext;
	enum dcap_pck_ca ca;
	int64_t from, until;
	struct db_collateral_row rows[2];
	struct coll_request rq;
	enum coll_status st = COLL_BAD_EVIDENCE;
	const char *tee;
	char why[160], fmspc[13];
	json_t *o = NULL;

	*out = NULL;
	*retry_after = 5;
	artifact[0] = '\0';
	memset(rows, 0, sizeof(rows));
	/* Intel is asked only about a platform whose PCK chain verifies to
	 * the pinned root: an FMSPC written in a forged leaf costs nothing
	 * outside. */
	if (dcap_quote_parse(ev, len, &q, why, sizeof(why)) != TP_ERR_none ||
	    q.cert_type != DCAP_CERT_PCK_CHAIN ||
	    !dcap_pck_chain_precheck(q.cert_data, q.cert_len, dcap_root_ca(),
	                             now, &ext, &ca, &from, &until, NULL))
		goto out;
	tee = q.hdr.tee_type == DCAP_TEE_TDX ? "tdx" : "sgx";
	codec_hex_encode_to(ext.fmspc, 6, fmspc);
	for (int i = 0; i < 2; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.vendor = COLL_VENDOR_INTEL;
		rq.kind_id = ARTIFACT_INTEL_TCB_INFO;
		rq.kind = artifact_kind_name(rq.kind_id);
		rq.chain_header = "TCB-Info-Issuer-Chain";
		snprintf(rq.key, sizeof(rq.key), "%s/%s%s", tee, fmspc,
		         i == 0 ? "" : "/early");
		snprintf(rq.url, sizeof(rq.url),
		         "%s/%s/certification/v4/tcb?fmspc=%s&update=%s",
		         coll_intel_url(), tee, fmspc,
		         i == 0 ? "standard" : "early");
		st = coll_obtain(&rq, now, &rows[i], retry_after);
		if (st != COLL_OK) {
			snprintf(artifact, artifactlen, "%s/%s", rq.kind,
			         rq.key);
			goto out;
		}
	}
	o = json_pack("{s:s, s:s, s:o, s:o}", "tee", tee, "fmspc", fmspc,
	              "standard", evaluate(&q, &ext, &rows[0]), "early",
	              evaluate(&q, &ext, &rows[1]));
	st = o != NULL ? COLL_OK : COLL_DB_UNAVAILABLE;
	*out = o;
out:
	db_collateral_row_clear(&rows[0]);
	db_collateral_row_clear(&rows[1]);
	return st;
}
