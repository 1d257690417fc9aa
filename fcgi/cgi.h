/*
 * cgi.h: one request in plain CGI (RFC 3875), for Apache mod_cgi on shared
 * hosting: the request is the environment and standard input (exactly
 * CONTENT_LENGTH bytes), the response goes to standard output, then the
 * process exits. libfcgi's accept call cannot do this (it fails in CGI
 * mode), so cgi_request_open() dresses standard input and output as libfcgi
 * streams: the handlers, which read and write FCGX streams, serve CGI
 * unchanged, and the response format (a Status: header, then the others,
 * a blank line and the body) is the same in both.
 */
#ifndef MUSTORY_FCGI_CGI_H
#define MUSTORY_FCGI_CGI_H

#include <fcgiapp.h>

#define CGI_BUF 8192

/* One stream over a file descriptor; owned by the caller, no allocation. */
struct cgi_stream {
	FCGX_Stream s;
	int fd;
	long long left;              /* reader: bytes of the body still to read */
	unsigned char buf[CGI_BUF];
};

struct cgi_request {
	FCGX_Request fr;             /* what the handlers see */
	struct cgi_stream in, out, err;
};

/*
 * Fill c for one CGI request: envp is the CGI environment (borrowed, e.g.
 * environ), in_fd the body (CONTENT_LENGTH bytes of it are read, never
 * more: RFC 3875 4.2), out_fd the response, err_fd the error stream.
 */
void cgi_request_open(struct cgi_request *c, char **envp, int in_fd, int out_fd, int err_fd);

/* Flush the response. Returns 0, or -1 when writing it failed. */
int cgi_request_close(struct cgi_request *c);

#endif
