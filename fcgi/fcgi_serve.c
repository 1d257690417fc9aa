#include "fcgi_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

/* How long one answer may wait for the web server to read it. */
#define FCGI_SERVE_WRITE_MS 10000
/* One read; more waits in the kernel for the next (a page or four stay resident). */
#define FCGI_SERVE_READ 16384

static void fs_drop(struct fcgi_serve *s, size_t i);
static bool fs_write(struct fcgi_serve_conn *k, int wait_ms);
static void fs_accept(struct fcgi_serve *s);
static void fs_read(struct fcgi_serve *s, size_t i);
static struct fcgi_serve_conn *fs_take_ready(struct fcgi_serve *s);
static void fs_expire(struct fcgi_serve *s, double now);

void
fcgi_serve_init(struct fcgi_serve *s, int lfd)
{
	int fl;

	memset(s, 0, sizeof(*s));
	s->lfd = lfd;
	/* every worker polls the socket; the one that loses the race to accept must not block */
	if ((fl = fcntl(lfd, F_GETFL)) >= 0)
		(void)fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
}

static void
fs_drop(struct fcgi_serve *s, size_t i)
{
	struct fcgi_serve_conn *k = s->conns[i];

	if (k->c.err != NULL)
		log_info("FastCGI connection closed: %s", k->c.err);
	close(k->fd);
	fcgi_conn_free(&k->c);
	free(k);
	s->conns[i] = s->conns[--s->n];
	s->conns[s->n] = NULL;
}

/* Write k's output; wait_ms > 0: wait for room that long. False: the connection is gone. */
static bool
fs_write(struct fcgi_serve_conn *k, int wait_ms)
{
	struct fcgi_conn *c = &k->c;
	struct pollfd p = { k->fd, POLLOUT, 0 };
	ssize_t w;

	while (c->out_off < c->out_len) {
		w = send(k->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (w > 0) {
			c->out_off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_ms > 0 &&
		    poll(&p, 1, wait_ms) > 0)
			continue;
		if (c->err == NULL)
			c->err = w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ?
			    "the web server did not read the answer" : "the web server went away";
		return false;
	}
	fcgi_conn_written(c);
	return true;
}

/* One connection per wake: a worker that is busy leaves the next ones to the others. */
static void
fs_accept(struct fcgi_serve *s)
{
	struct fcgi_serve_conn *k;
	int fd;

	if ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_warnx("out of memory: FastCGI connection refused");
		close(fd);
		return;
	}
	k->fd = fd;
	fcgi_conn_init(&k->c);
	k->last = clock_now_s();
	s->conns[s->n++] = k;
	s->accepted++;
}

/* Read what connection i has; parse it; drop it when it ends or fails. */
static void
fs_read(struct fcgi_serve *s, size_t i)
{
	struct fcgi_serve_conn *k = s->conns[i];
	unsigned char buf[FCGI_SERVE_READ];
	enum fcgi_feed f;
	ssize_t r;

	r = recv(k->fd, buf, sizeof(buf), 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) {
		/* the web server closed (idle, or mid-request: it gave up) */
		if (r < 0 && k->c.err == NULL)
			k->c.err = "read failed";
		fs_drop(s, i);
		return;
	}
	k->last = clock_now_s();
	f = fcgi_conn_feed(&k->c, buf, (size_t)r);
	if (f == FCGI_FEED_READY)
		k->ready = 1;
	if (k->c.out_len > k->c.out_off && !fs_write(k, FCGI_SERVE_WRITE_MS)) {
		fs_drop(s, i);
		return;
	}
	if (f == FCGI_FEED_CLOSE)
		fs_drop(s, i);
}

/* A connection with a whole request, taken round robin. */
static struct fcgi_serve_conn *
fs_take_ready(struct fcgi_serve *s)
{
	size_t j, i;

	for (j = 0; j < s->n; j++) {
		i = (s->next + j) % s->n;
		if (s->conns[i]->ready) {
			s->conns[i]->ready = 0;
			s->next = i + 1;
			return s->conns[i];
		}
	}
	return NULL;
}

/* A request half received that long is dropped (the web server gave up long ago). */
static void
fs_expire(struct fcgi_serve *s, double now)
{
	size_t i = s->n;

	while (i-- > 0) {
		if (fcgi_conn_busy(&s->conns[i]->c) && now - s->conns[i]->last > FCGI_SERVE_STALL_S) {
			s->conns[i]->c.err = "a request stalled half-way";
			fs_drop(s, i);
		}
	}
}

struct fcgi_conn *
fcgi_serve_next(struct fcgi_serve *s, volatile sig_atomic_t *stop)
{
	struct pollfd p[FCGI_CONN_MAX_CONNS + 1];
	struct fcgi_serve_conn *k;
	size_t i, np, lidx;
	double now;
	int rc;

	for (;;) {
		if (*stop)
			return NULL;
		if ((k = fs_take_ready(s)) != NULL)
			return &k->c;
		np = 0;
		for (i = 0; i < s->n; i++)
			p[np++] = (struct pollfd){ s->conns[i]->fd, POLLIN, 0 };
		lidx = np;
		if (s->n < FCGI_CONN_MAX_CONNS)
			p[np++] = (struct pollfd){ s->lfd, POLLIN, 0 };
		rc = poll(p, np, 1000);
		if (rc < 0 && errno != EINTR) {
			log_warn("poll");
			return NULL;
		}
		if ((now = clock_now_s()) - s->expired > 1) {
			s->expired = now;
			fs_expire(s, now);
		}
		if (rc <= 0)
			continue;
		/* backwards: dropping connection i moves the last one into its place */
		for (i = lidx; i-- > 0;)
			if (p[i].revents != 0 && i < s->n && s->conns[i]->fd == p[i].fd)
				fs_read(s, i);
		if (lidx < np && (p[lidx].revents & POLLIN))
			fs_accept(s);
		else if (lidx < np && (p[lidx].revents & (POLLERR | POLLNVAL))) {
			log_warnx("the FastCGI socket failed");
			return NULL;
		}
	}
}

void
fcgi_serve_flush(struct fcgi_serve *s, struct fcgi_conn *c)
{
	enum fcgi_feed f = FCGI_FEED_MORE;
	size_t i;

	for (i = 0; i < s->n && &s->conns[i]->c != c; i++)
		;
	if (i == s->n)
		return;
	/* a request already waiting behind the answered one (pipelined) */
	if (!fcgi_conn_closing(c) && c->in_len > 0 && (f = fcgi_conn_feed(c, NULL, 0)) ==
	    FCGI_FEED_READY)
		s->conns[i]->ready = 1;
	if (!fs_write(s->conns[i], FCGI_SERVE_WRITE_MS) || fcgi_conn_closing(c) ||
	    f == FCGI_FEED_CLOSE)
		fs_drop(s, i);
}

void
fcgi_serve_close(struct fcgi_serve *s)
{
	while (s->n > 0) {
		(void)fs_write(s->conns[s->n - 1], 100);
		fs_drop(s, s->n - 1);
	}
}
