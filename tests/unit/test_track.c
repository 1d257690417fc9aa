/* The track status type: both spellings and the parse, every status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
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

static void
track_status_api_names(void **state)
{
	enum track_status s;
	int i;

	(void)state;
	for (i = 0; i < TRACK_STATUS__MAX; i++) {
		assert_true(track_status_parse_api(track_status_str((enum track_status)i), &s));
		assert_int_equal(s, i);
	}
	assert_false(track_status_parse_api("PENDING", &s));
	assert_false(track_status_parse_api("", &s));
	assert_false(track_status_parse_api("pending ", &s));
}

/* Cursors: encode/decode round trips; the decoder takes nothing else. */
static void
track_cursor_round_trip(void **state)
{
	static const struct track_cursor ok[] = {
		{ 0, "00000000-0000-0000-0000-000000000000" },
		{ 1764619200123456LL, "123e4567-e89b-42d3-a456-426614174000" },
		{ 253402300799999999LL, "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	};
	struct track_cursor c;
	char enc[TRACK_CURSOR_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_true(track_cursor_encode(&ok[i], enc));
		assert_int_equal(strlen(enc), TRACK_CURSOR_LEN);
		assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_"), TRACK_CURSOR_LEN);
		memset(&c, 0, sizeof(c));
		assert_true(track_cursor_decode(enc, &c));
		assert_int_equal(c.created_us, ok[i].created_us);
		assert_string_equal(c.id, ok[i].id);
	}
	c.created_us = -1;
	assert_false(track_cursor_encode(&c, enc));
	c.created_us = 253402300800000000LL;
	assert_false(track_cursor_encode(&c, enc));
	c = ok[1];
	memcpy(c.id, "123E4567", 8); /* only the lowercase spelling */
	assert_false(track_cursor_encode(&c, enc));
	snprintf(c.id, sizeof(c.id), "not-a-uuid");
	assert_false(track_cursor_encode(&c, enc));
}

static void
track_cursor_strict(void **state)
{
	struct track_cursor c = { 1764619200123456LL, "123e4567-e89b-42d3-a456-426614174000" };
	char enc[TRACK_CURSOR_LEN + 1], bad[64];

	(void)state;
	assert_true(track_cursor_encode(&c, enc));
	assert_false(track_cursor_decode("", &c));
	snprintf(bad, sizeof(bad), "%s=", enc); /* padding */
	assert_false(track_cursor_decode(bad, &c));
	snprintf(bad, sizeof(bad), "%.*s", TRACK_CURSOR_LEN - 1, enc); /* short */
	assert_false(track_cursor_decode(bad, &c));
	snprintf(bad, sizeof(bad), "%sA", enc); /* long */
	assert_false(track_cursor_decode(bad, &c));
	snprintf(bad, sizeof(bad), "%s", enc);
	bad[0] = 'B'; /* version 5 */
	assert_false(track_cursor_decode(bad, &c));
	snprintf(bad, sizeof(bad), "%s", enc);
	bad[5] = '+'; /* base64, not base64url */
	assert_false(track_cursor_decode(bad, &c));
	/* 25 bytes leave 4 padding bits in the last character (A, Q, g or w): they must
	 * be zero, so each cursor has one spelling. The next letter sets the lowest. */
	snprintf(bad, sizeof(bad), "%s", enc);
	assert_non_null(strchr("AQgw", bad[TRACK_CURSOR_LEN - 1]));
	bad[TRACK_CURSOR_LEN - 1]++;
	assert_false(track_cursor_decode(bad, &c));
	/* created_us beyond the year 9999: version 1 then 0x7f... */
	assert_false(track_cursor_decode("AX__________AAAAAAAAAAAAAAAAAAAAAA", &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(track_status_table),
		cmocka_unit_test(track_status_api_names),
		cmocka_unit_test(track_cursor_round_trip),
		cmocka_unit_test(track_cursor_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
