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
	FIELD_TEXT,        /* const char *: 1..200 characters, no control chars */
	FIELD_SIZE,        /* long long: a whole number > 0 */
	FIELD_AUDIO_EXT,   /* const char *: canonical audio extension */
	FIELD_IMAGE_EXT,   /* const char *: canonical image extension (null allowed) */
	FIELD_UUID,        /* char[37]: lowercase UUID */
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

/* Longest title / artist name, in characters. */
#define FIELD_TEXT_MAX 200

/*
 * Check obj against specs and fill out. Strings stored are borrowed from obj
 * (valid while obj lives). ERR_INVALID with fe filled on the first problem.
 */
enum result validate_fields(json_object *obj, const struct field_spec *specs, size_t n,
    void *out, struct field_error *fe);

#endif
