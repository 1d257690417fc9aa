/* The route matcher: exact paths, one {id} segment, nothing more. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(route_match_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
