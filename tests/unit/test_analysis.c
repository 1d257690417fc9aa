/* Loudness from ebur128's metadata (jobs/loudness.c) and waveform peaks (jobs/waveform.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <unistd.h>

#include "loudness.h"
#include "waveform.h"

/* What `ebur128=metadata=1:peak=true,ametadata=mode=print:file=F` writes (trimmed). */
static const char r128[] =
    "frame:0    pts:0       pts_time:0\n"
    "lavfi.r128.M=-120.691\nlavfi.r128.S=-120.691\nlavfi.r128.I=-70.000\n"
    "lavfi.r128.LRA=0.000\nlavfi.r128.LRA.low=0.000\nlavfi.r128.LRA.high=0.000\n"
    "lavfi.r128.true_peaks_ch0=0.071\nlavfi.r128.true_peaks_ch1=0.071\nlavfi.r128.true_peak=0.071\n"
    "frame:1    pts:4800    pts_time:0.1\n"
    "lavfi.r128.I=-23.400\nlavfi.r128.LRA=5.200\nlavfi.r128.true_peak=0.501\n"
    "frame:199  pts:955200  pts_time:19.9\n"
    "lavfi.r128.M=-22.993\nlavfi.r128.S=-22.993\nlavfi.r128.I=-23.000\n"
    "lavfi.r128.LRA=4.100\nlavfi.r128.LRA.low=-25.000\nlavfi.r128.LRA.high=-21.000\n"
    "lavfi.r128.true_peaks_ch0=0.071\nlavfi.r128.true_peaks_ch1=0.071\nlavfi.r128.true_peak=0.071\n";

static void
loudness_reads_the_last_frame_and_the_largest_peak(void **state)
{
	struct loudness l;

	(void)state;
	assert_true(loudness_parse(r128, strlen(r128), &l));
	assert_true(fabs(l.integrated_lufs - -23.0) < 1e-9);
	assert_true(fabs(l.range_lu - 4.1) < 1e-9);
	/* the largest true peak of any frame: 0.501 = -6.00 dBTP */
	assert_true(fabs(l.true_peak_dbtp - 20 * log10(0.501)) < 1e-9);
	/* not ebur128's output: no integrated loudness */
	assert_false(loudness_parse("frame:0\nlavfi.astats.x=1\n", 25, &l));
	assert_false(loudness_parse("", 0, &l));
	/* junk values and over-long lines are ignored, not trusted */
	assert_false(loudness_parse("lavfi.r128.I=abc\nlavfi.r128.I=nan\nlavfi.r128.I=5\n", 48, &l));
}

static void
gain_reaches_the_target_under_the_peak_ceiling(void **state)
{
	static const struct {
		double i, tp, target, want;
	} cases[] = {
		{ -23.0, -23.0, -14.0, 9.0 },   /* quiet, lots of headroom: the full 9 dB */
		{ -23.0, -6.0, -14.0, 5.0 },    /* the peak would pass -1 dBTP: 5 dB only */
		{ -8.0, -0.2, -14.0, -6.0 },    /* loud: turned down */
		{ -14.0, -3.0, -14.0, 0.0 },
		{ -70.0, -70.0, -14.0, 0.0 },   /* silence is left alone */
	};
	struct loudness l = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l.integrated_lufs = cases[i].i;
		l.true_peak_dbtp = cases[i].tp;
		if (fabs(loudness_gain(&l, cases[i].target) - cases[i].want) > 1e-9)
			fail_msg("case %zu: gain %.3f, want %.3f", i, loudness_gain(&l, cases[i].target),
			    cases[i].want);
	}
}

static void
waveform_shows_silence_then_sound(void **state)
{
	int16_t pcm[4000];
	struct waveform w;
	char *json;
	size_t i;

	(void)state;
	for (i = 0; i < 4000; i++)
		pcm[i] = i < 2000 ? 0 : (int16_t)(i % 2 ? 30000 : -30000);
	assert_int_equal(waveform_compute(pcm, 4000, 100, &w), OK);
	assert_int_equal(w.samples_per_pixel, 40);
	assert_int_equal(w.length, 100);
	assert_int_equal(w.data[0], 0);           /* first half: min 0, max 0 */
	assert_int_equal(w.data[1], 0);
	assert_int_equal(w.data[2 * 99], -118);   /* second half: -30000 .. 30000 */
	assert_int_equal(w.data[2 * 99 + 1], 117);
	json = waveform_json(&w, WAVEFORM_RATE);
	assert_non_null(json);
	assert_non_null(strstr(json, "{\"version\":2,\"channels\":1,\"sample_rate\":4000,"
	    "\"samples_per_pixel\":40,\"bits\":8,\"length\":100,\"data\":[0,0,0,0,"));
	assert_non_null(strstr(json, ",-118,117]}"));
	free(json);
	waveform_free(&w);
	/* fewer samples than points: one sample a pixel; a ragged end is its own pixel */
	assert_int_equal(waveform_compute(pcm + 2000, 7, 1800, &w), OK);
	assert_int_equal(w.samples_per_pixel, 1);
	assert_int_equal(w.length, 7);
	waveform_free(&w);
	assert_int_equal(waveform_compute(pcm, 1001, 100, &w), OK);
	assert_int_equal(w.samples_per_pixel, 11);
	assert_int_equal(w.length, 91); /* 91 x 11 = 1001 */
	waveform_free(&w);
	assert_int_equal(waveform_compute(pcm, 0, 100, &w), OK);
	assert_int_equal(w.length, 0);
	json = waveform_json(&w, WAVEFORM_RATE);
	assert_non_null(strstr(json, "\"length\":0,\"data\":[]}"));
	free(json);
	waveform_free(&w);
}

static void
waveform_from_a_file_matches_memory(void **state)
{
	int16_t pcm[20000];
	struct waveform a, b;
	struct errbuf e;
	char path[] = "/tmp/mustory-wf-XXXXXX";
	FILE *f;
	int fd;
	size_t i;

	(void)state;
	for (i = 0; i < 20000; i++)
		pcm[i] = (int16_t)((i * 7919) % 65536 - 32768);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(pcm, 2, 20000, f), 20000);
	fclose(f);
	err_clear(&e);
	assert_int_equal(waveform_from_file(path, 1800, &a, &e), OK);
	assert_int_equal(waveform_compute(pcm, 20000, 1800, &b), OK);
	assert_int_equal(a.length, b.length);
	assert_memory_equal(a.data, b.data, 2 * a.length);
	waveform_free(&a);
	waveform_free(&b);
	unlink(path);
	assert_int_equal(waveform_from_file("/nonexistent/pcm", 1800, &a, &e), ERR_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loudness_reads_the_last_frame_and_the_largest_peak),
		cmocka_unit_test(gain_reaches_the_target_under_the_peak_ceiling),
		cmocka_unit_test(waveform_shows_silence_then_sound),
		cmocka_unit_test(waveform_from_a_file_matches_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
