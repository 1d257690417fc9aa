/*
 * test_jwt.c: HS256 bearer tokens. Tokens are built here from raw header
 * and payload JSON, so each case states exactly what the client sent.
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
#include "jwt.h"

#define SECRET "dev-secret-0123456789abcdef"
#define NOW 1700000000LL
#define SUB "0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b"

static char *make_token(const char *header, const char *payload, const char *secret);

/* header and payload as given; signed with secret, or "" signature if NULL. */
static char *
make_token(const char *header, const char *payload, const char *secret)
{
	char *h = enc_base64url(header, strlen(header));
	char *p = enc_base64url(payload, strlen(payload));
	char *signing, *sig, *tok;
	unsigned char mac[32];

	assert_non_null(h);
	assert_non_null(p);
	assert_true(asprintf(&signing, "%s.%s", h, p) > 0);
	if (secret != NULL) {
		enc_hmac_sha256(secret, strlen(secret), signing, strlen(signing), mac);
		sig = enc_base64url(mac, sizeof(mac));
	} else {
		sig = strdup("");
	}
	assert_non_null(sig);
	assert_true(asprintf(&tok, "%s.%s", signing, sig) > 0);
	free(h);
	free(p);
	free(signing);
	free(sig);
	return tok;
}

/* The API's rules with no issuer or audience set: the default 30-day bound on exp. */
static const struct jwt_rules lax = { SECRET, NULL, NULL, 0 };

#define HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define PAYLOAD(extra) "{\"sub\":\"" SUB "\",\"exp\":1700003600" extra "}"

static const struct {
	const char *name;
	const char *header, *payload;
	const char *secret; /* signing secret; NULL: empty signature */
	enum result want;
	const char *why; /* substring of the error, or the sub on OK */
} cases[] = {
	{ "valid token", HS256, PAYLOAD(""), SECRET, OK, SUB },
	{ "header without typ", "{\"alg\":\"HS256\"}", PAYLOAD(""), SECRET, OK, SUB },
	{ "typ in lowercase", "{\"alg\":\"HS256\",\"typ\":\"jwt\"}", PAYLOAD(""), SECRET, OK, SUB },
	{ "sub in uppercase is normalized", HS256,
	  "{\"sub\":\"0B9E1F7A-3C1D-4E6F-8A2B-5C4D3E2F1A0B\",\"exp\":1700003600}",
	  SECRET, OK, SUB },
	{ "exp a whole number written as a double", HS256, "{\"sub\":\"" SUB "\",\"exp\":1.7000036e9}", SECRET, OK, SUB },
	{ "exp 30 days ahead, within leeway", HS256, "{\"sub\":\"" SUB "\",\"exp\":1702592030}", SECRET, OK, SUB },
	{ "a colon inside a claim name is not a member", HS256, PAYLOAD(",\"a:b\":\"c:d\\\":{\""), SECRET, OK, SUB },
	{ "repeats inside a claim's value are its own business", HS256, PAYLOAD(",\"x\":{\"a\":1,\"a\":2}"), SECRET, OK, SUB },
	{ "expired within 30 s of leeway", HS256, "{\"sub\":\"" SUB "\",\"exp\":1699999975}",
	  SECRET, OK, SUB },
	{ "nbf in the past", HS256, PAYLOAD(",\"nbf\":1699990000"), SECRET, OK, SUB },
	{ "nbf within leeway", HS256, PAYLOAD(",\"nbf\":1700000020"), SECRET, OK, SUB },
	{ "other claims ignored", HS256, PAYLOAD(",\"iat\":1,\"name\":\"x\",\"aud\":[1]"), SECRET, OK, SUB },

	{ "expired", HS256, "{\"sub\":\"" SUB "\",\"exp\":1699999970}", SECRET, ERR_AUTH, "token expired" },
	{ "fractional exp", HS256, "{\"sub\":\"" SUB "\",\"exp\":1700003600.5}", SECRET, ERR_AUTH, "exp claim is not a whole number" },
	{ "fractional nbf", HS256, PAYLOAD(",\"nbf\":1699990000.25"), SECRET, ERR_AUTH, "nbf claim is not a whole number" },
	{ "exp 1e23", HS256, "{\"sub\":\"" SUB "\",\"exp\":1e23}", SECRET, ERR_AUTH, "expires more than 2592000 s from now" },
	{ "exp beyond int64", HS256, "{\"sub\":\"" SUB "\",\"exp\":99999999999999999999999}", SECRET, ERR_AUTH, "expires more than" },
	{ "exp INT64_MAX", HS256, "{\"sub\":\"" SUB "\",\"exp\":9223372036854775807}", SECRET, ERR_AUTH, "expires more than" },
	{ "exp 30 days and a minute ahead", HS256, "{\"sub\":\"" SUB "\",\"exp\":1702592060}", SECRET, ERR_AUTH, "expires more than" },
	{ "exp -1e300", HS256, "{\"sub\":\"" SUB "\",\"exp\":-1e300}", SECRET, ERR_AUTH, "token expired" },
	{ "exp below int64", HS256, "{\"sub\":\"" SUB "\",\"exp\":-99999999999999999999999}", SECRET, ERR_AUTH, "token expired" },
	{ "sub twice", HS256, "{\"sub\":\"11111111-2222-3333-4444-555555555555\",\"sub\":\"" SUB "\",\"exp\":1700003600}", SECRET, ERR_AUTH, "payload repeats a member" },
	{ "exp twice", HS256, PAYLOAD(",\"exp\":1800000000"), SECRET, ERR_AUTH, "payload repeats a member" },
	{ "sub twice, once escaped", HS256, PAYLOAD(",\"\\u0073ub\":\"11111111-2222-3333-4444-555555555555\""), SECRET, ERR_AUTH, "repeats a member" },
	{ "names equal up to an escaped NUL", HS256, PAYLOAD(",\"a\\u0000x\":1,\"a\\u0000y\":2"), SECRET, ERR_AUTH, "repeats a member" },
	{ "alg twice in the header", "{\"alg\":\"none\",\"alg\":\"HS256\"}", PAYLOAD(""), SECRET, ERR_AUTH, "header repeats a member" },
	{ "sub with a NUL after the UUID", HS256, "{\"sub\":\"" SUB "\\u0000admin\",\"exp\":1700003600}", SECRET, ERR_AUTH, "not a user id" },
	{ "sub with a space after the UUID", HS256, "{\"sub\":\"" SUB " \",\"exp\":1700003600}", SECRET, ERR_AUTH, "not a user id" },
	{ "exp missing", HS256, "{\"sub\":\"" SUB "\"}", SECRET, ERR_AUTH, "no exp claim" },
	{ "exp a string", HS256, "{\"sub\":\"" SUB "\",\"exp\":\"1700003600\"}", SECRET, ERR_AUTH, "exp claim is not a number" },
	{ "exp null", HS256, "{\"sub\":\"" SUB "\",\"exp\":null}", SECRET, ERR_AUTH, "exp" },
	{ "exp true", HS256, "{\"sub\":\"" SUB "\",\"exp\":true}", SECRET, ERR_AUTH, "exp claim is not a number" },
	{ "nbf in the future", HS256, PAYLOAD(",\"nbf\":1700000100"), SECRET, ERR_AUTH, "not yet valid" },
	{ "nbf a string", HS256, PAYLOAD(",\"nbf\":\"0\""), SECRET, ERR_AUTH, "nbf claim is not a number" },
	{ "sub missing", HS256, "{\"exp\":1700003600}", SECRET, ERR_AUTH, "no sub claim" },
	{ "sub not a UUID", HS256, "{\"sub\":\"1234567890\",\"exp\":1700003600}", SECRET, ERR_AUTH, "not a user id" },
	{ "sub a UUID with braces", HS256, "{\"sub\":\"{" SUB "}\",\"exp\":1700003600}", SECRET, ERR_AUTH, "not a user id" },
	{ "sub a number", HS256, "{\"sub\":12,\"exp\":1700003600}", SECRET, ERR_AUTH, "not a user id" },

	{ "alg none, unsigned", "{\"alg\":\"none\",\"typ\":\"JWT\"}", PAYLOAD(""), NULL, ERR_AUTH, "not HS256" },
	{ "alg none, signed anyway", "{\"alg\":\"none\"}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "alg HS512", "{\"alg\":\"HS512\"}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "alg RS256", "{\"alg\":\"RS256\"}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "alg in lowercase", "{\"alg\":\"hs256\"}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "alg missing", "{\"typ\":\"JWT\"}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "alg not a string", "{\"alg\":[\"HS256\"]}", PAYLOAD(""), SECRET, ERR_AUTH, "not HS256" },
	{ "typ not JWT", "{\"alg\":\"HS256\",\"typ\":\"JOSE+JSON\"}", PAYLOAD(""), SECRET, ERR_AUTH, "type is not JWT" },
	{ "critical extensions", "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", PAYLOAD(""), SECRET, ERR_AUTH, "critical" },
	{ "signed with another secret", HS256, PAYLOAD(""), "another-secret-0123456789", ERR_AUTH, "bad signature" },
	{ "empty signature", HS256, PAYLOAD(""), NULL, ERR_AUTH, "bad signature" },
	{ "header not JSON", "alg=HS256", PAYLOAD(""), SECRET, ERR_AUTH, "malformed token header" },
	{ "header a JSON array", "[\"HS256\"]", PAYLOAD(""), SECRET, ERR_AUTH, "malformed token header" },
	{ "header with trailing bytes", HS256 "x", PAYLOAD(""), SECRET, ERR_AUTH, "malformed token header" },
	{ "payload not JSON", HS256, "sub=x", SECRET, ERR_AUTH, "malformed token payload" },
	{ "payload a JSON string", HS256, "\"" SUB "\"", SECRET, ERR_AUTH, "malformed token payload" },
	{ "payload with trailing bytes", HS256, PAYLOAD("") "{}", SECRET, ERR_AUTH, "malformed token payload" },
};

static void
verify_follows_the_case_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = make_token(cases[i].header, cases[i].payload, cases[i].secret);
		struct errbuf e;
		char sub[37];
		enum result rc;

		err_clear(&e);
		memset(sub, 'x', sizeof(sub));
		rc = jwt_verify(tok, &lax, (time_t)NOW, sub, &e);
		if (rc != cases[i].want)
			fail_msg("%s: got %s (%s), want %s", cases[i].name,
			    result_str(rc), err_msg(&e), result_str(cases[i].want));
		if (rc == OK) {
			if (strcmp(sub, cases[i].why) != 0)
				fail_msg("%s: sub %s, want %s", cases[i].name, sub, cases[i].why);
		} else {
			if (strstr(err_msg(&e), cases[i].why) == NULL)
				fail_msg("%s: error \"%s\" does not say \"%s\"", cases[i].name,
				    err_msg(&e), cases[i].why);
			if (sub[0] != '\0')
				fail_msg("%s: sub not cleared on failure", cases[i].name);
		}
		free(tok);
	}
}

/* Whole tokens mangled after signing. */
static const struct {
	const char *name;
	const char *token;
	const char *why;
} bad_shapes[] = {
	{ "empty", "", "token missing" },
	{ "one part", "abc", "malformed token" },
	{ "two parts", "eyJhbGciOiJIUzI1NiJ9.e30", "malformed token" },
	{ "four parts", "a.b.c.d", "malformed token" },
	{ "header not base64url", "eyJhbGciOiJIUzI1NiJ9=.e30.AAAA", "malformed token header" },
	{ "only dots", "..", "malformed token header" },
};

static void
verify_rejects_malformed_tokens(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_shapes) / sizeof(bad_shapes[0]); i++) {
		struct errbuf e;
		char sub[37];

		err_clear(&e);
		assert_int_equal(jwt_verify(bad_shapes[i].token, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
		if (strstr(err_msg(&e), bad_shapes[i].why) == NULL)
			fail_msg("%s: error \"%s\" does not say \"%s\"", bad_shapes[i].name,
			    err_msg(&e), bad_shapes[i].why);
	}
}

static void
verify_rejects_tampering_after_signing(void **state)
{
	char *tok = make_token(HS256, PAYLOAD(""), SECRET);
	char *other = make_token(HS256,
	    "{\"sub\":\"11111111-2222-3333-4444-555555555555\",\"exp\":1700003600}", SECRET);
	char *dot = strrchr(tok, '.'), *odot = strrchr(other, '.');
	char *mix, *padded, *trunc;
	struct errbuf e;
	char sub[37], saved;
	size_t len = strlen(tok);

	(void)state;
	/* Another user's payload under this token's signature. */
	assert_true(asprintf(&mix, "%.*s%s", (int)(odot - other), other, dot) > 0);
	assert_string_not_equal(mix, tok);
	err_clear(&e);
	assert_int_equal(jwt_verify(mix, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "bad signature");

	/* One character of the signature changed. */
	saved = tok[len - 2];
	tok[len - 2] = saved == 'A' ? 'B' : 'A';
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "bad signature");
	tok[len - 2] = saved;

	/* Padding is not base64url as JWT uses it. */
	assert_true(asprintf(&padded, "%s=", tok) > 0);
	err_clear(&e);
	assert_int_equal(jwt_verify(padded, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "bad signature");

	/* A truncated signature. */
	trunc = strndup(tok, (size_t)(dot - tok) + 10);
	err_clear(&e);
	assert_int_equal(jwt_verify(trunc, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "bad signature");

	/* And the untouched token still passes. */
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &lax, (time_t)NOW, sub, &e), OK);
	free(tok);
	free(other);
	free(mix);
	free(padded);
	free(trunc);
}

static void
verify_rejects_oversized_tokens_and_missing_secret(void **state)
{
	char *big = malloc(9000), *tok = make_token(HS256, PAYLOAD(""), SECRET);
	struct errbuf e;
	char sub[37];

	(void)state;
	memset(big, 'A', 8999);
	big[8999] = '\0';
	big[100] = big[200] = '.';
	err_clear(&e);
	assert_int_equal(jwt_verify(big, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token too long");
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &(struct jwt_rules){ "", NULL, NULL, 0 }, (time_t)NOW, sub, &e),
	    ERR_AUTH);
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, NULL, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token cannot be checked: no secret configured");
	err_clear(&e);
	assert_int_equal(jwt_verify(NULL, &lax, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token missing");
	free(big);
	free(tok);
}

/*
 * The HS256 example token from jwt.io (secret "your-256-bit-secret"): its
 * signature is right, so verification gets as far as the claims and stops
 * at the missing exp. Shows the HMAC and encodings agree with the world.
 */
static void
verify_accepts_a_foreign_signature_then_checks_claims(void **state)
{
	static const char tok[] =
	    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
	    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
	    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
	struct errbuf e;
	char sub[37];

	(void)state;
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &(struct jwt_rules){ "your-256-bit-secret", NULL, NULL, 0 },
	    (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token has no exp claim");
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &(struct jwt_rules){ "not-the-secret", NULL, NULL, 0 },
	    (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "bad signature");
}

static void
sign_then_verify_round_trips(void **state)
{
	char *tok = jwt_sign(SECRET, SUB, (time_t)(NOW + 60), NULL, NULL);
	struct errbuf e;
	char sub[37];

	(void)state;
	assert_non_null(tok);
	assert_int_equal(strncmp(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37), 0);
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &lax, (time_t)NOW, sub, &e), OK);
	assert_string_equal(sub, SUB);
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &lax, (time_t)(NOW + 91), sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token expired");
	free(tok);
	assert_null(jwt_sign("", SUB, (time_t)NOW, NULL, NULL));
}

/* jwt_sign() with iss and aud passes rules that ask for them. */
static void
sign_with_issuer_and_audience_round_trips(void **state)
{
	static const struct jwt_rules strict = { SECRET, "https://id.example", "mustory-api", 3600 };
	char *tok = jwt_sign(SECRET, SUB, (time_t)(NOW + 60), "https://id.example", "mustory-api");
	char *bare = jwt_sign(SECRET, SUB, (time_t)(NOW + 60), NULL, "");
	struct errbuf e;
	char sub[37];

	(void)state;
	assert_non_null(tok);
	assert_non_null(bare);
	err_clear(&e);
	assert_int_equal(jwt_verify(tok, &strict, (time_t)NOW, sub, &e), OK);
	assert_string_equal(sub, SUB);
	err_clear(&e);
	assert_int_equal(jwt_verify(bare, &strict, (time_t)NOW, sub, &e), ERR_AUTH);
	assert_string_equal(err_msg(&e), "token has no iss claim");
	err_clear(&e);
	assert_int_equal(jwt_verify(bare, &lax, (time_t)NOW, sub, &e), OK);
	free(tok);
	free(bare);
}

/* Rules with an issuer, an audience and a one-day bound on exp. */
#define ISS "https://id.example"
#define AUD "mustory-api"
#define CLAIMS(extra) "{\"sub\":\"" SUB "\",\"exp\":1700003600" extra "}"

static const struct {
	const char *name;
	const char *payload;
	enum result want;
	const char *why; /* substring of the error, or the sub on OK */
} strict_cases[] = {
	{ "iss and aud as configured", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\""), OK, SUB },
	{ "aud an array holding ours", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":[\"other\",\"" AUD "\"]"), OK, SUB },
	{ "exp a day ahead, within leeway", "{\"sub\":\"" SUB "\",\"exp\":1700086430,\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}", OK, SUB },

	{ "exp a day and a minute ahead", "{\"sub\":\"" SUB "\",\"exp\":1700086460,\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}", ERR_AUTH, "expires more than 86400 s from now" },
	{ "iss missing", CLAIMS(",\"aud\":\"" AUD "\""), ERR_AUTH, "token has no iss claim" },
	{ "iss null", CLAIMS(",\"iss\":null,\"aud\":\"" AUD "\""), ERR_AUTH, "token has no iss claim" },
	{ "iss another issuer", CLAIMS(",\"iss\":\"https://evil.example\",\"aud\":\"" AUD "\""), ERR_AUTH, "issuer is not accepted" },
	{ "iss in another case", CLAIMS(",\"iss\":\"HTTPS://ID.EXAMPLE\",\"aud\":\"" AUD "\""), ERR_AUTH, "issuer is not accepted" },
	{ "iss with a NUL and more", CLAIMS(",\"iss\":\"" ISS "\\u0000x\",\"aud\":\"" AUD "\""), ERR_AUTH, "issuer is not accepted" },
	{ "iss a prefix of ours", CLAIMS(",\"iss\":\"https://id\",\"aud\":\"" AUD "\""), ERR_AUTH, "issuer is not accepted" },
	{ "iss an array", CLAIMS(",\"iss\":[\"" ISS "\"],\"aud\":\"" AUD "\""), ERR_AUTH, "issuer is not accepted" },
	{ "aud missing", CLAIMS(",\"iss\":\"" ISS "\""), ERR_AUTH, "token has no aud claim" },
	{ "aud another service", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"other\""), ERR_AUTH, "another audience" },
	{ "aud an array without ours", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":[\"a\",\"b\"]"), ERR_AUTH, "another audience" },
	{ "aud an empty array", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":[]"), ERR_AUTH, "another audience" },
	{ "aud an array with a number", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":[\"" AUD "\",1]"), ERR_AUTH, "not a string or an array of strings" },
	{ "aud a nested array", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":[[\"" AUD "\"]]"), ERR_AUTH, "not a string or an array of strings" },
	{ "aud a number", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":7"), ERR_AUTH, "not a string or an array of strings" },
	{ "aud an object", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":{\"" AUD "\":true}"), ERR_AUTH, "not a string or an array of strings" },
	{ "aud with a NUL and more", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\\u0000\""), ERR_AUTH, "another audience" },
	{ "iss twice, the last ours", CLAIMS(",\"iss\":\"x\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\""), ERR_AUTH, "repeats a member" },
	{ "aud twice, the last ours", CLAIMS(",\"iss\":\"" ISS "\",\"aud\":\"x\",\"aud\":\"" AUD "\""), ERR_AUTH, "repeats a member" },
};

static void
verify_checks_issuer_audience_and_lifetime_when_set(void **state)
{
	static const struct jwt_rules strict = { SECRET, ISS, AUD, 86400 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strict_cases) / sizeof(strict_cases[0]); i++) {
		char *tok = make_token(HS256, strict_cases[i].payload, SECRET);
		struct errbuf e;
		char sub[37];
		enum result rc;

		err_clear(&e);
		memset(sub, 'x', sizeof(sub));
		rc = jwt_verify(tok, &strict, (time_t)NOW, sub, &e);
		if (rc != strict_cases[i].want)
			fail_msg("%s: got %s (%s), want %s", strict_cases[i].name, result_str(rc),
			    err_msg(&e), result_str(strict_cases[i].want));
		if (rc == OK && strcmp(sub, strict_cases[i].why) != 0)
			fail_msg("%s: sub %s", strict_cases[i].name, sub);
		if (rc != OK && (strstr(err_msg(&e), strict_cases[i].why) == NULL || sub[0] != '\0'))
			fail_msg("%s: error \"%s\" does not say \"%s\" (or sub kept)",
			    strict_cases[i].name, err_msg(&e), strict_cases[i].why);
		free(tok);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verify_follows_the_case_table),
		cmocka_unit_test(verify_rejects_malformed_tokens),
		cmocka_unit_test(verify_rejects_tampering_after_signing),
		cmocka_unit_test(verify_rejects_oversized_tokens_and_missing_secret),
		cmocka_unit_test(verify_accepts_a_foreign_signature_then_checks_claims),
		cmocka_unit_test(sign_then_verify_round_trips),
		cmocka_unit_test(sign_with_issuer_and_audience_round_trips),
		cmocka_unit_test(verify_checks_issuer_audience_and_lifetime_when_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
