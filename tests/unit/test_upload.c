/* mustory-upload's pure parts: text cleaning, default title and artist,
 * sizes, the multipart answer reader, the sentence of an answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "upload_http.h"
#include "upload_parts.h"
#include "upload_progress.h"
#include "upload_tags.h"
#include "upload_text.h"

static void
text_is_cleaned(void **state)
{
	static const struct { const char *in, *out; } c[] = {
		{ "Plain Title", "Plain Title" },
		{ "  padded \t", "padded" },
		{ "bell\x07" "and\x1b[31mred", "bell and [31mred" },
		{ "a\xc2\x85" "b", "a b" },                       /* U+0085 (C1) */
		{ "zero\xe2\x80\x8bwidth", "zero width" },         /* U+200B */
		{ "\xe2\x80\xae" "evil", "evil" },                 /* U+202E, trimmed */
		{ "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },    /* U+FFFD */
		{ "many     spaces", "many spaces" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ " \t\r\n", NULL }, { "", NULL },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		got = utext_clean(c[i].in, strlen(c[i].in), 200);
		if (c[i].out == NULL)
			assert_null(got);
		else
			assert_string_equal(got, c[i].out);
		free(got);
	}
	got = utext_clean("abcdef", 6, 3);
	assert_string_equal(got, "abc");
	free(got);
}

static void
tags_from_ffprobe_json(void **state)
{
	static const struct { const char *json, *title, *artist; } c[] = {
		{ "{\"format\":{\"tags\":{\"title\":\"T\",\"artist\":\"A\"}}}", "T", "A" },
		{ "{\"streams\":[{}, {\"tags\":{\"TITLE\":\"Vorbis\",\"ARTIST\":\"Band\"}}],\"format\":{}}",
		    "Vorbis", "Band" },
		{ "{\"format\":{\"tags\":{\"title\":\"T\",\"album_artist\":\"AA\"}}}", "T", "AA" },
		{ "{\"format\":{\"tags\":{\"title\":\" \\u0007 \"}}}", NULL, NULL },
		{ "{\"format\":{\"tags\":{\"title\":42}}}", NULL, NULL },
		{ "not json", NULL, NULL }, { "[]", NULL, NULL },
	};
	char *t, *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(utags_parse(c[i].json, &t, &a), OK);
		if (c[i].title == NULL)
			assert_null(t);
		else
			assert_string_equal(t, c[i].title);
		if (c[i].artist == NULL)
			assert_null(a);
		else
			assert_string_equal(a, c[i].artist);
		free(t);
		free(a);
	}
}

static void
tags_from_the_name(void **state)
{
	static const struct { const char *path, *title, *artist; } c[] = {
		{ "/music/The Band - Song.flac", "Song", "The Band" },
		{ "song.mp3", "song", UTAGS_UNKNOWN_ARTIST },
		{ "dir.d/no extension", "no extension", UTAGS_UNKNOWN_ARTIST },
		{ " - .mp3", "-", UTAGS_UNKNOWN_ARTIST },
		{ "Artist - .mp3", "Artist -", UTAGS_UNKNOWN_ARTIST },
		{ ".mp3", ".mp3", UTAGS_UNKNOWN_ARTIST },
		{ "/x/\x07.wav", "Untitled", UTAGS_UNKNOWN_ARTIST },
	};
	char *t, *a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(utags_from_name(c[i].path, &t, &a), OK);
		assert_string_equal(t, c[i].title);
		assert_string_equal(a, c[i].artist);
		free(t);
		free(a);
	}
}

static void
sizes_for_people(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(uprog_size(b, sizeof(b), 0), "0 B");
	assert_string_equal(uprog_size(b, sizeof(b), 1023), "1023 B");
	assert_string_equal(uprog_size(b, sizeof(b), 1536), "1.5 KiB");
	assert_string_equal(uprog_size(b, sizeof(b), 4003088), "3.8 MiB");
	assert_string_equal(uprog_size(b, sizeof(b), 3.0 * 1024 * 1024 * 1024), "3.00 GiB");
}

static void
multipart_answers(void **state)
{
	struct json_object *o;
	struct umulti m;

	(void)state;
	o = json_tokener_parse("{\"part_size\":8388608,\"part_count\":3,"
	    "\"parts_done\":[{\"part_number\":1,\"size\":8388608,\"etag\":\"x\"}],"
	    "\"parts\":[{\"part_number\":2,\"size\":8388608,\"url\":\"u2\"},"
	    "{\"part_number\":3,\"size\":10,\"url\":\"u3\"}]}");
	assert_int_equal(umulti_read(o, &m), OK);
	assert_int_equal(m.part_size, 8388608);
	assert_int_equal(m.part_count, 3);
	assert_int_equal(m.done_count, 1);
	assert_int_equal(m.done_bytes, 8388608);
	assert_int_equal(json_object_array_length(m.parts), 2);
	json_object_put(o);
	o = json_tokener_parse("{\"part_size\":0,\"part_count\":1,\"parts\":[]}");
	assert_int_equal(umulti_read(o, &m), ERR_INVALID);
	json_object_put(o);
	o = json_tokener_parse("{\"part_size\":5,\"part_count\":1}");
	assert_int_equal(umulti_read(o, &m), ERR_INVALID);
	json_object_put(o);
	assert_int_equal(umulti_read(NULL, &m), ERR_INVALID);
}

/* r takes a copy of body. */
static void
answer(struct uresp *r, long status, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->body = strdup(body);
	r->len = strlen(body);
	r->json = json_tokener_parse(body);
}

static void
sentences_of_answers(void **state)
{
	struct uresp r;

	(void)state;
	answer(&r, 401, "{\"detail\":\"Sign in\\u001b[2J again.\",\"code\":\"invalid_token\"}\n");
	assert_string_equal(uresp_detail(&r), "Sign in [2J again.");
	assert_string_equal(uresp_code(&r), "invalid_token");
	uresp_free(&r);
	answer(&r, 403, "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>"
	    "<Message>Policy\nexpired</Message></Error>");
	assert_string_equal(uresp_detail(&r), "Policy expired");
	assert_string_equal(uresp_code(&r), "");
	uresp_free(&r);
	answer(&r, 502, "<html>Bad Gateway</html>\r\nmore");
	assert_string_equal(uresp_detail(&r), "<html>Bad Gateway</html> more");
	uresp_free(&r);
	answer(&r, 500, "");
	assert_string_equal(uresp_detail(&r), "HTTP status 500 with no body");
	uresp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_cleaned),
		cmocka_unit_test(tags_from_ffprobe_json),
		cmocka_unit_test(tags_from_the_name),
		cmocka_unit_test(sizes_for_people),
		cmocka_unit_test(multipart_answers),
		cmocka_unit_test(sentences_of_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
