/*
 * test_storage_layout.c: the one builder of object keys and storage URLs.
 * The key layout as docs and players see it, the attempt id, and the
 * bucket, public, form and request URLs in path and virtual-host style.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage_layout.h"

#define TRACK "0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b"
#define ATTEMPT "00112233aabbccdd"

static struct config
test_config(const char *endpoint, bool path_style, const char *public_url)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.storage_endpoint = (char *)endpoint;
	c.storage_bucket = (char *)"mustory-audio";
	c.storage_public_url = (char *)public_url;
	c.storage_path_style = path_style;
	return c;
}

static void
keys_follow_the_layout(void **state)
{
	char b[STORAGE_KEY_MAX], prefix[STORAGE_KEY_MAX];

	(void)state;
	assert_string_equal(storage_key_original(b, sizeof(b), TRACK, "mp3"),
	    "tracks/" TRACK "/original.mp3");
	assert_string_equal(storage_key_artwork(b, sizeof(b), TRACK, "png"),
	    "tracks/" TRACK "/artwork.png");
	assert_string_equal(storage_track_prefix(b, sizeof(b), TRACK, STORAGE_PREFIX_UPLOADS), "tracks/" TRACK "/");
	assert_string_equal(storage_key_hls_prefix(prefix, sizeof(prefix), TRACK, ATTEMPT),
	    "hls/" TRACK "/" ATTEMPT);
	assert_string_equal(storage_key_hls_master(b, sizeof(b), prefix),
	    "hls/" TRACK "/" ATTEMPT "/master.m3u8");
	assert_string_equal(storage_key_hls_file(b, sizeof(b), prefix, 160, "seg_00001.m4s"),
	    "hls/" TRACK "/" ATTEMPT "/a160/seg_00001.m4s");
	assert_string_equal(storage_key_hls_file(b, sizeof(b), prefix, 64, "index.m3u8"),
	    "hls/" TRACK "/" ATTEMPT "/a64/index.m3u8");
	assert_string_equal(storage_hls_uri(b, sizeof(b), 64, "index.m3u8"), "a64/index.m3u8");
	assert_string_equal(storage_key_hls_waveform(b, sizeof(b), prefix),
	    "hls/" TRACK "/" ATTEMPT "/waveform.json");
	assert_string_equal(storage_key_art_prefix(prefix, sizeof(prefix), TRACK, ATTEMPT),
	    "art/" TRACK "/" ATTEMPT);
	assert_string_equal(storage_key_art_file(b, sizeof(b), prefix, "cover-600.webp"),
	    "art/" TRACK "/" ATTEMPT "/cover-600.webp");
}

/* A track's prefixes hold every key made for it above, and end in '/'. */
static void
track_prefixes_cover_every_key(void **state)
{
	static const char *const want[STORAGE_TRACK_PREFIXES] = { "tracks/" TRACK "/",
		"hls/" TRACK "/", "art/" TRACK "/" };
	char b[STORAGE_KEY_MAX], p[STORAGE_KEY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < STORAGE_TRACK_PREFIXES; i++)
		assert_string_equal(storage_track_prefix(p, sizeof(p), TRACK, i), want[i]);
	assert_null(storage_track_prefix(p, sizeof(p), TRACK, STORAGE_TRACK_PREFIXES));
	assert_null(storage_track_prefix(p, 10, TRACK, 0));
	storage_key_original(b, sizeof(b), TRACK, "mp3");
	assert_memory_equal(b, want[0], strlen(want[0]));
	storage_key_hls_prefix(p, sizeof(p), TRACK, ATTEMPT);
	storage_key_hls_master(b, sizeof(b), p);
	assert_memory_equal(b, want[1], strlen(want[1]));
	storage_key_art_prefix(p, sizeof(p), TRACK, ATTEMPT);
	storage_key_art_file(b, sizeof(b), p, "cover.jpg");
	assert_memory_equal(b, want[2], strlen(want[2]));
}

/* A key that does not fit is refused whole, never cut short. */
static void
a_key_that_does_not_fit_is_null(void **state)
{
	char b[40];

	(void)state;
	assert_null(storage_key_original(b, sizeof(b), TRACK, "mp3"));
	assert_string_equal(b, "");
	assert_null(storage_key_hls_master(b, 0, "hls/x"));
	assert_non_null(storage_key_hls_master(b, sizeof("hls/x/master.m3u8"), "hls/x"));
	assert_null(storage_key_hls_master(b, sizeof("hls/x/master.m3u8") - 1, "hls/x"));
}

static void
attempt_ids_are_fresh_lowercase_hex(void **state)
{
	char a[STORAGE_ATTEMPT_HEX + 1], b[STORAGE_ATTEMPT_HEX + 1];

	(void)state;
	assert_int_equal(storage_attempt_id(a), OK);
	assert_int_equal(storage_attempt_id(b), OK);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_not_equal(a, b);
}

static const struct {
	const char *endpoint;
	bool path_style;
	const char *public_url;
	const char *form, *pub;
} urls[] = {
	/* path style: endpoint/bucket (what config_public_url always did) */
	{ "http://127.0.0.1:9000", true, "", "http://127.0.0.1:9000/mustory-audio",
	  "http://127.0.0.1:9000/mustory-audio/hls/a/master.m3u8" },
	{ "http://minio:9000/prefix", true, "", "http://minio:9000/prefix/mustory-audio",
	  "http://minio:9000/prefix/mustory-audio/hls/a/master.m3u8" },
	/* virtual-host style: the bucket's own host (the behaviour change) */
	{ "https://s3.eu-west-1.amazonaws.com", false, "",
	  "https://mustory-audio.s3.eu-west-1.amazonaws.com",
	  "https://mustory-audio.s3.eu-west-1.amazonaws.com/hls/a/master.m3u8" },
	{ "http://minio:9000/prefix", false, "", "http://mustory-audio.minio:9000/prefix",
	  "http://mustory-audio.minio:9000/prefix/hls/a/master.m3u8" },
	/* an explicit STORAGE_PUBLIC_URL wins in either style; the form does not use it */
	{ "https://s3.eu-west-1.amazonaws.com", false, "https://cdn.example.com",
	  "https://mustory-audio.s3.eu-west-1.amazonaws.com",
	  "https://cdn.example.com/hls/a/master.m3u8" },
	{ "http://127.0.0.1:9000", true, "https://cdn.example.com/audio",
	  "http://127.0.0.1:9000/mustory-audio", "https://cdn.example.com/audio/hls/a/master.m3u8" },
};

static void
public_and_form_urls_honour_the_path_style(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct config cfg = test_config(urls[i].endpoint, urls[i].path_style,
		    urls[i].public_url);
		struct errbuf e;
		char *form = NULL, *pub;

		err_clear(&e);
		assert_int_equal(storage_url_form(&cfg, &form, &e), OK);
		assert_string_equal(form, urls[i].form);
		pub = storage_url_public(&cfg, "hls/a/master.m3u8");
		assert_non_null(pub);
		assert_string_equal(pub, urls[i].pub);
		free(form);
		free(pub);
	}
}

/* Without a public URL, a key's public URL is where its request goes. */
static void
public_url_is_the_request_target_unencoded(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct config cfg = test_config(urls[i].endpoint, urls[i].path_style, "");
		struct storage_target t;
		struct errbuf e;
		char *pub, *req;

		err_clear(&e);
		assert_int_equal(storage_target_make(&cfg, "hls/a/master.m3u8", &t, &e), OK);
		req = storage_url_request(&t, t.path, "");
		pub = storage_url_public(&cfg, "hls/a/master.m3u8");
		assert_string_equal(req, pub);
		free(req);
		free(pub);
		storage_target_free(&t);
	}
}

static void
request_url_is_origin_path_and_query(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true, "");
	struct storage_target t;
	struct errbuf e;
	char *u;

	(void)state;
	err_clear(&e);
	assert_int_equal(storage_target_make(&cfg, "a b", &t, &e), OK);
	u = storage_url_request(&t, "/mustory-audio/a%20b", "");
	assert_string_equal(u, "http://127.0.0.1:9000/mustory-audio/a%20b");
	free(u);
	u = storage_url_request(&t, "/mustory-audio/a%20b", "uploads=");
	assert_string_equal(u, "http://127.0.0.1:9000/mustory-audio/a%20b?uploads=");
	free(u);
	storage_target_free(&t);
	assert_null(t.host);
}

static void
a_bad_endpoint_gives_no_form_url(void **state)
{
	struct config cfg = test_config("http://user:pw@host", true, "");
	struct errbuf e;
	char *form = (char *)"unset";

	(void)state;
	err_clear(&e);
	assert_int_equal(storage_url_form(&cfg, &form, &e), ERR_INVALID);
	assert_null(form);
	assert_null(strstr(err_msg(&e), "pw"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_follow_the_layout),
		cmocka_unit_test(track_prefixes_cover_every_key),
		cmocka_unit_test(a_key_that_does_not_fit_is_null),
		cmocka_unit_test(attempt_ids_are_fresh_lowercase_hex),
		cmocka_unit_test(public_and_form_urls_honour_the_path_style),
		cmocka_unit_test(public_url_is_the_request_target_unencoded),
		cmocka_unit_test(request_url_is_origin_path_and_query),
		cmocka_unit_test(a_bad_endpoint_gives_no_form_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
