/*
 * proc.h: run ffprobe/ffmpeg safely. fork + execv of an argv (never a
 * shell), the program resolved on PATH before fork; in the child: its own
 * process group, killed when the runner dies (PR_SET_PDEATHSIG), stdin
 * /dev/null, every other descriptor closed, rlimits (CPU, address space,
 * file size, open files). The parent reads stdout/stderr/progress through
 * pipes into capped buffers and enforces a wall-clock deadline by killing
 * the whole group.
 */
#ifndef MUSTORY_JOBS_PROC_H
#define MUSTORY_JOBS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "result.h"

/* The descriptor number a child's -progress pipe is given: "-progress pipe:3". */
#define PROC_PROGRESS_FD 3

struct proc_limits {
	long long cpu_s;       /* RLIMIT_CPU; 0 = leave as is */
	long long as_bytes;    /* RLIMIT_AS */
	long long fsize_bytes; /* RLIMIT_FSIZE */
	long long nofile;      /* RLIMIT_NOFILE */
};

/* A growing buffer with a hard cap: bytes past cap are dropped, truncated set. */
struct capbuf {
	char *buf;      /* owned, NUL-terminated when not NULL */
	size_t len;
	size_t cap;     /* most bytes kept */
	bool truncated;
};

struct proc {
	pid_t pid;             /* also the process group id; 0 = not running */
	int out_fd, err_fd, prog_fd; /* read ends, -1 when closed or not asked */
	struct capbuf out;     /* stdout when asked (want_stdout) */
	struct capbuf err;     /* stderr, always */
	char line[256];        /* progress line being assembled */
	size_t linelen;
	int status;            /* waitpid status once reaped */
	bool reaped;
};

/*
 * Start argv[0] (looked up on PATH when it has no '/'). out_cap > 0
 * captures stdout (else /dev/null); err_cap caps stderr; want_progress
 * gives the child a pipe on PROC_PROGRESS_FD. cwd may be NULL.
 */
enum result proc_spawn(struct proc *p, const char *const argv[], const char *cwd,
    const struct proc_limits *lim, size_t out_cap, size_t err_cap,
    bool want_progress, struct errbuf *e);

/* Callbacks for proc_wait(). Either may be NULL. */
struct proc_hooks {
	/* A complete line from process idx's progress pipe (no newline). */
	void (*on_progress)(void *arg, size_t idx, const char *line);
	/* Polled about every 200 ms: true kills every process (abandon). */
	bool (*should_abort)(void *arg);
	void *arg;
};

enum proc_end { PROC_DONE, PROC_TIMEOUT, PROC_ABORTED };

/*
 * Pump the n processes' pipes until all have exited. When timeout_s passes
 * or should_abort says so, every process group is sent SIGKILL and reaped.
 * Each p[i].status then holds its wait status.
 */
enum proc_end proc_wait(struct proc *p, size_t n, long long timeout_s,
    const struct proc_hooks *hooks);

/* Kill (SIGKILL to the group) and reap, close pipes. Safe on a zeroed proc. */
void proc_kill(struct proc *p);
/* Close pipes and free buffers (after proc_wait or proc_kill). */
void proc_free(struct proc *p);

/* True when the process exited with status 0. */
bool proc_ok(const struct proc *p);
/* "exit status 1", "killed by signal 9 (CPU time limit?)": into buf. */
const char *proc_status_str(const struct proc *p, char *buf, size_t len);

/*
 * Pure: printf into an argv store (strings laid end to end in a buffer):
 * returns the string, or NULL once the store is full (and from then on), so
 * an argv builder can check once at the end. *store moves past it.
 */
const char *proc_argf(char **store, size_t *left, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append to a capbuf (pure; for tests too). Returns false when out of memory. */
bool capbuf_add(struct capbuf *b, const char *data, size_t len);
void capbuf_free(struct capbuf *b);

#endif
