#include "waveform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Peaks being gathered: pixel by pixel, samples_per_pixel samples each. */
struct wf_acc {
	struct waveform *w;
	long long in_pixel;  /* samples of the current pixel seen */
	size_t pixel;
	int lo, hi;
};

static enum result wf_begin(struct wf_acc *a, struct waveform *w, size_t n, size_t points);
static void wf_add(struct wf_acc *a, const int16_t *s, size_t n);
static int8_t wf_8bit(int v);
static void wf_end(struct wf_acc *a);

/* s16 -> the format's 8 bits: -32768..32767 onto -128..127. */
static int8_t
wf_8bit(int v)
{
	return (int8_t)((v + 32768) / 256 - 128);
}

static enum result
wf_begin(struct wf_acc *a, struct waveform *w, size_t n, size_t points)
{
	memset(w, 0, sizeof(*w));
	memset(a, 0, sizeof(*a));
	a->w = w;
	if (points == 0)
		points = 1;
	w->samples_per_pixel = (long long)((n + points - 1) / points);
	if (w->samples_per_pixel < 1)
		w->samples_per_pixel = 1;
	w->length = (size_t)((n + (size_t)w->samples_per_pixel - 1) / (size_t)w->samples_per_pixel);
	if (w->length > 0 && (w->data = malloc(2 * w->length)) == NULL)
		return ERR_NOMEM;
	a->lo = 32767;
	a->hi = -32768;
	return OK;
}

static void
wf_add(struct wf_acc *a, const int16_t *s, size_t n)
{
	struct waveform *w = a->w;
	size_t i;

	for (i = 0; i < n && a->pixel < w->length; i++) {
		if (s[i] < a->lo)
			a->lo = s[i];
		if (s[i] > a->hi)
			a->hi = s[i];
		if (++a->in_pixel == w->samples_per_pixel) {
			w->data[2 * a->pixel] = wf_8bit(a->lo);
			w->data[2 * a->pixel + 1] = wf_8bit(a->hi);
			a->pixel++;
			a->in_pixel = 0;
			a->lo = 32767;
			a->hi = -32768;
		}
	}
}

/* The last, shorter pixel. */
static void
wf_end(struct wf_acc *a)
{
	if (a->in_pixel > 0 && a->pixel < a->w->length) {
		a->w->data[2 * a->pixel] = wf_8bit(a->lo);
		a->w->data[2 * a->pixel + 1] = wf_8bit(a->hi);
		a->pixel++;
	}
	a->w->length = a->pixel;
}

enum result
waveform_compute(const int16_t *pcm, size_t n, size_t points, struct waveform *w)
{
	struct wf_acc a;

	if (wf_begin(&a, w, n, points) != OK)
		return ERR_NOMEM;
	wf_add(&a, pcm, n);
	wf_end(&a);
	return OK;
}

enum result
waveform_from_file(const char *path, size_t points, struct waveform *w, struct errbuf *e)
{
	int16_t buf[8192];
	struct wf_acc a;
	struct stat st;
	ssize_t got;
	int fd;
	enum result rc = ERR_IO;

	memset(w, 0, sizeof(*w));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		err_set(e, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = wf_begin(&a, w, (size_t)st.st_size / 2, points)) != OK)
		goto out;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		wf_add(&a, buf, (size_t)got / 2); /* s16le on a little-endian host */
	if (got < 0) {
		err_set(e, "cannot read %s: %s", path, strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	wf_end(&a);
	rc = OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != OK)
		waveform_free(w);
	return rc;
}

char *
waveform_json(const struct waveform *w, int sample_rate)
{
	size_t cap = 160 + 5 * 2 * w->length, o;
	char *s = malloc(cap);
	size_t i;

	if (s == NULL)
		return NULL;
	o = (size_t)snprintf(s, cap, "{\"version\":2,\"channels\":1,\"sample_rate\":%d,"
	    "\"samples_per_pixel\":%lld,\"bits\":8,\"length\":%zu,\"data\":[", sample_rate,
	    w->samples_per_pixel, w->length);
	for (i = 0; i < 2 * w->length && o < cap; i++)
		o += (size_t)snprintf(s + o, cap - o, "%s%d", i > 0 ? "," : "", w->data[i]);
	if (o + 3 > cap) {
		free(s);
		return NULL;
	}
	memcpy(s + o, "]}", 3);
	return s;
}

void
waveform_free(struct waveform *w)
{
	free(w->data);
	w->data = NULL;
	w->length = 0;
}
