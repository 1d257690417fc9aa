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
#include "utf8.h"

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
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":\"multipart\"}", NULL, NULL },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":\"post\"}", NULL, NULL },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":null}", NULL, NULL },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":\"MULTIPART\"}", "upload_mode", "\"multipart\"" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":\"multipart\\u0000\"}", "upload_mode", "\"post\"" },
	{ "{\"title\":\"x\",\"artist_name\":\"Me\",\"file_extension\":\"mp3\",\"file_size\":1,\"upload_mode\":1}", "upload_mode", "\"post\"" },
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
			assert_true(b.title[0] != '\0' && b.artist_name[0] != '\0');
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

/*
 * Text fields: strict UTF-8, trimming of White_Space and invisible format
 * characters, refusal of controls. "raw" is put between the quotes of the
 * JSON string as is (raw bytes or JSON escapes).
 */
static const struct {
	const char *name;
	const char *raw;
	const char *stored;     /* NULL: refused */
	const char *detail_has; /* when refused */
} texts[] = {
	{ "plain", "My Song", "My Song", NULL },
	{ "inner spaces kept", "My  Song", "My  Song", NULL },
	{ "ASCII spaces trimmed", "  My Song  ", "My Song", NULL },
	{ "tab and newline at the ends trimmed", "\\tMy Song\\r\\n", "My Song", NULL },
	{ "NBSP trimmed", "\\u00a0My Song\\u00a0", "My Song", NULL },
	{ "ideographic space and NEL trimmed", "\\u3000\\u0085曲\\u2028", "曲", NULL },
	{ "BOM and zero width space trimmed", "\\ufeff\\u200bSong\\u2060\\u200d", "Song", NULL },
	{ "zero width joiner inside kept (emoji sequence)", "\\ud83d\\udc69\\u200d\\ud83c\\udfa4",
	  "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x8e\xa4", NULL },
	{ "left-to-right mark allowed", "a\\u200eb", "a\xe2\x80\x8e" "b", NULL },

	{ "overlong slash (C0 AF)", "a\xc0\xaf", NULL, "not valid UTF-8 (an overlong encoding at byte offset 1)" },
	{ "overlong NUL (E0 80 80)", "\xe0\x80\x80", NULL, "overlong" },
	{ "surrogate (ED A0 80)", "x\xed\xa0\x80", NULL, "surrogate" },
	{ "beyond U+10FFFF (F4 90 80 80)", "\xf4\x90\x80\x80", NULL, "beyond U+10FFFF" },
	{ "only NBSP", "\\u00a0", NULL, "must not be empty" },
	{ "only zero width space", "\\u200b", NULL, "must not be empty" },
	{ "only invisible and spaces", " \\u200b\\ufeff\\u2060 \\u3000", NULL, "must not be empty" },
	{ "only NEL", "\\u0085", NULL, "must not be empty" },
	{ "empty string", "", NULL, "must not be empty" },
	{ "right-to-left override", "abc\\u202edef", NULL, "bidirectional control characters" },
	{ "RLO at the end", "abc\\u202e", NULL, "U+202E" },
	{ "LRE", "\\u202aabc", NULL, "bidirectional" },
	{ "first strong isolate", "a\\u2068b", NULL, "bidirectional" },
	{ "pop directional isolate", "a\\u2069", NULL, "U+2069" },
	{ "C1 CSI", "a\\u009bb", NULL, "control characters; it has U+009B" },
	{ "C1 NEL inside", "a\\u0085b", NULL, "control characters; it has U+0085" },
	{ "C1 as raw bytes", "a\xc2\x9b", NULL, "control" },
	{ "DEL", "a\\u007f", NULL, "control" },
	{ "newline inside", "a\\nb", NULL, "U+000A" },
	{ "NUL after text", "abc\\u0000", NULL, "U+0000" },
};

static void
text_fields_follow_the_table(void **state)
{
	static const char *const fields[] = { "title", "artist_name" };
	size_t i, k;

	(void)state;
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
			char json[512];
			struct init_body b;
			struct field_error fe;
			json_object *o;
			enum result rc;

			snprintf(json, sizeof(json), k == 0 ?
			    "{\"title\":\"%s\",\"artist_name\":\"A\",\"file_extension\":\"mp3\",\"file_size\":3}" :
			    "{\"title\":\"T\",\"artist_name\":\"%s\",\"file_extension\":\"mp3\",\"file_size\":3}",
			    texts[i].raw);
			if ((o = json_tokener_parse(json)) == NULL)
				fail_msg("%s: the test's JSON does not parse: %s", texts[i].name, json);
			memset(&b, 'Z', sizeof(b));
			rc = validate_fields(o, specs, init_nfields, &b, &fe);
			if (texts[i].stored != NULL) {
				const char *got = k == 0 ? b.title : b.artist_name;

				if (rc != OK)
					fail_msg("%s (%s): refused: %s", texts[i].name, fields[k], fe.detail);
				if (strcmp(got, texts[i].stored) != 0)
					fail_msg("%s (%s): stored \"%s\", want \"%s\"", texts[i].name,
					    fields[k], got, texts[i].stored);
			} else {
				if (rc != ERR_INVALID)
					fail_msg("%s (%s): accepted", texts[i].name, fields[k]);
				assert_string_equal(fe.field, fields[k]);
				if (strstr(fe.detail, texts[i].detail_has) == NULL ||
				    strncmp(fe.detail, fields[k], strlen(fields[k])) != 0)
					fail_msg("%s (%s): detail \"%s\" lacks \"%s\"", texts[i].name,
					    fields[k], fe.detail, texts[i].detail_has);
			}
			json_object_put(o);
		}
}

/* Every string field, not only the texts, must be strict UTF-8. */
static void
every_string_field_is_strict_utf8(void **state)
{
	static const struct {
		const char *json;
		const struct field_spec *specs;
		size_t n;
		const char *field;
	} c[] = {
		{ "{\"title\":\"x\",\"artist_name\":\"y\",\"file_extension\":\"mp\xc0\xb3\",\"file_size\":3}",
		  init_fields, 0, "file_extension" },
		{ "{\"title\":\"x\",\"artist_name\":\"y\",\"file_extension\":\"mp3\",\"file_size\":3,\"artwork_extension\":\"\xed\xa0\x80\"}",
		  init_fields, 0, "artwork_extension" },
		{ "{\"track_id\":\"\xf4\x90\x80\x80\"}", complete_fields, 1, "track_id" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		json_object *o = json_tokener_parse(c[i].json);
		struct init_body ib;
		struct complete_body cb;
		struct field_error fe;
		enum result rc;

		assert_non_null(o);
		rc = c[i].specs == init_fields ? validate_fields(o, init_fields, init_nfields, &ib, &fe) :
		    validate_fields(o, complete_fields, complete_nfields, &cb, &fe);
		assert_int_equal(rc, ERR_INVALID);
		assert_string_equal(fe.field, c[i].field);
		if (strstr(fe.detail, "not valid UTF-8") == NULL)
			fail_msg("case %zu: detail \"%s\"", i, fe.detail);
		json_object_put(o);
	}
}

/* What an error echoes from the body is well-formed UTF-8, cut between characters. */
#define E10 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
static void
echoed_input_is_valid_utf8(void **state)
{
	static const char *const bodies[] = {
		/* an unknown field whose name is not UTF-8 */
		"{\"\xc0\xaf\xed\xa0\x80\":1,\"title\":\"x\",\"artist_name\":\"y\",\"file_extension\":\"mp3\",\"file_size\":3}",
		/* an unknown field named "a" and 40 two-byte characters: "%.60s" cut inside one */
		"{\"a" E10 E10 E10 E10 "\":1}",
		/* an unsupported extension cut at 16 bytes inside a character */
		"{\"title\":\"x\",\"artist_name\":\"y\",\"file_extension\":\"mp3\xe6\x9b\xb2\xe6\x9b\xb2\xe6\x9b\xb2\xe6\x9b\xb2\xe6\x9b\xb2\xe6\x9b\xb2\",\"file_size\":3}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_object *o = json_tokener_parse(bodies[i]);
		struct init_body b;
		struct field_error fe;

		assert_non_null(o);
		assert_int_equal(validate_fields(o, init_fields, init_nfields, &b, &fe), ERR_INVALID);
		if (!utf8_valid(fe.field, strlen(fe.field), NULL, NULL) ||
		    !utf8_valid(fe.detail, strlen(fe.detail), NULL, NULL))
			fail_msg("case %zu: not UTF-8: field \"%s\" detail \"%s\"", i, fe.field, fe.detail);
		json_object_put(o);
	}
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
		cmocka_unit_test(text_fields_follow_the_table),
		cmocka_unit_test(every_string_field_is_strict_utf8),
		cmocka_unit_test(echoed_input_is_valid_utf8),
		cmocka_unit_test(uuid_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
