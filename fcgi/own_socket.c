#include "own_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

static enum result own_socket_clear(const char *path, struct errbuf *e);
static bool own_socket_listened(const char *path);
static enum result own_socket_unix(struct own_socket *s, const char *path, int backlog,
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

enum result
own_socket_open(struct own_socket *s, const char *spec, int backlog, struct errbuf *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strchr(spec, '/') != NULL)
		return own_socket_unix(s, spec, backlog, e);
	errno = 0;
	if ((s->fd = FCGX_OpenSocket(spec, backlog)) < 0) {
		if (errno == EADDRINUSE) {
			err_set(e, "another process is listening on %s", spec);
			return ERR_CONFLICT;
		}
		err_set(e, "cannot listen on FCGI_SOCKET %s: %s", spec,
		    errno != 0 ? strerror(errno) : "libfcgi refused the address");
		return ERR_IO;
	}
	return OK;
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
