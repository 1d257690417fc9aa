#include "imagesize.h"

#include <stdint.h>
#include <string.h>

static bool imagesize_png(const unsigned char *b, size_t len, unsigned *w, unsigned *h);
static bool imagesize_jpeg(const unsigned char *b, size_t len, unsigned *w, unsigned *h);
static bool imagesize_webp(const unsigned char *b, size_t len, unsigned *w, unsigned *h);

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static unsigned
le24(const unsigned char *p)
{
	return (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0];
}

/* PNG: the signature, then IHDR (length 13) with width and height first. */
static bool
imagesize_png(const unsigned char *b, size_t len, unsigned *w, unsigned *h)
{
	if (len < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || be32(b + 8) != 13 ||
	    memcmp(b + 12, "IHDR", 4) != 0)
		return false;
	if (be32(b + 16) > 0x7fffffffu || be32(b + 20) > 0x7fffffffu)
		return false;
	*w = be32(b + 16);
	*h = be32(b + 20);
	return true;
}

/*
 * JPEG: markers from SOI; every segment but SOI/EOI/RSTn/TEM carries a
 * length; the frame header SOF0..SOF15 (not DHT C4, JPG C8, DAC CC) has
 * precision, height, width. Scanning stops at SOS: the size comes before it.
 */
static bool
imagesize_jpeg(const unsigned char *b, size_t len, unsigned *w, unsigned *h)
{
	size_t i = 2, seglen;
	unsigned char m;

	if (len < 4 || b[0] != 0xff || b[1] != 0xd8)
		return false;
	while (i + 4 <= len) {
		if (b[i] != 0xff)
			return false;
		m = b[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		if (m == 0xd9 || m == 0xda) /* EOI, SOS: no frame header before them */
			return false;
		seglen = be16(b + i + 2);
		if (seglen < 2)
			return false;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (seglen < 7 || i + 9 > len)
				return false;
			*h = be16(b + i + 5);
			*w = be16(b + i + 7);
			return true;
		}
		i += 2 + seglen;
	}
	return false;
}

/* WebP: RIFF....WEBP, then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk. */
static bool
imagesize_webp(const unsigned char *b, size_t len, unsigned *w, unsigned *h)
{
	const unsigned char *c = b + 12;

	if (len < 30 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WEBP", 4) != 0)
		return false;
	if (memcmp(c, "VP8 ", 4) == 0) {
		/* frame tag (3), start code 9d 01 2a, then 14-bit width and height */
		if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
			return false;
		*w = le16(c + 14) & 0x3fff;
		*h = le16(c + 16) & 0x3fff;
		return true;
	}
	if (memcmp(c, "VP8L", 4) == 0) {
		uint32_t v;

		if (c[8] != 0x2f)
			return false;
		v = (uint32_t)c[9] | (uint32_t)c[10] << 8 | (uint32_t)c[11] << 16 |
		    (uint32_t)c[12] << 24;
		*w = (v & 0x3fff) + 1;
		*h = ((v >> 14) & 0x3fff) + 1;
		return true;
	}
	if (memcmp(c, "VP8X", 4) == 0) {
		*w = le24(c + 12) + 1;
		*h = le24(c + 15) + 1;
		return true;
	}
	return false;
}

bool
imagesize_read(const unsigned char *b, size_t len, unsigned *width, unsigned *height)
{
	unsigned w = 0, h = 0;
	bool ok;

	ok = imagesize_png(b, len, &w, &h) || imagesize_jpeg(b, len, &w, &h) ||
	    imagesize_webp(b, len, &w, &h);
	if (!ok || w == 0 || h == 0)
		return false;
	*width = w;
	*height = h;
	return true;
}
