/*
 * Reading rows by column name (db/row.c) and the API's JSON of what db/
 * reads (handlers/db_json.c). The results are built in memory with
 * libpq's PQmakeEmptyPGresult/PQsetResultAttrs/PQsetvalue, so no server
 * is needed; the expected instants were computed with Python's datetime
 * and the expected JSON is the shape docs/openapi.yaml gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/row.h"
#include "handlers/db_json.h"

/* A one-row text result with columns NAMES and VALUES (NULL: SQL NULL). */
static PGresult *
result(int n, const char *const *names, const char *const *values)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc attrs[16];

	assert_non_null(res);
	assert_true(n <= 16);
	memset(attrs, 0, sizeof(attrs));
	for (int i = 0; i < n; i++)
		attrs[i].name = (char *)names[i];
	assert_true(PQsetResultAttrs(res, n, attrs));
	for (int i = 0; i < n; i++)
		assert_true(PQsetvalue(
		        res, 0, i, (char *)values[i],
		        values[i] != NULL ? (int)strlen(values[i]) : -1));
	return res;
}

static char *
dump(json_t *o)
{
	char *s;

	assert_non_null(o);
	s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(o);
	assert_non_null(s);
	return s;
}

static void
test_by_name(void **state)
{
	/* The order of the columns is no contract: read by name. */
	static const char *const names[] = {"at", "flag", "n", "id", "gone"};
	static const char *const values[] = {"1764745658123456", "t", "-42",
	                                     "abc", NULL};
	PGresult *res = result(5, names, values);
	struct db_row r = db_row_at(res, 0);
	char buf[8];
	char *dup;

	db_row_copy(&r, "id", buf, sizeof(buf));
	assert_string_equal(buf, "abc");
	assert_int_equal(db_row_int64(&r, "n"), -42);
	assert_true(db_row_bool(&r, "flag"));
	assert_int_equal(db_row_time(&r, "at"), 1764745658123456);
	assert_int_equal(db_row_time(&r, "gone"), DB_TIME_NULL);
	assert_true(db_row_null(&r, "gone"));
	assert_null(db_row_text(&r, "gone"));
	assert_null(db_row_strdup(&r, "gone"));
	db_row_copy(&r, "gone", buf, sizeof(buf));
	assert_string_equal(buf, "");
	dup = db_row_strdup(&r, "id");
	assert_string_equal(dup, "abc");
	free(dup);
	assert_true(r.ok);
	/* A missing column fails the row. */
	assert_null(db_row_text(&r, "nope"));
	assert_false(r.ok);
	PQclear(res);
}

static void
test_refused(void **state)
{
	static const char *const names[] = {"long", "num", "b", "null"};
	static const char *const values[] = {"12345678", "12x", "yes", NULL};
	PGresult *res = result(4, names, values);
	struct db_row r;
	char buf[8];

	/* Too long for the buffer: refused, never truncated. */
	r = db_row_at(res, 0);
	db_row_copy(&r, "long", buf, sizeof(buf));
	assert_false(r.ok);
	assert_string_equal(buf, "");
	r = db_row_at(res, 0);
	db_row_int64(&r, "num");
	assert_false(r.ok);
	r = db_row_at(res, 0);
	db_row_bool(&r, "b");
	assert_false(r.ok);
	/* NULL where a value is required. */
	r = db_row_at(res, 0);
	db_row_int64(&r, "null");
	assert_false(r.ok);
	r = db_row_at(res, 0);
	db_row_bool(&r, "null");
	assert_false(r.ok);
	/* No such row. */
	r = db_row_at(res, 1);
	assert_false(r.ok);
	PQclear(res);
}

static void
test_bytea(void **state)
{
	static const char *const names[] = {"body"};
	static const char *const values[] = {"\\x0001ff"};
	PGresult *res = result(1, names, values);
	struct db_row r = db_row_at(res, 0);
	uint8_t *b = NULL;
	size_t n = 0;

	db_row_bytea(&r, "body", &b, &n);
	assert_true(r.ok);
	assert_int_equal(n, 3);
	assert_memory_equal(b, "\x00\x01\xff", 3);
	assert_int_equal(b[3], 0);
	free(b);
	PQclear(res);
}

static void
test_times(void **state)
{
	char *s;

	/* Seconds are truncated as PostgreSQL's to_char does. */
	s = dump(db_json_time(1764745658999999));
	assert_string_equal(s, "\"2025-12-03T07:07:38Z\"");
	free(s);
	s = dump(db_json_time_us(1764745658123456));
	assert_string_equal(s, "\"2025-12-03T07:07:38.123456Z\"");
	free(s);
	s = dump(db_json_time_us(1000000000000001));
	assert_string_equal(s, "\"2001-09-09T01:46:40.000001Z\"");
	free(s);
	s = dump(db_json_time(DB_TIME_NULL));
	assert_string_equal(s, "null");
	free(s);
}

static void
test_passport_json(void **state)
{
	struct db_passport p = {
	        .id = "0b6b5f6e-8d3c-4a57-9a55-b4a1d7d3f6a1",
	        .status = "active",
	        .ear_status = "affirming",
	        .tee_type = "Mock",
	        .hardware_attested = false,
	        .created_at = 1764745658123456,
	        .verified_at = 1764745658000000,
	        .expires_at = 1764749258000000,
	        .evidence_sha256 = "sha256:00",
	};
	char claims[] = "{\"b\":1,\"a\":[true]}", token[] = "x.y.z";
	char *s;

	s = dump(db_json_passport_summary(&p));
	assert_string_equal(
	        s, "{\"id\":\"0b6b5f6e-8d3c-4a57-9a55-b4a1d7d3f6a1\","
	           "\"status\":\"active\",\"ear_status\":\"affirming\","
	           "\"provider\":\"Mock\",\"hardware_verified\":false,"
	           "\"tee_type\":\"Mock\",\"hardware_attested\":false,"
	           "\"created_at\":\"2025-12-03T07:07:38.123456Z\","
	           "\"verified_at\":\"2025-12-03T07:07:38Z\","
	           "\"expires_at\":\"2025-12-03T08:07:38Z\","
	           "\"evidence_sha256\":\"sha256:00\",\"endpoint_id\":null}");
	free(s);
	p.claims_json = claims;
	p.token = token;
	s = dump(db_json_passport(&p));
	assert_non_null(strstr(s, "\"endpoint_id\":null,\"claims\":{\"b\":1,"
	                          "\"a\":[true]},\"token\":\"x.y.z\"}"));
	assert_null(strstr(s, "revoked_at"));
	free(s);
}

static void
test_endpoint_json(void **state)
{
	char url[] = "https://e.example", name[] = "m", digest[] = "sha256:01",
	     doc[] = "{\"config\":\"c\"}", errors[] = "[{\"code\":\"x\"}]",
	     token[] = "t";
	struct db_endpoint e = {
	        .id = "11111111-1111-4111-8111-111111111111",
	        .provider_id = "22222222-2222-4222-8222-222222222222",
	        .url = url,
	        .model_name = name,
	        .model_digest = digest,
	        .tee_type = "Mock",
	        .status = "stale",
	        .ref_version = 2,
	        .ref_sha256 = "sha256:02",
	        .ref_doc_json = doc,
	        .last_attested_at = 1764745658500000,
	        .created_at = 1764745600000000,
	        .retired_at = DB_TIME_NULL,
	};
	char *s;

	s = dump(db_json_endpoint(&e));
	assert_string_equal(
	        s, "{\"id\":\"11111111-1111-4111-8111-111111111111\","
	           "\"provider_id\":\"22222222-2222-4222-8222-222222222222\","
	           "\"url\":\"https://e.example\",\"model\":{\"name\":\"m\","
	           "\"digest\":\"sha256:01\"},\"provider\":\"Mock\","
	           "\"tee_type\":\"Mock\","
	           "\"status\":\"stale\",\"reference_values\":{\"version\":2,"
	           "\"sha256\":\"sha256:02\",\"values\":{\"config\":\"c\"}},"
	           "\"passport\":null,"
	           "\"last_attested_at\":\"2025-12-03T07:07:38Z\","
	           "\"last_errors\":null,"
	           "\"created_at\":\"2025-12-03T07:06:40Z\","
	           "\"retired_at\":null,\"tls\":null}");
	free(s);
	/* Attested TLS: the bound key, where, and when last compared. */
	strcpy(e.tls_binding, "report_data");
	strcpy(e.tls_spki_sha256, "71c31f35d2b06077bbae7c1ddf0cc4020408c8f39c"
	                          "68b04cf3d029d40bdd45e7");
	e.tls_checked_at = DB_TIME_NULL;
	s = dump(db_json_endpoint(&e));
	assert_non_null(strstr(
	        s, "\"tls\":{\"binding\":\"report_data\",\"spki_sha256\":"
	           "\"71c31f35d2b06077bbae7c1ddf0cc4020408c8f39c68b04cf3d029d"
	           "40bdd45e7\",\"checked_at\":null}}"));
	free(s);
	memcpy(e.passport_id, e.id, sizeof(e.id));
	strcpy(e.passport_status, "expired");
	e.passport_expires_at = 1764745658000000;
	e.passport_token = token;
	e.last_errors_json = errors;
	s = dump(db_json_endpoint(&e));
	assert_non_null(strstr(
	        s, "\"passport\":{\"id\":\"11111111-1111-4111-8111-"
	           "111111111111\",\"status\":\"expired\",\"expires_at\":"
	           "\"2025-12-03T07:07:38Z\",\"token\":\"t\"},"
	           "\"last_attested_at\":\"2025-12-03T07:07:38Z\","
	           "\"last_errors\":[{\"code\":\"x\"}]"));
	free(s);
	/* A stored document that does not parse: no reply built. */
	strcpy(doc, "{nope");
	assert_null(db_json_endpoint(&e));
}

static void
test_collateral_json(void **state)
{
	uint8_t body[] = {0x00, 0x01, 0xff};
	struct db_collateral_entry e = {
	        .row = {.kind = "amd_vcek",
	                .key = "Genoa/ab",
	                .body = body,
	                .body_len = sizeof(body),
	                .sha256 = "ab",
	                .issue_date = 1577836800,
	                .next_update = 1609459200,
	                .fetched_at = 1590969600,
	                .source = "import"},
	        .valid = false,
	};
	const char *list = "[{\"kind\":\"amd_vcek\",\"key\":\"Genoa/ab\","
	                   "\"sha256\":\"ab\","
	                   "\"issue_date\":\"2020-01-01T00:00:00Z\","
	                   "\"next_update\":\"2021-01-01T00:00:00Z\","
	                   "\"fetched_at\":\"2020-06-01T00:00:00Z\","
	                   "\"source\":\"import\",\"valid\":false";
	char *s;

	s = dump(db_json_collateral_list(&e, 1, false));
	assert_int_equal(strncmp(s, list, strlen(list)), 0);
	assert_string_equal(s + strlen(list), "}]");
	free(s);
	s = dump(db_json_collateral_list(&e, 1, true));
	assert_string_equal(s + strlen(list), ",\"body\":\"AAH/\"}]");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_by_name),
	        cmocka_unit_test(test_refused),
	        cmocka_unit_test(test_bytea),
	        cmocka_unit_test(test_times),
	        cmocka_unit_test(test_passport_json),
	        cmocka_unit_test(test_endpoint_json),
	        cmocka_unit_test(test_collateral_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
