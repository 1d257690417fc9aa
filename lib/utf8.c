/*
 * utf8.c: strict UTF-8, decoded from a table of the well-formed byte
 * sequences (the Unicode Standard, table 3-7; RFC 3629 section 4): the lead
 * byte gives the length and the allowed range of the second byte, which is
 * where overlongs, surrogates and code points beyond U+10FFFF show.
 */
#include "utf8.h"

#include <string.h>

struct lead {
	unsigned char first, last;   /* lead bytes this row covers */
	unsigned char len;           /* sequence length; 0: never a lead byte */
	unsigned char lo, hi;        /* allowed range of the second byte */
	enum utf8_error below, above;/* a continuation byte outside lo..hi; for len 0, below is why */
};

static const struct lead leads[] = {
	{ 0x00, 0x7f, 1, 0, 0, UTF8_VALID, UTF8_VALID },
	{ 0x80, 0xbf, 0, 0, 0, UTF8_BAD_BYTE, UTF8_BAD_BYTE },
	{ 0xc0, 0xc1, 0, 0, 0, UTF8_OVERLONG, UTF8_OVERLONG },
	{ 0xc2, 0xdf, 2, 0x80, 0xbf, UTF8_VALID, UTF8_VALID },
	{ 0xe0, 0xe0, 3, 0xa0, 0xbf, UTF8_OVERLONG, UTF8_VALID },
	{ 0xe1, 0xec, 3, 0x80, 0xbf, UTF8_VALID, UTF8_VALID },
	{ 0xed, 0xed, 3, 0x80, 0x9f, UTF8_VALID, UTF8_SURROGATE },
	{ 0xee, 0xef, 3, 0x80, 0xbf, UTF8_VALID, UTF8_VALID },
	{ 0xf0, 0xf0, 4, 0x90, 0xbf, UTF8_OVERLONG, UTF8_VALID },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf, UTF8_VALID, UTF8_VALID },
	{ 0xf4, 0xf4, 4, 0x80, 0x8f, UTF8_VALID, UTF8_TOO_LARGE },
	{ 0xf5, 0xf7, 0, 0, 0, UTF8_TOO_LARGE, UTF8_TOO_LARGE },
	{ 0xf8, 0xff, 0, 0, 0, UTF8_BAD_BYTE, UTF8_BAD_BYTE },
};

/* Unicode 15 PropList.txt, White_Space. */
static const struct { uint32_t lo, hi; } white_space[] = {
	{ 0x0009, 0x000d }, { 0x0020, 0x0020 }, { 0x0085, 0x0085 }, { 0x00a0, 0x00a0 },
	{ 0x1680, 0x1680 }, { 0x2000, 0x200a }, { 0x2028, 0x2029 }, { 0x202f, 0x202f },
	{ 0x205f, 0x205f }, { 0x3000, 0x3000 },
};

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

static const struct lead *lead_of(unsigned char b);

static const struct lead *
lead_of(unsigned char b)
{
	size_t i;

	for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
		if (b >= leads[i].first && b <= leads[i].last)
			return &leads[i];
	return &leads[sizeof(leads) / sizeof(leads[0]) - 1]; /* unreachable: rows cover 00..ff */
}

const char *
utf8_error_str(enum utf8_error err)
{
	switch (err) {
	case UTF8_VALID: return "valid UTF-8";
	case UTF8_BAD_BYTE: return "a byte that is never part of UTF-8";
	case UTF8_OVERLONG: return "an overlong encoding";
	case UTF8_SURROGATE: return "an encoded surrogate (U+D800 to U+DFFF)";
	case UTF8_TOO_LARGE: return "a code point beyond U+10FFFF";
	case UTF8_TRUNCATED: return "an incomplete multi-byte sequence";
	}
	return "ill-formed UTF-8";
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp, enum utf8_error *err, size_t *skip)
{
	const unsigned char *u = (const unsigned char *)s;
	const struct lead *r;
	enum utf8_error why = UTF8_TRUNCATED;
	uint32_t c;
	size_t i;

	if (len == 0) {
		why = UTF8_TRUNCATED;
		i = 0;
		goto bad;
	}
	r = lead_of(u[0]);
	if (r->len == 0) {
		why = r->below;
		i = 1;
		goto bad;
	}
	c = r->len == 1 ? u[0] : (uint32_t)(u[0] & (0x7f >> r->len));
	for (i = 1; i < r->len; i++) {
		unsigned char lo = i == 1 ? r->lo : 0x80, hi = i == 1 ? r->hi : 0xbf;

		if (i >= len)
			goto bad; /* truncated by the end */
		if (u[i] < lo || u[i] > hi) {
			if (i == 1 && u[i] >= 0x80 && u[i] <= 0xbf)
				why = u[i] < lo ? r->below : r->above;
			goto bad;
		}
		c = c << 6 | (uint32_t)(u[i] & 0x3f);
	}
	*cp = c;
	if (err != NULL)
		*err = UTF8_VALID;
	if (skip != NULL)
		*skip = 0;
	return r->len;
bad:
	if (err != NULL)
		*err = why;
	if (skip != NULL)
		*skip = i > 0 ? i : 1;
	return 0;
}

bool
utf8_valid(const char *s, size_t len, size_t *bad, enum utf8_error *err)
{
	size_t pos = 0, n;
	uint32_t cp;

	while (pos < len) {
		/* ASCII runs are most of what we see. */
		if ((unsigned char)s[pos] < 0x80) {
			pos++;
			continue;
		}
		if ((n = utf8_decode(s + pos, len - pos, &cp, err, NULL)) == 0) {
			if (bad != NULL)
				*bad = pos;
			return false;
		}
		pos += n;
	}
	if (err != NULL)
		*err = UTF8_VALID;
	return true;
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp <= 0x10ffff) {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

size_t
utf8_truncate(const char *s, size_t len, size_t max)
{
	size_t pos = 0, n, skip;
	uint32_t cp;

	while (pos < len) {
		if ((n = utf8_decode(s + pos, len - pos, &cp, NULL, &skip)) == 0)
			n = skip;
		if (n > max - pos)
			break;
		pos += n;
	}
	return pos;
}

bool
utf8_copy_valid(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t pos = 0, out = 0, n, skip;
	uint32_t cp;

	if (dstsize == 0)
		return len == 0;
	while (pos < len) {
		const char *from = s + pos;
		size_t put;

		if ((n = utf8_decode(s + pos, len - pos, &cp, NULL, &skip)) == 0) {
			from = replacement;
			put = sizeof(replacement) - 1;
			n = skip;
		} else
			put = n;
		if (put > dstsize - 1 - out)
			break;
		memcpy(dst + out, from, put);
		out += put;
		pos += n;
	}
	dst[out] = '\0';
	return pos == len;
}

const char *
utf8_excerpt(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t n;

	if (utf8_copy_valid(dst, dstsize, s, len) || dstsize < 4)
		return dst;
	utf8_copy_valid(dst, dstsize - 3, s, len);
	n = strlen(dst);
	memcpy(dst + n, "...", 4);
	return dst;
}

bool
utf8_is_white_space(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(white_space) / sizeof(white_space[0]); i++)
		if (cp >= white_space[i].lo && cp <= white_space[i].hi)
			return true;
	return false;
}
