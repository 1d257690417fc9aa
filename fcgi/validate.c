#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "media.h"

static enum result valid_text(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_size(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_ext(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_uuid(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);

typedef enum result (*validator)(json_object *, const struct field_spec *, void *,
    struct field_error *);

static const validator validators[] = {
	[FIELD_TEXT] = valid_text,
	[FIELD_SIZE] = valid_size,
	[FIELD_AUDIO_EXT] = valid_ext,
	[FIELD_IMAGE_EXT] = valid_ext,
	[FIELD_UUID] = valid_uuid,
};

static enum result
fail(struct field_error *fe, const struct field_spec *f, const char *detail)
{
	fe->field = f->name;
	snprintf(fe->detail, sizeof(fe->detail), "%s", detail);
	return ERR_INVALID;
}

static enum result
valid_text(json_object *v, const struct field_spec *f, void *dst, struct field_error *fe)
{
	const unsigned char *s;
	size_t len, i, chars = 0;
	bool visible = false;
	char msg[200];

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string.", f->name);
		return fail(fe, f, msg);
	}
	s = (const unsigned char *)json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(msg, sizeof(msg), "%s must not contain control characters.", f->name);
			return fail(fe, f, msg);
		}
		if ((s[i] & 0xc0) != 0x80)
			chars++;
		if (s[i] != ' ')
			visible = true;
	}
	if (!visible) {
		snprintf(msg, sizeof(msg), "%s must not be empty.", f->name);
		return fail(fe, f, msg);
	}
	if (chars > FIELD_TEXT_MAX) {
		snprintf(msg, sizeof(msg), "%s is too long: at most %d characters.", f->name,
		    FIELD_TEXT_MAX);
		return fail(fe, f, msg);
	}
	*(const char **)dst = (const char *)s;
	return OK;
}

static enum result
valid_size(json_object *v, const struct field_spec *f, void *dst, struct field_error *fe)
{
	char msg[200];
	int64_t n;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(msg, sizeof(msg), "%s must be a whole number of bytes.", f->name);
		return fail(fe, f, msg);
	}
	errno = 0;
	n = json_object_get_int64(v);
	/* json-c saturates out-of-range numbers at INT64_MAX/MIN */
	if (n <= 0) {
		snprintf(msg, sizeof(msg), "%s must be greater than zero.", f->name);
		return fail(fe, f, msg);
	}
	*(long long *)dst = (long long)n;
	return OK;
}

static enum result
valid_ext(json_object *v, const struct field_spec *f, void *dst, struct field_error *fe)
{
	bool audio = f->type == FIELD_AUDIO_EXT;
	const char *ext, *canon;
	char msg[256];

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string, one of: %s.", f->name,
		    audio ? media_audio_list() : media_image_list());
		return fail(fe, f, msg);
	}
	ext = json_object_get_string(v);
	canon = audio ? media_audio_ext(ext, NULL) : media_image_ext(ext, NULL);
	if (canon == NULL || strlen(ext) != (size_t)json_object_get_string_len(v)) {
		snprintf(msg, sizeof(msg), "%s \"%.16s%s\" is not supported; use one of: %s.",
		    f->name, ext, strlen(ext) > 16 ? "..." : "",
		    audio ? media_audio_list() : media_image_list());
		return fail(fe, f, msg);
	}
	*(const char **)dst = canon;
	return OK;
}

static enum result
valid_uuid(json_object *v, const struct field_spec *f, void *dst, struct field_error *fe)
{
	char msg[200];

	if (!json_object_is_type(v, json_type_string) ||
	    !id_uuid_normalize(json_object_get_string(v), (char *)dst)) {
		snprintf(msg, sizeof(msg), "%s must be a UUID like 123e4567-e89b-12d3-a456-426614174000.",
		    f->name);
		return fail(fe, f, msg);
	}
	return OK;
}

enum result
validate_fields(json_object *obj, const struct field_spec *specs, size_t n, void *out,
    struct field_error *fe)
{
	static char unknown[64];
	size_t i;
	enum result rc;

	fe->field = NULL;
	fe->detail[0] = '\0';
	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; i < n; i++)
			if (strcmp(specs[i].name, key) == 0)
				break;
		if (i == n) {
			snprintf(unknown, sizeof(unknown), "%.60s", key);
			fe->field = unknown;
			snprintf(fe->detail, sizeof(fe->detail),
			    "Unknown field \"%.60s\"; this request takes only the documented fields.", key);
			return ERR_INVALID;
		}
	}
	for (i = 0; i < n; i++) {
		const struct field_spec *f = &specs[i];
		json_object *v = NULL;
		bool present = json_object_object_get_ex(obj, f->name, &v);

		if (!present || v == NULL) {
			/* An explicit null counts as absent for optional fields. */
			if (f->required) {
				char msg[128];

				snprintf(msg, sizeof(msg), present ? "%s must not be null." :
				    "%s is required.", f->name);
				return fail(fe, f, msg);
			}
			continue;
		}
		if ((rc = validators[f->type](v, f, (char *)out + f->off, fe)) != OK)
			return rc;
	}
	return OK;
}
