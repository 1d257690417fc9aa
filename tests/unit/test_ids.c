/* New ids (lib/ids.c): UUID version 7's layout, order and uniqueness; the checks still take any UUID. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ids.h"

#define MANY 100000

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The 48-bit millisecond field: the first 12 hex digits. */
static uint64_t
uuid7_ms(const char *id)
{
	char hex[13];

	memcpy(hex, id, 8);
	memcpy(hex + 8, id + 9, 4);
	hex[12] = '\0';
	return strtoull(hex, NULL, 16);
}

static void
uuid7_layout(void **state)
{
	char id[37], norm[37];
	uint64_t before, after;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		before = now_ms();
		assert_int_equal(id_uuid7(id), OK);
		after = now_ms();
		assert_int_equal(strlen(id), 36);
		assert_true(id_is_uuid(id));
		/* already lower case: normalizing changes nothing */
		assert_true(id_uuid_normalize(id, norm));
		assert_string_equal(norm, id);
		assert_int_equal(id[14], '7');                  /* version 7 */
		assert_non_null(strchr("89ab", id[19]));        /* variant 10 */
		assert_in_range(uuid7_ms(id), before, after);   /* Unix ms, now */
	}
}

static void
uuid7_ordered(void **state)
{
	char prev[37], id[37];
	int i;

	(void)state;
	assert_int_equal(id_uuid7(prev), OK);
	for (i = 0; i < MANY; i++) {
		assert_int_equal(id_uuid7(id), OK);
		/* lower-case hex sorts as the bytes do, as PostgreSQL's uuid does */
		assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof(id));
	}
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
uuid7_unique(void **state)
{
	char (*ids)[37] = malloc(sizeof(*ids) * MANY);
	int i;

	(void)state;
	assert_non_null(ids);
	for (i = 0; i < MANY; i++)
		assert_int_equal(id_uuid7(ids[i]), OK);
	qsort(ids, MANY, sizeof(*ids), cmp_id);
	for (i = 1; i < MANY; i++)
		assert_true(strcmp(ids[i - 1], ids[i]) != 0);
	/* and not just ordered: the random tail differs within one millisecond too */
	for (i = 1; i < MANY; i++)
		assert_true(strcmp(ids[i - 1] + 19, ids[i] + 19) != 0);
	free(ids);
}

/*
 * The clock step: past the last value it is the clock; else the last plus
 * one. Runs last: it leaves the process's last id in the year 6429.
 */
static void
uuid7_clock_step(void **state)
{
	uint64_t base = (uint64_t)1 << 47, t;

	(void)state;
	t = id_uuid7_next(base << 12 | 5);
	assert_true(t == (base << 12 | 5));
	/* the same instant again, then a clock stepped back: one more each */
	assert_true(id_uuid7_next(base << 12 | 5) == (base << 12 | 6));
	assert_true(id_uuid7_next((base - 1000) << 12) == (base << 12 | 7));
	/* the fraction's 12 bits carry into the millisecond */
	assert_true(id_uuid7_next(base << 12 | 0xfff) == (base << 12 | 0xfff));
	assert_true(id_uuid7_next(base << 12) == ((base + 1) << 12));
	/* a clock ahead again is taken as it is */
	assert_true(id_uuid7_next((base + 2) << 12 | 3) == ((base + 2) << 12 | 3));
}

static void
uuid4_still(void **state)
{
	char id[37];

	(void)state;
	assert_int_equal(id_uuid4(id), OK);
	assert_true(id_is_uuid(id));
	assert_int_equal(id[14], '4');
	assert_non_null(strchr("89ab", id[19]));
}

/* Every UUID is still an id: version 4 ids in existing databases, any version, any case. */
static void
checks_take_any_uuid(void **state)
{
	static const char *const good[] = {
		"3e82ef99-aaeb-423f-bcd3-f6292c0f0af9",   /* v4 */
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f",   /* v7, RFC 9562 appendix A.6 */
		"017F22E2-79B0-7CC3-98C4-DC0C0C07398F",
		"00000000-0000-0000-0000-000000000000",
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8",   /* v1 */
	};
	static const char *const bad[] = {
		"", "3e82ef99aaeb423fbcd3f6292c0f0af9", "3e82ef99-aaeb-423f-bcd3-f6292c0f0af",
		"3e82ef99-aaeb-423f-bcd3-f6292c0f0af9x", "3e82ef99-aaeb-423f-bcd3_f6292c0f0af9",
		"g e82ef99-aaeb-423f-bcd3-f6292c0f0af9",
	};
	char out[37];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(id_is_uuid(good[i]));
		assert_true(id_uuid_normalize(good[i], out));
	}
	assert_string_equal(out, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
	assert_true(id_uuid_normalize(good[2], out));
	assert_string_equal(out, good[1]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(id_is_uuid(bad[i]));
		assert_false(id_uuid_normalize(bad[i], out));
	}
	assert_false(id_is_uuid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid7_layout),
		cmocka_unit_test(uuid7_ordered),
		cmocka_unit_test(uuid7_unique),
		cmocka_unit_test(uuid4_still),
		cmocka_unit_test(checks_take_any_uuid),
		cmocka_unit_test(uuid7_clock_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
