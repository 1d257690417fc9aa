/*
 * fcgi_conn.h: the FastCGI protocol (version 1, the responder role) on one
 * connection, without I/O: bytes the web server sent go in
 * (fcgi_conn_feed), one whole request comes out (its parameters and its
 * body), the answer goes in (fcgi_conn_respond) and leaves as records in
 * the output buffer, which the caller writes to the socket. Ours instead of
 * libfcgi's so that a worker can hold many connections the web server keeps
 * open (nginx's fastcgi_keep_conn) and serve whichever has a request,
 * instead of being pinned to one (docs/nginx.md).
 *
 * What it does with what the specification allows:
 *   - one request at a time per connection (FCGI_MPXS_CONNS 0): a second
 *     FCGI_BEGIN_REQUEST while one is in hand is answered
 *     FCGI_CANT_MPX_CONN; records of other request ids are ignored;
 *   - roles other than FCGI_RESPONDER: FCGI_UNKNOWN_ROLE;
 *   - FCGI_GET_VALUES: FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS;
 *     other management records: FCGI_UNKNOWN_TYPE;
 *   - FCGI_ABORT_REQUEST: the request is dropped and ended;
 *   - the request is handed out once its parameters and its stdin stream
 *     have both ended (the empty records); the body is kept up to
 *     FCGI_CONN_MAX_BODY bytes, the rest read and dropped (body_over);
 *   - the connection is closed after the answer unless FCGI_KEEP_CONN.
 * Protocol errors (another version, parameters over FCGI_CONN_MAX_PARAMS,
 * a malformed name-value pair, no memory) end the connection.
 */
#ifndef MUSTORY_FCGI_CONN_H
#define MUSTORY_FCGI_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The parameters of one request, all name-value pairs together (nginx sends ~2 KiB). */
#define FCGI_CONN_MAX_PARAMS (128 * 1024)
/* The body kept (the API reads at most HTTP_MAX_BODY; one more says "too large"). */
#define FCGI_CONN_MAX_BODY (64 * 1024 + 1)
/* Unparsed input held: one record of the largest size and its padding, and the next header. */
#define FCGI_CONN_MAX_INPUT (8 + 65535 + 255 + 8)
/* What FCGI_GET_VALUES answers for FCGI_MAX_CONNS (per worker). */
#define FCGI_CONN_MAX_CONNS 256

enum fcgi_feed {
	FCGI_FEED_MORE,  /* nothing to do until more bytes arrive (output may be queued) */
	FCGI_FEED_READY, /* a whole request: envp and body are set; answer it */
	FCGI_FEED_CLOSE  /* close the connection once the output is written (err says why) */
};

struct fcgi_conn {
	/* the request in hand, valid after FCGI_FEED_READY until fcgi_conn_respond */
	char **envp;          /* NULL-terminated "NAME=VALUE" strings (owned) */
	const char *body;     /* borrowed from the connection; body_len bytes */
	size_t body_len;
	bool body_over;       /* the body was longer than FCGI_CONN_MAX_BODY (the rest dropped) */

	/* output: records to write, out[out_off .. out_len) */
	unsigned char *out;
	size_t out_len, out_off, out_cap;

	const char *err;      /* static: why FCGI_FEED_CLOSE, for the log */

	/* internal state */
	unsigned char *in;    /* bytes received and not yet parsed */
	size_t in_len, in_cap;
	int state;            /* FC_IDLE, ... (fcgi_conn.c) */
	uint16_t id;          /* the request in hand */
	bool keep;            /* FCGI_KEEP_CONN */
	bool closing;         /* no more requests: close once the output is out */
	char *params;         /* the raw name-value stream */
	size_t params_len, params_cap;
	char *bodybuf;
	size_t body_cap;
};

/* An empty connection (no allocation until bytes arrive). */
void fcgi_conn_init(struct fcgi_conn *c);

/* Free everything c holds (the envp and body of a request in hand too). */
void fcgi_conn_free(struct fcgi_conn *c);

/*
 * Take n bytes (n may be 0: parse what is buffered, e.g. after an answer)
 * and parse as far as they go. READY: one request is in hand; feed no more
 * (buffered bytes wait) until fcgi_conn_respond. CLOSE: stop reading; write
 * what is in the output, then close.
 */
enum fcgi_feed fcgi_conn_feed(struct fcgi_conn *c, const void *data, size_t n);

/*
 * Answer the request in hand with len bytes of CGI response (headers, a
 * blank line, the body): FCGI_STDOUT records, the empty one, and
 * FCGI_END_REQUEST, queued in the output. Returns false when out of memory
 * (the connection is then closing). Afterwards the request is gone and,
 * without FCGI_KEEP_CONN, the connection is closing.
 */
bool fcgi_conn_respond(struct fcgi_conn *c, const void *resp, size_t len);

/* The caller wrote all of the output: empty it (and give back large buffers). */
void fcgi_conn_written(struct fcgi_conn *c);

/* Is the connection to be closed once its output is written? */
bool fcgi_conn_closing(const struct fcgi_conn *c);

/* Does it have a request partly received (a stalled one can be timed out)? */
bool fcgi_conn_busy(const struct fcgi_conn *c);

/* Borrowed: the value of the first name=value in envp, or NULL (libfcgi's FCGX_GetParam). */
const char *fcgi_param(char **envp, const char *name);

#endif
