/*
 * jobstate.h: the job as a state machine (pg_cron's shape), pure. enum
 * job_state mirrors the SQL enum; job_next() is the one function that says
 * what an event does to a job: the next state, the delay before it may run
 * again, how its run ends, what becomes of its track and the sentences the
 * operator and the artist read. The store (jobstore.c) only applies the
 * move it returns; no SQL decides a move by itself.
 *
 *   queued --claim--> running --succeed--> succeeded
 *                        |----fail_transient--> queued (backoff) | failed (attempts used up)
 *                        |----fail_permanent--> failed
 *                        |----lease_lost (rescue)--> queued | failed (attempts used up)
 *                        `----hand_back (SIGTERM)--> queued (attempt not counted)
 *                        |----defer (a purge that must wait)--> queued (delay, not counted)
 *                        `----cancel--> running, cancel requested (the runner is asked)
 *                                  `--cancel (requested: acknowledged, or the lease ran out)
 *                                     --> cancelled
 *   queued --cancel--> cancelled (at once)
 *   failed | cancelled --operator_retry--> queued (attempts 0)
 *
 * A persistent job (a purge: it must not give up while anything is left)
 * retries transient failures and lost leases whatever its attempts.
 */
#ifndef MUSTORY_JOBSTATE_H
#define MUSTORY_JOBSTATE_H

#include <stdbool.h>

#include "result.h"
#include "track.h"

enum job_state {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_SUCCEEDED,
	JOB_FAILED,
	JOB_CANCELLED,
	JOB_STATE__MAX
};

enum job_event {
	JEV_CLAIM,
	JEV_SUCCEED,
	JEV_FAIL_TRANSIENT,
	JEV_FAIL_PERMANENT,
	JEV_LEASE_LOST,
	JEV_HAND_BACK,
	JEV_OPERATOR_RETRY,
	JEV_CANCEL,  /* queued: cancelled; running: ask (or, once asked, end) */
	JEV_DEFER,   /* running -> queued after defer_s, not counted */
	JEV__MAX
};

/* Static: "queued", "running", "succeeded", "failed", "cancelled" (the SQL labels). */
const char *job_state_str(enum job_state s);
const char *job_event_str(enum job_event ev);
/* The SQL label to the enum; false when it is none of them. */
bool job_state_parse(const char *label, enum job_state *s);

/* What job_next needs to know besides the state; strings borrowed. */
struct job_facts {
	long long id;
	int attempts;            /* the attempt just made (1-based), 0 before any */
	int max_attempts;
	const char *owner;       /* the runner that holds (held) the lease; NULL: unknown */
	enum result cause;       /* fail events: the attempt's result */
	const char *detail;      /* fail events: what went wrong, for the operator */
	const char *public_msg;  /* fail_permanent: the artist's sentence when the failing
	                            code knows one (err_pub); NULL or "": job_next's own */
	long long backoff_base_s; /* fail_transient: JOB_BACKOFF_BASE_S, _MAX_S */
	long long backoff_max_s;
	double jitter;           /* in [0, 1) */
	bool persistent;         /* a purge: transient failures never use attempts up */
	bool cancel_requested;   /* cancel: the cancel was asked before (the runner, or the
	                            rescue of its lease, ends it now) */
	const char *reason;      /* cancel, defer: why, for the operator ("the track was
	                            deleted"); NULL: a generic sentence */
	double defer_s;          /* defer: seconds before it may run again */
	bool detached;           /* the job's end is not its track's status (every kind
	                            but transcode_hls: job_kind_sets_track) */
};

struct job_move {
	enum job_state to;
	const char *outcome;       /* static job_runs.outcome, NULL when no run closes */
	bool track_changes;        /* the track's status becomes track */
	enum track_status track;
	double delay_s;            /* run_at = now() + delay_s when queued */
	bool uncount;              /* the attempt is given back (hand back, defer) */
	bool request_cancel;       /* cancel of a running job: set cancel_requested_at, the
	                              state stays running until its runner stops */
	char message[1024];        /* last_error and job_runs.message; "" for NULL */
	char public_message[512];  /* processing_error when the track changes; "" for NULL:
	                              always a sentence about the file, never the detail */
};

/*
 * Pure: the move event causes from state. ERR_CONFLICT (and m->to == from)
 * when the event makes no sense in that state.
 */
enum result job_next(enum job_state from, enum job_event ev, const struct job_facts *f,
    struct job_move *m);

/*
 * Pure: seconds to wait before attempt `attempt + 1` after attempt
 * `attempt` (1-based) failed: min(max, base * 2^(attempt-1)), then +-25%
 * jitter from unit in [0, 1), never below 0 or above max.
 */
double job_backoff_s(int attempt, long long base_s, long long max_s, double unit);

/* The job kind that removes a deleted track's objects, then its row (jobs/purge.c). */
#define JOB_KIND_PURGE "purge"
/* Pure: is kind persistent (job_facts.persistent: a purge)? false for NULL. */
bool job_kind_persistent(const char *kind);
/*
 * Pure: does a job of this kind decide its track's processing status (only
 * the transcode does; a purge or a webhook delivery never does)? NULL: the
 * transcode (rows from before kinds).
 */
bool job_kind_sets_track(const char *kind);

/* Pure: does this result fail a job at once (no retry can help)? */
bool job_is_permanent(enum result rc);

#endif
