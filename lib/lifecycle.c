#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"
#include "webhook_queue.h"

/* The columns cancel_row reads, in its order. */
#define CANCEL_COLUMNS                                                            \
	"SELECT id, state::text, attempts, max_attempts, lease_owner,"            \
	" coalesce(track_id::text, ''), kind, cancel_requested_at IS NOT NULL"    \
	" FROM jobs"

static enum result cancel_apply(struct db *db, const char *id, const char *track_id,
    const struct job_move *m, struct errbuf *e);
static enum result cancel_row(struct db *db, const PGresult *r, const char *reason,
    struct job_move *m, struct errbuf *e);
static enum result purge_enqueue(struct db *db, const char *id, long long max_attempts,
    long long *job_id, struct errbuf *e);

/* Apply m, job_next's cancel move for job id (of track_id, "" for none). */
static enum result
cancel_apply(struct db *db, const char *id, const char *track_id, const struct job_move *m,
    struct errbuf *e)
{
	const char *params[3] = { id, m->message, job_state_str(m->to) };
	const char *tparams[3] = { track_id, track_status_sql(m->track), m->public_message };
	enum result rc;

	if (m->request_cancel)
		return db_exec(db, NULL, "UPDATE jobs SET"
		    " cancel_requested_at = coalesce(cancel_requested_at, now()), last_error = $2,"
		    " updated_at = now() WHERE id = $1::bigint", 2, params, e);
	/* queued -> cancelled: no run is open, no lease is held */
	rc = db_exec(db, NULL, "UPDATE jobs SET state = $3::job_state,"
	    " cancel_requested_at = coalesce(cancel_requested_at, now()), last_error = $2,"
	    " finished_at = now(), updated_at = now() WHERE id = $1::bigint", 3, params, e);
	if (rc == OK && m->track_changes && track_id[0] != '\0')
		rc = db_exec(db, NULL, "UPDATE tracks SET processing_status ="
		    " $2::track_processing_status, processing_error = $3, updated_at = now()"
		    " WHERE id = $1::uuid", 3, tparams, e);
	return rc;
}

/*
 * Cancel the job of row 0 of a CANCEL_COLUMNS result (locked FOR UPDATE by
 * the caller's transaction), by job_next's cancel move (*m). ERR_CONFLICT
 * (nothing changed) when there is nothing to cancel.
 */
static enum result
cancel_row(struct db *db, const PGresult *r, const char *reason, struct job_move *m,
    struct errbuf *e)
{
	struct job_facts f = { 0 };
	enum job_state s = JOB_QUEUED;
	enum result rc;

	(void)job_state_parse(PQgetvalue(r, 0, 1), &s);
	f.id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	f.attempts = atoi(PQgetvalue(r, 0, 2));
	f.max_attempts = atoi(PQgetvalue(r, 0, 3));
	f.owner = PQgetisnull(r, 0, 4) ? NULL : PQgetvalue(r, 0, 4);
	f.detached = !job_kind_sets_track(PQgetvalue(r, 0, 6));
	f.cancel_requested = false; /* asked again: still asking, the runner ends it */
	f.reason = reason;
	if ((rc = job_next(s, JEV_CANCEL, &f, m)) != OK) {
		err_set(e, "job %lld is %s: there is nothing to cancel", f.id, job_state_str(s));
		return rc;
	}
	return cancel_apply(db, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 5), m, e);
}

/* The track's one purge job (a second insert finds the first: *job_id 0). */
static enum result
purge_enqueue(struct db *db, const char *id, long long max_attempts, long long *job_id,
    struct errbuf *e)
{
	char maxa[24];
	const char *params[3] = { JOB_KIND_PURGE, id, maxa };
	PGresult *r = NULL;
	enum result rc;

	*job_id = 0;
	snprintf(maxa, sizeof(maxa), "%lld", max_attempts);
	rc = db_exec(db, &r, "INSERT INTO jobs (kind, track_id, payload, max_attempts)"
	    " VALUES ($1, NULL, jsonb_build_object('track_id', $2::text), $3::int)"
	    " ON CONFLICT ((payload ->> 'track_id')) WHERE kind = 'purge' DO NOTHING"
	    " RETURNING id", 3, params, e);
	if (rc == OK && PQntuples(r) == 1)
		*job_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

enum result
track_delete(struct db *db, const struct config *cfg, const char *id, const char *owner_id,
    struct track_deletion *out, struct errbuf *e)
{
	long long max_attempts = cfg->job_max_attempts;
	const char *params[2] = { id, owner_id };
	PGresult *job = NULL, *t = NULL;
	struct job_move m;
	enum result rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	/* The job row first (as a runner's finish locks it), then the track's. */
	if ((rc = db_exec(db, &job, CANCEL_COLUMNS " WHERE track_id = $1::uuid"
	    " AND kind = 'transcode_hls' FOR UPDATE", 1, params, e)) != OK)
		goto out;
	if ((rc = db_exec(db, &t, "UPDATE tracks SET deleted_at = now(), updated_at = now()"
	    " WHERE id = $1::uuid AND ($2::uuid IS NULL OR owner_id = $2::uuid)"
	    " AND deleted_at IS NULL RETURNING id", 2, params, e)) != OK)
		goto out;
	if (PQntuples(t) != 1) {
		err_set(e, "there is no track %s", id);
		rc = ERR_NOT_FOUND;
		goto out;
	}
	/*
	 * No job before the track's lock: a complete may have held that lock and
	 * made the job meanwhile (committed now: this statement sees it). Lock and
	 * cancel it too, so no transcode of a deleted track starts unseen.
	 */
	if (PQntuples(job) == 0) {
		PQclear(job);
		job = NULL;
		if ((rc = db_exec(db, &job, CANCEL_COLUMNS " WHERE track_id = $1::uuid"
		    " AND kind = 'transcode_hls' FOR UPDATE", 1, params, e)) != OK)
			goto out;
	}
	if (PQntuples(job) == 1) {
		out->job_id = strtoll(PQgetvalue(job, 0, 0), NULL, 10);
		(void)job_state_parse(PQgetvalue(job, 0, 1), &out->job_was);
		rc = cancel_row(db, job, "the track was deleted", &m, e);
		if (rc == ERR_CONFLICT) {
			err_clear(e); /* succeeded or failed: nothing runs, nothing to cancel */
			rc = OK;
		} else if (rc == OK) {
			out->job_cancelled = m.to == JOB_CANCELLED;
			out->cancel_requested = m.request_cancel;
		}
		if (rc != OK)
			goto out;
	}
	if ((rc = purge_enqueue(db, id, max_attempts, &out->purge_job_id, e)) != OK)
		goto out;
	/* The event reads the row as this transaction sees it (deleted_at set). */
	if ((rc = webhook_enqueue(db, cfg, id, WEBHOOK_TRACK_DELETED, e)) != OK)
		goto out;
	rc = db_commit(db, e);
out:
	PQclear(job);
	PQclear(t);
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}

enum result
job_cancel(struct db *db, long long id, struct job_move *move, char track_id[37],
    struct errbuf *e)
{
	char ids[24];
	const char *params[1] = { ids };
	PGresult *r = NULL;
	enum result rc;

	track_id[0] = '\0';
	memset(move, 0, sizeof(*move));
	snprintf(ids, sizeof(ids), "%lld", id);
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	if ((rc = db_exec(db, &r, CANCEL_COLUMNS " WHERE id = $1::bigint FOR UPDATE", 1, params,
	    e)) != OK)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, "there is no job %lld", id);
		rc = ERR_NOT_FOUND;
		goto out;
	}
	snprintf(track_id, 37, "%s", PQgetvalue(r, 0, 5));
	if (strcmp(PQgetvalue(r, 0, 6), JOB_KIND_PURGE) == 0) {
		err_set(e, "job %lld is the purge of a deleted track; it is not cancelled (the "
		    "track's objects must go)", id);
		rc = ERR_CONFLICT;
		goto out;
	}
	if ((rc = cancel_row(db, r, NULL, move, e)) != OK)
		goto out;
	rc = db_commit(db, e);
out:
	PQclear(r);
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}

enum result
purge_facts_get(struct db *db, const char *id, long long forms_ttl_s, struct purge_facts *pf,
    struct errbuf *e)
{
	char ttl[24];
	const char *params[2] = { id, ttl };
	PGresult *r = NULL;
	enum result rc;

	memset(pf, 0, sizeof(*pf));
	snprintf(ttl, sizeof(ttl), "%lld", forms_ttl_s);
	rc = db_exec(db, &r, "SELECT t.deleted_at IS NOT NULL, t.original_audio_key,"
	    " CASE WHEN t.upload_mode = 'multipart' THEN t.multipart_upload_id END,"
	    " EXISTS (SELECT 1 FROM jobs j WHERE j.track_id = t.id AND j.state = 'running'),"
	    " extract(epoch FROM t.created_at + make_interval(secs => $2::int) - now())"
	    " FROM tracks t WHERE t.id = $1::uuid", 2, params, e);
	if (rc != OK || PQntuples(r) != 1)
		goto out;
	pf->found = true;
	pf->deleted = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	snprintf(pf->audio_key, sizeof(pf->audio_key), "%s", PQgetvalue(r, 0, 1));
	snprintf(pf->upload_id, sizeof(pf->upload_id), "%s", PQgetvalue(r, 0, 2));
	pf->transcoding = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
	pf->forms_open_s = strtod(PQgetvalue(r, 0, 4), NULL);
out:
	PQclear(r);
	return rc;
}

enum result
purge_finish(struct db *db, struct job *j, const char *owner, const char *id,
    const char *message, struct errbuf *e)
{
	enum result rc;

	if ((rc = db_begin(db, e)) != OK)
		return rc;
	/* deleted rows only; its jobs and runs cascade, the purge (no track_id) stays */
	if ((rc = db_exec(db, NULL, "DELETE FROM tracks WHERE id = $1::uuid"
	    " AND deleted_at IS NOT NULL", 1, &id, e)) != OK)
		goto out;
	if ((rc = job_done(db, j, owner, message, e)) != OK)
		goto out;
	rc = db_commit(db, e);
out:
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}
