/*
 * jobstore.h: every statement on the jobs table, and the ones that change
 * a track together with its job (complete's enqueue, a job's finish). Each
 * move asks job_next() (jobstate.h) first and only applies what it returns,
 * in one statement or one transaction, always guarded by the lease
 * (lease_owner + attempts + state running) so a runner that lost its lease
 * can never move a job it no longer holds. Track status labels come from
 * track.h.
 */
#ifndef MUSTORY_JOBSTORE_H
#define MUSTORY_JOBSTORE_H

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "jobstate.h"
#include "result.h"

#define JOB_KIND_MAX 32 /* a buffer this size holds any kind's name */

/*
 * A claimed job. Strings owned; job_free() releases them. The track fields
 * are the job's track's (track_id "" and the pointers NULL for a kind
 * without a track, e.g. a webhook delivery, whose payload says what it is).
 */
struct job {
	long long id;
	long long run_id;       /* this attempt's job_runs row */
	char kind[JOB_KIND_MAX]; /* "transcode_hls", ... (jobs/kinds.c) */
	char *payload;          /* jobs.payload (JSON text); NULL when none */
	char track_id[37];
	int attempts;           /* including this one */
	int max_attempts;
	enum job_state state;
	char *audio_key;        /* original_audio_key */
	char *audio_etag;       /* original_etag, as complete saw it; NULL when unknown */
	char *artwork_key;      /* NULL when no artwork */
	char *file_ext;
	long long file_size;
};

void job_free(struct job *j);

/*
 * The upload is complete: a PENDING track becomes PROCESSING, with the
 * original's ETag as complete saw it (etag; NULL or "": none), and gets its
 * queued job (max_attempts), in one statement; the jobs trigger NOTIFYs
 * the runners at commit. *job_id is the new job's id, 0 when the track was
 * no longer PENDING (a repeated or concurrent call: nothing is made).
 */
enum result job_enqueue(struct db *db, const char *track_id, const char *etag,
    long long max_attempts, long long *job_id, struct errbuf *e);

/*
 * Claim the oldest due job of one of kinds (a NULL-terminated list of
 * kind names, [a-z0-9_] only; NULL: every kind) (FOR UPDATE SKIP LOCKED):
 * running, attempts+1, lease owner and expiry, a job_runs row. A runner
 * configured with fewer attempts (JOB_MAX_ATTEMPTS) lowers the job's
 * max_attempts to its own. *got false when none is due. ERR_INVALID: a
 * kind name outside [a-z0-9_] or too many.
 */
enum result job_claim(struct db *db, const char *owner, long long lease_s, int max_attempts,
    const char *const *kinds, struct job *j, bool *got, struct errbuf *e);

/*
 * Renew the lease and store progress (0..99; < 0 leaves it). *ours false
 * when the job is no longer ours (rescued and maybe claimed by another).
 * *cancel true when a cancel was asked of it (jobs.cancel_requested_at:
 * its track was deleted, or an operator cancelled it): the runner stops,
 * removes what it uploaded and ends it by job_next's cancel move.
 */
enum result job_renew(struct db *db, const struct job *j, const char *owner, long long lease_s,
    int progress, bool *ours, bool *cancel, struct errbuf *e);

/*
 * Apply m (from job_next on a failure or a hand back) to a running job we
 * hold: the job row, its job_runs row, and the track when m changes it, in
 * one statement. When m fails the track and cfg has WEBHOOK_URLS, its
 * track.failed webhook is queued in the same transaction (webhook_queue.h).
 * ERR_LEASE_LOST when the lease is no longer ours; ERR_CANCELLED when a
 * cancel was asked of it meanwhile and m is not the cancel (then only
 * job_next's cancel move may end it).
 */
enum result job_apply(struct db *db, const struct config *cfg, struct job *j,
    const char *owner, const struct job_move *m, struct errbuf *e);

struct job_success {
	const char *hls_prefix;
	const char *hls_url;
	double duration_s;
	const char *artwork_url; /* NULL: stays NULL */
	const char *tags_json;   /* the file's tags (a JSON object); NULL: none */
	const char *artwork_thumbnails_json; /* {"600": url, ...}; NULL: none */
	const char *artwork_error; /* why a cover offered is not published; NULL: none */
	const char *loudness_json; /* {"integrated_lufs", ...}; NULL: not measured */
	const char *waveform_url;  /* NULL: none */
};

/*
 * The one transaction that finishes a job: the lease is checked (FOR
 * UPDATE), the job succeeds (progress 100), its run closes, the track is
 * COMPLETED with its HLS fields, and its track.completed webhook is queued
 * for cfg's WEBHOOK_URLS (webhook_queue.h). ERR_LEASE_LOST when the lease
 * was lost, ERR_CANCELLED when a cancel was asked of it (nothing changed
 * either way: the caller removes what it uploaded).
 */
enum result job_succeed(struct db *db, const struct config *cfg, struct job *j,
    const char *owner, const struct job_success *s, struct errbuf *e);

/*
 * A job of a kind that does not decide its track's status (job_kind_sets_track
 * false: a purge, a delivery) succeeded: the job succeeds (progress 100), its
 * run closes with message (NULL: none). The track is not touched. Guarded by
 * the lease like job_apply: ERR_LEASE_LOST when it is no longer ours. A kind
 * that must change other rows in the same transaction opens one (db_begin),
 * makes its changes, calls this and commits: it runs inside an open one.
 */
enum result job_done(struct db *db, struct job *j, const char *owner, const char *message,
    struct errbuf *e);

/*
 * Take back running jobs whose lease expired, each by job_next's
 * lease_lost move (queued again, or failed with its track when attempts
 * are used up; a persistent kind never fails so), or, when a cancel was
 * asked of it, the cancel move (cancelled): their open run closed, in one
 * transaction with the track.failed webhooks of the tracks that fail
 * (cfg). *n gets how many.
 */
enum result job_rescue(struct db *db, const struct config *cfg, long long *n,
    struct errbuf *e);

/*
 * Seconds until the next queued job of one of kinds (as job_claim's; NULL:
 * any) is due / the next lease (of any kind) expires (-1: none).
 */
enum result job_next_due(struct db *db, const char *const *kinds, double *due_s,
    double *lease_s, struct errbuf *e);

/*
 * The operator's retry of a failed or cancelled job (attempts 0; its track
 * PROCESSING again when the kind decides the track's status). track_id
 * gets the job's track ("" for a kind without one), *was (may be NULL) the
 * state it was queued from. ERR_NOT_FOUND: no such job; ERR_CONFLICT: it is
 * neither, or its track is deleted.
 */
enum result job_operator_retry(struct db *db, long long id, char track_id[37],
    enum job_state *was, struct errbuf *e);

#endif
