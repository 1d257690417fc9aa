/*
 * DELETE /tracks/{id}: the owner deletes a track. 204 with no body; the
 * track is gone from the API at once (every route answers 404 for it, as
 * for someone else's or an unknown track, and so does a second DELETE).
 * In one transaction (track_delete, lib/lifecycle.h) its job is cancelled
 * (a running one is asked to stop: its runner sees it at its next
 * heartbeat) and a purge job is queued that removes every object of the
 * track from storage once no runner works on it, then the row. Storage is
 * not called here: a delete works while storage is down, and the purge
 * retries until nothing is left.
 */
#include "routes.h"

#include "lifecycle.h"
#include "log.h"
#include "track_view.h"

void
route_delete(struct req *r, const char *id)
{
	struct track_deletion d;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	rc = track_delete(&r->w->db, r->w->cfg, id, r->user, &d, &e);
	if (rc == ERR_NOT_FOUND) {
		track_not_found(r, id);
		return;
	}
	if (rc != OK) {
		http_error_db(r, rc, &e);
		return;
	}
	if (d.job_id != 0 && d.cancel_requested)
		log_info("track %s deleted: job %lld is running, its runner is asked to stop; "
		    "purge job %lld queued", id, d.job_id, d.purge_job_id);
	else if (d.job_id != 0 && d.job_cancelled)
		log_info("track %s deleted: job %lld cancelled; purge job %lld queued", id, d.job_id,
		    d.purge_job_id);
	else
		log_info("track %s deleted; purge job %lld queued", id, d.purge_job_id);
	http_send_no_content(r);
}
