/*
 * upload_text.c: utext_clean() (see upload_text.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "upload_text.h"
#include "utf8.h"

static bool is_blank(uint32_t cp);

/* Shown as a space: controls, bidi controls, white space, invisibles. */
static bool
is_blank(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 ||
	    cp == 0xfeff || utf8_is_white_space(cp);
}

char *
utext_clean(const char *s, size_t len, size_t max_cps)
{
	size_t n, skip, i = 0, o = 0, cps = 0, end = 0;
	char *out;
	uint32_t cp;

	/* Each input byte gives at most 3 output bytes (U+FFFD for one bad byte). */
	if ((out = malloc(3 * len + 1)) == NULL)
		return NULL;
	while (i < len && cps < max_cps) {
		n = utf8_decode(s + i, len - i, &cp, NULL, &skip);
		if (n == 0) {
			cp = 0xfffd;
			n = skip;
		}
		if (is_blank(cp)) {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
		} else {
			o += utf8_encode(cp, out + o);
			end = o;
		}
		cps++;
		i += n;
	}
	out[end] = '\0';
	if (end == 0) {
		free(out);
		return NULL;
	}
	return out;
}
