/*
 * fuzz_validate: a request body parsed the way fcgi/http.c's
 * http_read_json() does (json_tokener depth 32, STRICT | VALIDATE_UTF8,
 * only whitespace after the value, must be an object), then
 * validate_fields() with the routes' own field tables (fcgi/bodies.c).
 * Accepted texts are strict UTF-8, trimmed, without controls; every
 * refusal's field and detail are well-formed UTF-8 whatever the body held.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bodies.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct field_error *fe);
static void check_text(const char *t);

static void
check_error(const struct field_error *fe)
{
	/* Every refusal names a field and says why, within the buffer, in UTF-8. */
	if (fe->field == NULL || fe->detail[0] == '\0' ||
	    memchr(fe->detail, '\0', sizeof(fe->detail)) == NULL ||
	    !utf8_valid(fe->field, strlen(fe->field), NULL, NULL) ||
	    !utf8_valid(fe->detail, strlen(fe->detail), NULL, NULL))
		abort();
}

/* A stored text: 1..FIELD_TEXT_MAX characters of strict UTF-8, trimmed, no controls. */
static void
check_text(const char *t)
{
	size_t len = strnlen(t, FIELD_TEXT_SIZE), pos, n, chars = 0;
	uint32_t cp = 0;

	if (len == 0 || len >= FIELD_TEXT_SIZE || !utf8_valid(t, len, NULL, NULL))
		abort();
	for (pos = 0; pos < len; pos += n, chars++) {
		n = utf8_decode(t + pos, len - pos, &cp, NULL, NULL);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			abort();
		if ((pos == 0 || pos + n == len) && (utf8_is_white_space(cp) ||
		    (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff))
			abort();
	}
	if (chars > FIELD_TEXT_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok;
	json_object *obj;
	struct init_body ib;
	struct complete_body cb;
	struct field_error fe;
	size_t off;

	if (size > 64 * 1024) /* HTTP_MAX_BODY */
		return 0;
	if ((tok = json_tokener_new_ex(32)) == NULL)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	off = json_tokener_get_parse_end(tok);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success)
		goto out;
	while (off < size && data[off] != '\0' && strchr(" \t\r\n", data[off]) != NULL)
		off++;
	if (off != size || !json_object_is_type(obj, json_type_object))
		goto out;

	memset(&ib, 0, sizeof(ib));
	if (validate_fields(obj, init_fields, init_nfields, &ib, &fe) == OK) {
		if (ib.file_extension == NULL || ib.file_size <= 0)
			abort();
		check_text(ib.title);
		check_text(ib.artist_name);
		/* What route_init() then does with them. */
		if (strlen(ib.file_extension) > 8 ||
		    (ib.artwork_extension != NULL && strlen(ib.artwork_extension) > 8))
			abort();
	} else
		check_error(&fe);

	memset(&cb, 0, sizeof(cb));
	if (validate_fields(obj, complete_fields, complete_nfields, &cb, &fe) == OK) {
		if (strlen(cb.track_id) != 36)
			abort();
	} else
		check_error(&fe);
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return 0;
}
