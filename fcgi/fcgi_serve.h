/*
 * fcgi_serve.h: one worker's FastCGI connections. The worker polls its
 * listening socket and every connection it accepted, and takes whichever
 * request is whole first (fcgi_conn.h parses them); it serves one request at
 * a time. A connection the web server keeps open (FCGI_KEEP_CONN) stays with
 * the worker that accepted it, which goes on serving it and any others, so
 * nginx's kept connections may outnumber the workers (libfcgi pinned one
 * worker to each). Idle connections are the web server's to close; one with
 * a request half received for FCGI_SERVE_STALL_S is closed.
 */
#ifndef MUSTORY_FCGI_SERVE_H
#define MUSTORY_FCGI_SERVE_H

#include <signal.h>
#include <stddef.h>

#include "fcgi_conn.h"

/* A request arriving no faster than this is dropped (nginx sends one in a write or two). */
#define FCGI_SERVE_STALL_S 30.0

struct fcgi_serve_conn {
	int fd;
	struct fcgi_conn c;
	double last;     /* when bytes last arrived (clock_now_s) */
	int ready;       /* a whole request waits to be handed out */
};

struct fcgi_serve {
	int lfd;                        /* the listening socket (borrowed; made non-blocking) */
	struct fcgi_serve_conn *conns[FCGI_CONN_MAX_CONNS];
	size_t n;                       /* connections held */
	size_t next;                    /* where the round robin of ready ones starts */
	unsigned long long accepted;    /* for the log */
	double expired;                 /* when stalled connections were last looked for */
};

void fcgi_serve_init(struct fcgi_serve *s, int lfd);

/*
 * The next whole request (borrowed connection, its envp and body set),
 * waiting as long as it takes; NULL once *stop is set (a signal without
 * SA_RESTART wakes the wait) or the listening socket fails.
 */
struct fcgi_conn *fcgi_serve_next(struct fcgi_serve *s, volatile sig_atomic_t *stop);

/*
 * After fcgi_conn_respond on c (from fcgi_serve_next): write its output,
 * waiting for the socket up to the web server's patience if it must, and
 * close the connection when it is closing.
 */
void fcgi_serve_flush(struct fcgi_serve *s, struct fcgi_conn *c);

/* Close every connection (their output written first, briefly). */
void fcgi_serve_close(struct fcgi_serve *s);

#endif
