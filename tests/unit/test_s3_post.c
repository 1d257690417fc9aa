/*
 * test_s3_post.c: the presigned POST form (boto3's generate_presigned_post
 * shape) and the policy it carries, checked field by field; where requests
 * go (path and virtual-host style); how storage answers map to results.
 * No network.
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

#include "encode.h"
#include "s3_post.h"
#include "s3_status.h"
#include "sigv4.h"
#include "storage_layout.h"

#define NOW ((time_t)1700000000) /* 2023-11-14T22:13:20Z */
#define KEY "tracks/0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b/original.mp3"
#define SECRET "S3RVER-secret-key-never-shown"

static struct config
test_config(const char *endpoint, bool path_style)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.storage_endpoint = (char *)endpoint;
	c.storage_access_key = (char *)"S3RVER";
	c.storage_secret_key = (char *)SECRET;
	c.storage_bucket = (char *)"mustory-audio";
	c.storage_region = (char *)"us-east-1";
	c.storage_public_url = (char *)"";
	c.storage_path_style = path_style;
	c.storage_timeout_s = 30;
	return c;
}

static const char *
field(const struct s3_post *p, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(p->fields, name, &v))
		return NULL;
	return json_object_get_string(v);
}

/* The policy document, decoded from the form's "policy" field. Owned. */
static json_object *
decoded_policy(const struct s3_post *p)
{
	const char *b64 = field(p, "policy");
	unsigned char *raw;
	size_t len;
	json_object *doc;

	assert_non_null(b64);
	assert_int_equal(enc_base64_decode(b64, strlen(b64), &raw, &len), OK);
	doc = json_tokener_parse((const char *)raw);
	assert_non_null(doc);
	free(raw);
	return doc;
}

static void
form_has_exactly_the_boto3_fields(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true);
	static const char *const names[] = { "key", "Content-Type", "x-amz-algorithm",
		"x-amz-credential", "x-amz-date", "policy", "x-amz-signature" };
	struct s3_post p;
	struct errbuf e;
	size_t i = 0;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_post(&cfg, KEY, "audio/mpeg", 1000, 1000, 900, NOW, &p, &e), OK);
	assert_string_equal(p.url, "http://127.0.0.1:9000/mustory-audio");
	assert_int_equal(json_object_object_length(p.fields), 7);
	{
		json_object_object_foreach(p.fields, name, val) {
			(void)val;
			assert_string_equal(name, names[i]); /* in this order; file goes last */
			i++;
		}
	}
	assert_string_equal(field(&p, "key"), KEY);
	assert_string_equal(field(&p, "Content-Type"), "audio/mpeg");
	assert_string_equal(field(&p, "x-amz-algorithm"), "AWS4-HMAC-SHA256");
	assert_string_equal(field(&p, "x-amz-credential"), "S3RVER/20231114/us-east-1/s3/aws4_request");
	assert_string_equal(field(&p, "x-amz-date"), "20231114T221320Z");
	assert_int_equal(strlen(field(&p, "x-amz-signature")), 64);
	s3_post_free(&p);
	assert_null(p.url);
	assert_null(p.fields);
}

static void
policy_pins_key_type_size_and_every_field(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true);
	struct s3_post p;
	struct errbuf e;
	json_object *doc, *conds, *v;
	char want[1024];
	size_t i, n;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_post(&cfg, KEY, "audio/flac", 1, 209715200, 900, NOW, &p, &e), OK);
	doc = decoded_policy(&p);
	assert_true(json_object_object_get_ex(doc, "expiration", &v));
	/* now + 900 s, ISO 8601 with milliseconds and Z */
	assert_string_equal(json_object_get_string(v), "2023-11-14T22:28:20.000Z");
	assert_true(json_object_object_get_ex(doc, "conditions", &conds));
	n = json_object_array_length(conds);
	assert_int_equal(n, 7);
	snprintf(want, sizeof(want),
	    "[ { \"bucket\": \"mustory-audio\" }, { \"key\": \"%s\" }, "
	    "{ \"Content-Type\": \"audio/flac\" }, [ \"content-length-range\", 1, 209715200 ], "
	    "{ \"x-amz-algorithm\": \"AWS4-HMAC-SHA256\" }, "
	    "{ \"x-amz-credential\": \"S3RVER/20231114/us-east-1/s3/aws4_request\" }, "
	    "{ \"x-amz-date\": \"20231114T221320Z\" } ]", KEY);
	assert_string_equal(json_object_to_json_string_ext(conds,
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE), want);

	/*
	 * Every form field but policy and x-amz-signature is pinned by an
	 * exact-match condition with the same value (S3 rejects the upload
	 * otherwise; s3rver does not check, so this test must).
	 */
	json_object_object_foreach(p.fields, name, val) {
		bool covered = false;

		if (strcmp(name, "policy") == 0 || strcmp(name, "x-amz-signature") == 0)
			continue;
		for (i = 0; i < n; i++) {
			json_object *c = json_object_array_get_idx(conds, i), *cv;

			if (json_object_is_type(c, json_type_object) &&
			    json_object_object_get_ex(c, name, &cv) &&
			    strcmp(json_object_get_string(cv), json_object_get_string(val)) == 0)
				covered = true;
		}
		if (!covered)
			fail_msg("form field %s has no exact policy condition", name);
	}
	json_object_put(doc);
	s3_post_free(&p);
}

/* The signature is HMAC(kSigning of the day, base64 policy): recompute it. */
static void
signature_is_over_the_base64_policy_with_the_days_key(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true);
	unsigned char key[32], mac[32];
	char hex[65];
	const char *b64;
	struct s3_post p;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3_presign_post(&cfg, KEY, "audio/mpeg", 5, 10, 60, NOW, &p, &e), OK);
	b64 = field(&p, "policy");
	sigv4_signing_key(SECRET, "20231114", "us-east-1", "s3", key);
	enc_hmac_sha256(key, sizeof(key), b64, strlen(b64), mac);
	enc_hex(mac, sizeof(mac), hex);
	assert_string_equal(field(&p, "x-amz-signature"), hex);
	/* The secret itself appears nowhere in what the client gets. */
	{
		json_object_object_foreach(p.fields, name, val) {
			(void)name;
			assert_null(strstr(json_object_get_string(val), SECRET));
		}
	}
	assert_null(strstr(p.url, SECRET));
	s3_post_free(&p);
}

static void
virtual_host_style_posts_to_the_buckets_own_host(void **state)
{
	struct config cfg = test_config("https://s3.eu-west-1.amazonaws.com", false);
	struct s3_post p;
	struct errbuf e;

	(void)state;
	cfg.storage_region = (char *)"eu-west-1";
	err_clear(&e);
	assert_int_equal(s3_presign_post(&cfg, KEY, "audio/mpeg", 1, 10, 900, NOW, &p, &e), OK);
	assert_string_equal(p.url, "https://mustory-audio.s3.eu-west-1.amazonaws.com");
	assert_string_equal(field(&p, "x-amz-credential"), "S3RVER/20231114/eu-west-1/s3/aws4_request");
	s3_post_free(&p);
}

static const struct {
	const char *name;
	const char *key, *type;
	long long min, max, expires;
} bad_posts[] = {
	{ "no key", "", "audio/mpeg", 1, 10, 900 },
	{ "no content type", KEY, "", 1, 10, 900 },
	{ "content type with a line break", KEY, "audio/mpeg\r\nx: y", 1, 10, 900 },
	{ "min above max", KEY, "audio/mpeg", 11, 10, 900 },
	{ "negative min", KEY, "audio/mpeg", -1, 10, 900 },
	{ "expiry 0", KEY, "audio/mpeg", 1, 10, 0 },
	{ "expiry beyond 7 days", KEY, "audio/mpeg", 1, 10, 604801 },
};

static void
nonsense_presign_requests_are_refused(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_posts) / sizeof(bad_posts[0]); i++) {
		struct s3_post p;
		struct errbuf e;

		err_clear(&e);
		if (s3_presign_post(&cfg, bad_posts[i].key, bad_posts[i].type, bad_posts[i].min,
		    bad_posts[i].max, bad_posts[i].expires, NOW, &p, &e) != ERR_INVALID)
			fail_msg("%s: not refused", bad_posts[i].name);
		assert_null(p.url);
		assert_null(p.fields);
	}
}

static const struct {
	const char *endpoint;
	bool path_style;
	const char *key;
	const char *host, *origin, *path;
} targets[] = {
	{ "http://127.0.0.1:9000", true, "hls/a/master.m3u8",
	  "127.0.0.1:9000", "http://127.0.0.1:9000", "/mustory-audio/hls/a/master.m3u8" },
	{ "https://s3.eu-west-1.amazonaws.com", false, "hls/a/master.m3u8",
	  "mustory-audio.s3.eu-west-1.amazonaws.com",
	  "https://mustory-audio.s3.eu-west-1.amazonaws.com", "/hls/a/master.m3u8" },
	{ "https://acct.r2.cloudflarestorage.com", true, "k",
	  "acct.r2.cloudflarestorage.com", "https://acct.r2.cloudflarestorage.com", "/mustory-audio/k" },
	{ "http://[::1]:4599", true, "a b", "[::1]:4599", "http://[::1]:4599", "/mustory-audio/a b" },
	{ "http://minio:9000/prefix", true, "k", "minio:9000", "http://minio:9000", "/prefix/mustory-audio/k" },
};

static void
requests_go_to_path_or_virtual_host_style_targets(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct config cfg = test_config(targets[i].endpoint, targets[i].path_style);
		struct storage_target t;
		struct errbuf e;

		err_clear(&e);
		assert_int_equal(storage_target_make(&cfg, targets[i].key, &t, &e), OK);
		assert_string_equal(t.host, targets[i].host);
		assert_string_equal(t.origin, targets[i].origin);
		assert_string_equal(t.path, targets[i].path);
		storage_target_free(&t);
	}
}

static void
odd_endpoints_are_refused(void **state)
{
	static const char *const bad[] = { "ftp://host", "http://", "http://user:pw@host",
		"http://host?x=1", "host:9000" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config cfg = test_config(bad[i], true);
		struct storage_target t;
		struct errbuf e;

		err_clear(&e);
		if (storage_target_make(&cfg, "k", &t, &e) != ERR_INVALID)
			fail_msg("endpoint %s accepted", bad[i]);
		assert_null(strstr(err_msg(&e), "pw@"));
	}
}

static const struct {
	long status;
	const char *body;
	enum result want;
	bool transient;
	const char *says;
} answers[] = {
	{ 200, "", OK, false, "" },
	{ 204, "", OK, false, "" },
	{ 404, "<Error><Code>NoSuchKey</Code></Error>", ERR_NOT_FOUND, false,
	  "storage has no object " KEY " (404 NoSuchKey)" },
	{ 404, "", ERR_NOT_FOUND, false, "storage has no object " KEY " (404)" },
	{ 404, "<Error><Code>NoSuchBucket</Code></Error>", ERR_NOT_FOUND, false, "has no bucket mustory-audio" },
	{ 403, "<Error><Code>SignatureDoesNotMatch</Code><Message>..</Message></Error>", ERR_AUTH, false,
	  "storage refused GET " KEY " (403 SignatureDoesNotMatch): check STORAGE_ACCESS_KEY" },
	{ 400, "<Error><Code>AuthorizationHeaderMalformed</Code></Error>", ERR_AUTH, false, "STORAGE_REGION" },
	{ 301, "<Error><Code>PermanentRedirect</Code></Error>", ERR_AUTH, false, "storage redirected GET" },
	{ 400, "<Error><Code>InvalidArgument</Code></Error>", ERR_STORAGE, false, "storage answered 400 InvalidArgument to GET" },
	{ 503, "<Error><Code>SlowDown</Code></Error>", ERR_STORAGE, true, "storage answered 503 SlowDown to GET " KEY },
	{ 500, "", ERR_STORAGE, true, "storage answered 500 to GET " KEY },
	{ 429, "", ERR_STORAGE, true, "429" },
	{ 408, "", ERR_STORAGE, true, "408" },
	{ 412, "<Error><Code>PreconditionFailed</Code></Error>", ERR_CONFLICT, false,
	  "storage answered 412 PreconditionFailed to GET " KEY ": the object is no longer the one "
	  "asked for (its ETag changed)" },
	{ 409, "<Code>Evil\n<script></Code>", ERR_STORAGE, false, "storage answered 409 Evilscript to GET" },
};

static void
storage_answers_map_to_results(void **state)
{
	struct config cfg = test_config("http://127.0.0.1:9000", true);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct errbuf e;
		bool transient = !answers[i].transient;
		enum result rc;

		err_clear(&e);
		rc = s3_status_result(&cfg, "GET", KEY, answers[i].status, answers[i].body, &transient, &e);
		if (rc != answers[i].want || transient != answers[i].transient)
			fail_msg("%ld: got %s%s", answers[i].status, result_str(rc),
			    transient ? " (transient)" : "");
		if (strstr(err_msg(&e), answers[i].says) == NULL)
			fail_msg("%ld: \"%s\" does not say \"%s\"", answers[i].status, err_msg(&e),
			    answers[i].says);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(form_has_exactly_the_boto3_fields),
		cmocka_unit_test(policy_pins_key_type_size_and_every_field),
		cmocka_unit_test(signature_is_over_the_base64_policy_with_the_days_key),
		cmocka_unit_test(virtual_host_style_posts_to_the_buckets_own_host),
		cmocka_unit_test(nonsense_presign_requests_are_refused),
		cmocka_unit_test(requests_go_to_path_or_virtual_host_style_targets),
		cmocka_unit_test(odd_endpoints_are_refused),
		cmocka_unit_test(storage_answers_map_to_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
