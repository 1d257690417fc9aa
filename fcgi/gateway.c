#include "gateway.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static bool gateway_is_listening(int fd);
static long long gateway_number(const char *s);

static const char *const gateway_names[GATEWAY__MAX] = {
	[GATEWAY_SOCKET_ACTIVATION] = "socket activation",
	[GATEWAY_INHERITED] = "inherited socket",
	[GATEWAY_CGI] = "CGI",
	[GATEWAY_OWN_SOCKET] = "own socket",
};

const char *
gateway_mode_str(enum gateway_mode m)
{
	return m >= 0 && m < GATEWAY__MAX ? gateway_names[m] : "unknown";
}

/* A positive decimal number, else -1. */
static long long
gateway_number(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || n <= 0 ? -1 : n;
}

static bool
gateway_is_listening(int fd)
{
	struct stat st;
	int on = 0;
	socklen_t len = sizeof(on);

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on != 0;
}

void
gateway_probe(struct gateway_env *env)
{
	memset(env, 0, sizeof(*env));
	env->listen_fds = getenv("LISTEN_FDS");
	env->listen_pid = getenv("LISTEN_PID");
	env->pid = getpid();
	env->stdin_listening = gateway_is_listening(0);
	env->gateway_interface = getenv("GATEWAY_INTERFACE");
}

enum gateway_mode
gateway_decide(const struct gateway_env *env)
{
	/* LISTEN_FDS meant for another process (a parent that did not unset it) is ignored. */
	if (gateway_number(env->listen_fds) > 0 &&
	    gateway_number(env->listen_pid) == (long long)env->pid)
		return GATEWAY_SOCKET_ACTIVATION;
	if (env->stdin_listening)
		return GATEWAY_INHERITED;
	if (env->gateway_interface != NULL && env->gateway_interface[0] != '\0')
		return GATEWAY_CGI;
	return GATEWAY_OWN_SOCKET;
}
