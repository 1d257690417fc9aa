/*
 * test_encode.c: lib/encode against published vectors (RFC 4648 base64,
 * FIPS 180-2 SHA-256, RFC 4231 HMAC-SHA256) and AWS's UriEncode() rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "encode.h"

/* RFC 4648 section 10, and the same bytes in base64url without padding. */
static const struct {
	const char *raw;
	size_t len;
	const char *b64, *b64url;
} b64_vectors[] = {
	{ "", 0, "", "" },
	{ "f", 1, "Zg==", "Zg" },
	{ "fo", 2, "Zm8=", "Zm8" },
	{ "foo", 3, "Zm9v", "Zm9v" },
	{ "foob", 4, "Zm9vYg==", "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy", "Zm9vYmFy" },
	/* bytes 62 and 63 of the alphabets: '+' '/' against '-' '_' */
	{ "\xfb\xff\xbf", 3, "+/+/", "-_-_" },
	{ "\x00\x01\x02", 3, "AAEC", "AAEC" },
};

static void
base64_round_trips_rfc4648_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		size_t len = b64_vectors[i].len, outlen;
		unsigned char *dec;
		char *enc;

		enc = enc_base64(b64_vectors[i].raw, len);
		assert_non_null(enc);
		assert_string_equal(enc, b64_vectors[i].b64);
		free(enc);
		enc = enc_base64url(b64_vectors[i].raw, len);
		assert_non_null(enc);
		assert_string_equal(enc, b64_vectors[i].b64url);
		free(enc);

		assert_int_equal(enc_base64_decode(b64_vectors[i].b64,
		    strlen(b64_vectors[i].b64), &dec, &outlen), OK);
		assert_int_equal(outlen, len);
		assert_memory_equal(dec, b64_vectors[i].raw, len);
		assert_int_equal(dec[outlen], '\0');
		free(dec);
		assert_int_equal(enc_base64url_decode(b64_vectors[i].b64url,
		    strlen(b64_vectors[i].b64url), &dec, &outlen), OK);
		assert_int_equal(outlen, len);
		assert_memory_equal(dec, b64_vectors[i].raw, len);
		free(dec);
	}
}

static const struct {
	const char *in;
	const char *why;
} b64_bad[] = {
	{ "Zg=", "length not a multiple of 4" },
	{ "Zg", "padding missing" },
	{ "Z===", "three padding characters" },
	{ "Zg=A", "padding in the middle" },
	{ "=Zg=", "padding first" },
	{ "Zh==", "leftover bits not zero" },
	{ "Zm9=", "leftover bits not zero (one pad)" },
	{ "Zm9v\n", "a newline" },
	{ "Zm 9v", "a space" },
	{ "Zm9-", "a base64url character" },
	{ "Zm9_", "a base64url character" },
	{ "Zm9v!AAA", "punctuation" },
	{ "Zm9v\xc3\xa9" "AA", "UTF-8" },
	{ "Zm9vYg===", "padding beyond the block" },
};

static void
base64_decoder_rejects_malformed_input(void **state)
{
	size_t i, outlen;
	unsigned char *dec;

	(void)state;
	for (i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
		enum result rc = enc_base64_decode(b64_bad[i].in,
		    strlen(b64_bad[i].in), &dec, &outlen);

		if (rc != ERR_INVALID)
			fail_msg("accepted \"%s\" (%s)", b64_bad[i].in, b64_bad[i].why);
		assert_null(dec);
	}
}

static const struct {
	const char *in;
	const char *why;
} b64url_bad[] = {
	{ "Zg==", "padding (JWT has none)" },
	{ "Zm8=", "padding (JWT has none)" },
	{ "Z", "length mod 4 == 1" },
	{ "Zm9vY", "length mod 4 == 1" },
	{ "Zm9+", "a standard base64 character" },
	{ "Zm9/", "a standard base64 character" },
	{ "Zh", "leftover bits not zero" },
	{ "Zm9", "leftover bits not zero" },
	{ "Zm9v.", "a dot" },
	{ " Zm9v", "leading space" },
};

static void
base64url_decoder_rejects_padding_and_foreign_characters(void **state)
{
	size_t i, outlen;
	unsigned char *dec;

	(void)state;
	for (i = 0; i < sizeof(b64url_bad) / sizeof(b64url_bad[0]); i++) {
		enum result rc = enc_base64url_decode(b64url_bad[i].in,
		    strlen(b64url_bad[i].in), &dec, &outlen);

		if (rc != ERR_INVALID)
			fail_msg("accepted \"%s\" (%s)", b64url_bad[i].in, b64url_bad[i].why);
		assert_null(dec);
	}
}

static void
hex_is_lowercase(void **state)
{
	char out[9];

	(void)state;
	enc_hex("\x00\x9f\xab\xff", 4, out);
	assert_string_equal(out, "009fabff");
	enc_hex("", 0, out);
	assert_string_equal(out, "");
}

/* FIPS 180-2 appendix B and the empty string. */
static const struct {
	const char *in, *hex;
} sha_vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static void
sha256_matches_fips_vectors(void **state)
{
	size_t i;
	char hex[65];

	(void)state;
	for (i = 0; i < sizeof(sha_vectors) / sizeof(sha_vectors[0]); i++) {
		enc_sha256_hex(sha_vectors[i].in, strlen(sha_vectors[i].in), hex);
		assert_string_equal(hex, sha_vectors[i].hex);
	}
}

/* One million 'a' (FIPS 180-2 B.3): many read chunks, never whole in memory. */
static void
sha256_of_file_is_streamed_and_counts_bytes(void **state)
{
	char path[] = "/tmp/test_encode.XXXXXX", hex[65];
	char block[1000];
	struct errbuf e;
	long long size = -1;
	int fd, i;

	(void)state;
	memset(block, 'a', sizeof(block));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	close(fd);
	err_clear(&e);
	assert_int_equal(enc_sha256_file_hex(path, hex, &size, &e), OK);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_int_equal(size, 1000000);
	unlink(path);

	err_clear(&e);
	assert_int_equal(enc_sha256_file_hex(path, hex, &size, &e), ERR_IO);
	assert_non_null(strstr(err_msg(&e), path));
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void
hmac_sha256_matches_rfc4231(void **state)
{
	unsigned char key20[20], key131[131], mac[32];
	char hex[65];

	(void)state;
	memset(key20, 0x0b, sizeof(key20));
	enc_hmac_sha256(key20, sizeof(key20), "Hi There", 8, mac);
	enc_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	enc_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	enc_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	memset(key131, 0xaa, sizeof(key131));
	enc_hmac_sha256(key131, sizeof(key131),
	    "Test Using Larger Than Block-Size Key - Hash Key First", 54, mac);
	enc_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static const struct {
	const char *in;
	int keep_slash;
	const char *out;
} uri_vectors[] = {
	{ "AZaz09-._~", 0, "AZaz09-._~" },
	{ "a b", 0, "a%20b" },
	{ "a+b=c&d", 0, "a%2Bb%3Dc%26d" },
	{ "tracks/x y.mp3", 1, "tracks/x%20y.mp3" },
	{ "tracks/x y.mp3", 0, "tracks%2Fx%20y.mp3" },
	{ "100%", 0, "100%25" },
	{ "%2F", 1, "%252F" }, /* encoded once: a literal '%' stays data */
	{ "test$file.text", 1, "test%24file.text" },
	{ "!'()*", 0, "%21%27%28%29%2A" },
	{ "\xc3\xa9\xe2\x82\xac", 0, "%C3%A9%E2%82%AC" }, /* é€ as UTF-8 */
	{ "\x01\x7f\xff", 0, "%01%7F%FF" },
	{ "", 0, "" },
};

static void
uri_encoding_keeps_only_unreserved_characters(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(uri_vectors) / sizeof(uri_vectors[0]); i++) {
		const char *in = uri_vectors[i].in;
		char *out = enc_uri(in, strlen(in), uri_vectors[i].keep_slash != 0);

		assert_non_null(out);
		assert_string_equal(out, uri_vectors[i].out);
		assert_int_equal(enc_uri_len(in, strlen(in), uri_vectors[i].keep_slash != 0),
		    strlen(uri_vectors[i].out));
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_round_trips_rfc4648_vectors),
		cmocka_unit_test(base64_decoder_rejects_malformed_input),
		cmocka_unit_test(base64url_decoder_rejects_padding_and_foreign_characters),
		cmocka_unit_test(hex_is_lowercase),
		cmocka_unit_test(sha256_matches_fips_vectors),
		cmocka_unit_test(sha256_of_file_is_streamed_and_counts_bytes),
		cmocka_unit_test(hmac_sha256_matches_rfc4231),
		cmocka_unit_test(uri_encoding_keeps_only_unreserved_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
