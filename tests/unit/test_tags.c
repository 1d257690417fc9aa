/* The file's tags as ffprobe reports them -> the track's `tags` (jobs/tags.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tags.h"

/* tags_from_probe() of json, serialized (sorted keys are not promised: compare parsed). */
static void
expect_tags(const char *json, const char *want)
{
	json_object *root = json_tokener_parse(json), *got, *w = json_tokener_parse(want);

	assert_non_null(root);
	assert_non_null(w);
	got = tags_from_probe(root);
	assert_non_null(got);
	if (!json_object_equal(got, w))
		fail_msg("tags of %s\n  got  %s\n  want %s", json, json_object_to_json_string(got),
		    want);
	json_object_put(got);
	json_object_put(w);
	json_object_put(root);
}

static void
id3_and_vorbis_keys_fold(void **state)
{
	(void)state;
	/* ID3 (lower case, "album_artist", "track" as "3/10") */
	expect_tags("{\"format\":{\"tags\":{\"title\":\"Night Drive\",\"artist\":\"Mira Vale\","
	    "\"album\":\"Roads\",\"album_artist\":\"Various\",\"track\":\"3/10\",\"disc\":\"1/2\","
	    "\"date\":\"2019-05-01\",\"genre\":\"Synthwave\",\"TSRC\":\"USRC17607839\"}}}",
	    "{\"title\":\"Night Drive\",\"artist\":\"Mira Vale\",\"album\":\"Roads\","
	    "\"album_artist\":\"Various\",\"track\":{\"number\":3,\"total\":10},"
	    "\"disc\":{\"number\":1,\"total\":2},\"date\":\"2019-05-01\",\"year\":2019,"
	    "\"genre\":\"Synthwave\",\"isrc\":\"USRC17607839\"}");
	/* Vorbis/FLAC (upper case, TRACKNUMBER + TRACKTOTAL, ReplayGain), on the stream (Ogg) */
	expect_tags("{\"format\":{},\"streams\":[{\"codec_type\":\"audio\",\"tags\":{"
	    "\"TITLE\":\"Song\",\"ARTIST\":\"Band\",\"TRACKNUMBER\":\"07\",\"TRACKTOTAL\":\"12\","
	    "\"DISCNUMBER\":\"2\",\"COMPOSER\":\"Someone\",\"YEAR\":\"1999\","
	    "\"REPLAYGAIN_TRACK_GAIN\":\"-6.54 dB\",\"REPLAYGAIN_TRACK_PEAK\":\"0.988831\","
	    "\"REPLAYGAIN_ALBUM_GAIN\":\"+1.2 dB\",\"ALBUM ARTIST\":\"The Band\"}}]}",
	    "{\"title\":\"Song\",\"artist\":\"Band\",\"track\":{\"number\":7,\"total\":12},"
	    "\"disc\":{\"number\":2},\"composer\":\"Someone\",\"year\":1999,"
	    "\"replaygain\":{\"track_gain_db\":-6.54,\"track_peak\":0.988831,\"album_gain_db\":1.2},"
	    "\"album_artist\":\"The Band\"}");
	/* the container's value wins over the stream's; unknown keys are dropped */
	expect_tags("{\"format\":{\"tags\":{\"title\":\"A\",\"encoder\":\"Lavf\"}},"
	    "\"streams\":[{\"codec_type\":\"audio\",\"tags\":{\"TITLE\":\"B\",\"ARTIST\":\"C\"}}]}",
	    "{\"title\":\"A\",\"artist\":\"C\"}");
	/* nothing to read */
	expect_tags("{\"streams\":[]}", "{}");
	expect_tags("{\"format\":{\"tags\":[1,2]}}", "{}");
}

static void
untrusted_text_is_cleaned(void **state)
{
	char *long_title, *json, *want, *s;
	size_t i;

	(void)state;
	/* controls, bidi overrides, padding; ill-formed UTF-8 cannot come through JSON here */
	expect_tags("{\"format\":{\"tags\":{\"title\":\"  Evil\\u0007\\u202e Title\\u0085  \","
	    "\"artist\":\"\\t\\n\"}}}", "{\"title\":\"Evil Title\"}");
	/* numbers that are not numbers are dropped, not guessed */
	expect_tags("{\"format\":{\"tags\":{\"track\":\"x/10\",\"disc\":\"0\",\"year\":\"99\","
	    "\"replaygain_track_gain\":\"loud\",\"replaygain_track_peak\":\"-1\"}}}", "{}");
	/* a value is capped at TAGS_VALUE_MAX characters (code points, not bytes) */
	long_title = malloc(2 * 600 + 1);
	assert_non_null(long_title);
	for (i = 0; i < 600; i++)
		memcpy(long_title + 2 * i, "\xc3\xa9", 2);
	long_title[1200] = '\0';
	json = malloc(1400);
	want = malloc(1400);
	assert_non_null(json);
	assert_non_null(want);
	snprintf(json, 1400, "{\"format\":{\"tags\":{\"title\":\"%s\"}}}", long_title);
	long_title[2 * TAGS_VALUE_MAX] = '\0';
	snprintf(want, 1400, "{\"title\":\"%s\"}", long_title);
	expect_tags(json, want);
	free(json);
	free(want);
	free(long_title);
	/* tags_clean on raw bytes: ill-formed UTF-8 becomes U+FFFD */
	s = tags_clean("a\xff" "b\xc0\xaf", 5);
	assert_non_null(s);
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

static void
many_keys_are_capped(void **state)
{
	char json[16384];
	size_t o, i;

	(void)state;
	o = (size_t)snprintf(json, sizeof(json), "{\"format\":{\"tags\":{");
	for (i = 0; i < 200; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o, "\"junk%zu\":\"x\",", i);
	snprintf(json + o, sizeof(json) - o, "\"title\":\"late\"}}}");
	/* the title comes after TAGS_KEYS_MAX other keys: not looked at */
	expect_tags(json, "{}");
}

static void
number_total_parses(void **state)
{
	int n = -1, t = -1;

	(void)state;
	assert_true(tags_number_total("3/10", &n, &t));
	assert_int_equal(n, 3);
	assert_int_equal(t, 10);
	assert_true(tags_number_total(" 07 ", &n, &t));
	assert_int_equal(n, 7);
	assert_int_equal(t, 0);
	assert_true(tags_number_total("4 / 9", &n, &t));
	assert_int_equal(t, 9);
	assert_false(tags_number_total("", &n, &t));
	assert_false(tags_number_total("-1", &n, &t));
	assert_false(tags_number_total("99999999999999999999", &n, &t));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id3_and_vorbis_keys_fold),
		cmocka_unit_test(untrusted_text_is_cleaned),
		cmocka_unit_test(many_keys_are_capped),
		cmocka_unit_test(number_total_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
