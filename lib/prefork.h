/*
 * prefork.h: a parent that forks n worker processes and supervises them,
 * for both programs (mustory-api's FastCGI workers, mustory-runner's job
 * workers). A worker that dies is started again after a pause of a second
 * (so a crash loop is slow); once the stop flag is set (by the handler
 * prefork_signals() installed), SIGTERM is passed on to every worker, once,
 * and the parent waits until all have exited.
 */
#ifndef MUSTORY_PREFORK_H
#define MUSTORY_PREFORK_H

#include <signal.h>
#include <stdbool.h>

struct prefork {
	int n;                             /* worker processes, >= 1 */
	int (*child)(const void *arg, int idx); /* runs in worker idx (0..n-1); returns its exit status */
	const void *arg;                   /* borrowed: passed to child */
	const volatile sig_atomic_t *stop; /* borrowed: set by the stop signal's handler */
	bool restart;                      /* start again a worker that failed (false: --once) */
	bool restart_clean;                /* start again one that exited 0, too */
	bool die_with_parent;              /* workers get SIGKILL when the parent dies */
	/*
	 * May be NULL. Called in the parent once worker idx has ended (any
	 * status, even SIGKILL), before another is started in its place: what
	 * the dead worker held in memory shared with the parent is given back
	 * here (the API's gate slot, lib/gate.h).
	 */
	void (*reaped)(const void *arg, int idx);
};

/*
 * on_stop for SIGTERM and SIGINT, without SA_RESTART so that a blocking
 * accept(), poll() or waitpid() wakes; SIGPIPE ignored.
 */
void prefork_signals(void (*on_stop)(int));

/*
 * Fork p->n workers and supervise them until every one has exited. Returns
 * the worst exit status a worker ended with (1 for a signal), 0 when all
 * ended cleanly.
 */
int prefork_run(const struct prefork *p);

#endif
