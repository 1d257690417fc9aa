#include "own_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static enum result own_socket_clear(const char *path, struct errbuf *e);
static bool own_socket_listened(const char *path);
static enum result own_socket_unix(struct own_socket *s, const char *path, int backlog,
    struct errbuf *e);
static enum result own_socket_tcp(struct own_socket *s, const char *spec, int backlog,
    struct errbuf *e);

/* Does a process accept connections on the unix socket at path? */
static bool
own_socket_listened(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc, err;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	/* EAGAIN: a listener whose backlog is full is still a listener */
	return rc == 0 || err == EAGAIN || err == EINPROGRESS;
}

/* Make room at path: refuse a live socket or a non-socket; remove a stale socket. */
static enum result
own_socket_clear(const char *path, struct errbuf *e)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return OK;
		err_set(e, "FCGI_SOCKET %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if (!S_ISSOCK(st.st_mode)) {
		err_set(e, "FCGI_SOCKET %s exists and is not a socket; not touching it", path);
		return ERR_CONFLICT;
	}
	if (own_socket_listened(path)) {
		err_set(e, "another mustory-api is listening on %s", path);
		return ERR_CONFLICT;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		err_set(e, "cannot remove the stale socket %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	return OK;
}

static enum result
own_socket_unix(struct own_socket *s, const char *path, int backlog, struct errbuf *e)
{
	struct sockaddr_un sa;
	struct stat st;
	enum result rc;

	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(s->path)) {
		err_set(e, "FCGI_SOCKET %s is too long for a unix socket", path);
		return ERR_INVALID;
	}
	if ((rc = own_socket_clear(path, e)) != OK)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		err_set(e, "socket: %s", strerror(errno));
		return ERR_IO;
	}
	/* bind never replaces a file: a rival that got there first is EADDRINUSE */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = errno == EADDRINUSE ? ERR_CONFLICT : ERR_IO;
		if (rc == ERR_CONFLICT)
			err_set(e, "another mustory-api is listening on %s", path);
		else
			err_set(e, "cannot listen on FCGI_SOCKET %s: %s", path, strerror(errno));
		goto fail;
	}
	if (stat(path, &st) != 0 || chmod(path, 0660) != 0 || listen(s->fd, backlog) != 0) {
		err_set(e, "cannot listen on FCGI_SOCKET %s: %s", path, strerror(errno));
		(void)unlink(path);
		rc = ERR_IO;
		goto fail;
	}
	memcpy(s->path, path, strlen(path) + 1);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return OK;
fail:
	close(s->fd);
	s->fd = -1;
	return rc;
}

/* [host]:port, host a name, an IPv4 address or [IPv6]; empty: every address (as libfcgi did). */
static enum result
own_socket_tcp(struct own_socket *s, const char *spec, int backlog, struct errbuf *e)
{
	struct addrinfo hints, *ai = NULL;
	const char *colon = strrchr(spec, ':');
	char host[256];
	size_t hl;
	int rc, on = 1, err = 0;

	if (colon == NULL || colon[1] == '\0' || (hl = (size_t)(colon - spec)) >= sizeof(host)) {
		err_set(e, "FCGI_SOCKET %s is neither a path nor host:port", spec);
		return ERR_INVALID;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] != '\0' ? host : NULL, colon + 1, &hints, &ai)) != 0) {
		err_set(e, "cannot listen on FCGI_SOCKET %s: %s", spec, gai_strerror(rc));
		return ERR_INVALID;
	}
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(s->fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s->fd, backlog) != 0)
		err = errno;
	freeaddrinfo(ai);
	if (err == 0)
		return OK;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (err == EADDRINUSE) {
		err_set(e, "another process is listening on %s", spec);
		return ERR_CONFLICT;
	}
	err_set(e, "cannot listen on FCGI_SOCKET %s: %s", spec, strerror(err));
	return ERR_IO;
}

enum result
own_socket_open(struct own_socket *s, const char *spec, int backlog, struct errbuf *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strchr(spec, '/') != NULL)
		return own_socket_unix(s, spec, backlog, e);
	return own_socket_tcp(s, spec, backlog, e);
}

void
own_socket_close(struct own_socket *s)
{
	struct stat st;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->path[0] != '\0' && lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		(void)unlink(s->path);
	s->path[0] = '\0';
}
