/*
 * worker.h: one worker process: wait for a due job (LISTEN jobs + a poll
 * that is never longer than JOB_POLL_SECONDS, and shorter when the next
 * run_at or lease expiry is sooner), claim it, run it (its stages:
 * stages.h), move it when the attempt failed, repeat.
 * A runner process with --concurrency N has N of these (worker processes).
 */
#ifndef MUSTORY_JOBS_WORKER_H
#define MUSTORY_JOBS_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "jobstore.h"
#include "config.h"
#include "encslots.h"
#include "db.h"
#include "kinds.h"
#include "s3.h"
#include "transcode.h"

struct worker {
	const struct config *cfg;          /* borrowed */
	struct db db;                      /* owned: LISTEN jobs; claims and moves */
	struct db hb_db;                   /* owned: the heartbeat thread's connection */
	struct s3 s3;                      /* owned */
	bool s3_ok;
	struct ladder ladder;
	int parallel;                      /* ffmpeg processes per job, at most */
	struct encslots *slots;            /* borrowed: the runner's shared encoder slots */
	char owner[256];                   /* lease owner: host:pid:name */
	const volatile sig_atomic_t *stop; /* borrowed: set by SIGTERM/SIGINT */
	int wake_fd;                       /* borrowed: readable when a signal came; -1 */
	int lanes;                         /* enum kind_lane mask: what it claims */
	const char *kinds[KINDS_MAX + 1];  /* those lanes' kinds (kinds_select); static strings */
	int max_attempts;                  /* job_claim's cap: JOB_MAX_ATTEMPTS, or
	                                      WEBHOOK_MAX_ATTEMPTS for the quick lane alone */
};

/*
 * Connect (a down database is not fatal: it is retried in the loop). The
 * worker claims the kinds of lanes (a mask of enum kind_lane, kinds.h).
 */
enum result worker_open(struct worker *w, const struct config *cfg, const char *name,
    int lanes, const struct ladder *l, int parallel, struct encslots *slots,
    const volatile sig_atomic_t *stop, int wake_fd, struct errbuf *e);
void worker_close(struct worker *w);

/* Work until *stop (or, with once, until no job is due). Returns an exit status. */
int worker_loop(struct worker *w, bool once);

#endif
