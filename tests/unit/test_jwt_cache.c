/*
 * test_jwt_cache.c: the cache of verified tokens answers exactly as
 * jwt_verify would: the same sub, the same refusals and messages once a
 * cached token's time is up, never a token that differs by a byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jwt.h"
#include "jwt_cache.h"

#define SECRET "dev-secret-0123456789abcdef"
#define NOW 1700000000LL
#define SUB "0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b"

static const struct jwt_rules rules = { SECRET, NULL, NULL, 0 };

/* Both answers for token at now: the cache's must equal jwt_verify's. */
static enum result
both(struct jwt_cache *c, const char *token, time_t now, char sub[37], char msg[256])
{
	struct errbuf e1, e2;
	char sub2[37];
	enum result rc1, rc2;

	err_clear(&e1);
	err_clear(&e2);
	rc1 = jwt_verify_cached(c, token, &rules, now, sub, &e1);
	rc2 = jwt_verify(token, &rules, now, sub2, &e2);
	assert_int_equal(rc1, rc2);
	assert_string_equal(sub, sub2);
	if (rc1 != OK)
		assert_string_equal(err_msg(&e1), err_msg(&e2));
	snprintf(msg, 256, "%s", rc1 == OK ? "" : err_msg(&e1));
	return rc1;
}

static void
hit_gives_the_same_sub_until_expiry(void **state)
{
	struct jwt_cache *c = calloc(1, sizeof(*c));
	char *tok = jwt_sign(SECRET, SUB, (time_t)NOW + 600, NULL, NULL);
	char sub[37], msg[256];

	(void)state;
	jwt_cache_init(c);
	assert_int_equal(both(c, tok, (time_t)NOW, sub, msg), OK);
	assert_string_equal(sub, SUB);
	assert_int_equal(c->misses, 1);
	assert_int_equal(both(c, tok, (time_t)NOW + 1, sub, msg), OK);
	assert_string_equal(sub, SUB);
	assert_int_equal(c->hits, 1);
	/* within the leeway, then past it: the same refusal as a fresh verify */
	assert_int_equal(both(c, tok, (time_t)NOW + 620, sub, msg), OK);
	assert_int_equal(both(c, tok, (time_t)NOW + 630, sub, msg), ERR_AUTH);
	assert_string_equal(msg, "token expired");
	assert_string_equal(sub, "");
	/* a clock set far back: exp is now too far ahead */
	assert_int_equal(both(c, tok, (time_t)NOW - 40 * 86400, sub, msg), ERR_AUTH);
	assert_int_equal(c->misses, 1);
	free(tok);
	free(c);
}

static void
a_byte_changed_is_verified_anew(void **state)
{
	struct jwt_cache *c = calloc(1, sizeof(*c));
	char *tok = jwt_sign(SECRET, SUB, (time_t)NOW + 600, NULL, NULL);
	char *bad = strdup(tok), sub[37], msg[256];
	size_t n = strlen(bad);

	(void)state;
	assert_int_equal(both(c, tok, (time_t)NOW, sub, msg), OK);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(both(c, bad, (time_t)NOW, sub, msg), ERR_AUTH);
	assert_string_equal(msg, "bad signature");
	/* refusals are not kept: every try is verified */
	assert_int_equal(both(c, bad, (time_t)NOW, sub, msg), ERR_AUTH);
	assert_int_equal(c->hits, 0);
	assert_int_equal(c->misses, 3);
	/* a prefix of a cached token is another token */
	bad[n - 1] = '\0';
	strncpy(bad, tok, n - 1);
	assert_int_equal(both(c, bad, (time_t)NOW, sub, msg), ERR_AUTH);
	assert_int_equal(c->hits, 0);
	assert_int_equal(both(c, tok, (time_t)NOW, sub, msg), OK);
	assert_int_equal(c->hits, 1);
	free(bad);
	free(tok);
	free(c);
}

/* More tokens than slots: each still yields its own sub; long ones are never kept. */
static void
slots_are_shared_and_long_tokens_skip_the_cache(void **state)
{
	struct jwt_cache *c = calloc(1, sizeof(*c));
	char *toks[3 * JWT_CACHE_SLOTS], subs[3 * JWT_CACHE_SLOTS][37], sub[37], msg[256];
	char aud[JWT_CACHE_TOKEN_MAX + 1];
	char *lng;
	size_t i, k;

	(void)state;
	for (i = 0; i < 3 * JWT_CACHE_SLOTS; i++) {
		snprintf(subs[i], sizeof(subs[i]), "0b9e1f7a-3c1d-4e6f-8a2b-%012zx", i);
		toks[i] = jwt_sign(SECRET, subs[i], (time_t)NOW + 600, NULL, NULL);
	}
	for (k = 0; k < 3; k++)
		for (i = 0; i < 3 * JWT_CACHE_SLOTS; i++) {
			assert_int_equal(both(c, toks[i], (time_t)NOW, sub, msg), OK);
			assert_string_equal(sub, subs[i]);
		}
	assert_true(c->hits > 0);
	for (i = 0; i < 3 * JWT_CACHE_SLOTS; i++)
		free(toks[i]);
	memset(aud, 'a', sizeof(aud) - 1);
	aud[sizeof(aud) - 1] = '\0';
	lng = jwt_sign(SECRET, SUB, (time_t)NOW + 600, NULL, aud);
	assert_true(strlen(lng) >= JWT_CACHE_TOKEN_MAX);
	k = c->hits + c->misses;
	assert_int_equal(both(c, lng, (time_t)NOW, sub, msg), OK);
	assert_int_equal(both(c, lng, (time_t)NOW, sub, msg), OK);
	assert_int_equal(c->hits + c->misses, k);
	/* no cache at all: plain jwt_verify */
	{
		struct errbuf e;

		err_clear(&e);
		assert_int_equal(jwt_verify_cached(NULL, lng, &rules, (time_t)NOW, sub, &e), OK);
	}
	free(lng);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hit_gives_the_same_sub_until_expiry),
		cmocka_unit_test(a_byte_changed_is_verified_anew),
		cmocka_unit_test(slots_are_shared_and_long_tokens_skip_the_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
