#include "loudness.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool loudness_value(const char *line, size_t len, const char *key, double *v);

/* line is "key=value": *v = value when the key matches and the value is a finite number. */
static bool
loudness_value(const char *line, size_t len, const char *key, double *v)
{
	size_t k = strlen(key);
	char buf[64], *end;

	if (len <= k + 1 || memcmp(line, key, k) != 0 || line[k] != '=' || len - k - 1 >= sizeof(buf))
		return false;
	memcpy(buf, line + k + 1, len - k - 1);
	buf[len - k - 1] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return end != buf && *end == '\0' && errno == 0 && isfinite(*v);
}

bool
loudness_parse(const char *text, size_t len, struct loudness *out)
{
	const char *p = text, *end = text + len, *nl;
	double v, peak = 0;
	bool have_i = false;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->integrated_lufs = LOUDNESS_SILENT_LUFS;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n <= LOUDNESS_MAX_LINE) {
			if (loudness_value(p, n, "lavfi.r128.I", &v) && v <= 0 && v >= -200) {
				out->integrated_lufs = v;
				have_i = true;
			} else if (loudness_value(p, n, "lavfi.r128.LRA", &v) && v >= 0 && v < 200)
				out->range_lu = v;
			else if (loudness_value(p, n, "lavfi.r128.true_peak", &v) && v >= 0 && v < 1e6 &&
			    v > peak)
				peak = v;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	/* 0 (digital silence) would be -inf dB: keep it at ebur128's floor */
	out->true_peak_dbtp = peak > 0 ? 20 * log10(peak) : LOUDNESS_SILENT_LUFS;
	return have_i;
}

double
loudness_gain(const struct loudness *l, double target_lufs)
{
	double g;

	/* a track gated as silent is not lifted; its peak still caps the gain */
	g = l->integrated_lufs <= LOUDNESS_SILENT_LUFS ? 0 : target_lufs - l->integrated_lufs;
	if (l->true_peak_dbtp + g > LOUDNESS_PEAK_CEILING_DBTP)
		g = LOUDNESS_PEAK_CEILING_DBTP - l->true_peak_dbtp;
	/* rounded to what a player can use; never -0.0 */
	g = round(g * 100) / 100;
	return g == 0 ? 0 : g;
}
