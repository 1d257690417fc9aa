/*
 * fuzz_fcgi_conn: the FastCGI protocol on one connection (fcgi/fcgi_conn.c),
 * which parses what arrives on the API's socket. Input: the first byte
 * picks the write size (1..256 bytes, the last one as what is left), the
 * rest is the byte stream; every whole request is answered (a short answer
 * or, when its body starts with 'L', one over 65535 bytes) and the feeding
 * goes on until the connection closes.
 * Checks: a READY request has a NULL-terminated envp of "NAME=VALUE"
 * strings with a non-empty name, a body of at most FCGI_CONN_MAX_BODY bytes
 * (exactly that when body_over); after CLOSE the connection says it is
 * closing and takes nothing more; the output is
 * always whole records of version 1; an answer ends with FCGI_END_REQUEST.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char big[70000];

static void
check_request(const struct fcgi_conn *c)
{
	char *const *e;

	if (c->envp == NULL || c->body == NULL || c->body_len > FCGI_CONN_MAX_BODY ||
	    (c->body_over && c->body_len != FCGI_CONN_MAX_BODY))
		abort();
	for (e = c->envp; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');

		if (eq == NULL || eq == *e)
			abort();
	}
}

/* Whole records of version 1 from out_off; returns the last record's type. */
static int
check_output(const struct fcgi_conn *c)
{
	size_t off = c->out_off, len;
	int last = 0;

	while (off < c->out_len) {
		if (c->out_len - off < 8 || c->out[off] != 1)
			abort();
		len = (size_t)c->out[off + 4] << 8 | c->out[off + 5];
		if (c->out_len - off < 8 + len + c->out[off + 6])
			abort();
		last = c->out[off + 1];
		off += 8 + len + c->out[off + 6];
	}
	return last;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fcgi_conn c;
	enum fcgi_feed f = FCGI_FEED_MORE;
	size_t step, pos = 1, n, answers = 0;

	if (size < 1)
		return 0;
	if (big[0] == '\0')
		memset(big, 'a', sizeof(big));
	step = (size_t)data[0] + 1;
	fcgi_conn_init(&c);
	while (f != FCGI_FEED_CLOSE && answers < 64) {
		if (f == FCGI_FEED_READY) {
			check_request(&c);
			if (c.body_len > 0 && c.body[0] == 'L')
				(void)fcgi_conn_respond(&c, big, sizeof(big));
			else
				(void)fcgi_conn_respond(&c, "Status: 200 OK\r\n\r\n{}", 20);
			if (check_output(&c) != 3) /* FCGI_END_REQUEST */
				abort();
			answers++;
			c.out_off = c.out_len = 0;
			f = fcgi_conn_feed(&c, NULL, 0);
			continue;
		}
		if (pos >= size)
			break;
		n = size - pos < step ? size - pos : step;
		f = fcgi_conn_feed(&c, data + pos, n);
		pos += n;
		(void)check_output(&c);
		if (f == FCGI_FEED_CLOSE && (!fcgi_conn_closing(&c) ||
		    fcgi_conn_feed(&c, data, 1) != FCGI_FEED_CLOSE))
			abort();
		c.out_off = c.out_len = 0;
	}
	fcgi_conn_free(&c);
	return 0;
}
