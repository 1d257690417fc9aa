/*
 * artwork.h: an uploaded cover is published only when its bytes really are
 * an image we accept (JPEG, PNG, WebP by magic bytes), whatever its name.
 */
#ifndef MUSTORY_JOBS_ARTWORK_H
#define MUSTORY_JOBS_ARTWORK_H

#include <stddef.h>

#include "s3.h"

/* Pure: "image/jpeg", "image/png", "image/webp" (static), or NULL. */
const char *artwork_sniff(const unsigned char *b, size_t len);

/*
 * Check the artwork object key (HEAD, then GET into a temp file in dir).
 * *url (malloc'd) gets its public URL when it is an image, NULL otherwise
 * (the reason is logged). Errors only for transient storage trouble
 * (ERR_STORAGE and the like): a missing or bad artwork is not an error.
 */
enum result artwork_check(struct s3 *s3, const struct config *cfg, const char *key,
    const char *dir, char **url, struct errbuf *e);

#endif
