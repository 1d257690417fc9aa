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
#include <stddef.h>
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

/*
 * Borrowed: the value of the last name=value in envp (a FastCGI request's
 * parameters or a CGI environment), or NULL. The last, not libfcgi's
 * first: nginx sends a parameter twice when a site overrides one from
 * fastcgi_params (fastcgi_param SCRIPT_NAME ""), and the later one is meant.
 */
const char *gateway_param_last(char **envp, const char *name);

/* Is fd a socket in the listening state? */
bool gateway_fd_listening(int fd);

/*
 * The request's path, from the variables every gateway sets (RFC 3875),
 * never nginx's DOCUMENT_URI: SCRIPT_NAME + PATH_INFO when either is
 * non-empty (the web server has decoded both: nginx gives SCRIPT_NAME ""
 * and PATH_INFO $uri, Apache's ScriptAlias /tracks gives SCRIPT_NAME
 * /tracks and PATH_INFO /upload/init), else REQUEST_URI without its query,
 * percent-decoded. Any argument may be NULL. out (outsz > 0) always ends
 * up a string: "/" when nothing names a path; the undecoded REQUEST_URI
 * path when it holds a bad escape or %00; cut at outsz - 1 bytes (on a
 * UTF-8 character boundary) when longer. Returns false in those last two
 * cases: such a path names no route.
 */
bool gateway_path(const char *script_name, const char *path_info, const char *request_uri,
    char *out, size_t outsz);

#endif
