/*
 * artwork.h: an uploaded cover is published only when its bytes really are
 * an image we accept (JPEG, PNG, WebP by magic bytes), whatever its name,
 * and no larger than MAX_ARTWORK_BYTES. The checked copy is what the
 * publish stage uploads under the public art/<track>/<attempt>/ prefix.
 */
#ifndef MUSTORY_JOBS_ARTWORK_H
#define MUSTORY_JOBS_ARTWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "s3.h"

/* Pure: "image/jpeg", "image/png", "image/webp" (static), or NULL. */
const char *artwork_sniff(const unsigned char *b, size_t len);

/* Pure: the file extension for a type artwork_sniff returns ("jpg", "png",
 * "webp"; static), NULL for any other. */
const char *artwork_ext(const char *type);

/* A checked cover. */
struct artwork {
	bool ok;          /* an image to publish; false: none (the reason is logged) */
	char path[4096];  /* the checked bytes, a file in the attempt's work directory */
	const char *type; /* static: its Content-Type, from its bytes */
	const char *ext;  /* static: "jpg", "png", "webp", from its bytes */
};

/*
 * Check the artwork object key (HEAD, then GET into a file in dir that is
 * left there for the publish stage). out->ok when it is an image within
 * MAX_ARTWORK_BYTES. Errors only for transient storage trouble
 * (ERR_STORAGE and the like) and local ones: a missing, empty, too large
 * or fake image is not an error.
 */
enum result artwork_check(struct s3 *s3, const struct config *cfg, const char *key,
    const char *dir, struct artwork *out, struct errbuf *e);

#endif
