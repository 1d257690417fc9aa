/*
 * test_janitor.c: the janitor's pure parts: which prefixes of a completed
 * track are listed and kept, which keys belong to a superseded attempt, and
 * that a prefix that is not the track's own attempt keeps everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "janitor.h"

#define TRACK "0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b"
#define OTHER "1c9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b"
#define ATTEMPT "00112233aabbccdd"
#define OLD "ffeeddcc99887766"

static void
prefixes_of_the_current_attempt(void **state)
{
	struct janitor_keep k;

	(void)state;
	assert_true(janitor_keep_make(TRACK, "hls/" TRACK "/" ATTEMPT, &k));
	assert_string_equal(k.hls_scan, "hls/" TRACK "/");
	assert_string_equal(k.hls_keep, "hls/" TRACK "/" ATTEMPT "/");
	assert_string_equal(k.art_scan, "art/" TRACK "/");
	assert_string_equal(k.art_keep, "art/" TRACK "/" ATTEMPT "/");
}

static void
which_keys_are_superseded(void **state)
{
	static const struct {
		const char *key;
		bool superseded;
	} c[] = {
		{ "hls/" TRACK "/" OLD "/master.m3u8", true },
		{ "hls/" TRACK "/" OLD "/a64/seg_00001.m4s", true },
		{ "hls/" TRACK "/" OLD "/waveform.json", true },
		{ "art/" TRACK "/" OLD "/cover-600.jpg", true },
		{ "hls/" TRACK "/" OLD, true },           /* a stray object at the prefix */
		{ "hls/" TRACK "/" ATTEMPT "0/x", true }, /* a longer attempt is not ours */
		{ "hls/" TRACK "/" ATTEMPT "/master.m3u8", false },
		{ "hls/" TRACK "/" ATTEMPT "/a160/init.mp4", false },
		{ "hls/" TRACK "/" ATTEMPT "/waveform.json", false },
		{ "art/" TRACK "/" ATTEMPT "/cover.jpg", false },
		{ "hls/" TRACK "/" ATTEMPT, true },       /* not under hls/<t>/<attempt>/ */
		{ "tracks/" TRACK "/original.mp3", false }, /* the original stays */
		{ "tracks/" TRACK "/artwork.png", false },
		{ "hls/" OTHER "/" OLD "/master.m3u8", false }, /* another track's */
		{ "art/" OTHER "/" OLD "/cover.jpg", false },
		{ "hls/" TRACK "/", false },
		{ "hls/" TRACK, false },
		{ "", false },
	};
	struct janitor_keep k;
	size_t i;

	(void)state;
	assert_true(janitor_keep_make(TRACK, "hls/" TRACK "/" ATTEMPT, &k));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool want = c[i].superseded;

		if (janitor_superseded(&k, c[i].key) != want)
			fail_msg("case %zu: %s should %sbe superseded", i, c[i].key, want ? "" : "not ");
	}
}

static void
a_prefix_not_the_tracks_keeps_everything(void **state)
{
	static const char *const bad[] = {
		NULL,
		"",
		"hls/" TRACK,
		"hls/" TRACK "/",
		"hls/" OTHER "/" ATTEMPT,        /* another track's attempt */
		"hls/" TRACK "/00112233AABBCCDD", /* not lowercase */
		"hls/" TRACK "/00112233aabbccd",  /* too short */
		"hls/" TRACK "/00112233aabbccdde",
		"hls/" TRACK "/" ATTEMPT "/",
		"art/" TRACK "/" ATTEMPT,
		"x/hls/" TRACK "/" ATTEMPT,
		"hls//" ATTEMPT,
	};
	struct janitor_keep k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (janitor_keep_make(TRACK, bad[i], &k))
			fail_msg("case %zu: %s accepted", i, bad[i] != NULL ? bad[i] : "NULL");
		/* a zeroed keep says nothing is superseded */
		assert_false(janitor_superseded(&k, "hls/" TRACK "/" OLD "/master.m3u8"));
	}
	assert_false(janitor_keep_make("", "hls//" ATTEMPT, &k));
	assert_false(janitor_keep_make("a/b", "hls/a/b/" ATTEMPT, &k));
	assert_false(janitor_keep_make(NULL, "hls/" TRACK "/" ATTEMPT, &k));
}

static void
names_of_passes_and_actions(void **state)
{
	(void)state;
	assert_string_equal(janitor_pass_str(JP_EXPIRE), "expire");
	assert_string_equal(janitor_pass_str(JP_REMOVE), "remove");
	assert_string_equal(janitor_pass_str(JP_SUPERSEDED), "superseded");
	assert_string_equal(janitor_pass_str(JP_HISTORY), "history");
	assert_string_equal(janitor_pass_str(JP__MAX), "unknown");
	assert_string_equal(janitor_action_str(JA_EXPIRE_TRACK), "expire_track");
	assert_string_equal(janitor_action_str(JA_ABORT_UPLOAD), "abort_upload");
	assert_string_equal(janitor_action_str(JA_DELETE_OBJECT), "delete_object");
	assert_string_equal(janitor_action_str(JA_REMOVE_TRACK), "remove_track");
	assert_string_equal(janitor_action_str(JA_PRUNE_RUNS), "prune_runs");
	assert_string_equal(janitor_action_str(JA__MAX), "unknown");
	assert_string_equal(JANITOR_EXPIRED_MSG, "the upload was never completed");
}

/* The batch's ids and prefixes go to the database as array literals. */
static void
array_literals_quote_their_elements(void **state)
{
	static const char quoted[] = ",\"x\\\"y\\\\z,{}\"}"; /* ,"x\"y\\z,{}"} */
	struct janitor_array a = { 0 };
	size_t i;

	(void)state;
	assert_true(janitor_array_add(&a, TRACK));
	assert_string_equal(a.s, "{\"" TRACK "\"}");
	assert_true(janitor_array_add(&a, "hls/" TRACK "/" ATTEMPT));
	assert_string_equal(a.s, "{\"" TRACK "\",\"hls/" TRACK "/" ATTEMPT "\"}");
	assert_true(janitor_array_add(&a, "x\"y\\z,{}"));
	assert_string_equal(a.s + strlen(a.s) - strlen(quoted), quoted);
	a.n = 0; /* a new batch reuses the buffer */
	assert_true(janitor_array_add(&a, ""));
	assert_string_equal(a.s, "{\"\"}");
	for (i = 0; i < 1000; i++) /* grows */
		assert_true(janitor_array_add(&a, TRACK));
	assert_int_equal(strlen(a.s), 4 + 1000 * (strlen(TRACK) + 3));
	free(a.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixes_of_the_current_attempt),
		cmocka_unit_test(which_keys_are_superseded),
		cmocka_unit_test(a_prefix_not_the_tracks_keeps_everything),
		cmocka_unit_test(names_of_passes_and_actions),
		cmocka_unit_test(array_literals_quote_their_elements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
