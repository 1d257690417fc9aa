/* The query-string reader (fcgi/query.c): what is accepted, and the field each refusal names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "query.h"
#include "utf8.h"

enum { P_LIMIT, P_CURSOR, P_STATUS, P__MAX };

static void
params_init(struct query_param p[P__MAX])
{
	memset(p, 0, sizeof(struct query_param) * P__MAX);
	p[P_LIMIT].name = "limit";
	p[P_CURSOR].name = "cursor";
	p[P_STATUS].name = "status";
}

static void
query_accepts(void **state)
{
	static const struct {
		const char *qs, *limit, *cursor, *status; /* NULL: absent */
	} c[] = {
		{ NULL, NULL, NULL, NULL },
		{ "", NULL, NULL, NULL },
		{ "limit=5", "5", NULL, NULL },
		{ "limit=5&cursor=abc&status=failed", "5", "abc", "failed" },
		{ "status=a+b%20c", NULL, NULL, "a b c" },
		{ "%6Cimit=%31%30", "10", NULL, NULL },
		{ "cursor=", NULL, "", NULL },
		{ "cursor=a=b", NULL, "a=b", NULL },
		{ "status=%C3%A9", NULL, NULL, "\xc3\xa9" },
	};
	struct query_param p[P__MAX];
	struct query_error qe;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *want[P__MAX] = { c[i].limit, c[i].cursor, c[i].status };
		int k;

		params_init(p);
		if (query_parse(c[i].qs, p, P__MAX, &qe) != OK)
			fail_msg("case %zu (%s): refused: %s", i, c[i].qs, qe.detail);
		for (k = 0; k < P__MAX; k++) {
			assert_int_equal(p[k].present, want[k] != NULL);
			assert_string_equal(p[k].value, want[k] != NULL ? want[k] : "");
		}
	}
}

static void
query_refuses(void **state)
{
	static const struct { const char *qs, *field; } c[] = {
		{ "sort=asc", "sort" },
		{ "limit=1&limit=2", "limit" },
		{ "limit", "limit" },
		{ "limit=%", "limit" },
		{ "limit=%4", "limit" },
		{ "limit=%zz", "limit" },
		{ "limit=%00", "limit" },
		{ "limit=%0a", "limit" },
		{ "limit=%ff", "limit" },
		{ "limit=%c0%af", "limit" },
		{ "&", "query" },
		{ "limit=1&", "query" },
		{ "&limit=1", "query" },
		{ "limit=1&&status=x", "query" },
		{ "%zz=1", "query" },
		{ "%ff=1", "query" },
		{ "%01=1", "query" },
		{ "=1", "query" },
		{ "Limit=1", "Limit" },
		{ "limit%3D1=2", "limit=1" },
	};
	struct query_param p[P__MAX];
	struct query_error qe;
	char longq[600];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		params_init(p);
		memset(&qe, 0, sizeof(qe));
		if (query_parse(c[i].qs, p, P__MAX, &qe) != ERR_INVALID)
			fail_msg("case %zu (%s): accepted", i, c[i].qs);
		if (strcmp(qe.field, c[i].field) != 0)
			fail_msg("case %zu (%s): names \"%s\", want \"%s\"", i, c[i].qs, qe.field,
			    c[i].field);
		assert_true(qe.detail[0] != '\0');
		assert_true(utf8_valid(qe.detail, strlen(qe.detail), NULL, NULL));
	}
	/* A value longer than QUERY_VALUE_MAX, a name longer than any known one. */
	snprintf(longq, sizeof(longq), "cursor=%0*d", QUERY_VALUE_MAX + 1, 0);
	params_init(p);
	assert_int_equal(query_parse(longq, p, P__MAX, &qe), ERR_INVALID);
	assert_string_equal(qe.field, "cursor");
	snprintf(longq, sizeof(longq), "%0*d=1", 200, 0);
	params_init(p);
	assert_int_equal(query_parse(longq, p, P__MAX, &qe), ERR_INVALID);
	assert_true(strlen(qe.field) < QUERY_FIELD_MAX);
	assert_true(utf8_valid(qe.field, strlen(qe.field), NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_accepts),
		cmocka_unit_test(query_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
