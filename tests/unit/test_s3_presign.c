/*
 * Presigned GETs (lib/s3_presign.c): AWS's own presigned-GET example
 * reproduced through the storage layout (virtual-host style), a path-style
 * URL with a signed response-content-disposition, refusals; and the
 * Content-Disposition of a download named after a title.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "s3_presign.h"

#define T20130524 ((time_t)1369353600) /* 2013-05-24T00:00:00Z */

static struct config
aws_config(const char *endpoint, bool path_style, const char *bucket)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.storage_endpoint = (char *)endpoint;
	c.storage_access_key = (char *)"AKIAIOSFODNN7EXAMPLE";
	c.storage_secret_key = (char *)"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	c.storage_bucket = (char *)bucket;
	c.storage_region = (char *)"us-east-1";
	c.storage_public_url = (char *)"";
	c.storage_path_style = path_style;
	return c;
}

/* AWS S3 API reference, "Authenticating Requests: Using Query Parameters". */
static void
presign_get_reproduces_aws_example(void **state)
{
	struct config cfg = aws_config("https://s3.amazonaws.com", false, "examplebucket");
	struct errbuf e;
	char *url = NULL;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_get(&cfg, "test.txt", NULL, 86400, T20130524, &url, &e), OK);
	assert_string_equal(url,
	    "https://examplebucket.s3.amazonaws.com/test.txt"
	    "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
	    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	free(url);
}

static void
presign_get_signs_the_disposition(void **state)
{
	struct config cfg = aws_config("http://127.0.0.1:9000", true, "mustory-audio");
	struct errbuf e;
	char *url = NULL;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_get(&cfg, "tracks/x/original.mp3",
	    "attachment; filename=\"a b.mp3\"", 300, T20130524, &url, &e), OK);
	static const char base[] = "http://127.0.0.1:9000/mustory-audio/tracks/x/original.mp3?";

	assert_true(strncmp(url, base, strlen(base)) == 0);
	assert_non_null(strstr(url, "&X-Amz-Expires=300&"));
	/* Every byte but the unreserved ones encoded: ; = " and the space. */
	assert_non_null(strstr(url,
	    "&response-content-disposition=attachment%3B%20filename%3D%22a%20b.mp3%22"));
	assert_non_null(strstr(url, "&X-Amz-Signature="));
	free(url);
}

static void
presign_get_refusals(void **state)
{
	struct config cfg = aws_config("http://127.0.0.1:9000", true, "mustory-audio");
	struct config bad = aws_config("ftp://x", true, "mustory-audio");
	struct errbuf e;
	char *url = (char *)"x";

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_get(&cfg, "", NULL, 300, T20130524, &url, &e), ERR_INVALID);
	assert_null(url);
	assert_int_equal(s3_presign_get(&cfg, "k", "a\r\nX-Evil: 1", 300, T20130524, &url, &e),
	    ERR_INVALID);
	assert_int_equal(s3_presign_get(&cfg, "k", NULL, 0, T20130524, &url, &e), ERR_INVALID);
	assert_int_equal(s3_presign_get(&cfg, "k", NULL, 604801, T20130524, &url, &e), ERR_INVALID);
	assert_int_equal(s3_presign_get(&bad, "k", NULL, 300, T20130524, &url, &e), ERR_INVALID);
	assert_null(url);
	assert_true(strlen(err_msg(&e)) > 0);
}

static void
disposition_table(void **state)
{
	static const struct { const char *name, *ext, *want; } c[] = {
		{ "My Song", "mp3", "attachment; filename=\"My Song.mp3\"; filename*=UTF-8''My%20Song.mp3" },
		{ "Été \"Mix\" / 2", "flac", "attachment; filename=\"_t_ _Mix_ _ 2.flac\"; "
		  "filename*=UTF-8''%C3%89t%C3%A9%20%22Mix%22%20_%202.flac" },
		{ "a\\b;c=d%", "m4a", "attachment; filename=\"a_b;c=d%.m4a\"; filename*=UTF-8''a_b%3Bc%3Dd%25.m4a" },
		{ "tab\there\x01", "ogg", "attachment; filename=\"tab_here_.ogg\"; filename*=UTF-8''tab_here_.ogg" },
		/* Ill-formed UTF-8 is U+FFFD (EF BF BD), then '_' in the fallback. */
		{ "x\xff", "wav", "attachment; filename=\"x_.wav\"; filename*=UTF-8''x%EF%BF%BD.wav" },
		{ "", "mp3", "attachment; filename=\"track.mp3\"; filename*=UTF-8''track.mp3" },
		{ "song", "m p3", "attachment; filename=\"song\"; filename*=UTF-8''song" },
		{ "日本", "opus", "attachment; filename=\"__.opus\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.opus" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *d = s3_attachment_disposition(c[i].name, c[i].ext);

		assert_non_null(d);
		if (strcmp(d, c[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, d, c[i].want);
		free(d);
	}
}

/* A 200-character title is cut to S3_FILENAME_MAX bytes, between characters. */
static void
disposition_cuts_long_titles(void **state)
{
	char title[601], *d;
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		memcpy(title + 3 * i, "\xe6\x97\xa5", 3);
	title[600] = '\0';
	d = s3_attachment_disposition(title, "mp3");
	assert_non_null(d);
	/* 33 characters (99 bytes) of the title, each 9 bytes percent-encoded. */
	assert_non_null(strstr(d, "filename=\"_________________________________.mp3\""));
	assert_int_equal(strlen(strstr(d, "UTF-8''") + 7), 33 * 9 + 4);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(presign_get_reproduces_aws_example),
		cmocka_unit_test(presign_get_signs_the_disposition),
		cmocka_unit_test(presign_get_refusals),
		cmocka_unit_test(disposition_table),
		cmocka_unit_test(disposition_cuts_long_titles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
