/*
 * The JSON log line (lib/log.c, LOG_FORMAT=json): one valid JSON object
 * (json-c, strict, UTF-8 validated) whatever the message holds, control
 * characters escaped, ill-formed UTF-8 as U+FFFD, the context's ids when set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "log.h"
#include "utf8.h"

static const struct timespec when = { 1764619200, 123456789 }; /* 2025-12-01T20:00:00.123Z */

/* Render msg, check it is one JSON object on one line; caller puts it. */
static json_object *
render(const char *msg, char *line, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;
	size_t n;

	n = log_render_json(line, size, LOG_LEVEL_WARN, msg, &when);
	assert_int_equal(n, strlen(line));
	assert_true(n >= 2 && line[n - 1] == '\n');
	assert_null(memchr(line, '\n', n - 1));
	assert_true(utf8_valid(line, n, NULL, NULL));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)n - 1);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("not JSON: %s", line);
	json_tokener_free(tok);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static const char *
str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static void
json_line_fields(void **state)
{
	char line[8192];
	json_object *o, *v;

	(void)state;
	log_init("mustory-test", LOG_LEVEL_DEBUG);
	log_context_clear();
	o = render("hello", line, sizeof(line));
	assert_string_equal(str(o, "time"), "2025-12-01T20:00:00.123Z");
	assert_string_equal(str(o, "level"), "warn");
	assert_string_equal(str(o, "program"), "mustory-test");
	assert_true(json_object_object_get_ex(o, "pid", &v) && json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), getpid());
	assert_string_equal(str(o, "message"), "hello");
	assert_null(str(o, "request_id"));
	assert_false(json_object_object_get_ex(o, "track_id", NULL));
	assert_false(json_object_object_get_ex(o, "job_id", NULL));
	json_object_put(o);

	log_context_set("0123456789abcdef0123456789abcdef", "123e4567-e89b-42d3-a456-426614174000", 42);
	o = render("x", line, sizeof(line));
	assert_string_equal(str(o, "request_id"), "0123456789abcdef0123456789abcdef");
	assert_string_equal(str(o, "track_id"), "123e4567-e89b-42d3-a456-426614174000");
	assert_true(json_object_object_get_ex(o, "job_id", &v));
	assert_int_equal(json_object_get_int64(v), 42);
	json_object_put(o);

	/* "-" (no request id from nginx) and 0 are "not known". */
	log_context_set("-", NULL, 0);
	o = render("x", line, sizeof(line));
	assert_false(json_object_object_get_ex(o, "request_id", NULL));
	assert_false(json_object_object_get_ex(o, "job_id", NULL));
	json_object_put(o);
	log_context_clear();
}

static void
json_line_escapes(void **state)
{
	static const struct { const char *msg, *want; } c[] = {
		{ "a \"quoted\" back\\slash", "a \"quoted\" back\\slash" },
		{ "line\nbreak\rand\ttab\x01\x1f\x7f", "line\nbreak\rand\ttab\x01\x1f\x7f" },
		{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x8e\xb5", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x8e\xb5" },
		{ "bad \xff byte", "bad \xef\xbf\xbd byte" },
		{ "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd" },
		{ "surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "cut \xe6\x97", "cut \xef\xbf\xbd" },
		{ "", "" },
	};
	char line[8192];
	json_object *o;
	size_t i;

	(void)state;
	log_init("mustory-test", LOG_LEVEL_DEBUG);
	log_context_set("rid\"\n\xff", NULL, 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		o = render(c[i].msg, line, sizeof(line));
		if (strcmp(str(o, "message"), c[i].want) != 0)
			fail_msg("case %zu: got %s", i, line);
		assert_string_equal(str(o, "request_id"), "rid\"\n\xef\xbf\xbd");
		json_object_put(o);
	}
	/* Escapes as JSON writes them: \n and friends as \u00XX, DEL too. */
	json_object_put(render("a\nb\x7f", line, sizeof(line)));
	assert_non_null(strstr(line, "\"message\":\"a\\u000ab\\u007f\""));
	log_context_clear();
}

/* A message larger than the line is cut between characters, still one JSON line. */
static void
json_line_cut(void **state)
{
	char msg[3000], line[1024];
	json_object *o;
	size_t i;

	(void)state;
	for (i = 0; i + 3 < sizeof(msg); i += 3)
		memcpy(msg + i, "\xe6\x97\xa5", 3);
	msg[i] = '\0';
	o = render(msg, line, sizeof(line));
	assert_true(strlen(str(o, "message")) % 3 == 0);
	assert_true(strlen(line) < sizeof(line));
	json_object_put(o);
	for (i = 0; i + 1 < sizeof(msg); i++)
		msg[i] = '\x01';
	msg[i] = '\0';
	o = render(msg, line, sizeof(line));
	json_object_put(o);
	/* The smallest line, with the longest context: still one JSON object. */
	log_context_set("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
	    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
	    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
	    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01",
	    "123e4567-e89b-42d3-a456-426614174000", 9223372036854775807LL);
	o = render(msg, line, 256);
	assert_true(strlen(line) < 256);
	json_object_put(o);
	log_context_clear();
}

static void
log_format_names(void **state)
{
	(void)state;
	assert_int_equal(log_format_parse("text"), LOG_FORMAT_TEXT);
	assert_int_equal(log_format_parse("JSON"), LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("yaml"), -1);
	assert_int_equal(log_format_parse(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_line_fields),
		cmocka_unit_test(json_line_escapes),
		cmocka_unit_test(json_line_cut),
		cmocka_unit_test(log_format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
