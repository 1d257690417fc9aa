/*
 * bodies.h: the API's JSON request bodies and the field tables that check
 * and fill them (fcgi/validate.h). Shared by the routes, their unit tests
 * and the fuzz target, so all three exercise the same rules.
 */
#ifndef MUSTORY_BODIES_H
#define MUSTORY_BODIES_H

#include <stddef.h>

#include "validate.h"

/* POST /tracks/upload/init */
struct init_body {
	char title[FIELD_TEXT_SIZE];       /* trimmed */
	char artist_name[FIELD_TEXT_SIZE]; /* trimmed */
	const char *file_extension;
	long long file_size;
	const char *artwork_extension;
	const char *upload_mode; /* "post" (also when absent) or "multipart" */
};
extern const struct field_spec init_fields[];
extern const size_t init_nfields;

/* POST /tracks/upload/complete */
struct complete_body {
	char track_id[37];
};
extern const struct field_spec complete_fields[];
extern const size_t complete_nfields;

/* POST /tracks/upload/parts */
struct parts_body {
	char track_id[37];
};
extern const struct field_spec parts_fields[];
extern const size_t parts_nfields;

#endif
