/*
 * fuzz_playlist: the media playlist reader of jobs/playlist.c on arbitrary
 * text (exactly size bytes, not NUL-terminated, as pl_read_capped() hands
 * it over), then what the runner does with a playlist it accepted:
 * playlist_duration(), playlist_measure() with segment sizes as
 * playlist_load_dir() would stat them, and playlist_master().
 *
 * Segment sizes: a file's size is not in the playlist, so each segment gets
 * one derived from its name (FNV-1a, 0 to 16 MiB), which the fuzzer steers
 * by mutating the names.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "playlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long long
fake_size(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return (long long)(h & 0xffffff);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_playlist pl;
	struct pl_variant v[3];
	struct errbuf e;
	long long peak, avg;
	char *master;
	size_t i;

	err_clear(&e);
	if (playlist_parse_media((const char *)data, size, &pl, &e) != OK) {
		if (pl.seg != NULL || pl.map_uri != NULL || pl.nseg != 0 || err_msg(&e)[0] == '\0')
			abort();
		return 0;
	}
	if (pl.nseg == 0 || !pl.endlist || !(pl.target_duration > 0))
		abort();
	for (i = 0; i < pl.nseg; i++) {
		if (pl.seg[i].uri == NULL || strchr(pl.seg[i].uri, '/') != NULL ||
		    pl.seg[i].uri[0] == '.' || !(pl.seg[i].duration >= 0))
			abort();
		pl.seg[i].bytes = fake_size(pl.seg[i].uri);
	}
	(void)playlist_duration(&pl);
	playlist_measure(&pl, &peak, &avg);
	if (peak < avg || avg < 0)
		abort();
	for (i = 0; i < 3; i++) {
		v[i].uri = pl.seg[i % pl.nseg].uri;
		v[i].peak_bps = peak;
		v[i].avg_bps = avg;
	}
	if ((master = playlist_master(v, 3)) == NULL)
		abort();
	free(master);
	playlist_media_free(&pl);
	return 0;
}
