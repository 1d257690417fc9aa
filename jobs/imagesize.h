/*
 * imagesize.h: an image's width and height from its header, before anything
 * decodes it, so a decompression bomb (a small PNG that claims 30000 x 30000
 * pixels) is refused by its claim. JPEG (the SOFn marker, past APPn/EXIF
 * segments), PNG (IHDR) and WebP (VP8, VP8L, VP8X). Pure; untrusted input.
 */
#ifndef MUSTORY_JOBS_IMAGESIZE_H
#define MUSTORY_JOBS_IMAGESIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read the size from the first len bytes of an image. False when the bytes
 * are not a JPEG, PNG or WebP header this reads, or the size is not in them
 * (a JPEG whose SOF lies past len), or it is zero.
 */
bool imagesize_read(const unsigned char *b, size_t len, unsigned *width, unsigned *height);

#endif
