/* The ffmpeg command that makes a cover's derivatives (jobs/artwork.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "artwork.h"

static void
derivatives_argv_is_sandboxed(void **state)
{
	struct config cfg;
	struct artwork a;
	const char *argv[96];
	char store[4096], joined[8192] = "";
	size_t argc, i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&a, 0, sizeof(a));
	cfg.ffmpeg_path = "ffmpeg";
	snprintf(a.src, sizeof(a.src), "/w/artwork-upload");
	a.type = "image/png";
	for (i = 0; i < ARTWORK_NSIZES; i++)
		snprintf(a.deriv[i], sizeof(a.deriv[i]), "/w/%s", artwork_sizes[i].name);
	argc = artwork_argv(&cfg, &a, argv, 96, store, sizeof(store));
	assert_true(argc > 0);
	assert_null(argv[argc]);
	for (i = 0; i < argc; i++) {
		strcat(joined, argv[i]);
		strcat(joined, " ");
	}
	/* one local file, read by the one decoder for its sniffed type */
	assert_non_null(strstr(joined, "-protocol_whitelist file -f png_pipe -i file:/w/artwork-upload "));
	assert_non_null(strstr(joined, "scale=w='min(1200,iw)':h='min(1200,ih)':force_original_aspect_ratio=decrease"));
	assert_non_null(strstr(joined, "crop=w='min(iw,ih)':h='min(iw,ih)',scale=w='min(600,iw)'"));
	assert_non_null(strstr(joined, "scale=w='min(300,iw)'"));
	/* every output: no metadata, one JPEG frame */
	assert_non_null(strstr(joined, "-map [o0] -map_metadata -1 -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 /w/cover-1200.jpg"));
	assert_non_null(strstr(joined, "-map [o1] -map_metadata -1 -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 /w/thumb-600.jpg"));
	assert_non_null(strstr(joined, "-map [o2] -map_metadata -1 -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 /w/thumb-300.jpg"));
	/* too small a buffer is refused, not overflowed */
	assert_int_equal(artwork_argv(&cfg, &a, argv, 10, store, sizeof(store)), 0);
	assert_int_equal(artwork_argv(&cfg, &a, argv, 96, store, 64), 0);
	a.type = "image/jpeg";
	assert_true(artwork_argv(&cfg, &a, argv, 96, store, sizeof(store)) > 0);
	assert_string_equal(argv[11], "jpeg_pipe");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(derivatives_argv_is_sandboxed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
