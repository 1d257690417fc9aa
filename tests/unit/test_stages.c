/*
 * The runner's stage table: the progress bands and the point of no return
 * that the runner reports and honours (30_runner_completes_hls.t and
 * 37_sigterm_hands_back.t see them from outside).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stages.h"

static void
the_table_as_the_runner_reports_it(void **state)
{
	static const struct { const char *name; int lo, hi; bool committed; } want[] = {
		{ "download", 0, 2, false },
		{ "probe", 2, 5, false },
		{ "transcode", 5, 90, false },
		{ "analyse", 90, 90, false },
		{ "artwork", 90, 90, false },
		{ "publish", 90, 98, false },
		{ "master", 98, 99, true }, /* the point of no return */
	};
	const char *name;
	int lo, hi;
	bool committed;
	size_t i;

	(void)state;
	for (i = 0; stages_row(i, &name, &lo, &hi, &committed); i++) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_string_equal(name, want[i].name);
		assert_int_equal(lo, want[i].lo);
		assert_int_equal(hi, want[i].hi);
		assert_int_equal(committed, want[i].committed);
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
}

/* Whatever rows are added: bands follow on, stay under 100, and once committed, stay so. */
static void
bands_rise_and_the_point_of_no_return_is_passed_once(void **state)
{
	const char *name;
	int lo, hi, prev_hi = 0;
	bool committed, was_committed = false;
	size_t i;

	(void)state;
	for (i = 0; stages_row(i, &name, &lo, &hi, &committed); i++) {
		if (lo != prev_hi || hi < lo || hi > 99)
			fail_msg("stage %s: band %d..%d after %d", name, lo, hi, prev_hi);
		if (was_committed && !committed)
			fail_msg("stage %s is before the point of no return but follows one past it",
			    name);
		prev_hi = hi;
		was_committed = committed;
	}
	assert_true(was_committed); /* publishing is always past it */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_table_as_the_runner_reports_it),
		cmocka_unit_test(bands_rise_and_the_point_of_no_return_is_passed_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
