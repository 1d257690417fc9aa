/* Table-driven tests of the request-body validators (fcgi/validate.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "routes.h"

/* The routes' own tables (fcgi/bodies.c). */
#define specs init_fields
#define id_spec complete_fields

struct vcase {
	const char *json;
	const char *bad_field; /* NULL: valid */
	const char *detail_has;
};

static const struct vcase cases[] = {
	{ "{\"title\":\"My Song\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":5242880}", NULL, NULL },
	{ "{\"title\":\"My Song\",\"artist_name\":\"Me\",\"file_extension\":\"FLAC\",\"file_size\":1,\"artwork_extension\":\"jpg\"}", NULL, NULL },
	{ "{\"title\":\"My Song\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"artwork_extension\":null}", NULL, NULL },
	{ "{\"title\":\"Ünïcødé 曲\",\"artist_name\":\"Me\",\"file_extension\":\"ogg\",\"file_size\":1}", NULL, NULL },
	{ "{\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "required" },
	{ "{\"title\":null,\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "null" },
	{ "{\"title\":42,\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "string" },
	{ "{\"title\":\"   \",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "empty" },
	{ "{\"title\":\"a\\u0000b\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "control" },
	{ "{\"title\":\"a\\nb\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1}", "title", "control" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"exe\",\"file_size\":1}", "file_extension", "mp3, wav" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\".mp3\",\"file_size\":1}", "file_extension", "not supported" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\\u0000.exe\",\"file_size\":1}", "file_extension", "not supported" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":0}", "file_size", "greater than zero" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":-5}", "file_size", "greater than zero" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1.5}", "file_size", "whole number" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":\"12\"}", "file_size", "whole number" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"artwork_extension\":\"gif\"}", "artwork_extension", "jpg, jpeg, png, webp" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"owner_id\":\"x\"}", "owner_id", "Unknown field" },
};

static void
validator_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		struct init_body b;
		struct field_error fe;
		enum result rc;

		memset(&b, 0, sizeof(b));
		assert_non_null(o);
		rc = validate_fields(o, specs, init_nfields, &b, &fe);
		if (cases[i].bad_field == NULL) {
			if (rc != OK)
				fail_msg("case %zu: unexpected error on %s: %s", i, fe.field, fe.detail);
			assert_non_null(b.title);
			assert_true(b.file_size > 0);
		} else {
			if (rc != ERR_INVALID)
				fail_msg("case %zu: accepted %s", i, cases[i].json);
			assert_string_equal(fe.field, cases[i].bad_field);
			if (strstr(fe.detail, cases[i].detail_has) == NULL)
				fail_msg("case %zu: detail \"%s\" lacks \"%s\"", i, fe.detail,
				    cases[i].detail_has);
		}
		json_object_put(o);
	}
}

static void
extension_is_canonicalized(void **state)
{
	json_object *o = json_tokener_parse(
	    "{\"title\":\"x\",\"artist_name\":\"y\",\"file_extension\":\"MP3\",\"file_size\":3,\"artwork_extension\":\"JPEG\"}");
	struct init_body b;
	struct field_error fe;

	(void)state;
	memset(&b, 0, sizeof(b));
	assert_int_equal(validate_fields(o, specs, init_nfields, &b, &fe), OK);
	assert_string_equal(b.file_extension, "mp3");
	assert_string_equal(b.artwork_extension, "jpeg");
	json_object_put(o);
}

static void
title_length_limit_counts_characters(void **state)
{
	char json[2048], title[1024];
	struct init_body b;
	struct field_error fe;
	json_object *o;
	size_t i;

	(void)state;
	/* 200 two-byte characters is fine; 201 is not. */
	for (i = 0; i < 200; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2);
	title[400] = '\0';
	snprintf(json, sizeof(json), "{\"title\":\"%s\",\"artist_name\":\"y\",\"file_extension\":\"mp3\",\"file_size\":3}", title);
	o = json_tokener_parse(json);
	assert_int_equal(validate_fields(o, specs, init_nfields, &b, &fe), OK);
	json_object_put(o);
	snprintf(json, sizeof(json), "{\"title\":\"%s\\u00e9\",\"artist_name\":\"y\",\"file_extension\":\"mp3\",\"file_size\":3}", title);
	o = json_tokener_parse(json);
	assert_int_equal(validate_fields(o, specs, init_nfields, &b, &fe), ERR_INVALID);
	assert_string_equal(fe.field, "title");
	json_object_put(o);
}

static void
uuid_field(void **state)
{
	static const struct { const char *json; int ok; const char *want; } c[] = {
		{ "{\"track_id\":\"123E4567-E89B-12D3-A456-426614174000\"}", 1, "123e4567-e89b-12d3-a456-426614174000" },
		{ "{\"track_id\":\"123e4567e89b12d3a456426614174000\"}", 0, NULL },
		{ "{\"track_id\":\"../../etc/passwd\"}", 0, NULL },
		{ "{\"track_id\":17}", 0, NULL },
		{ "{}", 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		json_object *o = json_tokener_parse(c[i].json);
		struct complete_body b;
		struct field_error fe;
		enum result rc = validate_fields(o, id_spec, complete_nfields, &b, &fe);

		assert_int_equal(rc, c[i].ok ? OK : ERR_INVALID);
		if (c[i].ok)
			assert_string_equal(b.track_id, c[i].want);
		else
			assert_string_equal(fe.field, "track_id");
		json_object_put(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validator_cases),
		cmocka_unit_test(extension_is_canonicalized),
		cmocka_unit_test(title_length_limit_counts_characters),
		cmocka_unit_test(uuid_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
