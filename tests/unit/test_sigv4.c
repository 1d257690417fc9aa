/*
 * test_sigv4.c: the signer against AWS's published S3 examples, stage by
 * stage (canonical request, string to sign, signature, Authorization), so a
 * failure names the stage that diverged. Expected values are AWS's:
 *
 *  [HDR]  S3 API Reference, "Signature Calculations for the Authorization
 *         Header: Transferring Payload in a Single Chunk", Examples: GET
 *         Object, PUT Object, GET Bucket Lifecycle, Get Bucket (List Objects).
 *  [QRY]  "Authenticating Requests: Using Query Parameters", the presigned
 *         GET of test.txt for 86400 s.
 *  [POST] "Example: Browser-Based Upload using HTTP POST (Using AWS
 *         Signature Version 4)": the policy (with its CRLF line ends), its
 *         base64 and signature.
 *
 * Key AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY,
 * us-east-1, s3, 20130524T000000Z (20151229T000000Z for POST).
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
#include "sigv4.h"

#define AKID "AKIAIOSFODNN7EXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define HOST "examplebucket.s3.amazonaws.com"
#define T20130524 ((time_t)1369353600) /* 2013-05-24T00:00:00Z */
#define T20151229 ((time_t)1451347200) /* 2015-12-29T00:00:00Z */
#define EMPTY SIGV4_EMPTY_SHA256
#define WELCOME_SHA "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

static const struct sigv4_creds creds = { AKID, SECRET, "us-east-1", "s3" };

static const struct sigv4_pair get_object_headers[] = { { "Range", "bytes=0-9" } };
static const struct sigv4_pair put_object_headers[] = {
	{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
	{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
};
static const struct sigv4_pair lifecycle_query[] = { { "lifecycle", NULL } };
/* Given out of order on purpose: the canonical query sorts them. */
static const struct sigv4_pair list_query[] = { { "prefix", "J" }, { "max-keys", "2" } };

static const struct {
	const char *name;
	struct sigv4_request req;
	const char *canonical_request;
	const char *string_to_sign;
	const char *signature;
	const char *authorization;
} header_vectors[] = {
	{ "[HDR] GET Object with a Range header",
	  { "GET", HOST, "/test.txt", NULL, 0, get_object_headers, 1, EMPTY },
	  "GET\n"
	  "/test.txt\n"
	  "\n"
	  "host:examplebucket.s3.amazonaws.com\n"
	  "range:bytes=0-9\n"
	  "x-amz-content-sha256:" EMPTY "\n"
	  "x-amz-date:20130524T000000Z\n"
	  "\n"
	  "host;range;x-amz-content-sha256;x-amz-date\n"
	  EMPTY,
	  "AWS4-HMAC-SHA256\n"
	  "20130524T000000Z\n"
	  "20130524/us-east-1/s3/aws4_request\n"
	  "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
	  "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	  "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
	  "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41" },
	{ "[HDR] PUT Object: '$' in the key, a Date header, a signed payload",
	  { "PUT", HOST, "/test$file.text", NULL, 0, put_object_headers, 2, WELCOME_SHA },
	  "PUT\n"
	  "/test%24file.text\n"
	  "\n"
	  "date:Fri, 24 May 2013 00:00:00 GMT\n"
	  "host:examplebucket.s3.amazonaws.com\n"
	  "x-amz-content-sha256:" WELCOME_SHA "\n"
	  "x-amz-date:20130524T000000Z\n"
	  "x-amz-storage-class:REDUCED_REDUNDANCY\n"
	  "\n"
	  "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
	  WELCOME_SHA,
	  "AWS4-HMAC-SHA256\n"
	  "20130524T000000Z\n"
	  "20130524/us-east-1/s3/aws4_request\n"
	  "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
	  "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
	  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	  "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
	  "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd" },
	{ "[HDR] GET Bucket Lifecycle: a parameter without a value",
	  { "GET", HOST, "/", lifecycle_query, 1, NULL, 0, EMPTY },
	  "GET\n"
	  "/\n"
	  "lifecycle=\n"
	  "host:examplebucket.s3.amazonaws.com\n"
	  "x-amz-content-sha256:" EMPTY "\n"
	  "x-amz-date:20130524T000000Z\n"
	  "\n"
	  "host;x-amz-content-sha256;x-amz-date\n"
	  EMPTY,
	  "AWS4-HMAC-SHA256\n"
	  "20130524T000000Z\n"
	  "20130524/us-east-1/s3/aws4_request\n"
	  "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
	  "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
	  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	  "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
	  "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543" },
	{ "[HDR] Get Bucket (List Objects): parameters sorted",
	  { "GET", HOST, "/", list_query, 2, NULL, 0, EMPTY },
	  "GET\n"
	  "/\n"
	  "max-keys=2&prefix=J\n"
	  "host:examplebucket.s3.amazonaws.com\n"
	  "x-amz-content-sha256:" EMPTY "\n"
	  "x-amz-date:20130524T000000Z\n"
	  "\n"
	  "host;x-amz-content-sha256;x-amz-date\n"
	  EMPTY,
	  "AWS4-HMAC-SHA256\n"
	  "20130524T000000Z\n"
	  "20130524/us-east-1/s3/aws4_request\n"
	  "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
	  "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
	  "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
	  "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
	  "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7" },
};

static void
header_signing_reproduces_aws_s3_examples(void **state)
{
	size_t i;

	(void)state;
	/* The PUT example's payload hash is SHA-256 of its body. */
	{
		char hex[65];

		enc_sha256_hex("Welcome to Amazon S3.", 21, hex);
		assert_string_equal(hex, WELCOME_SHA);
	}
	for (i = 0; i < sizeof(header_vectors) / sizeof(header_vectors[0]); i++) {
		struct sigv4_signed s;
		struct errbuf e;
		char hash[65];

		err_clear(&e);
		if (sigv4_sign_headers(&creds, &header_vectors[i].req, T20130524, &s, &e) != OK)
			fail_msg("%s: %s", header_vectors[i].name, err_msg(&e));
		if (strcmp(s.canonical_request, header_vectors[i].canonical_request) != 0)
			fail_msg("%s: canonical request\n%s\n--- want ---\n%s",
			    header_vectors[i].name, s.canonical_request,
			    header_vectors[i].canonical_request);
		/* AWS prints this hash in the string to sign: the vector is intact. */
		enc_sha256_hex(header_vectors[i].canonical_request,
		    strlen(header_vectors[i].canonical_request), hash);
		assert_non_null(strstr(header_vectors[i].string_to_sign, hash));
		assert_string_equal(s.string_to_sign, header_vectors[i].string_to_sign);
		assert_string_equal(s.signature, header_vectors[i].signature);
		assert_string_equal(s.authorization, header_vectors[i].authorization);
		assert_string_equal(s.amz_date, "20130524T000000Z");
		assert_string_equal(s.payload_hash, header_vectors[i].req.payload_hash);
		sigv4_signed_free(&s);
	}
}

/* [QRY] */
static void
presigning_reproduces_aws_s3_example(void **state)
{
	const struct sigv4_request req = { "GET", HOST, "/test.txt", NULL, 0, NULL, 0, NULL };
	struct sigv4_signed s;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_presign(&creds, &req, T20130524, 86400, &s, &e), OK);
	assert_string_equal(s.canonical_request,
	    "GET\n"
	    "/test.txt\n"
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
	    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
	    "host:examplebucket.s3.amazonaws.com\n"
	    "\n"
	    "host\n"
	    "UNSIGNED-PAYLOAD");
	assert_string_equal(s.string_to_sign,
	    "AWS4-HMAC-SHA256\n"
	    "20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
	assert_string_equal(s.signature,
	    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	assert_string_equal(s.path, "/test.txt");
	assert_string_equal(s.query,
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
	    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	assert_null(s.authorization);
	assert_string_equal(s.payload_hash, "UNSIGNED-PAYLOAD");
	sigv4_signed_free(&s);
}

/* [POST]: the policy exactly as the page shows it, CRLF line ends included. */
static const char post_policy[] =
    "{ \"expiration\": \"2015-12-30T12:00:00.000Z\",\r\n"
    "  \"conditions\": [\r\n"
    "    {\"bucket\": \"sigv4examplebucket\"},\r\n"
    "    [\"starts-with\", \"$key\", \"user/user1/\"],\r\n"
    "    {\"acl\": \"public-read\"},\r\n"
    "    {\"success_action_redirect\": \"http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html\"},\r\n"
    "    [\"starts-with\", \"$Content-Type\", \"image/\"],\r\n"
    "    {\"x-amz-meta-uuid\": \"14365123651274\"},\r\n"
    "    {\"x-amz-server-side-encryption\": \"AES256\"},\r\n"
    "    [\"starts-with\", \"$x-amz-meta-tag\", \"\"],\r\n"
    "\r\n"
    "    {\"x-amz-credential\": \"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\r\n"
    "    {\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"},\r\n"
    "    {\"x-amz-date\": \"20151229T000000Z\" }\r\n"
    "  ]\r\n"
    "}";

static const char post_policy_b64[] =
    "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";

static void
post_policy_signing_reproduces_aws_example(void **state)
{
	char *b64, sig[65], *cred;

	(void)state;
	assert_int_equal(sigv4_sign_policy(&creds, post_policy, strlen(post_policy),
	    T20151229, &b64, sig), OK);
	assert_string_equal(b64, post_policy_b64);
	assert_string_equal(sig, "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e");
	free(b64);

	/* The x-amz-credential and x-amz-date the example's form carries. */
	cred = sigv4_credential(&creds, T20151229);
	assert_string_equal(cred, "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request");
	free(cred);
	sigv4_amz_date(T20151229, sig);
	assert_string_equal(sig, "20151229T000000Z");
}

/* The policy's signature computed the long way: the key derived, then one HMAC. */
static void
policy_sig_by_hand(const struct sigv4_creds *c, const char *date8, const char *b64, char out[65])
{
	unsigned char key[32], mac[32];

	sigv4_signing_key(c->secret_key, date8, c->region, c->service, key);
	enc_hmac_sha256(key, sizeof(key), b64, strlen(b64), mac);
	enc_hex(mac, sizeof(mac), out);
}

/* The signing key is cached per thread: a new secret, day or region must not reuse it. */
static void
signing_key_cache_follows_secret_day_and_region(void **state)
{
	static char long_secret[300];
	const struct sigv4_creds other = { AKID, "another-secret-key-0123456789", "us-east-1", "s3" };
	const struct sigv4_creds region = { AKID, SECRET, "eu-west-3", "s3" };
	const struct sigv4_creds lng = { AKID, long_secret, "us-east-1", "s3" };
	const struct { const struct sigv4_creds *c; time_t t; const char *date8; } steps[] = {
		{ &creds, T20151229, "20151229" }, { &other, T20151229, "20151229" },
		{ &creds, T20151229, "20151229" }, { &creds, T20151229 + 86400, "20151230" },
		{ &region, T20151229 + 86400, "20151230" }, { &lng, T20151229, "20151229" },
		{ &creds, T20151229 + 86399, "20151229" },
	};
	char *b64, sig[65], want[65];
	size_t i;

	(void)state;
	memset(long_secret, 'k', sizeof(long_secret) - 1);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(sigv4_sign_policy(steps[i].c, post_policy, strlen(post_policy),
		    steps[i].t, &b64, sig), OK);
		policy_sig_by_hand(steps[i].c, steps[i].date8, b64, want);
		if (strcmp(sig, want) != 0)
			fail_msg("step %zu: %s, want %s", i, sig, want);
		if (steps[i].c == &creds && steps[i].t < T20151229 + 86400)
			assert_string_equal(sig,
			    "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e");
		free(b64);
	}
}

static const struct {
	const char *path, *want;
} uri_cases[] = {
	{ "/", "/" },
	{ "", "/" },
	{ "/bucket/tracks/abc/original.mp3", "/bucket/tracks/abc/original.mp3" },
	{ "/a b/c+d=e&f", "/a%20b/c%2Bd%3De%26f" },
	{ "/~user/x-y_z.txt", "/~user/x-y_z.txt" },
	{ "/100%/%2F", "/100%25/%252F" },         /* raw '%' is data: encoded once */
	{ "/a//b/./c/../d/", "/a//b/./c/../d/" }, /* S3 does not normalize */
	{ "/caf\xc3\xa9/\xe2\x82\xac", "/caf%C3%A9/%E2%82%AC" },
	{ "/!'()*:@;,?#[]", "/%21%27%28%29%2A%3A%40%3B%2C%3F%23%5B%5D" },
};

static void
canonical_uri_encodes_each_segment_once_and_keeps_slashes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		char *got = sigv4_canonical_uri(uri_cases[i].path);

		assert_non_null(got);
		if (strcmp(got, uri_cases[i].want) != 0)
			fail_msg("path \"%s\": got %s, want %s", uri_cases[i].path, got, uri_cases[i].want);
		free(got);
	}
}

static const struct sigv4_pair q_repeated[] = { { "b", "2" }, { "a", "z" }, { "a", "" }, { "a", "y" } };
static const struct sigv4_pair q_reserved[] = {
	{ "key", "a b+c/d=e&f" }, { "sp ace", "~-._" }, { "\xc3\xa9", "%" },
};
/* Sorted by encoded name: "A" < "a" < "a-b" < "a.b" < "a_b" < "a~"; then value. */
static const struct sigv4_pair q_order[] = {
	{ "a~", "" }, { "a_b", "" }, { "a.b", "" }, { "a-b", "" }, { "a", "2" },
	{ "A", "" }, { "a", "10" },
};
static const struct sigv4_pair q_empty_values[] = { { "uploads", NULL }, { "acl", "" } };
/* Sorting is on the encoded form: "%2B" (0x25) sorts before "A" (0x41). */
static const struct sigv4_pair q_encoded_order[] = { { "A", "1" }, { "+", "1" }, { "a", "\x7f" }, { "a", "!" } };

static const struct {
	const char *name;
	const struct sigv4_pair *q;
	size_t n;
	const char *want;
} query_cases[] = {
	{ "no parameters", NULL, 0, "" },
	{ "repeated names sort by value", q_repeated, 4, "a=&a=y&a=z&b=2" },
	{ "reserved characters encoded, '/' too", q_reserved, 3,
	  "%C3%A9=%25&key=a%20b%2Bc%2Fd%3De%26f&sp%20ace=~-._" },
	{ "byte order of encoded names", q_order, 7,
	  "A=&a=10&a=2&a-b=&a.b=&a_b=&a~=" },
	{ "empty values keep '='", q_empty_values, 2, "acl=&uploads=" },
	{ "order is that of the encoded text", q_encoded_order, 4, "%2B=1&A=1&a=%21&a=%7F" },
};

static void
canonical_query_sorts_encoded_names_then_values(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
		char *got = sigv4_canonical_query(query_cases[i].q, query_cases[i].n);

		assert_non_null(got);
		if (strcmp(got, query_cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", query_cases[i].name, got, query_cases[i].want);
		free(got);
	}
}

static void
canonical_headers_are_lowercased_trimmed_collapsed_and_merged(void **state)
{
	static const struct sigv4_pair h[] = {
		{ "X-Amz-Meta-Title", "  The   Long\t Song  " },
		{ "Content-Type", "audio/mpeg" },
		{ "x-amz-meta-tag", "b" },
		{ "X-AMZ-META-TAG", "  a " },
		{ "Cache-Control", "" },
	};
	const struct sigv4_request req = { "PUT", "127.0.0.1:9000", "/b/k", NULL, 0, h, 5, EMPTY };
	struct sigv4_signed s;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_sign_headers(&creds, &req, T20130524, &s, &e), OK);
	assert_string_equal(s.canonical_request,
	    "PUT\n/b/k\n\n"
	    "cache-control:\n"
	    "content-type:audio/mpeg\n"
	    "host:127.0.0.1:9000\n"
	    "x-amz-content-sha256:" EMPTY "\n"
	    "x-amz-date:20130524T000000Z\n"
	    "x-amz-meta-tag:b,a\n"
	    "x-amz-meta-title:The Long Song\n"
	    "\n"
	    "cache-control;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-tag;x-amz-meta-title\n"
	    EMPTY);
	assert_string_equal(s.signed_headers,
	    "cache-control;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-tag;x-amz-meta-title");
	sigv4_signed_free(&s);
}

static void
signed_url_parts_are_what_was_signed(void **state)
{
	static const struct sigv4_pair q[] = { { "partNumber", "2" }, { "uploadId", "a/b+c" } };
	const struct sigv4_request req = { "PUT", "127.0.0.1:9000", "/mustory-audio/hls/a b/seg 1.m4s",
		q, 2, NULL, 0, SIGV4_UNSIGNED_PAYLOAD };
	struct sigv4_signed s;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_sign_headers(&creds, &req, T20130524, &s, &e), OK);
	assert_string_equal(s.path, "/mustory-audio/hls/a%20b/seg%201.m4s");
	assert_string_equal(s.query, "partNumber=2&uploadId=a%2Fb%2Bc");
	assert_non_null(strstr(s.canonical_request,
	    "PUT\n/mustory-audio/hls/a%20b/seg%201.m4s\npartNumber=2&uploadId=a%2Fb%2Bc\n"));
	assert_string_equal(s.payload_hash, "UNSIGNED-PAYLOAD");
	assert_non_null(strstr(s.canonical_request, "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"));
	sigv4_signed_free(&s);
}

static void
signature_depends_on_every_input(void **state)
{
	const struct sigv4_request base = { "GET", HOST, "/test.txt", NULL, 0, NULL, 0, EMPTY };
	struct sigv4_request r;
	struct sigv4_creds c;
	struct sigv4_signed a, b;
	struct errbuf e;
	int i;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_sign_headers(&creds, &base, T20130524, &a, &e), OK);
	for (i = 0; i < 6; i++) {
		r = base;
		c = creds;
		switch (i) {
		case 0: r.method = "HEAD"; break;
		case 1: r.host = "other.s3.amazonaws.com"; break;
		case 2: r.path = "/test.txu"; break;
		case 3: c.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ"; break;
		case 4: c.region = "eu-west-1"; break;
		case 5: r.payload_hash = SIGV4_UNSIGNED_PAYLOAD; break;
		}
		assert_int_equal(sigv4_sign_headers(&c, &r, T20130524, &b, &e), OK);
		if (strcmp(a.signature, b.signature) == 0)
			fail_msg("change %d did not change the signature", i);
		sigv4_signed_free(&b);
	}
	assert_int_equal(sigv4_sign_headers(&creds, &base, T20130524 + 1, &b, &e), OK);
	assert_string_not_equal(a.signature, b.signature);
	sigv4_signed_free(&b);
	sigv4_signed_free(&a);
}

static const struct sigv4_pair bad_crlf[] = { { "x-amz-meta-a", "x\r\nX-Injected: 1" } };
static const struct sigv4_pair bad_host[] = { { "Host", "evil" } };
static const struct sigv4_pair bad_date[] = { { "X-Amz-Date", "20130524T000000Z" } };
static const struct sigv4_pair bad_auth[] = { { "Authorization", "x" } };
static const struct sigv4_pair bad_name[] = { { "bad name", "x" } };
static const struct sigv4_pair bad_sig_param[] = { { "x-amz-signature", "00" } };
static const struct sigv4_pair bad_empty_param[] = { { "", "x" } };

static const struct {
	const char *name;
	int presign;
	struct sigv4_request req;
	long long expires;
} invalid_cases[] = {
	{ "line break in a header value", 0, { "PUT", HOST, "/k", NULL, 0, bad_crlf, 1, EMPTY }, 0 },
	{ "caller sets host", 0, { "GET", HOST, "/k", NULL, 0, bad_host, 1, EMPTY }, 0 },
	{ "caller sets x-amz-date", 0, { "GET", HOST, "/k", NULL, 0, bad_date, 1, EMPTY }, 0 },
	{ "caller sets authorization", 0, { "GET", HOST, "/k", NULL, 0, bad_auth, 1, EMPTY }, 0 },
	{ "header name with a space", 0, { "GET", HOST, "/k", NULL, 0, bad_name, 1, EMPTY }, 0 },
	{ "payload hash not hex", 0, { "PUT", HOST, "/k", NULL, 0, NULL, 0, "abc" }, 0 },
	{ "payload hash in uppercase", 0, { "PUT", HOST, "/k", NULL, 0, NULL, 0,
	  "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855" }, 0 },
	{ "relative path", 0, { "GET", HOST, "k", NULL, 0, NULL, 0, EMPTY }, 0 },
	{ "no host", 0, { "GET", NULL, "/k", NULL, 0, NULL, 0, EMPTY }, 0 },
	{ "host with a slash", 0, { "GET", "a/b", "/k", NULL, 0, NULL, 0, EMPTY }, 0 },
	{ "lowercase method", 0, { "get", HOST, "/k", NULL, 0, NULL, 0, EMPTY }, 0 },
	{ "parameter without a name", 0, { "GET", HOST, "/k", bad_empty_param, 1, NULL, 0, EMPTY }, 0 },
	{ "presign with caller's X-Amz-Signature", 1, { "GET", HOST, "/k", bad_sig_param, 1, NULL, 0, NULL }, 60 },
	{ "presign for 0 s", 1, { "GET", HOST, "/k", NULL, 0, NULL, 0, NULL }, 0 },
	{ "presign beyond 7 days", 1, { "GET", HOST, "/k", NULL, 0, NULL, 0, NULL }, 604801 },
};

static void
malformed_requests_are_refused_not_signed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		struct sigv4_signed s;
		struct errbuf e;
		enum result rc;

		err_clear(&e);
		rc = invalid_cases[i].presign ?
		    sigv4_presign(&creds, &invalid_cases[i].req, T20130524, invalid_cases[i].expires, &s, &e) :
		    sigv4_sign_headers(&creds, &invalid_cases[i].req, T20130524, &s, &e);
		if (rc != ERR_INVALID)
			fail_msg("%s: got %s", invalid_cases[i].name, result_str(rc));
		assert_true(err_msg(&e)[0] != '\0');
		assert_null(s.canonical_request);
		assert_null(s.authorization);
		/* The message never carries the secret. */
		assert_null(strstr(err_msg(&e), SECRET));
	}
}

static void
presign_limits_and_signed_headers(void **state)
{
	static const struct sigv4_pair h[] = { { "Content-Type", "audio/mpeg" } };
	const struct sigv4_request req = { "PUT", HOST, "/k", NULL, 0, h, 1, NULL };
	struct sigv4_signed s;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_presign(&creds, &req, T20130524, 604800, &s, &e), OK);
	assert_non_null(strstr(s.query, "X-Amz-Expires=604800&"));
	assert_non_null(strstr(s.query, "X-Amz-SignedHeaders=content-type%3Bhost&"));
	assert_non_null(strstr(s.canonical_request, "\ncontent-type:audio/mpeg\nhost:" HOST "\n\ncontent-type;host\nUNSIGNED-PAYLOAD"));
	sigv4_signed_free(&s);
}

/*
 * The same AWS examples rebuilt step by step from the helpers sign() calls
 * (canonical headers and signed list, URI, query, request, string to sign,
 * signing key): each step is the code that runs, checked on its own.
 */
static void
canonical_steps_rebuild_the_aws_examples(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(header_vectors) / sizeof(header_vectors[0]); i++) {
		const struct sigv4_request *r = &header_vectors[i].req;
		struct sigv4_pair hv[8];
		struct errbuf e;
		char *headers, *list, *uri, *query, *creq, *sts;
		unsigned char key[32], mac[32];
		char sig[65];
		size_t n = 0;

		hv[n++] = (struct sigv4_pair){ "host", r->host };
		hv[n++] = (struct sigv4_pair){ "x-amz-content-sha256", r->payload_hash };
		hv[n++] = (struct sigv4_pair){ "x-amz-date", "20130524T000000Z" };
		for (k = 0; k < r->nheaders; k++)
			hv[n++] = r->headers[k];
		err_clear(&e);
		assert_int_equal(sigv4_canonical_headers(hv, n, &headers, &list, &e), OK);
		uri = sigv4_canonical_uri(r->path);
		query = sigv4_canonical_query(r->query, r->nquery);
		creq = sigv4_canonical_request(r->method, uri, query, headers, list, r->payload_hash);
		if (strcmp(creq, header_vectors[i].canonical_request) != 0)
			fail_msg("%s: canonical request\n%s", header_vectors[i].name, creq);
		sts = sigv4_string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
		    creq);
		assert_string_equal(sts, header_vectors[i].string_to_sign);
		sigv4_signing_key(SECRET, "20130524", "us-east-1", "s3", key);
		enc_hmac_sha256(key, sizeof(key), sts, strlen(sts), mac);
		enc_hex(mac, sizeof(mac), sig);
		assert_string_equal(sig, header_vectors[i].signature);
		free(headers);
		free(list);
		free(uri);
		free(query);
		free(creq);
		free(sts);
	}
}

static void
canonical_headers_helper_sorts_merges_and_refuses(void **state)
{
	static const struct sigv4_pair h[] = {
		{ "X-Amz-Meta-B", "  two   words " }, { "host", "h" }, { "x-amz-meta-b", "second" },
		{ "A", NULL },
	};
	static const struct sigv4_pair bad[] = { { "host", "h" }, { "x", "a\r\nb: c" } };
	struct errbuf e;
	char *c, *l;

	(void)state;
	err_clear(&e);
	assert_int_equal(sigv4_canonical_headers(h, 4, &c, &l, &e), OK);
	assert_string_equal(c, "a:\nhost:h\nx-amz-meta-b:two words,second\n");
	assert_string_equal(l, "a;host;x-amz-meta-b");
	free(c);
	free(l);
	assert_int_equal(sigv4_canonical_headers(bad, 2, &c, &l, &e), ERR_INVALID);
	assert_null(c);
	assert_null(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_signing_reproduces_aws_s3_examples),
		cmocka_unit_test(presigning_reproduces_aws_s3_example),
		cmocka_unit_test(post_policy_signing_reproduces_aws_example),
		cmocka_unit_test(canonical_uri_encodes_each_segment_once_and_keeps_slashes),
		cmocka_unit_test(canonical_query_sorts_encoded_names_then_values),
		cmocka_unit_test(canonical_headers_are_lowercased_trimmed_collapsed_and_merged),
		cmocka_unit_test(signed_url_parts_are_what_was_signed),
		cmocka_unit_test(signature_depends_on_every_input),
		cmocka_unit_test(malformed_requests_are_refused_not_signed),
		cmocka_unit_test(presign_limits_and_signed_headers),
		cmocka_unit_test(signing_key_cache_follows_secret_day_and_region),
		cmocka_unit_test(canonical_steps_rebuild_the_aws_examples),
		cmocka_unit_test(canonical_headers_helper_sorts_merges_and_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
