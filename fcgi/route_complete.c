/*
 * POST /tracks/upload/complete: the app says the audio is in storage. Check
 * that it really is (HEAD, size), then in one statement move the track to
 * PROCESSING, with the ETag the HEAD saw (the runner reads exactly that
 * object: If-Match), and insert its job; the jobs trigger NOTIFYs the runners at
 * commit. A repeated or concurrent call finds the track no longer PENDING
 * and makes no second job.
 */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "jobstore.h"
#include "log.h"
#include "track_view.h"
#include "validate.h"


void
route_complete(struct req *r, const char *unused)
{
	struct complete_body b;
	struct field_error fe;
	struct errbuf e;
	json_object *body = NULL, *o = NULL;
	PGresult *res = NULL;
	long long declared, stored = -1, job_id = 0;
	char etag[S3_ETAG_MAX];
	enum result rc;

	(void)unused;
	err_clear(&e);
	memset(&b, 0, sizeof(b));
	if ((body = http_read_json(r)) == NULL)
		goto out;
	if (validate_fields(body, complete_fields, complete_nfields, &b, &fe) != OK) {
		http_error_field(r, fe.field, fe.detail);
		goto out;
	}
	rc = track_load(r, b.track_id, &res, &e);
	if (rc == ERR_NOT_FOUND) {
		track_not_found(r, b.track_id);
		goto out;
	}
	if (rc != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	if (track_row_status(res) != TRACK_PENDING) {
		/* Already accepted: answer the current status, make nothing. */
		o = track_status_json(res);
		http_send_json(r, 200, o);
		goto out;
	}
	declared = strtoll(PQgetvalue(res, 0, TC_SIZE), NULL, 10);
	rc = s3_head(&r->w->s3, PQgetvalue(res, 0, TC_AUDIO_KEY), &stored, etag, &e);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, 409, "upload_missing",
		    "The audio file is not in storage yet. Upload it to audio_upload_url with "
		    "audio_upload_fields from /tracks/upload/init, then call complete again.");
		goto out;
	}
	if (rc != OK) {
		log_warnx("complete %s: %s", b.track_id, err_msg(&e));
		http_error(r, 503, "storage_unavailable",
		    "Storage is not reachable right now, so the upload cannot be checked. "
		    "Retry in a few seconds.");
		goto out;
	}
	if (stored != declared) {
		http_error(r, 409, "upload_size_mismatch",
		    "The stored audio file is %lld bytes but file_size was %lld. Upload the "
		    "file again, then call complete.", stored, declared);
		goto out;
	}
	rc = job_enqueue(&r->w->db, b.track_id, etag, r->w->cfg->job_max_attempts, &job_id, &e);
	if (rc != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	if (job_id != 0)
		log_info("track %s: upload complete, job %lld queued", b.track_id, job_id);
	/* Answer from the database's state, whichever call won. */
	PQclear(res);
	res = NULL;
	err_clear(&e);
	if ((rc = track_load(r, b.track_id, &res, &e)) != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	o = track_status_json(res);
	http_send_json(r, job_id != 0 ? 202 : 200, o);
out:
	json_object_put(o);
	json_object_put(body);
	PQclear(res);
}
