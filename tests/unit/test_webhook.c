/*
 * test_webhook.c: lib/webhook against the Standard Webhooks reference
 * libraries' published vector (their "sign function works" case), the
 * secret and URL list rules, the body and payload shapes and the verdict
 * on each answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encode.h"
#include "webhook.h"

/* A whsec_ secret of n bytes (0, 1, 2, ...), malloc'd. */
static char *
secret_of(size_t n)
{
	unsigned char b[100];
	char *b64, *s;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)i;
	b64 = enc_base64(b, n);
	assert_non_null(b64);
	s = malloc(strlen(b64) + 7);
	assert_non_null(s);
	sprintf(s, "whsec_%s", b64);
	free(b64);
	return s;
}

/*
 * The vector of the reference libraries (JavaScript, Python, Go ... all
 * test it): whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, msg_p5jXN8AQM9LWM0D4loKWxJek,
 * 1614265330, {"test": 2432232314}.
 */
static void
sign_matches_the_reference_vector(void **state)
{
	static const char body[] = "{\"test\": 2432232314}";
	struct webhook_key k;
	struct errbuf e;
	char sig[WEBHOOK_SIGNATURE_SIZE];

	(void)state;
	err_clear(&e);
	assert_int_equal(webhook_secret_parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &k, &e), OK);
	assert_int_equal(k.len, 24);
	assert_int_equal(webhook_sign(&k, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body,
	    strlen(body), sig), OK);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* one byte more of body, another second: another signature */
	assert_int_equal(webhook_sign(&k, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body,
	    strlen(body), sig), OK);
	assert_string_not_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

/* The body may hold NUL bytes: its length is what is signed, not strlen. */
static void
sign_covers_exactly_the_body_bytes(void **state)
{
	struct webhook_key k;
	struct errbuf e;
	char a[WEBHOOK_SIGNATURE_SIZE], b[WEBHOOK_SIGNATURE_SIZE];

	(void)state;
	err_clear(&e);
	assert_int_equal(webhook_secret_parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &k, &e), OK);
	assert_int_equal(webhook_sign(&k, "msg_x", 1, "ab\0c", 4, a), OK);
	assert_int_equal(webhook_sign(&k, "msg_x", 1, "ab\0d", 4, b), OK);
	assert_string_not_equal(a, b);
	assert_int_equal(webhook_sign(&k, "msg_x", 1, "", 0, a), OK);
	assert_int_equal(strlen(a), 47);
}

static void
secret_rules(void **state)
{
	static const struct {
		const char *secret; /* NULL: made by secret_of(n) */
		size_t n;
		enum result want;
		const char *why; /* in the message */
	} cases[] = {
		{ NULL, 24, OK, NULL },
		{ NULL, 32, OK, NULL },
		{ NULL, 64, OK, NULL },
		{ NULL, 23, ERR_INVALID, "fewer than 24 bytes" },
		{ NULL, 65, ERR_INVALID, "more than 64 bytes" },
		{ NULL, 90, ERR_INVALID, "too long" },
		{ "", 0, ERR_INVALID, "does not start with whsec_" },
		{ "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0, ERR_INVALID, "does not start" },
		{ "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0, ERR_INVALID, "does not start" },
		{ "whsec_", 0, ERR_INVALID, "fewer than 24" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", 0, ERR_INVALID, "not base64" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ", 0, ERR_INVALID, "not base64" },
		{ "whsec_MfKQ9r8GKYqrTwjUPD8I-PZIo2LaLaSw", 0, ERR_INVALID, "not base64" },
		{ "whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0, ERR_INVALID, "not base64" },
		/* 32 bytes need their padding */
		{ "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 0, ERR_INVALID, "not base64" },
	};
	struct webhook_key k;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = cases[i].secret != NULL ? strdup(cases[i].secret) : secret_of(cases[i].n);
		enum result rc;

		err_clear(&e);
		rc = webhook_secret_parse(s, &k, &e);
		if (rc != cases[i].want)
			fail_msg("case %zu: %d, want %d (%s)", i, rc, cases[i].want, err_msg(&e));
		if (rc == OK) {
			assert_int_equal(k.len, cases[i].n);
			assert_int_equal(k.b[k.len - 1], (unsigned char)(k.len - 1));
		} else {
			assert_int_equal(k.len, 0);
			assert_non_null(strstr(err_msg(&e), "WEBHOOK_SECRET"));
			if (strstr(err_msg(&e), cases[i].why) == NULL)
				fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err_msg(&e),
				    cases[i].why);
			/* never the secret itself */
			if (strlen(s) > 8)
				assert_null(strstr(err_msg(&e), s + 6));
		}
		free(s);
	}
}

static void
url_list_rules(void **state)
{
	static const struct {
		const char *list;
		enum result want;
		size_t n;
		const char *first, *last, *why;
	} cases[] = {
		{ "", OK, 0, NULL, NULL, NULL },
		{ "  \t ", OK, 0, NULL, NULL, NULL },
		{ "http://127.0.0.1:18721/hook", OK, 1, "http://127.0.0.1:18721/hook", NULL, NULL },
		{ " https://a.example/x?k=v , http://b.example:81/ ", OK, 2, "https://a.example/x?k=v",
		  "http://b.example:81/", NULL },
		{ "https://user:pw@a.example/", OK, 1, "https://user:pw@a.example/", NULL, NULL },
		{ "ftp://a.example/", ERR_INVALID, 0, NULL, NULL, "entry 1 is not an http" },
		{ "a.example/hook", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "http:///nohost", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "http://a.example/x y", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "http://a.example/\"q\"", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "http://a.example/\xc3\xa9", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "HTTP://a.example/", ERR_INVALID, 0, NULL, NULL, "entry 1 is not" },
		{ "http://a.example/,", ERR_INVALID, 0, NULL, NULL, "entry 2 is empty" },
		{ "http://a.example/,,http://b.example/", ERR_INVALID, 0, NULL, NULL, "entry 2 is empty" },
		{ "http://a.example/, http://a.example/", ERR_INVALID, 0, NULL, NULL,
		  "entry 2 repeats entry 1" },
	};
	struct webhook_urls u;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum result rc;

		err_clear(&e);
		rc = webhook_urls_parse(cases[i].list, &u, &e);
		if (rc != cases[i].want)
			fail_msg("case %zu: %d, want %d (%s)", i, rc, cases[i].want, err_msg(&e));
		if (rc != OK) {
			assert_null(u.buf);
			assert_non_null(strstr(err_msg(&e), "WEBHOOK_URLS"));
			if (strstr(err_msg(&e), cases[i].why) == NULL)
				fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err_msg(&e),
				    cases[i].why);
			continue;
		}
		assert_int_equal(u.n, cases[i].n);
		if (u.n > 0)
			assert_string_equal(u.url[0], cases[i].first);
		if (u.n > 1)
			assert_string_equal(u.url[u.n - 1], cases[i].last);
		webhook_urls_free(&u);
	}
}

static void
url_list_is_capped(void **state)
{
	char list[4096] = "";
	struct webhook_urls u;
	struct errbuf e;
	int i;

	(void)state;
	for (i = 0; i < WEBHOOK_MAX_URLS; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%shttp://h%d.example/",
		    i ? "," : "", i);
	err_clear(&e);
	assert_int_equal(webhook_urls_parse(list, &u, &e), OK);
	assert_int_equal(u.n, WEBHOOK_MAX_URLS);
	webhook_urls_free(&u);
	strcat(list, ",http://one-too-many.example/");
	assert_int_equal(webhook_urls_parse(list, &u, &e), ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "more than 16 URLs"));
}

static void
config_check_wants_a_secret_with_urls(void **state)
{
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(webhook_config_check("", "", &e), OK);
	assert_int_equal(webhook_config_check("", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &e), OK);
	assert_int_equal(webhook_config_check("http://a.example/",
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &e), OK);
	assert_int_equal(webhook_config_check("http://a.example/", "", &e), ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "WEBHOOK_SECRET is required when WEBHOOK_URLS is set"));
	err_clear(&e);
	/* a bad secret is refused even without URLs (a runner would sign with it) */
	assert_int_equal(webhook_config_check("", "whsec_short", &e), ERR_INVALID);
	err_clear(&e);
	assert_int_equal(webhook_config_check("nope", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &e),
	    ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "WEBHOOK_URLS"));
}

static void
ids_are_fresh_and_plain(void **state)
{
	char a[WEBHOOK_ID_SIZE], b[WEBHOOK_ID_SIZE];
	size_t i;

	(void)state;
	assert_int_equal(webhook_id_new(a), OK);
	assert_int_equal(webhook_id_new(b), OK);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 26);
	assert_memory_equal(a, "msg_", 4);
	for (i = 4; a[i] != '\0'; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_", a[i]));
}

static void
body_is_type_timestamp_data(void **state)
{
	json_object *data = json_tokener_parse("{\"id\":\"t1\",\"hls_url\":\"http://s/x/y.m3u8\","
	    "\"duration_seconds\":1.5,\"error\":null}");
	char *body;

	(void)state;
	body = webhook_body("track.completed", "2026-12-01T23:00:00.123456Z", data);
	assert_non_null(body);
	/* the API's serialization: plain, slashes not escaped, keys in order */
	assert_string_equal(body, "{\"type\":\"track.completed\",\"timestamp\":"
	    "\"2026-12-01T23:00:00.123456Z\",\"data\":{\"id\":\"t1\",\"hls_url\":"
	    "\"http://s/x/y.m3u8\",\"duration_seconds\":1.5,\"error\":null}}");
	free(body);
	/* data stays the caller's */
	assert_int_equal(json_object_put(data), 1);
}

static void
payload_round_trips(void **state)
{
	struct webhook_delivery d = {
		.url = "http://127.0.0.1:18721/hook?a=b",
		.webhook_id = "msg_AAAAAAAAAAAAAAAAAAAAAA",
		.type = "track.failed",
		.track_id = "123e4567-e89b-12d3-a456-426614174000",
		.body = "{\"type\":\"track.failed\",\"data\":{\"t\":\"a/b \\\" \\u00e9\"}}",
	}, back;
	struct errbuf e;
	char *p;

	(void)state;
	p = webhook_payload(&d);
	assert_non_null(p);
	err_clear(&e);
	assert_int_equal(webhook_payload_parse(p, &back, &e), OK);
	assert_string_equal(back.url, d.url);
	assert_string_equal(back.webhook_id, d.webhook_id);
	assert_string_equal(back.type, d.type);
	assert_string_equal(back.track_id, d.track_id);
	/* the body comes back byte for byte: it is what is signed */
	assert_string_equal(back.body, d.body);
	webhook_delivery_free(&back);
	free(p);
	d.track_id = NULL;
	p = webhook_payload(&d);
	assert_int_equal(webhook_payload_parse(p, &back, &e), OK);
	assert_null(back.track_id);
	webhook_delivery_free(&back);
	free(p);
}

static void
payload_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"url\":\"http://a/\",\"webhook_id\":\"msg_1\",\"type\":\"t\"}",
		"{\"url\":\"http://a/\",\"webhook_id\":\"msg.1\",\"type\":\"t\",\"body\":\"{}\"}",
		"{\"url\":\"http://a/\",\"webhook_id\":\"\",\"type\":\"t\",\"body\":\"{}\"}",
		"{\"url\":\"file:///etc/passwd\",\"webhook_id\":\"msg_1\",\"type\":\"t\",\"body\":\"{}\"}",
		"{\"url\":\"http://a/\",\"webhook_id\":1,\"type\":\"t\",\"body\":\"{}\"}",
		"{\"url\":\"http://a/\",\"webhook_id\":\"msg 1\",\"type\":\"t\",\"body\":\"{}\"}",
	};
	struct webhook_delivery d;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (webhook_payload_parse(bad[i], &d, &e) != ERR_INVALID)
			fail_msg("case %zu accepted", i);
		assert_null(d.url);
		assert_true(err_msg(&e)[0] != '\0');
	}
	assert_int_equal(webhook_payload_parse(NULL, &d, &e), ERR_INVALID);
}

static void
verdict_follows_the_spec(void **state)
{
	static const struct {
		long status;
		enum webhook_verdict want;
	} cases[] = {
		{ 200, WEBHOOK_DELIVERED }, { 201, WEBHOOK_DELIVERED }, { 204, WEBHOOK_DELIVERED },
		{ 299, WEBHOOK_DELIVERED },
		{ 0, WEBHOOK_RETRY }, { 500, WEBHOOK_RETRY }, { 502, WEBHOOK_RETRY },
		{ 503, WEBHOOK_RETRY }, { 504, WEBHOOK_RETRY }, { 429, WEBHOOK_RETRY },
		{ 408, WEBHOOK_RETRY }, { 425, WEBHOOK_RETRY }, { 599, WEBHOOK_RETRY },
		{ 410, WEBHOOK_GONE },
		{ 301, WEBHOOK_REFUSED }, { 302, WEBHOOK_REFUSED }, { 307, WEBHOOK_REFUSED },
		{ 400, WEBHOOK_REFUSED }, { 401, WEBHOOK_REFUSED }, { 403, WEBHOOK_REFUSED },
		{ 404, WEBHOOK_REFUSED }, { 413, WEBHOOK_REFUSED }, { 100, WEBHOOK_REFUSED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (webhook_verdict(cases[i].status) != cases[i].want)
			fail_msg("status %ld: %d, want %d", cases[i].status,
			    webhook_verdict(cases[i].status), cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sign_matches_the_reference_vector),
		cmocka_unit_test(sign_covers_exactly_the_body_bytes),
		cmocka_unit_test(secret_rules),
		cmocka_unit_test(url_list_rules),
		cmocka_unit_test(url_list_is_capped),
		cmocka_unit_test(config_check_wants_a_secret_with_urls),
		cmocka_unit_test(ids_are_fresh_and_plain),
		cmocka_unit_test(body_is_type_timestamp_data),
		cmocka_unit_test(payload_round_trips),
		cmocka_unit_test(payload_parse_refuses),
		cmocka_unit_test(verdict_follows_the_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
