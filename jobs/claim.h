/*
 * claim.h: the job as a state machine over the jobs table (pg_cron's
 * shape). enum job_state mirrors the SQL enum; job_next() is the one switch
 * that says where an event takes a job; the functions below carry the moves
 * out in SQL, each one statement (or one transaction), always guarded by
 * the lease (lease_owner + attempts + state running) so a runner that lost
 * its lease can never move a job it no longer holds.
 *
 *   queued --claim--> running --succeed--> succeeded
 *                        |----fail_transient--> queued (backoff) | failed (attempts used up)
 *                        |----fail_permanent--> failed
 *                        |----lease_lost (rescue)--> queued | failed
 *                        `----hand_back (SIGTERM)--> queued (attempt not counted)
 *   failed --operator_retry--> queued (attempts 0)
 */
#ifndef MUSTORY_JOBS_CLAIM_H
#define MUSTORY_JOBS_CLAIM_H

#include <stdbool.h>

#include "db.h"
#include "result.h"

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED, JOB_STATE__MAX };

enum job_event {
	JEV_CLAIM,
	JEV_SUCCEED,
	JEV_FAIL_TRANSIENT,
	JEV_FAIL_PERMANENT,
	JEV_LEASE_LOST,
	JEV_HAND_BACK,
	JEV_OPERATOR_RETRY,
	JEV__MAX
};

/* Static: "queued", "running", "succeeded", "failed" (the SQL enum's labels). */
const char *job_state_str(enum job_state s);
const char *job_event_str(enum job_event ev);

struct job_move {
	enum job_state to;
	const char *outcome; /* static job_runs.outcome, NULL when no run closes */
	bool track_failed;   /* the track becomes FAILED */
	bool backoff;        /* run_at moves into the future */
	bool uncount;        /* the attempt is given back (hand back) */
};

/*
 * Pure: the move event causes from state, given the attempt just made
 * (attempts) of max_attempts. ERR_CONFLICT when the event makes no sense
 * in that state.
 */
enum result job_next(enum job_state from, enum job_event ev, int attempts,
    int max_attempts, struct job_move *m);

/*
 * Pure: seconds to wait before attempt `attempt + 1` after attempt
 * `attempt` (1-based) failed: min(max, base * 2^(attempt-1)), then +-25%
 * jitter from unit in [0, 1), never below 0 or above max.
 */
double job_backoff_s(int attempt, long long base_s, long long max_s, double unit);

/* Pure: does this result fail a job at once (no retry can help)? */
bool job_is_permanent(enum result rc);

/* A claimed job. Strings owned; job_free() releases them. */
struct job {
	long long id;
	long long run_id;       /* this attempt's job_runs row */
	char track_id[37];
	int attempts;           /* including this one */
	int max_attempts;
	enum job_state state;
	char *audio_key;        /* original_audio_key */
	char *artwork_key;      /* NULL when no artwork */
	char *file_ext;
	long long file_size;
};

void job_free(struct job *j);

/*
 * Claim the oldest due job (FOR UPDATE SKIP LOCKED): running, attempts+1,
 * lease owner and expiry, a job_runs row. A runner configured with fewer
 * attempts (JOB_MAX_ATTEMPTS) lowers the job's max_attempts to its own.
 * *got false when none is due.
 */
enum result job_claim(struct db *db, const char *owner, long long lease_s, int max_attempts,
    struct job *j, bool *got, struct errbuf *e);

/*
 * Renew the lease and store progress (0..99; < 0 leaves it). *ours false
 * when the job is no longer ours (rescued and maybe claimed by another).
 */
enum result job_renew(struct db *db, const struct job *j, const char *owner, long long lease_s,
    int progress, bool *ours, struct errbuf *e);

/*
 * Move a running job we hold by ev (JEV_FAIL_TRANSIENT, JEV_FAIL_PERMANENT,
 * JEV_HAND_BACK): job row, its job_runs row, and the track when it
 * fails, in one statement. message is the operator's sentence (last_error,
 * job_runs.message); public_message, when not NULL, is what the artist sees
 * in processing_error (else message). *to gets the new state. ERR_CONFLICT
 * when the lease is no longer ours.
 */
enum result job_move_to(struct db *db, struct job *j, const char *owner, enum job_event ev,
    const char *message, const char *public_message, double delay_s, enum job_state *to,
    struct errbuf *e);

struct job_success {
	const char *hls_prefix;
	const char *hls_url;
	double duration_s;
	const char *artwork_url; /* NULL: stays NULL */
};

/*
 * The one transaction that finishes a job: the lease is checked (FOR
 * UPDATE), the job succeeds (progress 100), its run closes, the track is
 * COMPLETED with its HLS fields. ERR_CONFLICT when the lease was lost
 * (nothing changed).
 */
enum result job_succeed(struct db *db, struct job *j, const char *owner,
    const struct job_success *s, struct errbuf *e);

/*
 * Take back running jobs whose lease expired: queued again (or failed when
 * attempts are used up, the track too), their open run closed as
 * 'lease_lost' with a message. *n gets how many.
 */
enum result job_rescue(struct db *db, long long *n, struct errbuf *e);

/* Seconds until the next queued job is due / the next lease expires (-1: none). */
enum result job_next_due(struct db *db, double *due_s, double *lease_s, struct errbuf *e);

/* The operator's retry of a failed job (attempts 0, track PROCESSING again). */
enum result job_operator_retry(struct db *db, long long id, char track_id[37],
    struct errbuf *e);

#endif
