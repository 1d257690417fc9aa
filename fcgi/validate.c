#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "media.h"
#include "utf8.h"

struct cp_range {
	uint32_t lo, hi;
};

/* Trimmed from both ends of a text, besides Unicode White_Space: invisible format characters. */
static const struct cp_range text_invisible[] = {
	{ 0x200b, 0x200d }, /* zero width space, non-joiner, joiner */
	{ 0x2060, 0x2060 }, /* word joiner */
	{ 0xfeff, 0xfeff }, /* zero width no-break space (a byte order mark) */
};

/* Refused anywhere in a text once trimmed. */
static const struct {
	struct cp_range r;
	const char *what;
} text_refused[] = {
	{ { 0x0000, 0x001f }, "control characters" },
	{ { 0x007f, 0x009f }, "control characters" },
	{ { 0x202a, 0x202e }, "bidirectional control characters (they make text display in another order than it is stored)" },
	{ { 0x2066, 0x2069 }, "bidirectional control characters (they make text display in another order than it is stored)" },
};

static enum result valid_text(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_size(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_ext(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_uuid(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);
static enum result valid_upload_mode(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe);

static bool text_trimmed(uint32_t cp);
static const char *text_refused_what(uint32_t cp);
static enum result fail_utf8(struct field_error *fe, const struct field_spec *f, size_t at,
    enum utf8_error err);

typedef enum result (*validator)(json_object *, const struct field_spec *, void *,
    struct field_error *);

static const validator validators[] = {
	[FIELD_TEXT] = valid_text,
	[FIELD_SIZE] = valid_size,
	[FIELD_AUDIO_EXT] = valid_ext,
	[FIELD_IMAGE_EXT] = valid_ext,
	[FIELD_UUID] = valid_uuid,
	[FIELD_UPLOAD_MODE] = valid_upload_mode,
};

static enum result
fail(struct field_error *fe, const struct field_spec *f, const char *detail)
{
	fe->field = f->name;
	snprintf(fe->detail, sizeof(fe->detail), "%s", detail);
	return ERR_INVALID;
}

static enum result
fail_utf8(struct field_error *fe, const struct field_spec *f, size_t at, enum utf8_error err)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s is not valid UTF-8 (%s at byte offset %zu); send text as UTF-8.",
	    f->name, utf8_error_str(err), at);
	return fail(fe, f, msg);
}

static bool
text_trimmed(uint32_t cp)
{
	size_t i;

	if (utf8_is_white_space(cp))
		return true;
	for (i = 0; i < sizeof(text_invisible) / sizeof(text_invisible[0]); i++)
		if (cp >= text_invisible[i].lo && cp <= text_invisible[i].hi)
			return true;
	return false;
}

/* Why cp is refused in a text (a static phrase), or NULL. */
static const char *
text_refused_what(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(text_refused) / sizeof(text_refused[0]); i++)
		if (cp >= text_refused[i].r.lo && cp <= text_refused[i].r.hi)
			return text_refused[i].what;
	return NULL;
}

static enum result
valid_text(json_object *v, const struct field_spec *f, void *dst, struct field_error *fe)
{
	const char *s, *what;
	size_t len, pos, n, start = 0, end = 0, chars = 0;
	enum utf8_error err;
	uint32_t cp;
	char msg[256];

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string.", f->name);
		return fail(fe, f, msg);
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* The span between the first and the last character that is not trimmed. */
	for (pos = 0; pos < len; pos += n) {
		if ((n = utf8_decode(s + pos, len - pos, &cp, &err, NULL)) == 0)
			return fail_utf8(fe, f, pos, err);
		if (!text_trimmed(cp)) {
			if (end == 0)
				start = pos;
			end = pos + n;
		}
	}
	if (end == 0) {
		snprintf(msg, sizeof(msg),
		    "%s must not be empty (spaces and invisible characters do not count).", f->name);
		return fail(fe, f, msg);
	}
	for (pos = start; pos < end; pos += n, chars++) {
		if ((n = utf8_decode(s + pos, end - pos, &cp, &err, NULL)) == 0)
			return fail_utf8(fe, f, pos, err); /* not reached: checked above */
		if ((what = text_refused_what(cp)) != NULL) {
			snprintf(msg, sizeof(msg), "%s must not contain %s; it has U+%04X.", f->name,
			    what, (unsigned)cp);
			return fail(fe, f, msg);
		}
	}
	if (chars > FIELD_TEXT_MAX) {
		snprintf(msg, sizeof(msg), "%s is too long: at most %d characters.", f->name,
		    FIELD_TEXT_MAX);
		return fail(fe, f, msg);
	}
	/* chars <= FIELD_TEXT_MAX, each at most 4 bytes: it fits FIELD_TEXT_SIZE. */
	memcpy(dst, s + start, end - start);
	((char *)dst)[end - start] = '\0';
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
	char msg[256], quoted[20];

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string, one of: %s.", f->name,
		    audio ? media_audio_list() : media_image_list());
		return fail(fe, f, msg);
	}
	ext = json_object_get_string(v);
	canon = audio ? media_audio_ext(ext, NULL) : media_image_ext(ext, NULL);
	if (canon == NULL || strlen(ext) != (size_t)json_object_get_string_len(v)) {
		snprintf(msg, sizeof(msg), "%s \"%s\" is not supported; use one of: %s.",
		    f->name, utf8_excerpt(quoted, sizeof(quoted), ext, strlen(ext)),
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

static enum result
valid_upload_mode(json_object *v, const struct field_spec *f, void *dst,
    struct field_error *fe)
{
	static const char *const modes[] = { "post", "multipart" };
	char msg[128];
	size_t i;

	for (i = 0; json_object_is_type(v, json_type_string) && i < 2; i++)
		if (strcmp(json_object_get_string(v), modes[i]) == 0 &&
		    strlen(modes[i]) == (size_t)json_object_get_string_len(v)) {
			*(const char **)dst = modes[i];
			return OK;
		}
	snprintf(msg, sizeof(msg), "%s must be \"post\" (one presigned POST) or \"multipart\" "
	    "(resumable, in parts).", f->name);
	return fail(fe, f, msg);
}

enum result
validate_fields(json_object *obj, const struct field_spec *specs, size_t n, void *out,
    struct field_error *fe)
{
	static char unknown[64]; /* the unknown field's name, for fe->field */
	size_t i, bad;
	enum utf8_error err;
	enum result rc;

	fe->field = NULL;
	fe->detail[0] = '\0';
	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; i < n; i++)
			if (strcmp(specs[i].name, key) == 0)
				break;
		if (i == n) {
			/* The name is echoed: well-formed UTF-8, cut between characters. */
			fe->field = utf8_excerpt(unknown, sizeof(unknown), key, strlen(key));
			snprintf(fe->detail, sizeof(fe->detail),
			    "Unknown field \"%s\"; this request takes only the documented fields.", unknown);
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
		/* Strict UTF-8 for every string, before any validator reads it. */
		if (json_object_is_type(v, json_type_string) &&
		    !utf8_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v),
		    &bad, &err))
			return fail_utf8(fe, f, bad, err);
		if ((rc = validators[f->type](v, f, (char *)out + f->off, fe)) != OK)
			return rc;
	}
	return OK;
}
