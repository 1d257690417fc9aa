/* HLS playlists: parsing ffmpeg's media playlists, measuring, the master. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "playlist.h"

static const char ffmpeg_out[] =
    "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"init.mp4\"\n"
    "#EXTINF:6.013968,\nseg_00000.m4s\n#EXTINF:5.990748,\nseg_00001.m4s\n"
    "#EXTINF:0.023220,\nseg_00002.m4s\n#EXT-X-ENDLIST\n";

static void
parses_ffmpeg_media_playlist(void **state)
{
	struct media_playlist pl;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(playlist_parse_media(ffmpeg_out, strlen(ffmpeg_out), &pl, &e), OK);
	assert_int_equal(pl.nseg, 3);
	assert_true(pl.endlist);
	assert_true(pl.vod);
	assert_string_equal(pl.map_uri, "init.mp4");
	assert_string_equal(pl.seg[2].uri, "seg_00002.m4s");
	assert_true(pl.target_duration == 6);
	assert_true(playlist_duration(&pl) > 12.027 && playlist_duration(&pl) < 12.028);
	playlist_media_free(&pl);
}

static void
rejects_bad_playlists(void **state)
{
	static const struct {
		const char *name, *text;
	} bad[] = {
		{ "empty", "" },
		{ "no header", "#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.m4s\n#EXT-X-ENDLIST\n" },
		{ "no endlist", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.m4s\n" },
		{ "no segments", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-ENDLIST\n" },
		{ "path uri", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n../x.m4s\n#EXT-X-ENDLIST\n" },
		{ "abs uri", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\n/etc/passwd\n#EXT-X-ENDLIST\n" },
		{ "url", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nhttp://x/a\n#EXT-X-ENDLIST\n" },
		{ "uri without extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:6\na.m4s\n#EXT-X-ENDLIST\n" },
		{ "bad extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:abc,\na.m4s\n#EXT-X-ENDLIST\n" },
		/* fuzz_playlist: strtod() took "nan" (and any junk after a number) */
		{ "nan target", "#EXTM3U\n#EXT-X-TARGETDURATION:nan\n#EXTINF:2\nm\n#EXT-X-ENDLIST\n" },
		{ "inf target", "#EXTM3U\n#EXT-X-TARGETDURATION:inf\n#EXTINF:2\nm\n#EXT-X-ENDLIST\n" },
		{ "junk target", "#EXTM3U\n#EXT-X-TARGETDURATION:6x\n#EXTINF:2\nm\n#EXT-X-ENDLIST\n" },
		{ "bad map", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI=\"../i.mp4\"\n"
		    "#EXTINF:6,\na.m4s\n#EXT-X-ENDLIST\n" },
	};
	struct media_playlist pl;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (playlist_parse_media(bad[i].text, strlen(bad[i].text), &pl, &e) == OK)
			fail_msg("accepted: %s", bad[i].name);
		assert_true(err_msg(&e)[0] != '\0');
		assert_null(pl.seg);
	}
}

static void
line_and_size_caps(void **state)
{
	struct media_playlist pl;
	struct errbuf e;
	char *big;
	size_t n = 4000;

	(void)state;
	big = malloc(n + 16);
	assert_non_null(big);
	memcpy(big, "#EXTM3U\n#", 9);
	memset(big + 9, 'A', n);
	big[9 + n] = '\n';
	err_clear(&e);
	assert_int_equal(playlist_parse_media(big, 10 + n, &pl, &e), ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "too long"));
	err_clear(&e);
	assert_int_equal(playlist_parse_media(big, PLAYLIST_MAX_BYTES + 1, &pl, &e), ERR_INVALID);
	free(big);
}

/* Table: segment durations and sizes -> BANDWIDTH (peak) and AVERAGE-BANDWIDTH. */
static void
measures_peak_and_average(void **state)
{
	static const struct {
		const char *name;
		size_t n;
		double dur[6];
		long long bytes[6];
		long long peak, avg;
	} cases[] = {
		{ "steady 128k", 3, { 6, 6, 6 }, { 96000, 96000, 96000 }, 128000, 128000 },
		{ "one loud segment", 3, { 6, 6, 6 }, { 96000, 150000, 96000 }, 200000, 152000 },
		/* a 0.02 s tail is measured together with its neighbour (RFC 8216 4.3.4.2) */
		{ "tiny tail", 3, { 6, 6, 0.02 }, { 96000, 96000, 2000 }, 130233, 129119 },
		{ "shorter than half a target", 1, { 2 }, { 1000 }, 4000, 4000 },
		{ "two halves", 2, { 3, 3 }, { 48000, 24000 }, 128000, 96000 },
		/* fuzz_playlist: a rate past long long was UB to convert; it saturates */
		{ "tiny duration", 1, { 1e-300 }, { 1000 }, LLONG_MAX, LLONG_MAX },
	};
	struct media_playlist pl;
	struct pl_segment seg[6];
	long long peak, avg;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&pl, 0, sizeof(pl));
		pl.target_duration = 6;
		pl.seg = seg;
		pl.nseg = cases[i].n;
		for (k = 0; k < cases[i].n; k++) {
			seg[k].duration = cases[i].dur[k];
			seg[k].bytes = cases[i].bytes[k];
			seg[k].uri = NULL;
		}
		playlist_measure(&pl, &peak, &avg);
		if (peak != cases[i].peak || llabs(avg - cases[i].avg) > 1)
			fail_msg("%s: peak %lld avg %lld, want %lld %lld", cases[i].name, peak, avg,
			    cases[i].peak, cases[i].avg);
		assert_true(peak >= avg);
	}
}

static void
writes_master(void **state)
{
	const struct pl_variant v[] = {
		{ "a64/index.m3u8", 70001, 66000 },
		{ "a128/index.m3u8", 140000, 131000 },
	};
	char *m;

	(void)state;
	m = playlist_master(v, 2);
	assert_non_null(m);
	assert_string_equal(m,
	    "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=70001,AVERAGE-BANDWIDTH=66000,CODECS=\"mp4a.40.2\"\n"
	    "a64/index.m3u8\n"
	    "#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=131000,CODECS=\"mp4a.40.2\"\n"
	    "a128/index.m3u8\n");
	assert_null(strstr(m, "RESOLUTION"));
	free(m);
}

static void
loads_dir_and_sizes(void **state)
{
	char dir[] = "/tmp/test_playlist.XXXXXX", path[256];
	struct media_playlist pl;
	struct errbuf e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index.m3u8", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(ffmpeg_out, f);
	fclose(f);
	err_clear(&e);
	assert_int_equal(playlist_load_dir(dir, "index.m3u8", &pl, &e), ERR_IO); /* no segments */
	assert_non_null(strstr(err_msg(&e), "missing"));
	snprintf(path, sizeof(path), "%s/init.mp4", dir);
	fclose(fopen(path, "w"));
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/seg_%05d.m4s", dir, i);
		f = fopen(path, "w");
		fprintf(f, "%0*d", 100 * (i + 1), 0);
		fclose(f);
	}
	err_clear(&e);
	assert_int_equal(playlist_load_dir(dir, "index.m3u8", &pl, &e), OK);
	assert_int_equal(pl.seg[1].bytes, 200);
	playlist_media_free(&pl);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/seg_%05d.m4s", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/init.mp4", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.m3u8", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_ffmpeg_media_playlist),
		cmocka_unit_test(rejects_bad_playlists),
		cmocka_unit_test(line_and_size_caps),
		cmocka_unit_test(measures_peak_and_average),
		cmocka_unit_test(writes_master),
		cmocka_unit_test(loads_dir_and_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
