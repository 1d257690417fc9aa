/* The gateway decision (fcgi/gateway.c) and the CGI request (fcgi/cgi.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgi.h"
#include "gateway.h"

static void
decide_table(void **state)
{
	static const struct {
		struct gateway_env env;
		enum gateway_mode want;
	} cases[] = {
		{ { "1", "42", 42, false, NULL }, GATEWAY_SOCKET_ACTIVATION },
		/* systemd's variables win over a listening stdin and CGI */
		{ { "2", "42", 42, true, "CGI/1.1" }, GATEWAY_SOCKET_ACTIVATION },
		/* LISTEN_FDS for another process (inherited from a parent) */
		{ { "1", "41", 42, false, NULL }, GATEWAY_OWN_SOCKET },
		{ { "1", NULL, 42, false, NULL }, GATEWAY_OWN_SOCKET },
		{ { "0", "42", 42, false, NULL }, GATEWAY_OWN_SOCKET },
		{ { "x", "42", 42, true, NULL }, GATEWAY_INHERITED },
		{ { NULL, NULL, 42, true, "CGI/1.1" }, GATEWAY_INHERITED },
		{ { NULL, NULL, 42, false, "CGI/1.1" }, GATEWAY_CGI },
		{ { NULL, NULL, 42, false, "" }, GATEWAY_OWN_SOCKET },
		/* stdin /dev/null or a pipe: a daemon, not CGI (FCGX_IsCGI would say CGI) */
		{ { NULL, NULL, 42, false, NULL }, GATEWAY_OWN_SOCKET },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (gateway_decide(&cases[i].env) != cases[i].want)
			fail_msg("case %zu: got %s, want %s", i,
			    gateway_mode_str(gateway_decide(&cases[i].env)),
			    gateway_mode_str(cases[i].want));
	assert_string_equal(gateway_mode_str(GATEWAY_CGI), "CGI");
}

/* The body is CONTENT_LENGTH bytes of standard input, never more. */
static void
cgi_reads_content_length(void **state)
{
	char *env[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=11", NULL };
	struct cgi_body b;
	char buf[64];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hello worldEXTRA", 16), 16);
	cgi_read_body(env, p[0], 1024, &b);
	assert_int_equal(b.len, 11);
	assert_false(b.over);
	assert_memory_equal(b.p, "hello world", 11);
	/* what follows the body stays unread */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 5);
	free(b.p);
	/* a body that ends early is what arrived */
	assert_int_equal(write(p[1], "hello", 5), 5);
	close(p[1]);
	cgi_read_body(env, p[0], 1024, &b);
	assert_int_equal(b.len, 5);
	free(b.p);
	close(p[0]);
}

/* No CONTENT_LENGTH (a GET), a bad one, or one over the cap: no body, stdin never read. */
static void
cgi_no_body_without_length(void **state)
{
	char *env1[] = { "REQUEST_METHOD=GET", NULL };
	char *env2[] = { "CONTENT_LENGTH=-5", NULL };
	char *env3[] = { "CONTENT_LENGTH=12abc", NULL };
	char *env4[] = { "CONTENT_LENGTH=2000", NULL };
	char **envs[] = { env1, env2, env3, env4 };
	struct cgi_body b;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		/* fd -1: a read would fail, so 0 bytes means it was not tried */
		cgi_read_body(envs[i], -1, 1024, &b);
		assert_int_equal(b.len, 0);
		assert_null(b.p);
		assert_true(b.over == (i == 3));
	}
}

/* A response larger than a pipe's buffer arrives whole and in order. */
static void
cgi_writes_whole_response(void **state)
{
	FILE *f = tmpfile();
	size_t total = 18 + 30 * 1000;
	char *resp = malloc(total), *back = calloc(1, total + 1);
	size_t i;

	(void)state;
	assert_non_null(f);
	assert_non_null(resp);
	assert_non_null(back);
	memcpy(resp, "Status: 200 OK\r\n\r\n", 18);
	for (i = 0; i < 30; i++)
		memset(resp + 18 + i * 1000, 'a' + (int)(i % 26), 1000);
	assert_int_equal(cgi_write(fileno(f), resp, total), 0);
	rewind(f);
	assert_int_equal(fread(back, 1, total + 1, f), total);
	assert_memory_equal(back, resp, total);
	assert_int_equal(cgi_write(-1, resp, 1), -1);
	free(back);
	free(resp);
	fclose(f);
}

/* The path from SCRIPT_NAME + PATH_INFO, else REQUEST_URI decoded. */
static void
path_table(void **state)
{
	static const struct {
		const char *sn, *pi, *uri, *want;
		bool ok;
	} c[] = {
		/* nginx: SCRIPT_NAME "" and PATH_INFO $uri */
		{ "", "/tracks/upload/init", "/tracks/upload/init?a=1", "/tracks/upload/init", true },
		/* Apache ScriptAlias /tracks: the split form */
		{ "/tracks", "/upload/init", "/tracks/upload/init", "/tracks/upload/init", true },
		{ "/healthz", NULL, "/healthz", "/healthz", true },
		/* no SCRIPT_NAME/PATH_INFO: REQUEST_URI, no query, decoded */
		{ NULL, NULL, "/tracks/upload/status/ab%2Dcd?x=%41", "/tracks/upload/status/ab-cd", true },
		{ "", "", "/tracks/a%20b#frag", "/tracks/a b", true },
		{ NULL, NULL, NULL, "/", true },
		{ "", "", "", "/", true },
		/* bad escapes and %00: the raw path, refused */
		{ NULL, NULL, "/tracks/%zz?q", "/tracks/%zz", false },
		{ NULL, NULL, "/tracks/%00x", "/tracks/%00x", false },
		{ NULL, NULL, "/tracks/%4", "/tracks/%4", false },
		{ NULL, NULL, "/t%", "/t%", false },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool ok = gateway_path(c[i].sn, c[i].pi, c[i].uri, out, sizeof(out));

		if (ok != c[i].ok || strcmp(out, c[i].want) != 0)
			fail_msg("case %zu: got \"%s\" (%d), want \"%s\" (%d)", i, out, ok,
			    c[i].want, c[i].ok);
	}
}

/* Too long: cut on a character boundary, refused, still a string. */
static void
path_too_long(void **state)
{
	char out[8];

	(void)state;
	assert_false(gateway_path("", "/abcdefghij", NULL, out, sizeof(out)));
	assert_string_equal(out, "/abcdef");
	/* "/ab" then a 3-byte character that would be split at byte 7 */
	assert_false(gateway_path("/abcd", "\xe2\x82\xac", NULL, out, sizeof(out)));
	assert_string_equal(out, "/abcd");
	assert_false(gateway_path(NULL, NULL, "/abcdefg%41", out, sizeof(out)));
	assert_string_equal(out, "/abcdef");
}

/* A parameter nginx sends twice (fastcgi_params, then the site's override): the last wins. */
static void
param_last(void **state)
{
	char *env[] = { "SCRIPT_NAME=/tracks/x", "PATH_INFO=/tracks/x", "SCRIPT_NAME=",
		"SCRIPT_NAMEX=1", NULL };

	(void)state;
	assert_string_equal(gateway_param_last(env, "SCRIPT_NAME"), "");
	assert_string_equal(gateway_param_last(env, "PATH_INFO"), "/tracks/x");
	assert_null(gateway_param_last(env, "PATH"));
	assert_null(gateway_param_last(NULL, "PATH_INFO"));
}

/* Only a listening socket is taken for one. */
static void
fd_listening(void **state)
{
	int p[2], s;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_false(gateway_fd_listening(p[0]));
	assert_false(gateway_fd_listening(-1));
	assert_true((s = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_false(gateway_fd_listening(s)); /* not listening yet */
	close(s);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide_table),
		cmocka_unit_test(cgi_reads_content_length),
		cmocka_unit_test(cgi_no_body_without_length),
		cmocka_unit_test(cgi_writes_whole_response),
		cmocka_unit_test(path_table),
		cmocka_unit_test(path_too_long),
		cmocka_unit_test(param_last),
		cmocka_unit_test(fd_listening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
