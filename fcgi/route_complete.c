/*
 * POST /tracks/upload/complete: the app says the audio is in storage. Check
 * that it really is (HEAD, size), then in one statement move the track to
 * PROCESSING, with the ETag the HEAD saw (the runner reads exactly that
 * object: If-Match), and insert its job; the jobs trigger NOTIFYs the runners at
 * commit. A repeated or concurrent call finds the track no longer PENDING
 * and makes no second job. The HEAD is bounded: at most
 * STORAGE_API_CONCURRENCY workers wait on storage at once (lib/gate.h), each
 * for at most STORAGE_API_TIMEOUT_SECONDS, so slow storage never holds every
 * worker; past either, 503 storage_unavailable.
 */
#include "routes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jobstore.h"
#include "log.h"
#include "track_view.h"
#include "upload_multipart.h"
#include "validate.h"

/*
 * How long a complete waits for a place among the STORAGE_API_CONCURRENCY
 * workers in a storage call: HEADs take milliseconds when storage is well,
 * so concurrent completes of one track only queue; when storage hangs, the
 * ones past the cap answer 503 after this, not after the storage timeout.
 */
#define COMPLETE_GATE_WAIT_MS 500

static bool complete_check_upload(struct req *r, const char *track_id, PGresult *res,
    char *etag);

/*
 * Is the original in storage with the declared size? HEAD it (etag gets its
 * ETag); false once an answer (409, 503) is sent. Slow storage may hold only
 * some workers (the gate), briefly (STORAGE_API_TIMEOUT_SECONDS).
 */
/* 503 when every place for storage calls stays taken for COMPLETE_GATE_WAIT_MS. */
static bool
complete_gate_enter(struct req *r, const char *track_id)
{
	if (gate_enter_wait(r->w->storage_gate, r->w->slot, COMPLETE_GATE_WAIT_MS))
		return true;
	log_warnx("complete %s: every place for storage calls is taken", track_id);
	http_error(r, 503, "storage_unavailable",
	    "Storage is answering slowly and every check of an upload is waiting on it, so "
	    "this one cannot be checked now. Retry in a few seconds.");
	return false;
}

/* CompleteMultipartUpload (upload_multipart.c) within the gate. */
static bool
complete_multipart(struct req *r, const char *track_id, PGresult *res)
{
	bool ok;

	if (!complete_gate_enter(r, track_id))
		return false;
	ok = upload_mp_complete(r, track_id, res);
	gate_leave(r->w->storage_gate, r->w->slot);
	return ok;
}

static bool
complete_check_upload(struct req *r, const char *track_id, PGresult *res, char *etag)
{
	long long declared = strtoll(PQgetvalue(res, 0, TC_SIZE), NULL, 10), stored = -1;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	if (!complete_gate_enter(r, track_id))
		return false;
	rc = s3_head(&r->w->s3, PQgetvalue(res, 0, TC_AUDIO_KEY), &stored, etag, &e);
	gate_leave(r->w->storage_gate, r->w->slot);
	if (rc == ERR_NOT_FOUND) {
		http_error(r, 409, "upload_missing",
		    "The audio file is not in storage yet. Upload it to audio_upload_url with "
		    "audio_upload_fields from /tracks/upload/init, then call complete again.");
		return false;
	}
	if (rc != OK) {
		log_warnx("complete %s: %s", track_id, err_msg(&e));
		http_error(r, 503, "storage_unavailable",
		    "Storage is not reachable right now, so the upload cannot be checked. "
		    "Retry in a few seconds.");
		return false;
	}
	if (stored != declared) {
		http_error(r, 409, "upload_size_mismatch",
		    "The stored audio file is %lld bytes but file_size was %lld. Upload the "
		    "file again, then call complete.", stored, declared);
		return false;
	}
	return true;
}

void
route_complete(struct req *r, const char *unused)
{
	struct complete_body b;
	struct field_error fe;
	struct errbuf e;
	json_object *body = NULL, *o = NULL;
	PGresult *res = NULL;
	long long job_id = 0;
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
	/* Multipart (issue 14): lock the row and complete the upload in storage (a
	 * storage call: it takes a place of the gate); what follows then runs
	 * under that lock, committed after the job. */
	if (track_row_multipart(res) && !complete_multipart(r, b.track_id, res))
		goto out;
	if (!complete_check_upload(r, b.track_id, res, etag))
		goto out;
	rc = job_enqueue(&r->w->db, b.track_id, etag, r->w->cfg->job_max_attempts, &job_id, &e);
	if (rc == OK)
		rc = upload_mp_commit(r, &e); /* multipart: release the row lock */
	if (rc != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	if (job_id != 0)
		log_info("track %s: upload complete, job %lld queued", b.track_id, job_id);
	/* Answer from the database's state, whichever call won. */
	PQclear(res);
	res = NULL;
	/* A 404 when it was deleted meanwhile (DELETE /tracks/{id}). */
	if (!track_load_or_answer(r, b.track_id, &res))
		goto out;
	o = track_status_json(res);
	http_send_json(r, job_id != 0 ? 202 : 200, o);
out:
	upload_mp_release(r); /* multipart: a lock still held on an error */
	json_object_put(o);
	json_object_put(body);
	PQclear(res);
}
