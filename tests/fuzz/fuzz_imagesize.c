/*
 * fuzz_imagesize: imagesize_read() (jobs/imagesize.c) on arbitrary bytes:
 * the head of an uploaded or embedded cover. Never reads past len; a size it
 * returns is non-zero and fits the formats' fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imagesize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size + 1); /* exact-size buffer: ASan sees any overread */
	unsigned w = 0, h = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (imagesize_read(copy, size, &w, &h) && (w == 0 || h == 0 || w > 0x7fffffffu ||
	    h > 0x7fffffffu))
		abort();
	free(copy);
	return 0;
}
