/*
 * SGX TCB Info v2 and QE Identity v1 (issue 18: old platforms send them),
 * on synthetic documents written for this test from Intel's published
 * structures (PCS API v2/v3: TCB Info v2 with the flat tcb object
 * sgxtcbcomp01svn..16svn + pcesvn, tcbType, tcbEvaluationDataNumber,
 * tcbDate, tcbStatus; QE Identity v1 "qeIdentity" with a single isvsvn,
 * no id and no tcbLevels). No shared vector carries either version, so
 * the signature path is the one the v3/v2 documents use (unchanged); here
 * the parsers and the TCB evaluation: a v2 document yields exactly the
 * levels of the same levels written as v3, and the verdicts follow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/tptime.h"
#include "verify/intel/dcap_tcb.h"

#define FLAT(a, b)                                                             \
	"{\"sgxtcbcomp01svn\":" #a ",\"sgxtcbcomp02svn\":" #a                  \
	",\"sgxtcbcomp03svn\":" #b ",\"sgxtcbcomp04svn\":0,"                   \
	"\"sgxtcbcomp05svn\":0,\"sgxtcbcomp06svn\":0,\"sgxtcbcomp07svn\":0,"   \
	"\"sgxtcbcomp08svn\":0,\"sgxtcbcomp09svn\":0,\"sgxtcbcomp10svn\":0,"   \
	"\"sgxtcbcomp11svn\":0,\"sgxtcbcomp12svn\":0,\"sgxtcbcomp13svn\":0,"   \
	"\"sgxtcbcomp14svn\":0,\"sgxtcbcomp15svn\":0,\"sgxtcbcomp16svn\":0"
#define ARR(a, b)                                                              \
	"[{\"svn\":" #a "},{\"svn\":" #a "},{\"svn\":" #b "},{\"svn\":0},"     \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"         \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"         \
	"{\"svn\":0},{\"svn\":0}]"
#define HEAD                                                                   \
	"\"issueDate\":\"2020-06-01T00:00:00Z\",\"nextUpdate\":"               \
	"\"2020-07-01T00:00:00Z\",\"fmspc\":\"00906ED50000\",\"pceId\":"       \
	"\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":5,"

static const char tcb_v2[] =
        "{\"version\":2," HEAD "\"tcbLevels\":["
        "{\"tcb\":" FLAT(
                9, 4) ",\"pcesvn\":10},\"tcbDate\":"
                      "\"2020-05-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
                      "{\"tcb\":" FLAT(
                              7, 4) ",\"pcesvn\":9},\"tcbDate\":"
                                    "\"2019-11-01T00:00:00Z\",\"tcbStatus\":"
                                    "\"SWHardeningNeeded\","
                                    "\"advisoryIDs\":[\"INTEL-SA-00334\"]},"
                                    "{\"tcb\":" FLAT(
                                            5,
                                            2) ",\"pcesvn\":7},\"tcbDate\":"
                                               "\"2019-05-01T00:00:00Z\","
                                               "\"tcbStatus\":\"OutOfDate\"}]}";

/* The same levels written as v3. */
static const char tcb_v3[] =
        "{\"id\":\"SGX\",\"version\":3," HEAD "\"tcbLevels\":["
        "{\"tcb\":{\"sgxtcbcomponents\":" ARR(
                9, 4) ",\"pcesvn\":10},"
                      "\"tcbDate\":\"2020-05-01T00:00:00Z\",\"tcbStatus\":"
                      "\"UpToDate\"},"
                      "{\"tcb\":{\"sgxtcbcomponents\":" ARR(
                              7, 4) ",\"pcesvn\":9},"
                                    "\"tcbDate\":\"2019-11-01T00:00:00Z\","
                                    "\"tcbStatus\":"
                                    "\"SWHardeningNeeded\",\"advisoryIDs\":["
                                    "\"INTEL-SA-00334\"]},"
                                    "{\"tcb\":{\"sgxtcbcomponents\":" ARR(
                                            5, 2) ",\"pcesvn\":7},"
                                                  "\"tcbDate\":\"2019-05-01T00:"
                                                  "00:00Z\",\"tcbStatus\":"
                                                  "\"OutOfDate\"}]}";

#define QE_BODY                                                                \
	"\"issueDate\":\"2020-06-01T00:00:00Z\",\"nextUpdate\":"               \
	"\"2020-07-01T00:00:00Z\",\"miscselect\":\"00000000\","                \
	"\"miscselectMask\":\"FFFFFFFF\",\"attributes\":"                      \
	"\"11000000000000000000000000000000\",\"attributesMask\":"             \
	"\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":"                   \
	"\"8C4F5775D796503E96137F77C68A829A0056AC8DED70140B081B094490C57BFF\"" \
	",\"isvprodid\":1,"
static const char qe_v1[] = "{\"version\":1," QE_BODY "\"isvsvn\":2}";

static const uint8_t qe_mrsigner[32] = {
        0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f,
        0x77, 0xc6, 0x8a, 0x82, 0x9a, 0x00, 0x56, 0xac, 0x8d, 0xed, 0x70,
        0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};

static struct {
	struct dcap_tcb_info t;
	struct dcap_qe_identity qi;
	struct dcap_quote q;
	struct dcap_pck_ext ext;
	uint8_t qe_attr[16], qe_mrsigner[32];
} F;

static void
setup(uint8_t c01, uint8_t c03, uint16_t pcesvn, uint16_t qe_svn)
{
	memset(&F.q, 0, sizeof(F.q));
	memset(&F.ext, 0, sizeof(F.ext));
	memset(F.qe_attr, 0, sizeof(F.qe_attr));
	F.qe_attr[0] = 0x11;
	memcpy(F.qe_mrsigner, qe_mrsigner, 32);
	memcpy(F.ext.fmspc, "\x00\x90\x6e\xd5\x00\x00", 6);
	F.ext.comp_svn[0] = F.ext.comp_svn[1] = c01;
	F.ext.comp_svn[2] = c03;
	F.ext.pcesvn = pcesvn;
	F.q.hdr.tee_type = DCAP_TEE_SGX;
	F.q.qe_report.attributes = F.qe_attr;
	F.q.qe_report.mr_signer = F.qe_mrsigner;
	F.q.qe_report.isv_prod_id = 1;
	F.q.qe_report.isv_svn = qe_svn;
}

static enum tp_err
eval(enum dcap_tcb_status *overall)
{
	struct dcap_tcb_result r;
	const char *check = NULL;
	char why[240];
	enum tp_err e = dcap_tcb_evaluate(&F.q, &F.ext, &F.t, &F.qi, &r, &check,
	                                  why, sizeof(why));

	*overall = r.overall;
	dcap_tcb_result_free(&r);
	return e;
}

static void
test_tcb_info_v2_equals_v3(void **state)
{
	struct dcap_tcb_info v3;
	char why[240];

	(void)state;
	assert_true(dcap_tcb_info_parse((const uint8_t *)tcb_v2, strlen(tcb_v2),
	                                &F.t, why, sizeof(why)));
	assert_true(dcap_tcb_info_parse((const uint8_t *)tcb_v3, strlen(tcb_v3),
	                                &v3, why, sizeof(why)));
	assert_int_equal(F.t.version, 2);
	assert_false(F.t.tdx);
	assert_int_equal(F.t.n_levels, 3);
	assert_int_equal(F.t.eval_number, 5);
	for (size_t i = 0; i < 3; i++) {
		assert_memory_equal(F.t.levels[i].sgx, v3.levels[i].sgx, 16);
		assert_int_equal(F.t.levels[i].pcesvn, v3.levels[i].pcesvn);
		assert_int_equal(F.t.levels[i].status, v3.levels[i].status);
		assert_int_equal(F.t.levels[i].date, v3.levels[i].date);
	}
	assert_int_equal(F.t.levels[0].sgx[0], 9);
	assert_int_equal(F.t.levels[2].sgx[2], 2);
	assert_int_equal(F.t.levels[2].pcesvn, 7);
	dcap_tcb_info_clear(&v3);
}

static void
test_qe_identity_v1(void **state)
{
	char why[240];

	(void)state;
	assert_true(dcap_qe_identity_parse((const uint8_t *)qe_v1,
	                                   strlen(qe_v1), &F.qi, why,
	                                   sizeof(why)));
	assert_int_equal(F.qi.version, 1);
	assert_false(F.qi.td_qe);
	assert_int_equal(F.qi.isvprodid, 1);
	assert_memory_equal(F.qi.mrsigner, qe_mrsigner, 32);
}

/* The evaluation with v2 and v1: first matching level, QE by isvsvn. */
static void
test_evaluation(void **state)
{
	enum dcap_tcb_status s;

	(void)state;
	setup(9, 4, 10, 2);
	assert_int_equal(eval(&s), TP_ERR_none);
	assert_int_equal(s, DCAP_UP_TO_DATE);
	setup(8, 4, 10, 3);
	assert_int_equal(eval(&s), TP_ERR_none);
	assert_int_equal(s, DCAP_SW_HARDENING_NEEDED);
	/* pcesvn 8 < 9: the third level. */
	setup(9, 4, 8, 2);
	assert_int_equal(eval(&s), TP_ERR_none);
	assert_int_equal(s, DCAP_OUT_OF_DATE);
	/* Below every level. */
	setup(4, 4, 10, 2);
	assert_int_equal(eval(&s), TP_ERR_tcb_level_not_found);
	/* The QE below qeIdentity.isvsvn: OutOfDate. */
	setup(9, 4, 10, 1);
	assert_int_equal(eval(&s), TP_ERR_none);
	assert_int_equal(s, DCAP_OUT_OF_DATE);
	/* Another QE signer: refused. */
	setup(9, 4, 10, 2);
	F.qe_mrsigner[0] ^= 1;
	assert_int_equal(eval(&s), TP_ERR_qe_identity_mismatch);
}

static void
test_malformed_legacy(void **state)
{
	struct dcap_tcb_info t;
	struct dcap_qe_identity q;
	char why[240], *bad;

	(void)state;
	for (size_t n = 0; n < strlen(tcb_v2); n++)
		assert_false(dcap_tcb_info_parse((const uint8_t *)tcb_v2, n, &t,
		                                 why, sizeof(why)));
	for (size_t n = 0; n < strlen(qe_v1); n++)
		assert_false(dcap_qe_identity_parse((const uint8_t *)qe_v1, n,
		                                    &q, why, sizeof(why)));
	/* v2 with a v3 array, with an "id", a component missing, one
	 * extra member, a component over 255. */
	bad = strdup(tcb_v3);
	memcpy(strstr(bad, "\"version\":3"), "\"version\":2", 11);
	assert_false(dcap_tcb_info_parse((const uint8_t *)bad, strlen(bad), &t,
	                                 why, sizeof(why)));
	free(bad);
	{
		static const char *const muts[][2] = {
		        {"{\"version\":2,", "{\"id\":\"SGX\",\"version\":2,"},
		        {"\"sgxtcbcomp16svn\":0", "\"sgxtcbcompXXsvn\":0"},
		        {"\"sgxtcbcomp16svn\":0", "\"sgxtcbcomp16svn\":256"},
		        {"\"sgxtcbcomp16svn\":0",
		         "\"sgxtcbcomp16svn\":0,\"extra\":1"},
		        {"\"version\":2", "\"version\":1"},
		};
		for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
			const char *at = strstr(tcb_v2, muts[i][0]);
			size_t pre = (size_t)(at - tcb_v2), n;
			assert_non_null(at);
			n = strlen(tcb_v2) - strlen(muts[i][0]) +
			    strlen(muts[i][1]);
			bad = malloc(n + 1);
			memcpy(bad, tcb_v2, pre);
			strcpy(bad + pre, muts[i][1]);
			strcat(bad, at + strlen(muts[i][0]));
			assert_false(dcap_tcb_info_parse((const uint8_t *)bad,
			                                 strlen(bad), &t, why,
			                                 sizeof(why)));
			free(bad);
		}
	}
	/* QE Identity v1 with an id, with tcbLevels, without isvsvn. */
	{
		static const char with_id[] =
		        "{\"version\":1,\"id\":\"QE\"," QE_BODY "\"isvsvn\":2}";
		static const char with_levels[] =
		        "{\"version\":1," QE_BODY
		        "\"isvsvn\":2,\"tcbLevels\":[]}";
		static const char no_svn[] =
		        "{\"version\":1," QE_BODY "\"x\":2}";
		assert_false(dcap_qe_identity_parse((const uint8_t *)with_id,
		                                    strlen(with_id), &q, why,
		                                    sizeof(why)));
		assert_false(dcap_qe_identity_parse(
		        (const uint8_t *)with_levels, strlen(with_levels), &q,
		        why, sizeof(why)));
		assert_false(dcap_qe_identity_parse((const uint8_t *)no_svn,
		                                    strlen(no_svn), &q, why,
		                                    sizeof(why)));
	}
}

static int
teardown(void **state)
{
	(void)state;
	dcap_tcb_info_clear(&F.t);
	dcap_qe_identity_clear(&F.qi);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tcb_info_v2_equals_v3),
	        cmocka_unit_test(test_qe_identity_v1),
	        cmocka_unit_test(test_evaluation),
	        cmocka_unit_test(test_malformed_legacy),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
