#include "cgi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi_conn.h"

static long long cgi_content_length(char **envp);

/* CONTENT_LENGTH, or 0 when absent or not a plain decimal number. */
static long long
cgi_content_length(char **envp)
{
	const char *v = fcgi_param(envp, "CONTENT_LENGTH");
	char *end;
	long long n;

	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	return errno != 0 || *end != '\0' || n < 0 ? 0 : n;
}

void
cgi_read_body(char **envp, int in_fd, size_t max, struct cgi_body *b)
{
	long long want = cgi_content_length(envp);
	ssize_t r;

	memset(b, 0, sizeof(*b));
	if (want == 0)
		return;
	if ((unsigned long long)want > max) {
		b->over = true;
		return;
	}
	if ((b->p = malloc((size_t)want)) == NULL)
		return;
	while (b->len < (size_t)want) {
		r = read(in_fd, b->p + b->len, (size_t)want - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		b->len += (size_t)r;
	}
}

int
cgi_write(int out_fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t w;

	while (len > 0) {
		w = write(out_fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}
