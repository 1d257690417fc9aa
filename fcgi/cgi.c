#include "cgi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cgi_fill(FCGX_Stream *s);
static void cgi_empty(FCGX_Stream *s, int do_close);
static void cgi_stream_init(struct cgi_stream *cs, int fd, int reader, long long left);
static long long cgi_content_length(char **envp);

/* The stream's own struct: FCGX_Stream is its first member. */
#define CGI_OF(st) ((struct cgi_stream *)(void *)(st))

static void
cgi_stream_init(struct cgi_stream *cs, int fd, int reader, long long left)
{
	memset(&cs->s, 0, sizeof(cs->s));
	cs->fd = fd;
	cs->left = left;
	cs->s.isReader = reader;
	cs->s.fillBuffProc = cgi_fill;
	cs->s.emptyBuffProc = cgi_empty;
	cs->s.data = cs;
	if (reader) {
		/* empty: the first read calls cgi_fill */
		cs->s.rdNext = cs->s.stop = cs->s.stopUnget = cs->buf;
		cs->s.wrNext = cs->s.stop;
	} else {
		cs->s.wrNext = cs->buf;
		cs->s.stop = cs->buf + sizeof(cs->buf);
		cs->s.rdNext = cs->s.stop;
	}
}

/* Reader: the next piece of the body, never past CONTENT_LENGTH. */
static void
cgi_fill(FCGX_Stream *s)
{
	struct cgi_stream *cs = CGI_OF(s);
	size_t want = sizeof(cs->buf);
	ssize_t n;

	if (cs->left <= 0) {
		s->isClosed = 1;
		return;
	}
	if ((long long)want > cs->left)
		want = (size_t)cs->left;
	do
		n = read(cs->fd, cs->buf, want);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* a short body: the handler sees fewer bytes than announced */
		s->FCGI_errno = n < 0 ? errno : 0;
		s->isClosed = 1;
		return;
	}
	cs->left -= n;
	s->rdNext = s->stopUnget = cs->buf;
	s->stop = cs->buf + n;
}

/* Writer: everything buffered to the descriptor. */
static void
cgi_empty(FCGX_Stream *s, int do_close)
{
	struct cgi_stream *cs = CGI_OF(s);
	unsigned char *p = cs->buf;
	ssize_t n;

	while (p < s->wrNext) {
		n = write(cs->fd, p, (size_t)(s->wrNext - p));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->FCGI_errno = n < 0 ? errno : EIO;
			s->isClosed = 1;
			return;
		}
		p += n;
	}
	s->wrNext = cs->buf;
	if (do_close)
		s->isClosed = 1;
}

/* CONTENT_LENGTH, or 0 when absent or not a plain decimal number. */
static long long
cgi_content_length(char **envp)
{
	const char *v = FCGX_GetParam("CONTENT_LENGTH", envp);
	char *end;
	long long n;

	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno != 0 || *end != '\0' || n < 0 ? 0 : n;
}

void
cgi_request_open(struct cgi_request *c, char **envp, int in_fd, int out_fd, int err_fd)
{
	memset(&c->fr, 0, sizeof(c->fr));
	cgi_stream_init(&c->in, in_fd, 1, cgi_content_length(envp));
	cgi_stream_init(&c->out, out_fd, 0, 0);
	cgi_stream_init(&c->err, err_fd, 0, 0);
	c->fr.in = &c->in.s;
	c->fr.out = &c->out.s;
	c->fr.err = &c->err.s;
	c->fr.envp = envp;
	c->fr.ipcFd = -1;
	c->fr.listen_sock = -1;
}

int
cgi_request_close(struct cgi_request *c)
{
	int rc = 0;

	if (!c->out.s.isClosed)
		cgi_empty(&c->out.s, 1);
	if (!c->err.s.isClosed)
		cgi_empty(&c->err.s, 1);
	if (c->out.s.FCGI_errno != 0)
		rc = -1;
	return rc;
}
