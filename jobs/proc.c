#include "proc.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static char *proc_resolve(const char *prog);
static void proc_child(const char *path, const char *const argv[], const char *cwd,
    const struct proc_limits *lim, int devnull, int outw, int errw, int progw,
    pid_t parent) __attribute__((noreturn));
static void proc_setlimit(int res, long long v);
static void proc_closefd(int *fd);
static bool proc_pump(struct proc *p, size_t idx, int *fdp, const struct proc_hooks *h);

bool
capbuf_add(struct capbuf *b, const char *data, size_t len)
{
	size_t room, take;
	char *nb;

	if (b->len >= b->cap) {
		if (len > 0)
			b->truncated = true;
		return true;
	}
	room = b->cap - b->len;
	take = len < room ? len : room;
	if (take < len)
		b->truncated = true;
	if (take == 0)
		return true;
	if ((nb = realloc(b->buf, b->len + take + 1)) == NULL)
		return false;
	b->buf = nb;
	memcpy(b->buf + b->len, data, take);
	b->len += take;
	b->buf[b->len] = '\0';
	return true;
}

void
capbuf_free(struct capbuf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = 0;
	b->truncated = false;
}

/* malloc'd absolute path of prog, or NULL when not found on PATH. */
static char *
proc_resolve(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char buf[PATH_MAX];
	size_t dlen;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0 ? strdup(prog) : NULL;
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = colon + 1) {
		colon = strchr(p, ':');
		dlen = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (dlen > 0 && dlen + 1 + strlen(prog) < sizeof(buf)) {
			struct stat st;

			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, prog, strlen(prog) + 1);
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return strdup(buf);
		}
		if (colon == NULL)
			break;
	}
	return NULL;
}

static void
proc_setlimit(int res, long long v)
{
	struct rlimit rl;

	if (v <= 0)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)v;
	(void)setrlimit(res, &rl);
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void
proc_child(const char *path, const char *const argv[], const char *cwd,
    const struct proc_limits *lim, int devnull, int outw, int errw, int progw,
    pid_t parent)
{
	sigset_t none;
	int fd;

	(void)setpgid(0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(devnull, 0) < 0 || dup2(outw >= 0 ? outw : devnull, 1) < 0 ||
	    dup2(errw, 2) < 0)
		_exit(127);
	if (progw >= 0) {
		if (progw == PROC_PROGRESS_FD) {
			if (fcntl(progw, F_SETFD, 0) < 0)
				_exit(127);
		} else if (dup2(progw, PROC_PROGRESS_FD) < 0)
			_exit(127);
		fd = PROC_PROGRESS_FD + 1;
	} else
		fd = 3;
	/* Nothing else of the runner's (db sockets, other jobs' pipes) leaks in. */
	if (close_range((unsigned)fd, ~0U, 0) < 0)
		for (; fd < 1024; fd++)
			close(fd);
	if (cwd != NULL && chdir(cwd) < 0)
		_exit(127);
	proc_setlimit(RLIMIT_CPU, lim->cpu_s);
	proc_setlimit(RLIMIT_AS, lim->as_bytes);
	proc_setlimit(RLIMIT_FSIZE, lim->fsize_bytes);
	proc_setlimit(RLIMIT_NOFILE, lim->nofile);
	{
		struct rlimit rl = { 0, 0 }; /* no core files of user content */
		(void)setrlimit(RLIMIT_CORE, &rl);
	}
	execv(path, (char *const *)argv);
	_exit(127);
}

static void
proc_closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

enum result
proc_spawn(struct proc *p, const char *const argv[], const char *cwd,
    const struct proc_limits *lim, size_t out_cap, size_t err_cap,
    bool want_progress, struct errbuf *e)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, progp[2] = { -1, -1 };
	int devnull = -1;
	char *path = NULL;
	pid_t pid, self = getpid();
	enum result rc = ERR_IO;

	memset(p, 0, sizeof(*p));
	p->out_fd = p->err_fd = p->prog_fd = -1;
	p->out.cap = out_cap;
	p->err.cap = err_cap;
	if ((path = proc_resolve(argv[0])) == NULL) {
		err_set(e, "cannot run %s: not found or not executable", argv[0]);
		goto out;
	}
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
	    (out_cap > 0 && pipe2(outp, O_CLOEXEC) < 0) ||
	    pipe2(errp, O_CLOEXEC) < 0 ||
	    (want_progress && pipe2(progp, O_CLOEXEC) < 0)) {
		err_set(e, "cannot run %s: %s", argv[0], strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		err_set(e, "cannot run %s: fork: %s", argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0)
		proc_child(path, argv, cwd, lim, devnull, outp[1], errp[1], progp[1], self);
	(void)setpgid(pid, pid);
	p->pid = pid;
	p->out_fd = outp[0];
	p->err_fd = errp[0];
	p->prog_fd = progp[0];
	outp[0] = errp[0] = progp[0] = -1;
	rc = OK;
out:
	proc_closefd(&outp[0]);
	proc_closefd(&outp[1]);
	proc_closefd(&errp[0]);
	proc_closefd(&errp[1]);
	proc_closefd(&progp[0]);
	proc_closefd(&progp[1]);
	if (devnull >= 0)
		close(devnull);
	free(path);
	return rc;
}

/* Read what is there on *fdp; false when the pipe reached EOF (and is closed). */
static bool
proc_pump(struct proc *p, size_t idx, int *fdp, const struct proc_hooks *h)
{
	char buf[8192];
	ssize_t n;
	size_t i;

	n = read(*fdp, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		proc_closefd(fdp);
		return false;
	}
	if (fdp == &p->out_fd)
		(void)capbuf_add(&p->out, buf, (size_t)n);
	else if (fdp == &p->err_fd)
		(void)capbuf_add(&p->err, buf, (size_t)n);
	else {
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] == '\n') {
				p->line[p->linelen] = '\0';
				if (h != NULL && h->on_progress != NULL)
					h->on_progress(h->arg, idx, p->line);
				p->linelen = 0;
			} else if (p->linelen + 1 < sizeof(p->line))
				p->line[p->linelen++] = buf[i]; /* longer lines are cut */
		}
	}
	return true;
}

enum proc_end
proc_wait(struct proc *p, size_t n, long long timeout_s, const struct proc_hooks *hooks)
{
	struct pollfd pfd[3 * 16];
	int *owner[3 * 16];
	size_t ownidx[3 * 16];
	double deadline = clock_now_s() + (double)timeout_s;
	enum proc_end end = PROC_DONE;
	size_t i, np, alive;

	for (;;) {
		np = 0;
		alive = 0;
		for (i = 0; i < n; i++) {
			int *fds[3] = { &p[i].out_fd, &p[i].err_fd, &p[i].prog_fd };
			size_t k;

			for (k = 0; k < 3; k++) {
				if (*fds[k] < 0 || np >= sizeof(pfd) / sizeof(pfd[0]))
					continue;
				pfd[np].fd = *fds[k];
				pfd[np].events = POLLIN;
				pfd[np].revents = 0;
				owner[np] = fds[k];
				ownidx[np] = i;
				np++;
			}
			if (p[i].pid > 0 && !p[i].reaped) {
				pid_t r = waitpid(p[i].pid, &p[i].status, WNOHANG);
				if (r == p[i].pid)
					p[i].reaped = true;
				else
					alive++;
			}
		}
		if (alive == 0 && np == 0)
			break;
		if (end == PROC_DONE && clock_now_s() > deadline)
			end = PROC_TIMEOUT;
		if (end == PROC_DONE && hooks != NULL && hooks->should_abort != NULL &&
		    hooks->should_abort(hooks->arg))
			end = PROC_ABORTED;
		if (end != PROC_DONE) {
			for (i = 0; i < n; i++)
				proc_kill(&p[i]);
			break;
		}
		if (np == 0) {
			/* Pipes closed but not exited yet: wait a little. */
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(pfd, (nfds_t)np, 200) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			continue;
		}
		for (i = 0; i < np; i++)
			if (pfd[i].revents != 0)
				(void)proc_pump(&p[ownidx[i]], ownidx[i], owner[i], hooks);
	}
	return end;
}

void
proc_kill(struct proc *p)
{
	if (p->pid > 0 && !p->reaped) {
		(void)kill(-p->pid, SIGKILL);
		(void)kill(p->pid, SIGKILL);
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
	}
	proc_closefd(&p->out_fd);
	proc_closefd(&p->err_fd);
	proc_closefd(&p->prog_fd);
}

void
proc_free(struct proc *p)
{
	proc_kill(p);
	capbuf_free(&p->out);
	capbuf_free(&p->err);
}

bool
proc_ok(const struct proc *p)
{
	return p->reaped && WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0;
}

const char *
proc_status_str(const struct proc *p, char *buf, size_t len)
{
	if (!p->reaped)
		snprintf(buf, len, "not finished");
	else if (WIFEXITED(p->status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(p->status));
	else if (WIFSIGNALED(p->status))
		snprintf(buf, len, "killed by signal %d%s", WTERMSIG(p->status),
		    WTERMSIG(p->status) == SIGXCPU ? " (CPU time limit)" :
		    WTERMSIG(p->status) == SIGXFSZ ? " (file size limit)" : "");
	else
		snprintf(buf, len, "wait status %d", p->status);
	return buf;
}

const char *
proc_argf(char **store, size_t *left, const char *fmt, ...)
{
	va_list ap;
	char *s = *store;
	int n;

	if (*store == NULL)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(s, *left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= *left) {
		*store = NULL;
		return NULL;
	}
	*store += n + 1;
	*left -= (size_t)n + 1;
	return s;
}
