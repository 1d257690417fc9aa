/*
 * gateway.h: how mustory-api was started, decided explicitly, in this order
 * (never by FCGX_IsCGI alone, which also says "CGI" for a daemon whose
 * standard input is /dev/null or a pipe):
 *   1. LISTEN_FDS for this process (LISTEN_PID = our pid): systemd socket
 *      activation; FastCGI on fd 3, the prefork supervisor serves it and
 *      never unlinks it;
 *   2. standard input is a listening socket: spawned by the web server
 *      (Apache mod_fcgid, spawn-fcgi); one FastCGI worker on fd 0, the web
 *      server manages the processes;
 *   3. GATEWAY_INTERFACE is set: plain CGI (Apache mod_cgi), one request
 *      from the environment and standard input, then exit;
 *   4. otherwise its own FCGI_SOCKET, with the prefork supervisor.
 */
#ifndef MUSTORY_FCGI_GATEWAY_H
#define MUSTORY_FCGI_GATEWAY_H

#include <stdbool.h>
#include <sys/types.h>

enum gateway_mode {
	GATEWAY_SOCKET_ACTIVATION,
	GATEWAY_INHERITED,         /* a listening socket on standard input */
	GATEWAY_CGI,
	GATEWAY_OWN_SOCKET,
	GATEWAY__MAX
};

/* What the decision looks at; gateway_probe() reads it off the process. */
struct gateway_env {
	const char *listen_fds;        /* $LISTEN_FDS or NULL */
	const char *listen_pid;        /* $LISTEN_PID or NULL */
	pid_t pid;                     /* getpid() */
	bool stdin_listening;          /* fd 0 is a socket in the listening state */
	const char *gateway_interface; /* $GATEWAY_INTERFACE or NULL */
};

/* systemd's first passed descriptor (sd_listen_fds(3)). */
#define GATEWAY_LISTEN_FDS_START 3

void gateway_probe(struct gateway_env *env);

/* Pure: the mode for env. */
enum gateway_mode gateway_decide(const struct gateway_env *env);

/* Static: "socket activation", "inherited socket", "CGI", "own socket". */
const char *gateway_mode_str(enum gateway_mode m);

#endif
