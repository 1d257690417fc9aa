/*
 * fuzz_utf8: the strict UTF-8 decoder (lib/utf8.c) against an independent
 * arithmetic decoder written here (bit patterns, shortest form, scalar
 * values), on any bytes. Then the helpers the API's messages use:
 * utf8_copy_valid() always gives well-formed UTF-8 that equals the input
 * when the input was well-formed; utf8_truncate() and utf8_excerpt() never
 * cut a character and stay within their bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the well-formed character at b, or 0. */
static size_t
reference_len(const uint8_t *b, size_t len, uint32_t *out)
{
	uint32_t cp;
	size_t n, i;

	if (b[0] < 0x80) {
		*out = b[0];
		return 1;
	}
	n = (b[0] & 0xe0) == 0xc0 ? 2 : (b[0] & 0xf0) == 0xe0 ? 3 : (b[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > len)
		return 0;
	cp = b[0] & (0xffu >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (b[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	*out = cp;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t pos = 0, n, ref, skip, bad = 0, first_bad = size, cut, max;
	uint32_t cp, rcp;
	enum utf8_error err;
	bool ok;
	char *dst, enc[4], ex[16];

	/* Character by character, as the reference sees it. */
	while (pos < size) {
		n = utf8_decode(s + pos, size - pos, &cp, &err, &skip);
		ref = reference_len(data + pos, size - pos, &rcp);
		if (n != ref || (n > 0 && (cp != rcp || err != UTF8_VALID)))
			abort();
		if (n == 0) {
			if (err == UTF8_VALID || skip < 1 || skip > 3 || skip > size - pos)
				abort();
			if (first_bad == size)
				first_bad = pos;
			pos += skip;
		} else {
			if (utf8_encode(cp, enc) != n || memcmp(enc, s + pos, n) != 0)
				abort();
			pos += n;
		}
	}
	ok = utf8_valid(s, size, &bad, &err);
	if (ok != (first_bad == size) || (!ok && (bad != first_bad || err == UTF8_VALID)))
		abort();

	/* The repaired copy: well-formed, and the input itself when that was. */
	if ((dst = malloc(3 * size + 1)) == NULL)
		return 0;
	if (!utf8_copy_valid(dst, 3 * size + 1, s, size))
		abort();
	n = strlen(dst);
	if (!utf8_valid(dst, n, NULL, NULL))
		abort();
	if (ok && memchr(s, '\0', size) == NULL && (n != size || memcmp(dst, s, size) != 0))
		abort();
	free(dst);

	/* Cuts fall between characters. */
	max = size > 0 ? data[0] % (size + 1) : 0;
	cut = utf8_truncate(s, size, max);
	if (cut > max || cut > size)
		abort();
	if (ok && !utf8_valid(s, cut, NULL, NULL))
		abort();
	if (ok && cut < size && cut + reference_len(data + cut, size - cut, &rcp) <= max)
		abort(); /* the next character would have fitted */
	utf8_excerpt(ex, sizeof(ex), s, size);
	if (memchr(ex, '\0', sizeof(ex)) == NULL || !utf8_valid(ex, strlen(ex), NULL, NULL))
		abort();
	return 0;
}
