/* The read connection's configuration and its fallback without a
 * reachable replica (db/read.c); tests/integration/replica.test.mjs
 * runs it against a real streaming replica. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"

static void
test_configure(void **state)
{
	struct db_read_stats s;

	/* Not a connection string: refused, and nothing configured. */
	assert_false(db_read_configure("host='unterminated", 1000));
	db_read_stats(&s);
	assert_false(s.configured);
	assert_false(db_read_configure("nosuchkey=1", 1000));
	assert_true(db_read_configure("host=/nonexistent dbname=x", 1000));
	db_read_stats(&s);
	assert_true(s.configured);
	assert_true(db_read_configure("postgresql:///x?host=/nonexistent"
	                              "&options=-c%20search_path%3Dpublic",
	                              1000));
	/* Empty: none. */
	assert_true(db_read_configure("", 1000));
	db_read_stats(&s);
	assert_false(s.configured);
	assert_true(db_read_configure(NULL, 0));
}

static void
test_unreachable(void **state)
{
	struct db_read_stats s;
	struct db_read_status st;

	/* No primary either: the fallback target is unreachable too. */
	db_configure(NULL);
	assert_true(db_read_configure("host=/nonexistent/tp-read dbname=x "
	                              "connect_timeout=2",
	                              1000));
	assert_null(db_read_conn());
	assert_null(db_read_conn()); /* left alone: no second attempt */
	db_read_stats(&s);
	assert_int_equal(s.replica, 0);
	assert_int_equal(s.fallback[DB_READ_FALLBACK_UNAVAILABLE], 2);
	assert_int_equal(s.fallback[DB_READ_FALLBACK_LAG], 0);
	db_read_status(&st);
	assert_true(st.configured);
	assert_false(st.replica);
	assert_int_equal(st.reason, DB_READ_FALLBACK_UNAVAILABLE);
	assert_int_equal(st.lag_ms, -1);
	/* Not the read connection: nothing to ask again. */
	assert_null(db_read_retry(NULL, DB_NOT_FOUND));
	db_read_stats(&s);
	assert_int_equal(s.fallback[DB_READ_FALLBACK_NOT_FOUND], 0);
	db_read_conn_close();
	assert_true(db_read_configure(NULL, 0));
}

static void
test_names(void **state)
{
	assert_string_equal(db_read_fallback_name(DB_READ_FALLBACK_UNAVAILABLE),
	                    "unavailable");
	assert_string_equal(db_read_fallback_name(DB_READ_FALLBACK_LAG), "lag");
	assert_string_equal(db_read_fallback_name(DB_READ_FALLBACK_OWN_WRITE),
	                    "own_write");
	assert_string_equal(db_read_fallback_name(DB_READ_FALLBACK_NOT_FOUND),
	                    "not_found");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_configure),
	        cmocka_unit_test(test_unreachable),
	        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
