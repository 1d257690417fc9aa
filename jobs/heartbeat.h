/*
 * heartbeat.h: while a job runs, a thread renews its lease every lease/3
 * and stores progress at most once a second, on its own database
 * connection (the worker's thread may be blocked in a download or upload).
 * When renewal finds the job is no longer ours, or renewal has failed for a
 * whole lease (another runner may have taken it), the job is marked lost:
 * the worker then abandons it without publishing. When renewal says a
 * cancel was asked of it (its track deleted, an operator's cancel), the
 * job is marked cancelled: the worker stops (ffmpeg too), removes what it
 * uploaded and records the cancel; the lease is kept renewed meanwhile.
 */
#ifndef MUSTORY_JOBS_HEARTBEAT_H
#define MUSTORY_JOBS_HEARTBEAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "jobstore.h"
#include "db.h"

struct heartbeat {
	struct db *db;            /* borrowed: the thread's own connection */
	const struct job *job;    /* borrowed for the run */
	const char *owner;        /* borrowed */
	long long lease_s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;                /* under mu */
	bool started;
	atomic_int progress;      /* 0..99 wanted in the row */
	atomic_bool lost;
	atomic_bool cancelled;
};

/* Start renewing j's lease on db. Signals are blocked in the thread. */
enum result heartbeat_start(struct heartbeat *hb, struct db *db, const struct job *j,
    const char *owner, long long lease_s, struct errbuf *e);
/* Ask for progress pct (0..99) to be stored; cheap, any thread. */
void heartbeat_progress(struct heartbeat *hb, int pct);
/* True once the lease is known (or must be assumed) lost. */
bool heartbeat_lost(struct heartbeat *hb);
/* True once a cancel was asked of the job (job_renew said so). */
bool heartbeat_cancelled(struct heartbeat *hb);
/* Stop and join the thread. Safe when not started (or stopped already). */
void heartbeat_stop(struct heartbeat *hb);

#endif
