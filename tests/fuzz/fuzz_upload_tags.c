/*
 * fuzz_upload_tags: mustory-upload's default title and artist from ffprobe's
 * JSON (tools/upload_tags.c utags_parse, tools/upload_text.c utext_clean).
 * The tags come from the file, so anything goes; what init is sent must be
 * well-formed UTF-8 of 1..UTAGS_TEXT_MAX code points with no control, bidi
 * or invisible character and no space at either end or twice in a row.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload_tags.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s);

static void
check(const char *s)
{
	size_t len, i = 0, n, cps = 0;
	uint32_t cp;

	if (s == NULL)
		return;
	len = strlen(s);
	if (len == 0 || !utf8_valid(s, len, NULL, NULL) || s[0] == ' ' || s[len - 1] == ' ' ||
	    strstr(s, "  ") != NULL)
		abort();
	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp, NULL, NULL)) == 0)
			abort();
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0x200b && cp <= 0x200d) ||
		    cp == 0x2060 || cp == 0xfeff || (cp != ' ' && utf8_is_white_space(cp)))
			abort();
		cps++;
		i += n;
	}
	if (cps > UTAGS_TEXT_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json, *title, *artist, *c;

	if ((json = malloc(size + 1)) == NULL)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (utags_parse(json, &title, &artist) != OK)
		abort();
	check(title);
	check(artist);
	free(title);
	free(artist);
	/* The raw bytes as one tag value, too (json-c stops at a NUL). */
	c = utags_clean(json);
	check(c);
	free(c);
	free(json);
	return 0;
}
