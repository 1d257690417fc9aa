/*
 * cgi.h: one request in plain CGI (RFC 3875), for Apache mod_cgi on shared
 * hosting: the request is the environment and standard input (exactly
 * CONTENT_LENGTH bytes), the response goes to standard output, then the
 * process exits. The handlers see the same request as over FastCGI (the
 * parameters, the whole body) and build the same response (a Status:
 * header, then the others, a blank line and the body).
 */
#ifndef MUSTORY_FCGI_CGI_H
#define MUSTORY_FCGI_CGI_H

#include <stdbool.h>
#include <stddef.h>

struct cgi_body {
	char *p;       /* owned (free); len bytes */
	size_t len;
	bool over;     /* CONTENT_LENGTH was over max: nothing was read */
};

/*
 * Read the body: CONTENT_LENGTH bytes of in_fd (never more: RFC 3875 4.2;
 * fewer when it ends early), none when CONTENT_LENGTH is absent, not a plain
 * decimal number, or over max (then b->over).
 */
void cgi_read_body(char **envp, int in_fd, size_t max, struct cgi_body *b);

/* Write the whole response. Returns 0, or -1 when writing it failed. */
int cgi_write(int out_fd, const void *p, size_t len);

#endif
