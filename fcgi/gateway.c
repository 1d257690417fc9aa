#include "gateway.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static long long gateway_number(const char *s);
static bool gateway_append(char *out, size_t outsz, size_t *len, const char *s, size_t n);
static bool gateway_decode(const char *s, size_t n, char *out, size_t outsz);
static int gateway_hex(int c);

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

const char *
gateway_param_last(char **envp, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			v = *envp + n + 1;
	return v;
}

bool
gateway_fd_listening(int fd)
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
	env->stdin_listening = gateway_fd_listening(0);
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

static int
gateway_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Append n bytes of s at out[*len]; when they do not fit, as many as fit
 * without splitting a UTF-8 character, and false. out stays a string.
 */
static bool
gateway_append(char *out, size_t outsz, size_t *len, const char *s, size_t n)
{
	size_t room = outsz - 1 - *len;
	bool whole = n <= room;

	if (!whole) {
		/* the byte after the cut must start a character (not be 10xxxxxx) */
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return whole;
}

/* Percent-decode s[0..n) into out; false on a bad escape, %00, or no room. */
static bool
gateway_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return false;
			if ((hi = gateway_hex((unsigned char)s[i + 1])) < 0 ||
			    (lo = gateway_hex((unsigned char)s[i + 2])) < 0 || (hi | lo) == 0)
				return false;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= outsz)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

bool
gateway_path(const char *script_name, const char *path_info, const char *request_uri,
    char *out, size_t outsz)
{
	size_t len = 0, n;
	bool whole;

	out[0] = '\0';
	if (script_name == NULL)
		script_name = "";
	if (path_info == NULL)
		path_info = "";
	if (*script_name != '\0' || *path_info != '\0') {
		whole = gateway_append(out, outsz, &len, script_name, strlen(script_name));
		return whole && gateway_append(out, outsz, &len, path_info, strlen(path_info));
	}
	if (request_uri == NULL || *request_uri == '\0')
		return gateway_append(out, outsz, &len, "/", 1);
	n = strcspn(request_uri, "?#");
	if (gateway_decode(request_uri, n, out, outsz))
		return true;
	out[0] = '\0';
	(void)gateway_append(out, outsz, &len, request_uri, n);
	return false;
}
