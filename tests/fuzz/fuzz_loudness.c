/*
 * fuzz_loudness: loudness_parse() (jobs/loudness.c) on arbitrary text: the
 * file ffmpeg's ametadata writes while decoding an uploaded file. Whatever
 * it holds, the figures are finite and in range, and the gain is finite.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loudness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct loudness l;
	double g;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	(void)loudness_parse(copy, size, &l);
	g = loudness_gain(&l, -14);
	if (!isfinite(l.integrated_lufs) || !isfinite(l.range_lu) || !isfinite(l.true_peak_dbtp) ||
	    !isfinite(g) || l.integrated_lufs > 0 || l.range_lu < 0 ||
	    l.true_peak_dbtp + g > LOUDNESS_PEAK_CEILING_DBTP + 0.01)
		abort();
	free(copy);
	return 0;
}
