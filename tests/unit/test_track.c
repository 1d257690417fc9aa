/* The track status type: both spellings and the parse, every status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "track.h"

static void
track_status_table(void **state)
{
	static const struct {
		enum track_status s;
		const char *sql, *api;
	} cases[] = {
		{ TRACK_PENDING, "PENDING", "pending" },
		{ TRACK_PROCESSING, "PROCESSING", "processing" },
		{ TRACK_COMPLETED, "COMPLETED", "completed" },
		{ TRACK_FAILED, "FAILED", "failed" },
	};
	enum track_status s;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(cases) / sizeof(cases[0]), TRACK_STATUS__MAX);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(track_status_sql(cases[i].s), cases[i].sql);
		assert_string_equal(track_status_str(cases[i].s), cases[i].api);
		assert_true(track_status_parse(cases[i].sql, &s));
		assert_int_equal(s, cases[i].s);
		assert_false(track_status_parse(cases[i].api, &s));
	}
	assert_false(track_status_parse("", &s));
	assert_string_equal(track_status_sql(TRACK_STATUS__MAX), "UNKNOWN");
	assert_string_equal(track_status_str((enum track_status)-1), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(track_status_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
