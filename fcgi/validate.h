/*
 * validate.h: table-driven validation of JSON request bodies. Each route
 * declares its fields; a validator checks one value and stores it typed in
 * the route's own struct. Undeclared fields are rejected.
 */
#ifndef MUSTORY_VALIDATE_H
#define MUSTORY_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "result.h"

enum field_type {
	FIELD_TEXT,        /* char[FIELD_TEXT_SIZE]: 1..200 characters, trimmed, see below */
	FIELD_SIZE,        /* long long: a whole number > 0 */
	FIELD_AUDIO_EXT,   /* const char *: canonical audio extension */
	FIELD_IMAGE_EXT,   /* const char *: canonical image extension (null allowed) */
	FIELD_UUID,        /* char[37]: lowercase UUID */
	FIELD_UPLOAD_MODE, /* const char *: "post" or "multipart" (static) */
};

struct field_spec {
	const char *name;
	enum field_type type;
	bool required;
	size_t off;        /* where the typed value goes in the route's struct */
};

struct field_error {
	const char *field; /* static/borrowed: the offending field's name */
	char detail[256];  /* a sentence a person can act on */
};

/*
 * FIELD_TEXT: strict UTF-8 (lib/utf8.h); Unicode White_Space and the
 * invisible format characters U+200B..200D, U+2060, U+FEFF trimmed from both
 * ends; what is left must be 1..FIELD_TEXT_MAX characters without C0/C1
 * controls or bidirectional controls (U+202A..202E, U+2066..2069). The
 * trimmed text is what is stored, NUL-terminated.
 */
#define FIELD_TEXT_MAX 200
#define FIELD_TEXT_SIZE (4 * FIELD_TEXT_MAX + 1)

/*
 * Check obj against specs and fill out. Every string value must be strict
 * UTF-8. Extension strings stored are static; FIELD_TEXT is copied. On the
 * first problem, ERR_INVALID with fe filled (field and detail are valid
 * UTF-8, whatever the body held).
 */
enum result validate_fields(json_object *obj, const struct field_spec *specs, size_t n,
    void *out, struct field_error *fe);

#endif
