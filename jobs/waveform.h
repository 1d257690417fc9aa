/*
 * waveform.h: peaks for the app's scrubber in the audiowaveform JSON format,
 * version 2: {"version": 2, "channels": 1, "sample_rate", "samples_per_pixel",
 * "bits": 8, "length", "data": [min, max, ...]} (2 x length values from -128
 * to 127). Computed in C from mono 16-bit PCM that one ladder process also
 * writes (low rate is enough), about `points` pixels whatever the length.
 */
#ifndef MUSTORY_JOBS_WAVEFORM_H
#define MUSTORY_JOBS_WAVEFORM_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* Hz of the PCM the ladder writes for it (the number, and as text for argv) */
#define WAVEFORM_RATE 4000
#define WAVEFORM_RATE_S "4000"

struct waveform {
	long long samples_per_pixel;
	size_t length;     /* pixels */
	int8_t *data;      /* owned: 2 x length, min then max of each pixel */
};

/*
 * Pure: the peaks of n mono s16 samples, about points pixels (at least one
 * sample per pixel). OK or ERR_NOMEM; n == 0 gives length 0.
 */
enum result waveform_compute(const int16_t *pcm, size_t n, size_t points, struct waveform *w);

/*
 * The same over a file of raw s16le mono PCM, read in pieces (a long track
 * is never all in memory). ERR_IO when it cannot be read.
 */
enum result waveform_from_file(const char *path, size_t points, struct waveform *w,
    struct errbuf *e);

/* The audiowaveform JSON v2 document of w at sample_rate; malloc'd, NULL: out of memory. */
char *waveform_json(const struct waveform *w, int sample_rate);

void waveform_free(struct waveform *w);

#endif
