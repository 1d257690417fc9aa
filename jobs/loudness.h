/*
 * loudness.h: EBU R128 loudness from ffmpeg's ebur128 filter (peak=true),
 * read from the per-frame metadata that `ametadata=mode=print:file=...`
 * writes beside the ladder (so it survives -loglevel error and the cap on
 * stderr; the log summary is never scraped). The last frame's integrated
 * loudness (I) and loudness range (LRA) are the whole track's; the true peak
 * is the largest of every frame's.
 */
#ifndef MUSTORY_JOBS_LOUDNESS_H
#define MUSTORY_JOBS_LOUDNESS_H

#include <stdbool.h>
#include <stddef.h>

/* ebur128's floor: a silent track's integrated loudness. */
#define LOUDNESS_SILENT_LUFS -70.0
/* A gain never lifts the true peak above this (dBTP). */
#define LOUDNESS_PEAK_CEILING_DBTP -1.0

struct loudness {
	double integrated_lufs; /* LUFS */
	double range_lu;        /* LU */
	double true_peak_dbtp;  /* dBTP (dB of the largest true peak, 1.0 = 0 dBTP) */
	double gain_db;         /* to the target, limited by the peak ceiling */
};

/*
 * Pure: parse len bytes of ametadata's print output. False when no frame
 * carried lavfi.r128.I (not ebur128's output, or empty). Lines of other
 * filters and junk are ignored; at most LOUDNESS_MAX_LINE bytes per line.
 */
#define LOUDNESS_MAX_LINE 256
bool loudness_parse(const char *text, size_t len, struct loudness *out);

/*
 * Pure: the gain that brings l to target_lufs, limited so that true peak +
 * gain stays at or below LOUDNESS_PEAK_CEILING_DBTP; a track gated as silent
 * is not lifted (0, or less when its own peak is over the ceiling).
 */
double loudness_gain(const struct loudness *l, double target_lufs);

#endif
