/* The route matcher: exact paths, one {id} segment, nothing more. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "routes.h"

static void
route_match_table(void **state)
{
	static const struct { const char *pat, *path; int match; const char *seg; } c[] = {
		{ "/tracks/upload/init", "/tracks/upload/init", 1, NULL },
		{ "/tracks/upload/init", "/tracks/upload/init/", 0, NULL },
		{ "/tracks/upload/init", "/tracks/upload/initx", 0, NULL },
		{ "/tracks/upload/status/*", "/tracks/upload/status/abc", 1, "abc" },
		{ "/tracks/upload/status/*", "/tracks/upload/status/", 0, NULL },
		{ "/tracks/upload/status/*", "/tracks/upload/status/a/b", 0, NULL },
		{ "/tracks/*", "/tracks/123", 1, "123" },
		{ "/tracks/*", "/tracks/upload/init", 0, NULL },
		{ "/tracks/*", "/trackss/1", 0, NULL },
		{ "/healthz", "/healthz", 1, NULL },
		/* A '*' between slashes: the segment, then exactly the rest. */
		{ "/tracks/*/original", "/tracks/123/original", 1, "123/original" },
		{ "/tracks/*/original", "/tracks//original", 0, NULL },
		{ "/tracks/*/original", "/tracks/123/original/", 0, NULL },
		{ "/tracks/*/original", "/tracks/123/originals", 0, NULL },
		{ "/tracks/*/original", "/tracks/1/2/original", 0, NULL },
		{ "/tracks/*/original", "/tracks/123", 0, NULL },
		{ "/tracks/*", "/tracks/123/original", 0, NULL },
		{ "/tracks", "/tracks", 1, NULL },
		{ "/tracks", "/tracks/", 0, NULL },
		{ "/tracks/*", "/tracks/", 0, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *seg = NULL;
		int m = route_match(c[i].pat, c[i].path, &seg);

		if (m != c[i].match)
			fail_msg("case %zu: %s vs %s: got %d", i, c[i].pat, c[i].path, m);
		if (c[i].seg != NULL)
			assert_string_equal(seg, c[i].seg);
	}
}

/* The labels /metrics counts requests under: the table's method and pattern. */
static void
route_labels(void **state)
{
	char buf[64];
	int i;

	(void)state;
	assert_string_equal(routes_label_path(ROUTE_STATUS, buf, sizeof(buf)),
	    "/tracks/upload/status/{track_id}");
	assert_string_equal(routes_label_path(ROUTE_ORIGINAL, buf, sizeof(buf)),
	    "/tracks/{track_id}/original");
	assert_string_equal(routes_label_path(ROUTE_METRICS, buf, sizeof(buf)), "/metrics");
	assert_string_equal(routes_label_path(ROUTE__MAX, buf, sizeof(buf)), "");
	assert_string_equal(routes_label_path(-1, buf, sizeof(buf)), "");
	assert_string_equal(routes_method(ROUTE_INIT), "POST");
	assert_string_equal(routes_method(ROUTE_METRICS), "GET");
	assert_null(routes_method(ROUTE__MAX));
	/* every route has a label that fits and names no raw segment */
	for (i = 0; i < ROUTE__MAX; i++) {
		assert_non_null(routes_method(i));
		assert_true(strlen(routes_label_path(i, buf, sizeof(buf))) < sizeof(buf) - 1);
		assert_null(strchr(buf, '*'));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(route_match_table),
		cmocka_unit_test(route_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
