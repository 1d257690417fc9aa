/*
 * purge.h: the purge job (kind JOB_KIND_PURGE, one row in jobs/kinds.c),
 * queued by a track's delete in the same transaction (lib/lifecycle.h). It
 * removes every object of the deleted track, then the track's row:
 *
 *   1. the track's transcode job is still running (its runner was asked to
 *      stop and has not said so yet, and its lease has not run out): hand
 *      itself back for a third of a lease (defer), so nothing can be
 *      uploaded after the purge;
 *   2. abort an unfinished multipart upload (its part URLs stop working),
 *      then delete everything under the track's prefixes (tracks/<id>/,
 *      hls/<id>/, art/<id>/, storage_track_prefix);
 *   3. while an upload form handed out at init could still put an object
 *      (created_at + UPLOAD_URL_EXPIRES_SECONDS), defer until it cannot and
 *      look again (step 2 once more);
 *   4. then, in one transaction, delete the row (its jobs and runs cascade;
 *      the purge job itself has no track_id and stays as the record) and
 *      record the purge succeeded.
 *
 * Storage or the database down: a transient failure, retried with backoff
 * through job_next like any job; a purge is persistent (it never uses its
 * attempts up), so it goes on until nothing is left.
 */
#ifndef MUSTORY_JOBS_PURGE_H
#define MUSTORY_JOBS_PURGE_H

#include "heartbeat.h"
#include "jobstore.h"
#include "result.h"
#include "worker.h"

/* One attempt at purge job j (kinds.h's run function). */
enum result purge_run(struct worker *w, struct job *j, struct heartbeat *hb,
    struct errbuf *e);

#ifdef UNITTEST
/* The track id of a purge's payload ({"track_id": "<uuid>"}); false when there is none. */
bool purge_payload_track(const char *payload, char id[37]);
#endif

#endif
