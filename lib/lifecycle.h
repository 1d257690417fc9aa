/*
 * lifecycle.h: deleting a track and cancelling a job (issue 15), the
 * statements that change a track's end of life together with its jobs.
 *
 * A delete is a soft delete in one transaction: the track's transcode job
 * is cancelled (job_next's cancel move: a queued one at once, a running one
 * asked to stop at its next heartbeat), tracks.deleted_at is set (every
 * statement of the API and the runner leaves such a row out) and a purge
 * job is queued (kind JOB_KIND_PURGE, no track_id, {"track_id"} in its
 * payload). The purge (jobs/purge.c) removes every object of the track
 * once no runner works on it any more, then deletes the row (its other
 * jobs and every run cascade). Lock order as everywhere: the job row first,
 * then the track's.
 */
#ifndef MUSTORY_LIFECYCLE_H
#define MUSTORY_LIFECYCLE_H

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "jobstate.h"
#include "jobstore.h"
#include "result.h"

/* What a delete did. */
struct track_deletion {
	long long job_id;        /* the track's transcode job, 0: none */
	enum job_state job_was;  /* its state before */
	bool job_cancelled;      /* queued: cancelled at once */
	bool cancel_requested;   /* running: its runner is asked to stop */
	long long purge_job_id;  /* the purge queued */
};

/*
 * Delete track id (owner_id's; NULL: whoever owns it, the operator's
 * delete). ERR_NOT_FOUND when there is no such live track (unknown,
 * someone else's, deleted already). The purge gets cfg's JOB_MAX_ATTEMPTS
 * (it is persistent: transient failures never use them up); the
 * track.deleted webhook (cfg's WEBHOOK_URLS) is queued in the same
 * transaction.
 */
enum result track_delete(struct db *db, const struct config *cfg, const char *id,
    const char *owner_id, struct track_deletion *out, struct errbuf *e);

/*
 * The operator's cancel of job id: *move is job_next's cancel move as
 * applied (move->to cancelled, or running with request_cancel). *track_id
 * gets the job's track ("" when none). ERR_NOT_FOUND: no such job;
 * ERR_CONFLICT: nothing to cancel (succeeded, failed, cancelled) or a purge
 * (a deleted track's objects must go).
 */
enum result job_cancel(struct db *db, long long id, struct job_move *move, char track_id[37],
    struct errbuf *e);

/* What a purge needs to know about its track. */
struct purge_facts {
	bool found;              /* the row is still there */
	bool deleted;            /* deleted_at is set (else the purge must not run) */
	char audio_key[512];     /* the original's key (a multipart upload's key) */
	char upload_id[1100];    /* an unfinished multipart upload's id; "": none */
	bool transcoding;        /* its transcode job is running (cancel asked or not) */
	double forms_open_s;     /* seconds until its presigned upload forms expire; <= 0 */
};

/*
 * Read what purge_facts says of track id; forms_ttl_s is
 * UPLOAD_URL_EXPIRES_SECONDS (a form handed out at init could still put an
 * object until created_at plus that).
 */
enum result purge_facts_get(struct db *db, const char *id, long long forms_ttl_s,
    struct purge_facts *pf, struct errbuf *e);

/*
 * The purge of track id is done (nothing is left in storage): in one
 * transaction delete the track row (deleted ones only; its jobs and runs
 * cascade) and record purge job j succeeded (job_done, the lease checked;
 * its run's message). ERR_LEASE_LOST when j is no longer ours (nothing
 * changed).
 */
enum result purge_finish(struct db *db, struct job *j, const char *owner, const char *id,
    const char *message, struct errbuf *e);

#endif
