/*
 * own_socket.h: the FastCGI socket mustory-api opens itself (FCGI_SOCKET),
 * made safe against a second instance: if something already listens on the
 * path, start-up is refused ("another mustory-api is listening on PATH")
 * and the live socket is left alone; a stale socket file with no listener
 * is replaced; a file that is not a socket is never removed. On exit the
 * file is removed only if it is still the one this process made (same
 * device and inode), never one a later instance or systemd put there.
 */
#ifndef MUSTORY_FCGI_OWN_SOCKET_H
#define MUSTORY_FCGI_OWN_SOCKET_H

#include <sys/types.h>

#include "result.h"

struct own_socket {
	int fd;          /* the listening socket, -1 when closed */
	char path[108];  /* the unix socket's path; "" for host:port */
	dev_t dev;       /* what was made at path */
	ino_t ino;
};

/*
 * Listen on spec: a path (contains '/': a unix socket, mode 0660) or
 * [host]:port (TCP; [IPv6]:port too). ERR_CONFLICT when another process
 * listens there; ERR_IO otherwise. e says which and where.
 */
enum result own_socket_open(struct own_socket *s, const char *spec, int backlog,
    struct errbuf *e);

/* Close it; unlink the path only if it is still the socket made here. */
void own_socket_close(struct own_socket *s);

#endif
