/* Image sizes from headers (jobs/imagesize.c), before any decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "imagesize.h"

static const unsigned char png_30000[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
	0x00, 0x00, 0x75, 0x30, 0x00, 0x00, 0x75, 0x30, 8, 2, 0, 0, 0,
};
/* SOI, APP1 (8 bytes of "EXIF"), DQT-less SOF0 640 x 480 */
static const unsigned char jpeg_640x480[] = {
	0xff, 0xd8, 0xff, 0xe1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0,
	0xff, 0xc4, 0x00, 0x04, 0x00, 0x00, /* a DHT: not a frame header */
	0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
};
static const unsigned char webp_vp8x[] = {
	'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,
	0, 0, 0, 0, 0x1f, 0x03, 0x00, 0xdf, 0x01, 0x00, /* 800 x 480 (minus one each) */
};
static const unsigned char webp_vp8l[] = {
	'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 5, 0, 0, 0,
	0x2f, 0x3f, 0x80, 0x0f, 0x00, 0, 0, 0, 0, 0, /* 64 x 63 */
};
static const unsigned char webp_vp8[] = {
	'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 10, 0, 0, 0,
	0, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, /* 320 x 240 */
};

static void
sizes_from_headers(void **state)
{
	static const struct {
		const unsigned char *b;
		size_t len;
		bool ok;
		unsigned w, h;
	} cases[] = {
		{ png_30000, sizeof(png_30000), true, 30000, 30000 },
		{ jpeg_640x480, sizeof(jpeg_640x480), true, 640, 480 },
		{ webp_vp8x, sizeof(webp_vp8x), true, 800, 480 },
		{ webp_vp8l, sizeof(webp_vp8l), true, 64, 63 },
		{ webp_vp8, sizeof(webp_vp8), true, 320, 240 },
		/* cut short: the size is not in the bytes read */
		{ png_30000, 20, false, 0, 0 },
		{ jpeg_640x480, 24, false, 0, 0 },
		{ webp_vp8x, 25, false, 0, 0 },
		/* not an image */
		{ (const unsigned char *)"GIF89a........................", 30, false, 0, 0 },
		{ (const unsigned char *)"", 0, false, 0, 0 },
	};
	unsigned w, h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w = h = 0;
		if (imagesize_read(cases[i].b, cases[i].len, &w, &h) != cases[i].ok ||
		    (cases[i].ok && (w != cases[i].w || h != cases[i].h)))
			fail_msg("case %zu: got %u x %u", i, w, h);
	}
}

/* A JPEG whose SOS comes before any SOF, or a zero-length segment: refused. */
static void
broken_jpegs_refused(void **state)
{
	static const unsigned char sos_first[] = { 0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6 };
	static const unsigned char zero_len[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xc0 };
	static const unsigned char zero_size[] = { 0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 8, 0, 0, 0, 0, 3 };
	unsigned w, h;

	(void)state;
	assert_false(imagesize_read(sos_first, sizeof(sos_first), &w, &h));
	assert_false(imagesize_read(zero_len, sizeof(zero_len), &w, &h));
	assert_false(imagesize_read(zero_size, sizeof(zero_size), &w, &h));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_from_headers),
		cmocka_unit_test(broken_jpegs_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
