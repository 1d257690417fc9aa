/*
 * fuzz_tags: tags_from_probe() (jobs/tags.c) on arbitrary ffprobe JSON. The
 * tag text comes from the uploaded file. Whatever the input, every string
 * in the result is valid UTF-8 without control characters and at most
 * TAGS_VALUE_MAX characters, every number is finite.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tags.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void check(json_object *o, int depth);

static void
check(json_object *o, int depth)
{
	const char *s;
	size_t len, i, n, chars = 0;
	uint32_t cp;

	if (depth > 2)
		abort();
	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			check(v, depth + 1);
		}
		break;
	}
	case json_type_string:
		s = json_object_get_string(o);
		len = (size_t)json_object_get_string_len(o);
		if (len == 0 || !utf8_valid(s, len, NULL, NULL))
			abort();
		for (i = 0; i < len; i += n, chars++) {
			if ((n = utf8_decode(s + i, len - i, &cp, NULL, NULL)) == 0 || cp < 0x20 ||
			    (cp >= 0x7f && cp < 0xa0))
				abort();
		}
		if (chars > TAGS_VALUE_MAX)
			abort();
		break;
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			abort();
		break;
	case json_type_int:
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *root, *tags;

	if (tok == NULL || size > INT32_MAX)
		abort();
	root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	tags = tags_from_probe(root);
	if (tags == NULL || !json_object_is_type(tags, json_type_object))
		abort();
	check(tags, 0);
	json_object_put(tags);
	json_object_put(root);
	json_tokener_free(tok);
	return 0;
}
