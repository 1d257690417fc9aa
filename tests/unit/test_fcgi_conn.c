/* The FastCGI protocol on one connection (fcgi/fcgi_conn.c), without sockets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fcgi_conn.h"

enum { BEGIN = 1, ABORT = 2, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, GET_VALUES = 9,
	GET_VALUES_RESULT = 10, UNKNOWN_TYPE = 11 };

/* What the web server sends, built up record by record. */
struct wire {
	unsigned char b[300000];
	size_t n;
};

static void
rec(struct wire *w, int type, int id, const void *content, size_t len, int pad)
{
	unsigned char h[8] = { 1, (unsigned char)type, (unsigned char)(id >> 8), (unsigned char)id,
		(unsigned char)(len >> 8), (unsigned char)len, (unsigned char)pad, 0 };

	assert_true(w->n + 8 + len + (size_t)pad <= sizeof(w->b));
	memcpy(w->b + w->n, h, 8);
	if (len > 0)
		memcpy(w->b + w->n + 8, content, len);
	memset(w->b + w->n + 8 + len, 0xee, (size_t)pad);
	w->n += 8 + len + (size_t)pad;
}

static void
begin(struct wire *w, int id, int role, int keep)
{
	unsigned char c[8] = { (unsigned char)(role >> 8), (unsigned char)role,
		(unsigned char)keep, 0, 0, 0, 0, 0 };

	rec(w, BEGIN, id, c, 8, 0);
}

/* One name-value pair, with 4-byte lengths when long (or when forced). */
static size_t
pair(unsigned char *out, const char *name, const char *value, int long_form)
{
	size_t nl = strlen(name), vl = strlen(value), o = 0, k;
	size_t lens[2] = { nl, vl };

	for (k = 0; k < 2; k++) {
		if (lens[k] < 128 && !long_form)
			out[o++] = (unsigned char)lens[k];
		else {
			out[o++] = (unsigned char)(0x80 | (lens[k] >> 24));
			out[o++] = (unsigned char)(lens[k] >> 16);
			out[o++] = (unsigned char)(lens[k] >> 8);
			out[o++] = (unsigned char)lens[k];
		}
	}
	memcpy(out + o, name, nl);
	memcpy(out + o + nl, value, vl);
	return o + nl + vl;
}

/* A whole GET-like request: the parameters, the body (may be empty), the ends of both. */
static void
request(struct wire *w, int id, int keep, const char *body)
{
	unsigned char p[512];
	size_t n = 0;

	begin(w, id, 1, keep);
	n += pair(p + n, "REQUEST_METHOD", "POST", 0);
	n += pair(p + n, "SCRIPT_NAME", "", 0);
	n += pair(p + n, "PATH_INFO", "/tracks/upload/init", 1);
	n += pair(p + n, "SCRIPT_NAME", "/late", 0);
	rec(w, PARAMS, id, p, n, 3);
	rec(w, PARAMS, id, NULL, 0, 0);
	if (*body != '\0')
		rec(w, STDIN, id, body, strlen(body), 0);
	rec(w, STDIN, id, NULL, 0, 0);
}

/* The output's records, checked one by one: type, id, content. */
static size_t
out_rec(const struct fcgi_conn *c, size_t off, int type, int id, const void *content,
    size_t len)
{
	const unsigned char *h = c->out + off;

	assert_true(c->out_len >= off + 8);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[1], type);
	assert_int_equal(h[2] << 8 | h[3], id);
	assert_int_equal((size_t)(h[4] << 8 | h[5]), len);
	assert_true(c->out_len >= off + 8 + len + h[6]);
	if (content != NULL)
		assert_memory_equal(h + 8, content, len);
	return off + 8 + len + h[6];
}

static size_t
out_end(const struct fcgi_conn *c, size_t off, int id, int protocol_status)
{
	unsigned char body[8] = { 0, 0, 0, 0, (unsigned char)protocol_status, 0, 0, 0 };

	return out_rec(c, off, END, id, body, 8);
}

static void
clear_out(struct fcgi_conn *c)
{
	c->out_len = c->out_off = 0;
}

/* A request with keep-conn: the parameters in order, the body, the answer's records; a second one. */
static void
request_and_answer(void **state)
{
	static struct wire w;
	struct fcgi_conn c;
	size_t off;

	(void)state;
	w.n = 0;
	request(&w, 1, 1, "{\"a\":1}");
	fcgi_conn_init(&c);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_READY);
	assert_string_equal(fcgi_param(c.envp, "REQUEST_METHOD"), "POST");
	assert_string_equal(fcgi_param(c.envp, "PATH_INFO"), "/tracks/upload/init");
	/* the first of a repeated name, and every one in envp in order */
	assert_string_equal(fcgi_param(c.envp, "SCRIPT_NAME"), "");
	assert_string_equal(c.envp[3], "SCRIPT_NAME=/late");
	assert_null(c.envp[4]);
	assert_null(fcgi_param(c.envp, "REQUEST"));
	assert_int_equal(c.body_len, 7);
	assert_memory_equal(c.body, "{\"a\":1}", 7);
	assert_false(c.body_over);
	assert_int_equal(c.out_len, 0);
	assert_true(fcgi_conn_respond(&c, "Status: 200 OK\r\n\r\n{}", 20));
	off = out_rec(&c, 0, STDOUT, 1, "Status: 200 OK\r\n\r\n{}", 20);
	off = out_rec(&c, off, STDOUT, 1, NULL, 0);
	off = out_end(&c, off, 1, 0);
	assert_int_equal(off, c.out_len);
	assert_false(fcgi_conn_closing(&c));
	assert_false(fcgi_conn_busy(&c));
	/* the next request on the same connection, another id, no body */
	clear_out(&c);
	w.n = 0;
	request(&w, 7, 1, "");
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_READY);
	assert_int_equal(c.body_len, 0);
	assert_true(fcgi_conn_respond(&c, "x", 1));
	off = out_rec(&c, 0, STDOUT, 7, "x", 1);
	fcgi_conn_free(&c);
}

/* Fed a byte at a time, the same request comes out; nothing before its last byte. */
static void
byte_at_a_time(void **state)
{
	static struct wire w;
	struct fcgi_conn c;
	size_t i;

	(void)state;
	w.n = 0;
	request(&w, 258, 0, "body");
	fcgi_conn_init(&c);
	for (i = 0; i + 1 < w.n; i++)
		assert_int_equal(fcgi_conn_feed(&c, w.b + i, 1), FCGI_FEED_MORE);
	assert_true(fcgi_conn_busy(&c));
	assert_int_equal(fcgi_conn_feed(&c, w.b + i, 1), FCGI_FEED_READY);
	assert_memory_equal(c.body, "body", 4);
	assert_true(fcgi_conn_respond(&c, "y", 1));
	(void)out_rec(&c, 0, STDOUT, 258, "y", 1);
	/* no FCGI_KEEP_CONN: closed after the answer */
	assert_true(fcgi_conn_closing(&c));
	assert_int_equal(fcgi_conn_feed(&c, NULL, 0), FCGI_FEED_CLOSE);
	fcgi_conn_free(&c);
}

/* Two requests in one write: the second waits until the first is answered. */
static void
pipelined(void **state)
{
	static struct wire w;
	struct fcgi_conn c;

	(void)state;
	w.n = 0;
	request(&w, 1, 1, "one");
	request(&w, 2, 1, "two");
	fcgi_conn_init(&c);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_READY);
	assert_memory_equal(c.body, "one", 3);
	assert_true(fcgi_conn_respond(&c, "1", 1));
	assert_int_equal(fcgi_conn_feed(&c, NULL, 0), FCGI_FEED_READY);
	assert_memory_equal(c.body, "two", 3);
	fcgi_conn_free(&c);
}

/* FCGI_GET_VALUES: the three known variables, an unknown one left out. */
static void
get_values(void **state)
{
	static struct wire w;
	unsigned char q[128], want[128];
	size_t n = 0, m = 0;
	struct fcgi_conn c;

	(void)state;
	w.n = 0;
	n += pair(q + n, "FCGI_MPXS_CONNS", "", 0);
	n += pair(q + n, "NOT_A_VARIABLE", "", 0);
	n += pair(q + n, "FCGI_MAX_CONNS", "", 0);
	rec(&w, GET_VALUES, 0, q, n, 0);
	fcgi_conn_init(&c);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_MORE);
	m += pair(want + m, "FCGI_MPXS_CONNS", "0", 0);
	m += pair(want + m, "FCGI_MAX_CONNS", "256", 0);
	assert_int_equal(out_rec(&c, 0, GET_VALUES_RESULT, 0, want, m), c.out_len);
	/* another management record: FCGI_UNKNOWN_TYPE naming it */
	clear_out(&c);
	w.n = 0;
	rec(&w, 99, 0, "zz", 2, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_MORE);
	(void)out_rec(&c, 0, UNKNOWN_TYPE, 0, "\x63\0\0\0\0\0\0\0", 8);
	fcgi_conn_free(&c);
}

/* Another role; a second request while one is in hand; an abort. */
static void
refusals_and_abort(void **state)
{
	static struct wire w;
	unsigned char p[64];
	struct fcgi_conn c;
	size_t off, n;

	(void)state;
	fcgi_conn_init(&c);
	/* FCGI_AUTHORIZER (2), kept: ended with FCGI_UNKNOWN_ROLE, connection open */
	w.n = 0;
	begin(&w, 5, 2, 1);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_MORE);
	assert_int_equal(out_end(&c, 0, 5, 3), c.out_len);
	clear_out(&c);
	/* request 1 begun; request 2 begins on the same connection: FCGI_CANT_MPX_CONN */
	w.n = 0;
	begin(&w, 1, 1, 1);
	begin(&w, 2, 1, 1);
	n = pair(p, "REQUEST_METHOD", "GET", 0);
	rec(&w, PARAMS, 2, p, n, 0);   /* not the request in hand: ignored */
	rec(&w, PARAMS, 1, p, n, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_MORE);
	assert_int_equal(out_end(&c, 0, 2, 1), c.out_len);
	clear_out(&c);
	/* request 1 aborted: ended, the connection back to idle */
	w.n = 0;
	rec(&w, ABORT, 1, NULL, 0, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_MORE);
	off = out_end(&c, 0, 1, 0);
	assert_int_equal(off, c.out_len);
	assert_false(fcgi_conn_busy(&c));
	assert_false(fcgi_conn_closing(&c));
	/* a new request works */
	clear_out(&c);
	w.n = 0;
	request(&w, 3, 1, "");
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_READY);
	assert_string_equal(fcgi_param(c.envp, "REQUEST_METHOD"), "POST");
	fcgi_conn_free(&c);
}

/* Protocol errors end the connection with a reason. */
static void
protocol_errors(void **state)
{
	static struct wire w;
	static unsigned char big[70000];
	unsigned char bad[] = { 0x10, 1, 'A' }; /* name length 16, only 1 byte there */
	unsigned char eq[64];
	struct fcgi_conn c;
	size_t i, n;

	(void)state;
	/* another version */
	fcgi_conn_init(&c);
	w.n = 0;
	request(&w, 1, 1, "");
	w.b[0] = 2;
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_CLOSE);
	assert_non_null(c.err);
	fcgi_conn_free(&c);
	/* a pair longer than the parameters */
	fcgi_conn_init(&c);
	w.n = 0;
	begin(&w, 1, 1, 1);
	rec(&w, PARAMS, 1, bad, sizeof(bad), 0);
	rec(&w, PARAMS, 1, NULL, 0, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_CLOSE);
	fcgi_conn_free(&c);
	/* parameters over the cap */
	fcgi_conn_init(&c);
	w.n = 0;
	begin(&w, 1, 1, 1);
	memset(big, 'p', sizeof(big));
	for (i = 0; i * 60000 <= FCGI_CONN_MAX_PARAMS; i++)
		rec(&w, PARAMS, 1, big, 60000, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_CLOSE);
	fcgi_conn_free(&c);
	/* BEGIN_REQUEST of the wrong size */
	fcgi_conn_init(&c);
	w.n = 0;
	rec(&w, BEGIN, 1, "\0\1\1", 3, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_CLOSE);
	fcgi_conn_free(&c);
	/* a name holding '=' cannot be looked up: dropped, the rest kept */
	fcgi_conn_init(&c);
	w.n = 0;
	begin(&w, 1, 1, 1);
	n = pair(eq, "A=B", "c", 0);
	n += pair(eq + n, "A", "d", 0);
	rec(&w, PARAMS, 1, eq, n, 0);
	rec(&w, PARAMS, 1, NULL, 0, 0);
	rec(&w, STDIN, 1, NULL, 0, 0);
	assert_int_equal(fcgi_conn_feed(&c, w.b, w.n), FCGI_FEED_READY);
	assert_string_equal(fcgi_param(c.envp, "A"), "d");
	assert_null(c.envp[1]);
	fcgi_conn_free(&c);
}

/* A body over the cap: the first FCGI_CONN_MAX_BODY bytes kept, body_over; a long answer split. */
static void
long_body_and_answer(void **state)
{
	static struct wire w;
	static unsigned char chunk[60000];
	static char resp[150000];
	struct fcgi_conn c;
	size_t off;

	(void)state;
	w.n = 0;
	begin(&w, 9, 1, 1);
	rec(&w, PARAMS, 9, NULL, 0, 0);
	memset(chunk, 'b', sizeof(chunk));
	rec(&w, STDIN, 9, chunk, sizeof(chunk), 0);
	rec(&w, STDIN, 9, chunk, sizeof(chunk), 0);
	rec(&w, STDIN, 9, NULL, 0, 0);
	fcgi_conn_init(&c);
	/* in three writes (no single one holds more than a record and a half) */
	assert_int_equal(fcgi_conn_feed(&c, w.b, 40000), FCGI_FEED_MORE);
	assert_int_equal(fcgi_conn_feed(&c, w.b + 40000, 60000), FCGI_FEED_MORE);
	assert_int_equal(fcgi_conn_feed(&c, w.b + 100000, w.n - 100000), FCGI_FEED_READY);
	assert_int_equal(c.body_len, FCGI_CONN_MAX_BODY);
	assert_true(c.body_over);
	assert_non_null(c.envp);
	assert_null(c.envp[0]);
	memset(resp, 'r', sizeof(resp));
	assert_true(fcgi_conn_respond(&c, resp, sizeof(resp)));
	off = out_rec(&c, 0, STDOUT, 9, resp, 65535);
	off = out_rec(&c, off, STDOUT, 9, resp, 65535);
	off = out_rec(&c, off, STDOUT, 9, resp, sizeof(resp) - 2 * 65535);
	off = out_rec(&c, off, STDOUT, 9, NULL, 0);
	assert_int_equal(out_end(&c, off, 9, 0), c.out_len);
	/* respond twice: refused */
	assert_false(fcgi_conn_respond(&c, "x", 1));
	fcgi_conn_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_and_answer),
		cmocka_unit_test(byte_at_a_time),
		cmocka_unit_test(pipelined),
		cmocka_unit_test(get_values),
		cmocka_unit_test(refusals_and_abort),
		cmocka_unit_test(protocol_errors),
		cmocka_unit_test(long_body_and_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
