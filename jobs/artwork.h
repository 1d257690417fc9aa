/*
 * artwork.h: a track's cover, uploaded or embedded in the audio file (an
 * attached picture), becomes public derivatives under art/<track>/<attempt>/:
 * a large one (at most ARTWORK_LARGE_PX on its longer side, never upscaled:
 * artwork_url) and square thumbnails (artwork_thumbnails). Each is re-encoded
 * by ffmpeg as a JPEG without metadata, so EXIF and anything hidden in the
 * original never reach the public; the original stays private.
 *
 * A cover is refused, and the track completes without one, when it is not a
 * JPEG, PNG or WebP by its bytes, is over MAX_ARTWORK_BYTES, or its header
 * claims more than ARTWORK_MAX_PIXELS (an image bomb is refused before
 * anything decodes it); `why` then says so for the track JSON.
 */
#ifndef MUSTORY_JOBS_ARTWORK_H
#define MUSTORY_JOBS_ARTWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "result.h"
#include "s3.h"

#define ARTWORK_MAX_PIXELS 50000000ULL /* 50 megapixels: a 7071 x 7071 square */
#define ARTWORK_HEAD_BYTES (256 * 1024) /* read for the header: a JPEG's EXIF comes first */
#define ARTWORK_LARGE_PX 1200
#define ARTWORK_TIMEOUT_S 60

/* The derivatives: name (the key's file name), size in pixels, square or not. */
struct artwork_size {
	const char *name;  /* "cover-1200.jpg" */
	const char *label; /* in artwork_thumbnails: "600"; NULL for the large one */
	unsigned px;
	bool square;
};
extern const struct artwork_size artwork_sizes[];
#define ARTWORK_NSIZES 3

/* Pure: "image/jpeg", "image/png", "image/webp" (static), or NULL. */
const char *artwork_sniff(const unsigned char *b, size_t len);

/* Pure: the file extension for a type artwork_sniff returns ("jpg", "png",
 * "webp"; static), NULL for any other. */
const char *artwork_ext(const char *type);

/* A cover being checked and converted. */
struct artwork {
	bool ok;            /* derivatives made: publish them */
	char src[4096];     /* the cover's bytes, a file in the attempt's work directory */
	const char *type;   /* static: its Content-Type, from its bytes */
	unsigned width, height;
	char deriv[ARTWORK_NSIZES][4096]; /* the derivatives, JPEG files beside src */
	char why[200];      /* when a cover was offered but !ok: why, for the artist */
};

/*
 * The uploaded cover at key: HEAD, GET into dir, then artwork_convert().
 * Errors only for transient storage trouble and local ones: a missing,
 * empty, too large, fake or bomb image is not an error (out->why says it).
 */
enum result artwork_from_upload(struct s3 *s3, const struct config *cfg, const char *key,
    const char *dir, struct artwork *out, struct errbuf *e);

/*
 * The cover embedded in input (stream index, demuxer as probe chose): copied
 * out by ffmpeg without decoding, then artwork_convert(). A cover that cannot
 * be copied or converted is not an error (out->why says it).
 */
enum result artwork_from_embedded(const struct config *cfg, const char *input,
    const char *demuxer, int index, const char *dir, struct artwork *out, struct errbuf *e);

/*
 * Check a->src (type by magic bytes, size cap, header size within
 * ARTWORK_MAX_PIXELS), then make the derivatives with ffmpeg (rlimits,
 * timeout, -protocol_whitelist file, the one decoder for the type). a->ok
 * when they are there; a->why otherwise. Errors only for local trouble.
 */
enum result artwork_convert(const struct config *cfg, const char *dir, struct artwork *a,
    struct errbuf *e);

#ifdef UNITTEST
/* The ffmpeg argv making the derivatives of a (dir: where they go). */
size_t artwork_argv(const struct config *cfg, const struct artwork *a, const char **argv,
    size_t max, char *store, size_t storelen);
#endif

#endif
