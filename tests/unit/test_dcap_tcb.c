/*
 * TCB evaluation rules on a synthetic TCB Info / QE Identity written for
 * this test (the real samples cover only UpToDate, one warning status and
 * "no match"): level order, PCESVN, TDX components with indices 0-1
 * skipped when TEE_TCB_SVN[1] > 0, the TDX module identity, QE Identity
 * matching under masks, status combination and the policy decision.
 * Expected results follow Intel's rules as restated in the vectors'
 * MANIFEST.md ("Verification recipe", steps 7-9).
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
#include "verify/intel/dcap_cache.h"
#include "verify/intel/dcap_policy.h"
#include "verify/intel/dcap_tcb.h"

#define C16(a, b, c)                                                           \
	"[{\"svn\":" #a "},{\"svn\":" #b "},{\"svn\":" #c "},{\"svn\":0},"     \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"         \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"         \
	"{\"svn\":0},{\"svn\":0}]"
#define Z48 "000000000000000000000000000000000000000000000000"
#define LEVEL(s, p, t, date, status, adv)                                      \
	"{\"tcb\":{\"sgxtcbcomponents\":" s ",\"pcesvn\":" #p                  \
	",\"tdxtcbcomponents\":" t "},\"tcbDate\":\"" date                     \
	"\",\"tcbStatus\":\"" status "\",\"advisoryIDs\":" adv "}"

static const char tcb_info[] =
        "{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2025-01-01T00:00:"
        "00Z\","
        "\"nextUpdate\":\"2025-02-01T00:00:00Z\",\"fmspc\":"
        "\"B0C06F000000\","
        "\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17,"
        "\"tdxModule\":{\"mrsigner\":\"" Z48 Z48 "\",\"attributes\":"
        "\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
        "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"" Z48 Z48
        "\",\"attributes\":\"0000000000000000\",\"attributesMask\":"
        "\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":["
        "{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2025-01-01T00:00:00Z\","
        "\"tcbStatus\":\"UpToDate\"},"
        "{\"tcb\":{\"isvsvn\":3},\"tcbDate\":\"2024-02-01T00:00:00Z\","
        "\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"SA-9\"]}]}],"
        "\"tcbLevels\":[" LEVEL(
                C16(5, 5, 5), 13, C16(5, 1, 3), "2025-01-01T00:00:00Z",
                "UpToDate",
                "[]") "," LEVEL(C16(4, 4, 4), 13, C16(4, 1, 2),
                                "2024-06-01T00:00:00Z", "SWHardeningNeeded",
                                "[\"SA-2\"]") "," LEVEL(C16(3, 3, 3), 11,
                                                        C16(3, 0, 2),
                                                        "2024-01-01T00:00:"
                                                        "00Z",
                                                        "OutOfDate",
                                                        "[\"SA-3\",\"SA-"
                                                        "1\"]") "," LEVEL(C16(2,
                                                                              2,
                                                                              2),
                                                                          10,
                                                                          C16(0,
                                                                              0,
                                                                              0),
                                                                          "2023"
                                                                          "-01-"
                                                                          "01T0"
                                                                          "0:"
                                                                          "00:"
                                                                          "00Z",
                                                                          "Revo"
                                                                          "ked",
                                                                          "[\"S"
                                                                          "A-"
                                                                          "0\""
                                                                          "]") "]}";

static const char qe_identity[] =
        "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2025-01-01T00:00:"
        "00Z\","
        "\"nextUpdate\":\"2025-02-01T00:00:00Z\",\"tcbEvaluationDataNumber\":"
        "17,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
        "\"attributes\":\"11000000000000000000000000000000\","
        "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
        "\"mrsigner\":\"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C8"
        "2E0E54A8C5\",\"isvprodid\":2,\"tcbLevels\":["
        "{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2025-01-01T00:00:00Z\","
        "\"tcbStatus\":\"UpToDate\"},"
        "{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2024-03-01T00:00:00Z\","
        "\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"SA-Q\"]}]}";

static const uint8_t qe_mrsigner[32] = {
        0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
        0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
        0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5};

struct fixture {
	struct dcap_tcb_info t;
	struct dcap_qe_identity qi;
	struct dcap_quote q;
	struct dcap_pck_ext ext;
	uint8_t svn[16], mrsignerseam[48], seam_attr[8];
	uint8_t qe_attr[16], qe_mrsigner[32];
};

static struct fixture F;

static void
setup(uint8_t comp, uint16_t pcesvn, uint8_t s0, uint8_t s1, uint8_t s2,
      uint16_t qe_svn)
{
	memset(&F.q, 0, sizeof(F.q));
	memset(&F.ext, 0, sizeof(F.ext));
	memset(F.svn, 0, sizeof(F.svn));
	memset(F.mrsignerseam, 0, sizeof(F.mrsignerseam));
	memset(F.seam_attr, 0, sizeof(F.seam_attr));
	memset(F.qe_attr, 0, sizeof(F.qe_attr));
	F.qe_attr[0] = 0x15; /* 0x11 plus bit 2, which the mask ignores */
	memcpy(F.qe_mrsigner, qe_mrsigner, 32);
	memcpy(F.ext.fmspc, "\xb0\xc0\x6f\x00\x00\x00", 6);
	memset(F.ext.comp_svn, comp, 3);
	F.ext.pcesvn = pcesvn;
	F.svn[0] = s0;
	F.svn[1] = s1;
	F.svn[2] = s2;
	F.q.hdr.tee_type = DCAP_TEE_TDX;
	F.q.td.tee_tcb_svn = F.svn;
	F.q.td.mr_signer_seam = F.mrsignerseam;
	F.q.td.seam_attributes = F.seam_attr;
	F.q.qe_report.attributes = F.qe_attr;
	F.q.qe_report.mr_signer = F.qe_mrsigner;
	F.q.qe_report.isv_prod_id = 2;
	F.q.qe_report.isv_svn = qe_svn;
}

static enum tp_err
eval(struct dcap_tcb_result *r, const char **check)
{
	char why[240];

	return dcap_tcb_evaluate(&F.q, &F.ext, &F.t, &F.qi, r, check, why,
	                         sizeof(why));
}

static int64_t
at(const char *s)
{
	int64_t t = 0;

	assert_true(tptime_parse(s, &t));
	return t;
}

static void
expect(enum dcap_tcb_status overall, const char *adv0, const char *adv1)
{
	struct dcap_tcb_result r;
	const char *check = NULL;

	assert_int_equal(eval(&r, &check), TP_ERR_none);
	assert_int_equal(r.overall, overall);
	assert_int_equal(json_array_size(r.advisories),
	                 (adv0 != NULL) + (adv1 != NULL));
	if (adv0 != NULL)
		assert_string_equal(
		        json_string_value(json_array_get(r.advisories, 0)),
		        adv0);
	if (adv1 != NULL)
		assert_string_equal(
		        json_string_value(json_array_get(r.advisories, 1)),
		        adv1);
	dcap_tcb_result_free(&r);
}

static void
expect_fail(enum tp_err code, const char *want_check)
{
	struct dcap_tcb_result r;
	const char *check = NULL;

	assert_int_equal(eval(&r, &check), code);
	assert_string_equal(check, want_check);
	dcap_tcb_result_free(&r);
}

static void
test_levels(void **state)
{
	struct dcap_tcb_result r;
	const char *check;

	(void)state;
	/* Everything current: first level, module TDX_01 UpToDate. */
	setup(5, 13, 6, 1, 3, 8);
	expect(DCAP_UP_TO_DATE, NULL, NULL);
	/* TEE_TCB_SVN[0..1] are the module's (skipped for the level) and
	 * the module identity by ISVSVN = TEE_TCB_SVN[0] = 4 is OutOfDate,
	 * out of date since the level above it (2025-01-01). */
	setup(5, 13, 4, 1, 3, 8);
	expect(DCAP_OUT_OF_DATE, "SA-9", NULL);
	assert_int_equal(eval(&r, &check), TP_ERR_none);
	assert_int_equal(r.platform, DCAP_UP_TO_DATE);
	assert_int_equal(r.module, DCAP_OUT_OF_DATE);
	assert_int_equal(r.outdated_since, at("2025-01-01T00:00:00Z"));
	dcap_tcb_result_free(&r);
	/* SGX components one lower: second level. */
	setup(4, 13, 6, 1, 3, 8);
	expect(DCAP_SW_HARDENING_NEEDED, "SA-2", NULL);
	/* PCESVN 12 is below the first two levels' 13: third level;
	 * advisories sorted. */
	setup(5, 12, 6, 1, 3, 8);
	expect(DCAP_OUT_OF_DATE, "SA-1", "SA-3");
	assert_int_equal(eval(&r, &check), TP_ERR_none);
	assert_int_equal(r.tcb_date, at("2024-01-01T00:00:00Z"));
	assert_int_equal(r.outdated_since, at("2024-06-01T00:00:00Z"));
	dcap_tcb_result_free(&r);
	/* TDX component 2 too low for the first two levels. */
	setup(5, 13, 6, 1, 2, 8);
	expect(DCAP_SW_HARDENING_NEEDED, "SA-2", NULL);
	/* ... and component 2 = 1 passes only the Revoked level's 0. */
	setup(5, 13, 6, 1, 1, 8);
	expect(DCAP_REVOKED, "SA-0", NULL);
	/* Revoked level. */
	setup(2, 10, 6, 1, 3, 8);
	expect(DCAP_REVOKED, "SA-0", NULL);
	/* Below every level. */
	setup(1, 13, 6, 1, 3, 8);
	expect_fail(TP_ERR_tcb_level_not_found, "tcb_level");
	/* TEE_TCB_SVN[1] = 0: all 16 TDX components compared, no module
	 * identity: [9,0,2] passes only the third level ([3,0,2]). */
	setup(5, 13, 9, 0, 2, 8);
	expect(DCAP_OUT_OF_DATE, "SA-1", "SA-3");
	/* TEE_TCB_SVN[1] = 2: no TDX_02 identity. */
	setup(5, 13, 6, 2, 3, 8);
	expect_fail(TP_ERR_tcb_info_mismatch, "tdx_module");
	/* Another TDX module signer. */
	setup(5, 13, 6, 1, 3, 8);
	F.mrsignerseam[47] = 1;
	expect_fail(TP_ERR_tcb_info_mismatch, "tdx_module");
	/* SEAM attributes under the mask. */
	setup(5, 13, 6, 1, 3, 8);
	F.seam_attr[0] = 1;
	expect_fail(TP_ERR_tcb_info_mismatch, "tdx_module");
	/* Another FMSPC or PCE ID. */
	setup(5, 13, 6, 1, 3, 8);
	F.ext.fmspc[5] = 1;
	expect_fail(TP_ERR_tcb_info_mismatch, "tcb_info_match");
	setup(5, 13, 6, 1, 3, 8);
	F.ext.pceid[1] = 1;
	expect_fail(TP_ERR_tcb_info_mismatch, "tcb_info_match");
	/* An SGX quote against TDX TCB Info. */
	setup(5, 13, 6, 1, 3, 8);
	F.q.hdr.tee_type = DCAP_TEE_SGX;
	expect_fail(TP_ERR_tcb_info_mismatch, "tcb_info_match");
}

static void
test_qe_identity(void **state)
{
	(void)state;
	/* QE ISVSVN 7: second QE level, OutOfDate; worst wins. */
	setup(4, 13, 6, 1, 3, 7);
	expect(DCAP_OUT_OF_DATE, "SA-2", "SA-Q");
	setup(5, 13, 6, 1, 3, 5);
	expect_fail(TP_ERR_tcb_level_not_found, "qe_identity_match");
	setup(5, 13, 6, 1, 3, 8);
	F.qe_mrsigner[0] ^= 1;
	expect_fail(TP_ERR_qe_identity_mismatch, "qe_identity_match");
	setup(5, 13, 6, 1, 3, 8);
	F.q.qe_report.isv_prod_id = 1;
	expect_fail(TP_ERR_qe_identity_mismatch, "qe_identity_match");
	setup(5, 13, 6, 1, 3, 8);
	F.qe_attr[1] = 0x01; /* a masked-in bit */
	expect_fail(TP_ERR_qe_identity_mismatch, "qe_identity_match");
	setup(5, 13, 6, 1, 3, 8);
	F.q.qe_report.misc_select = 1;
	expect_fail(TP_ERR_qe_identity_mismatch, "qe_identity_match");
	setup(5, 13, 6, 1, 3, 8);
	F.qi.td_qe = false; /* an SGX QE identity for a TDX quote */
	expect_fail(TP_ERR_qe_identity_mismatch, "qe_identity_match");
	F.qi.td_qe = true;
}

static void
test_policy_decision(void **state)
{
	struct dcap_policy p;
	int64_t until, now = at("2025-01-11T00:00:00Z");
	int64_t since = at("2025-01-01T00:00:00Z");
	char err[160];

	(void)state;
	dcap_policy_defaults(&p);
	assert_int_equal(dcap_policy_tcb(&p, DCAP_UP_TO_DATE, 0, now, &until),
	                 TP_ERR_none);
	assert_int_equal(
	        dcap_policy_tcb(&p, DCAP_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	                        0, now, &until),
	        TP_ERR_none);
	assert_int_equal(
	        dcap_policy_tcb(&p, DCAP_OUT_OF_DATE, since, now, &until),
	        TP_ERR_tcb_out_of_date);
	assert_int_equal(dcap_policy_tcb(&p, DCAP_REVOKED, 0, now, &until),
	                 TP_ERR_tcb_revoked);
	/* 30 days of grace: 10 days out of date is accepted until the
	 * grace ends; 40 days is not. */
	assert_true(dcap_policy_set(&p, "tcb_grace_period_days", "30", err,
	                            sizeof(err)));
	assert_int_equal(
	        dcap_policy_tcb(&p, DCAP_OUT_OF_DATE, since, now, &until),
	        TP_ERR_none);
	assert_int_equal(until, since + 30 * 86400);
	assert_int_equal(dcap_policy_tcb(&p, DCAP_OUT_OF_DATE, since,
	                                 since + 40 * 86400, &until),
	                 TP_ERR_tcb_out_of_date);
	assert_int_equal(dcap_policy_tcb(&p, DCAP_REVOKED, since, now, &until),
	                 TP_ERR_tcb_revoked);
	/* allow_out_of_date; then a list without SWHardeningNeeded. */
	assert_true(dcap_policy_set(&p, "allow_out_of_date", "true", err,
	                            sizeof(err)));
	assert_int_equal(dcap_policy_tcb(&p,
	                                 DCAP_OUT_OF_DATE_CONFIGURATION_NEEDED,
	                                 0, now, &until),
	                 TP_ERR_none);
	assert_true(dcap_policy_set(&p, "accepted_statuses",
	                            "UpToDate, ConfigurationNeeded", err,
	                            sizeof(err)));
	assert_int_equal(
	        dcap_policy_tcb(&p, DCAP_SW_HARDENING_NEEDED, 0, now, &until),
	        TP_ERR_tcb_status_not_accepted);
	assert_int_equal(
	        dcap_policy_tcb(&p, DCAP_CONFIGURATION_NEEDED, 0, now, &until),
	        TP_ERR_none);
	/* The cache bounds: defaults, a value, 0, and refusals. */
	assert_int_equal(p.cache_platforms, DCAP_CACHE_PLATFORM_DEFAULT);
	assert_int_equal(p.cache_shared, DCAP_CACHE_SHARED_DEFAULT);
	assert_true(dcap_policy_set(&p, "cache_platforms", "200000", err,
	                            sizeof(err)));
	assert_int_equal(p.cache_platforms, 200000);
	assert_true(dcap_policy_set(&p, "cache_shared", "0", err, sizeof(err)));
	assert_int_equal(p.cache_shared, 0);
	assert_false(
	        dcap_policy_set(&p, "cache_platforms", "-1", err, sizeof(err)));
	assert_false(dcap_policy_set(&p, "cache_platforms", "10000001", err,
	                             sizeof(err)));
	assert_false(
	        dcap_policy_set(&p, "cache_shared", "1k", err, sizeof(err)));
	assert_int_equal(p.cache_platforms, 200000);
}

static int
group_setup(void **state)
{
	char why[240];

	(void)state;
	assert_true(dcap_tcb_info_parse((const uint8_t *)tcb_info,
	                                strlen(tcb_info), &F.t, why,
	                                sizeof(why)));
	assert_true(dcap_qe_identity_parse((const uint8_t *)qe_identity,
	                                   strlen(qe_identity), &F.qi, why,
	                                   sizeof(why)));
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	dcap_tcb_info_clear(&F.t);
	dcap_qe_identity_clear(&F.qi);
	return 0;
}

static void
test_malformed(void **state)
{
	struct dcap_tcb_info t;
	struct dcap_qe_identity q;
	char why[240];
	char *bad;

	(void)state;
	/* Every strict prefix of the documents is refused, never crashes. */
	for (size_t n = 0; n < strlen(tcb_info); n++)
		assert_false(dcap_tcb_info_parse((const uint8_t *)tcb_info, n,
		                                 &t, why, sizeof(why)));
	for (size_t n = 0; n < strlen(qe_identity); n++)
		assert_false(dcap_qe_identity_parse(
		        (const uint8_t *)qe_identity, n, &q, why, sizeof(why)));
	/* An unknown status. */
	bad = strdup(tcb_info);
	memcpy(strstr(bad, "\"Revoked\""), "\"Revoker\"", 9);
	assert_false(dcap_tcb_info_parse((const uint8_t *)bad, strlen(bad), &t,
	                                 why, sizeof(why)));
	assert_non_null(strstr(why, "tcbLevels[3]"));
	free(bad);
	/* Version 2 with a version 3 body (an "id", sgxtcbcomponents) is
	 * refused: v2 has neither (tests/unit/test_dcap_legacy.c). */
	bad = strdup(tcb_info);
	memcpy(strstr(bad, "\"version\":3"), "\"version\":2", 11);
	assert_false(dcap_tcb_info_parse((const uint8_t *)bad, strlen(bad), &t,
	                                 why, sizeof(why)));
	free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_levels),
	        cmocka_unit_test(test_qe_identity),
	        cmocka_unit_test(test_policy_decision),
	        cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
