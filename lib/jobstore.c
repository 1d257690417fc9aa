#include "jobstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "track.h"
#include "webhook_queue.h"

static char *store_strdup_or_null(const PGresult *r, int row, int col);
static const char *store_text(const char *s);
static enum result store_apply(struct db *db, long long id, const char *owner, int attempts,
    const char *run_id, const struct job_move *m, bool *moved, bool *track_moved,
    struct errbuf *e);
static bool store_fails_track(const struct config *cfg, const struct job_move *m);
static enum result store_rescue_row(struct db *db, const struct config *cfg,
    const PGresult *r, int row, struct errbuf *e);
static enum result store_cancel_asked(struct db *db, const struct job *j, const char *owner,
    struct errbuf *e);

void
job_free(struct job *j)
{
	free(j->audio_key);
	free(j->audio_etag);
	free(j->artwork_key);
	free(j->file_ext);
	free(j->payload);
	memset(j, 0, sizeof(*j));
}

/* malloc'd copy of a cell, NULL for SQL NULL (or out of memory). */
static char *
store_strdup_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

/* A move's sentence as a parameter: "" is SQL NULL. */
static const char *
store_text(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

enum result
job_enqueue(struct db *db, const char *track_id, const char *etag, long long max_attempts,
    long long *job_id, struct errbuf *e)
{
	char attempts[24];
	const char *params[5] = { track_id, attempts, track_status_sql(TRACK_PROCESSING),
		track_status_sql(TRACK_PENDING), etag != NULL && etag[0] != '\0' ? etag : NULL };
	PGresult *r = NULL;
	enum result rc;

	*job_id = 0;
	snprintf(attempts, sizeof(attempts), "%lld", max_attempts);
	rc = db_exec(db, &r,
	    "WITH t AS (UPDATE tracks SET processing_status = $3::track_processing_status,"
	    "   processing_error = NULL, original_etag = $5, updated_at = now()"
	    "   WHERE id = $1 AND processing_status = $4::track_processing_status"
	    "   AND deleted_at IS NULL RETURNING id)"
	    " INSERT INTO jobs (track_id, kind, max_attempts)"
	    " SELECT id, 'transcode_hls', $2::int FROM t"
	    " ON CONFLICT (track_id, kind) DO NOTHING RETURNING id",
	    5, params, e);
	if (rc == OK && PQntuples(r) == 1)
		*job_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

/*
 * The kinds list as a text[] literal ("{a,b}") into buf, or NULL for
 * every kind. ERR_INVALID when a name is not [a-z0-9_]+ or buf is short.
 */
static enum result
store_kinds(const char *const *kinds, char *buf, size_t len, const char **out,
    struct errbuf *e)
{
	size_t n = 0, i;
	const char *k;

	*out = NULL;
	if (kinds == NULL)
		return OK;
	buf[n++] = '{';
	for (i = 0; kinds[i] != NULL; i++) {
		k = kinds[i];
		if (k[0] == '\0' || strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(k)
		    || n + strlen(k) + 2 >= len) {
			err_set(e, "job kind \"%.40s\" is not a kind name", k);
			return ERR_INVALID;
		}
		if (i > 0)
			buf[n++] = ',';
		memcpy(buf + n, k, strlen(k));
		n += strlen(k);
	}
	buf[n++] = '}';
	buf[n] = '\0';
	*out = buf;
	return OK;
}

/* Fill j from row 0 of job_claim's answer. ERR_NOMEM leaves j freed. */
static enum result
store_claimed(const PGresult *r, struct job *j, struct errbuf *e)
{
	static const int cols[] = { 5, 6, 7, 9, 11 }; /* the strings that may be NULL */
	char **dst[] = { &j->audio_key, &j->artwork_key, &j->file_ext, &j->audio_etag,
		&j->payload };
	size_t i;

	j->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(j->track_id, sizeof(j->track_id), "%s", PQgetvalue(r, 0, 1));
	j->attempts = atoi(PQgetvalue(r, 0, 2));
	j->max_attempts = atoi(PQgetvalue(r, 0, 3));
	j->run_id = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	j->file_size = PQgetisnull(r, 0, 8) ? 0 : strtoll(PQgetvalue(r, 0, 8), NULL, 10);
	snprintf(j->kind, sizeof(j->kind), "%s", PQgetvalue(r, 0, 10));
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		*dst[i] = store_strdup_or_null(r, 0, cols[i]);
		if (*dst[i] == NULL && !PQgetisnull(r, 0, cols[i])) {
			/* Out of memory: the lease will lapse. */
			err_set(e, "out of memory");
			job_free(j);
			return ERR_NOMEM;
		}
	}
	return OK;
}

enum result
job_claim(struct db *db, const char *owner, long long lease_s, int max_attempts,
    const char *const *kinds, struct job *j, bool *got, struct errbuf *e)
{
	static const char sql[] =
	    "WITH c AS ("
	    " UPDATE jobs SET state = $4::job_state, attempts = attempts + 1,"
	    "  max_attempts = LEAST(max_attempts, $3::int),"
	    "  lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2::int),"
	    "  started_at = now(), finished_at = NULL, progress = 0, updated_at = now()"
	    " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= now()"
	    "   AND ($5::text[] IS NULL OR kind = ANY ($5::text[]))"
	    "   AND NOT EXISTS (SELECT 1 FROM tracks d WHERE d.id = jobs.track_id"
	    "    AND d.deleted_at IS NOT NULL)" /* never work for a deleted track */
	    "   ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)"
	    " RETURNING id, track_id, attempts, max_attempts, kind, payload),"
	    " r AS (INSERT INTO job_runs (job_id, attempt, runner)"
	    "  SELECT id, attempts, $1 FROM c RETURNING id)"
	    " SELECT c.id, coalesce(c.track_id::text, ''), c.attempts, c.max_attempts, r.id,"
	    "  t.original_audio_key, t.artwork_key, t.file_extension, t.file_size,"
	    "  t.original_etag, c.kind, c.payload::text"
	    " FROM c JOIN r ON true LEFT JOIN tracks t ON t.id = c.track_id";
	struct job_facts f = { 0 };
	struct job_move m;
	char lease[24], maxa[24], kindbuf[256];
	const char *params[5] = { owner, lease, maxa, NULL, NULL };
	PGresult *r = NULL;
	enum result rc;

	*got = false;
	memset(j, 0, sizeof(*j));
	if ((rc = store_kinds(kinds, kindbuf, sizeof(kindbuf), &params[4], e)) != OK)
		return rc;
	if ((rc = job_next(JOB_QUEUED, JEV_CLAIM, &f, &m)) != OK)
		return rc;
	params[3] = job_state_str(m.to);
	snprintf(lease, sizeof(lease), "%lld", lease_s);
	snprintf(maxa, sizeof(maxa), "%d", max_attempts);
	if ((rc = db_exec(db, &r, sql, 5, params, e)) != OK)
		goto out;
	if (PQntuples(r) != 1)
		goto out;
	if ((rc = store_claimed(r, j, e)) != OK)
		goto out;
	j->state = m.to;
	if (job_kind_sets_track(j->kind) && (j->audio_key == NULL || j->file_ext == NULL)) {
		/* A transcode whose track is gone (a purge deleted it between
		 * enqueue and claim cannot: the cascade takes the job too). */
		err_set(e, "job %lld has no track", j->id);
		job_free(j);
		rc = ERR_NOT_FOUND;
		goto out;
	}
	*got = true;
out:
	PQclear(r);
	return rc;
}

enum result
job_renew(struct db *db, const struct job *j, const char *owner, long long lease_s,
    int progress, bool *ours, bool *cancel, struct errbuf *e)
{
	static const char sql[] =
	    "UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3::int),"
	    " progress = CASE WHEN $4::int >= 0 THEN GREATEST(progress, LEAST($4::int, 99))"
	    "  ELSE progress END, updated_at = now()"
	    " WHERE id = $1 AND lease_owner = $2 AND attempts = $5 AND state = 'running'"
	    " RETURNING cancel_requested_at IS NOT NULL";
	char id[24], lease[24], prog[16], att[16];
	const char *params[5] = { id, owner, lease, prog, att };
	PGresult *r = NULL;
	enum result rc;

	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(lease, sizeof(lease), "%lld", lease_s);
	snprintf(prog, sizeof(prog), "%d", progress);
	snprintf(att, sizeof(att), "%d", j->attempts);
	*cancel = false;
	if ((rc = db_exec(db, &r, sql, 5, params, e)) == OK) {
		*ours = PQntuples(r) == 1;
		*cancel = *ours && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	}
	PQclear(r);
	return rc;
}

/*
 * Apply a move out of running to job id held by owner in attempt attempts:
 * the job, its run (run_id, or when NULL every open run of the job) and
 * the track when the move changes it. *moved false when the guard failed.
 */
static enum result
store_apply(struct db *db, long long id, const char *owner, int attempts, const char *run_id,
    const struct job_move *m, bool *moved, bool *track_moved, struct errbuf *e)
{
	static const char sql[] =
	    "WITH j AS ("
	    " UPDATE jobs SET state = $4::job_state,"
	    "  run_at = CASE WHEN $4 = 'queued' THEN now() + make_interval(secs => $5::float8)"
	    "   ELSE run_at END,"
	    "  attempts = attempts - $8::int, last_error = $6,"
	    "  lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),"
	    "  finished_at = CASE WHEN $4 IN ('failed', 'cancelled') THEN now() END"
	    " WHERE id = $1 AND lease_owner IS NOT DISTINCT FROM $2 AND attempts = $3"
	    "  AND state = 'running' AND (cancel_requested_at IS NULL OR $4 = 'cancelled')"
	    " RETURNING id, track_id),"
	    " r AS (UPDATE job_runs SET finished_at = now(), outcome = $7, message = $6"
	    "  WHERE job_id IN (SELECT id FROM j)"
	    "   AND (id = $9::bigint OR ($9::bigint IS NULL AND finished_at IS NULL))"
	    "  RETURNING id),"
	    " t AS (UPDATE tracks SET processing_status = $10::track_processing_status,"
	    "  processing_error = $11, updated_at = now()"
	    "  FROM j WHERE tracks.id = j.track_id AND $10::track_processing_status IS NOT NULL"
	    "  RETURNING tracks.id)"
	    " SELECT (SELECT count(*) FROM j), (SELECT count(*) FROM r), (SELECT count(*) FROM t)";
	char ids[24], att[16], delay[32], unc[4];
	const char *params[11];
	PGresult *r = NULL;
	enum result rc;

	snprintf(ids, sizeof(ids), "%lld", id);
	snprintf(att, sizeof(att), "%d", attempts);
	snprintf(delay, sizeof(delay), "%.3f", m->delay_s);
	snprintf(unc, sizeof(unc), "%d", m->uncount ? 1 : 0);
	params[0] = ids;
	params[1] = owner;
	params[2] = att;
	params[3] = job_state_str(m->to);
	params[4] = delay;
	params[5] = store_text(m->message);
	params[6] = m->outcome;
	params[7] = unc;
	params[8] = run_id;
	params[9] = m->track_changes ? track_status_sql(m->track) : NULL;
	params[10] = m->track_changes ? store_text(m->public_message) : NULL;
	*moved = *track_moved = false;
	if ((rc = db_exec(db, &r, sql, 11, params, e)) == OK) {
		*moved = strcmp(PQgetvalue(r, 0, 0), "1") == 0;
		*track_moved = strcmp(PQgetvalue(r, 0, 2), "1") == 0;
	}
	PQclear(r);
	return rc;
}

/* Does m fail its job's track, with webhooks to tell (track.failed)? */
static bool
store_fails_track(const struct config *cfg, const struct job_move *m)
{
	return m->track_changes && m->track == TRACK_FAILED && webhook_enabled(cfg);
}

/*
 * Why did a move of j not apply? ERR_CANCELLED when j is still ours but its
 * cancel was asked (then only the cancel may end it), else OK.
 */
static enum result
store_cancel_asked(struct db *db, const struct job *j, const char *owner, struct errbuf *e)
{
	char id[24], att[16];
	const char *params[3] = { id, owner, att };
	PGresult *r = NULL;
	enum result rc;

	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(att, sizeof(att), "%d", j->attempts);
	if ((rc = db_exec(db, &r, "SELECT 1 FROM jobs WHERE id = $1 AND lease_owner = $2"
	    " AND attempts = $3 AND state = 'running' AND cancel_requested_at IS NOT NULL", 3,
	    params, e)) == OK && PQntuples(r) == 1) {
		err_set(e, "job %lld was cancelled while it ran", j->id);
		rc = ERR_CANCELLED;
	}
	PQclear(r);
	return rc;
}

enum result
job_apply(struct db *db, const struct config *cfg, struct job *j, const char *owner,
    const struct job_move *m, struct errbuf *e)
{
	bool event = store_fails_track(cfg, m), own_tx = event && !db->in_tx;
	char run[24];
	enum result rc;
	bool moved, track_moved;

	snprintf(run, sizeof(run), "%lld", j->run_id);
	/* A failed track's webhook goes in the move's transaction. */
	if (own_tx && (rc = db_begin(db, e)) != OK)
		return rc;
	rc = store_apply(db, j->id, owner, j->attempts, run, m, &moved, &track_moved, e);
	if (rc == OK && !moved)
		rc = store_cancel_asked(db, j, owner, e);
	if (rc == OK && !moved) {
		err_set(e, "job %lld is no longer ours (lease lost)", j->id);
		rc = ERR_LEASE_LOST;
	}
	if (rc == OK && event && track_moved)
		rc = webhook_enqueue(db, cfg, j->track_id, WEBHOOK_TRACK_FAILED, e);
	if (own_tx && rc == OK)
		rc = db_commit(db, e);
	if (own_tx && rc != OK && db->in_tx)
		db_rollback(db);
	if (rc == OK)
		j->state = m->to;
	return rc;
}

/*
 * Inside an open transaction: the lease is checked (FOR UPDATE), the job
 * moves by m (succeeded, progress 100) and its run closes with message
 * (NULL: none). ERR_LEASE_LOST when the lease is no longer ours;
 * ERR_CANCELLED when a cancel was asked of it.
 */
static enum result
store_succeed(struct db *db, const struct job *j, const char *owner,
    const struct job_move *m, const char *message, struct errbuf *e)
{
	char id[24], att[16], run[24];
	const char *lease_p[3] = { id, owner, att };
	const char *job_p[2] = { id, job_state_str(m->to) };
	const char *run_p[3] = { run, m->outcome, message };
	PGresult *r = NULL;
	enum result rc;

	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(att, sizeof(att), "%d", j->attempts);
	snprintf(run, sizeof(run), "%lld", j->run_id);
	if ((rc = db_exec(db, &r, "SELECT cancel_requested_at IS NOT NULL FROM jobs WHERE id = $1"
	    " AND lease_owner = $2 AND attempts = $3 AND state = 'running' FOR UPDATE", 3, lease_p,
	    e)) != OK)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, "job %lld is no longer ours (lease lost)", j->id);
		rc = ERR_LEASE_LOST;
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
		/* Cancelled (its track deleted) meanwhile: nothing is recorded as done. */
		err_set(e, "job %lld was cancelled while it ran", j->id);
		rc = ERR_CANCELLED;
		goto out;
	}
	if ((rc = db_exec(db, NULL, "UPDATE jobs SET state = $2::job_state, progress = 100,"
	    " finished_at = now(), last_error = NULL, lease_owner = NULL,"
	    " lease_expires_at = NULL, updated_at = now() WHERE id = $1", 2, job_p, e)) != OK)
		goto out;
	rc = db_exec(db, NULL, "UPDATE job_runs SET finished_at = now(),"
	    " outcome = $2, message = $3 WHERE id = $1", 3, run_p, e);
out:
	PQclear(r);
	return rc;
}

/* job_next's succeed move for j, or an error naming its state. */
static enum result
store_succeed_move(const struct job *j, const char *owner, struct job_move *m,
    struct errbuf *e)
{
	struct job_facts f = { 0 };
	enum result rc;

	f.id = j->id;
	f.attempts = j->attempts;
	f.max_attempts = j->max_attempts;
	f.owner = owner;
	f.detached = !job_kind_sets_track(j->kind[0] != '\0' ? j->kind : NULL);
	if ((rc = job_next(j->state, JEV_SUCCEED, &f, m)) != OK)
		err_set(e, "job %lld cannot succeed when %s", j->id, job_state_str(j->state));
	return rc;
}

enum result
job_succeed(struct db *db, const struct config *cfg, struct job *j, const char *owner,
    const struct job_success *s, struct errbuf *e)
{
	struct job_move m;
	char dur[32];
	const char *trk_p[11];
	enum result rc;

	if ((rc = store_succeed_move(j, owner, &m, e)) != OK)
		return rc;
	snprintf(dur, sizeof(dur), "%.3f", s->duration_s);
	trk_p[0] = j->track_id;
	trk_p[1] = s->hls_prefix;
	trk_p[2] = s->hls_url;
	trk_p[3] = dur;
	trk_p[4] = s->artwork_url;
	trk_p[5] = track_status_sql(m.track);
	trk_p[6] = s->tags_json;
	trk_p[7] = s->artwork_thumbnails_json;
	trk_p[8] = s->artwork_error;
	trk_p[9] = s->loudness_json;
	trk_p[10] = s->waveform_url;
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	if ((rc = store_succeed(db, j, owner, &m, NULL, e)) != OK)
		goto out;
	if ((rc = db_exec(db, NULL, "UPDATE tracks SET processing_status ="
	    " $6::track_processing_status, processing_error = NULL, hls_prefix = $2,"
	    " hls_url = $3, duration_seconds = $4::float8, artwork_url = $5, tags = $7::jsonb,"
	    " artwork_thumbnails = $8::jsonb, artwork_error = $9, loudness = $10::jsonb,"
	    " waveform_url = $11, updated_at = now() WHERE id = $1", 11, trk_p, e)) != OK)
		goto out;
	if ((rc = webhook_enqueue(db, cfg, j->track_id, WEBHOOK_TRACK_COMPLETED, e)) != OK)
		goto out;
	rc = db_commit(db, e);
	if (rc == OK)
		j->state = m.to;
out:
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}

enum result
job_done(struct db *db, struct job *j, const char *owner, const char *message,
    struct errbuf *e)
{
	bool own_tx = !db->in_tx;
	struct job_move m;
	enum result rc;

	if ((rc = store_succeed_move(j, owner, &m, e)) != OK)
		return rc;
	if (own_tx && (rc = db_begin(db, e)) != OK)
		return rc;
	rc = store_succeed(db, j, owner, &m, message, e);
	if (own_tx && rc == OK)
		rc = db_commit(db, e);
	if (own_tx && rc != OK && db->in_tx)
		db_rollback(db);
	if (rc == OK)
		j->state = m.to;
	return rc;
}

/*
 * Rescue one row of job_rescue's SELECT (id, track_id, attempts, max, owner,
 * kind, cancel asked).
 */
static enum result
store_rescue_row(struct db *db, const struct config *cfg, const PGresult *r, int row,
    struct errbuf *e)
{
	struct job_facts f = { 0 };
	struct job_move m;
	enum result rc;
	bool moved, track_moved;

	f.id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	f.attempts = atoi(PQgetvalue(r, row, 2));
	f.max_attempts = atoi(PQgetvalue(r, row, 3));
	f.owner = PQgetisnull(r, row, 4) ? NULL : PQgetvalue(r, row, 4);
	f.detached = !job_kind_sets_track(PQgetvalue(r, row, 5));
	f.persistent = job_kind_persistent(PQgetvalue(r, row, 5));
	/* A cancel asked of it ends here: its runner will not (it is gone or hung). */
	f.cancel_requested = strcmp(PQgetvalue(r, row, 6), "t") == 0;
	f.reason = "its runner stopped renewing the lease";
	if ((rc = job_next(JOB_RUNNING, f.cancel_requested ? JEV_CANCEL : JEV_LEASE_LOST, &f,
	    &m)) != OK)
		return rc;
	if ((rc = store_apply(db, f.id, f.owner, f.attempts, NULL, &m, &moved, &track_moved,
	    e)) != OK)
		return rc;
	/* the track failed with its last attempt: its webhook, in the rescue's transaction */
	if (moved && track_moved && store_fails_track(cfg, &m) &&
	    (rc = webhook_enqueue(db, cfg, PQgetvalue(r, row, 1), WEBHOOK_TRACK_FAILED, e)) != OK)
		return rc;
	if (moved)
		log_warnx("job %lld track %s: lease expired during attempt %d; now %s (%s)",
		    f.id, PQgetvalue(r, row, 1), f.attempts, job_state_str(m.to), m.outcome);
	return OK;
}

enum result
job_rescue(struct db *db, const struct config *cfg, long long *n, struct errbuf *e)
{
	PGresult *r = NULL;
	enum result rc;
	int i;

	*n = 0;
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	if ((rc = db_exec(db, &r, "SELECT id, coalesce(track_id::text, '-'), attempts, max_attempts,"
	    " lease_owner, kind, cancel_requested_at IS NOT NULL FROM jobs"
	    " WHERE state = 'running' AND lease_expires_at < now()"
	    " FOR UPDATE SKIP LOCKED", 0, NULL, e)) != OK)
		goto out;
	for (i = 0; i < PQntuples(r); i++)
		if ((rc = store_rescue_row(db, cfg, r, i, e)) != OK)
			goto out;
	if ((rc = db_commit(db, e)) == OK)
		*n = PQntuples(r);
out:
	PQclear(r);
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}

enum result
job_next_due(struct db *db, const char *const *kinds, double *due_s, double *lease_s,
    struct errbuf *e)
{
	static const char sql[] =
	    "SELECT EXTRACT(EPOCH FROM (SELECT min(run_at) FROM jobs WHERE state = 'queued'"
	    "   AND ($1::text[] IS NULL OR kind = ANY ($1::text[])))"
	    "  - now()),"
	    " EXTRACT(EPOCH FROM (SELECT min(lease_expires_at) FROM jobs WHERE state = 'running')"
	    "  - now())";
	char kindbuf[256];
	const char *params[1] = { NULL };
	PGresult *r = NULL;
	enum result rc;

	*due_s = *lease_s = -1;
	if ((rc = store_kinds(kinds, kindbuf, sizeof(kindbuf), &params[0], e)) != OK)
		return rc;
	if ((rc = db_exec(db, &r, sql, 1, params, e)) != OK)
		goto out;
	if (!PQgetisnull(r, 0, 0)) {
		*due_s = strtod(PQgetvalue(r, 0, 0), NULL);
		if (*due_s < 0)
			*due_s = 0;
	}
	if (!PQgetisnull(r, 0, 1)) {
		*lease_s = strtod(PQgetvalue(r, 0, 1), NULL);
		if (*lease_s < 0)
			*lease_s = 0;
	}
out:
	PQclear(r);
	return rc;
}

enum result
job_operator_retry(struct db *db, long long id, char track_id[37], enum job_state *was,
    struct errbuf *e)
{
	static const char sql[] =
	    "WITH j AS (UPDATE jobs SET state = $2::job_state, attempts = 0, run_at = now(),"
	    "  last_error = NULL, progress = 0, lease_owner = NULL, lease_expires_at = NULL,"
	    "  finished_at = NULL, cancel_requested_at = NULL, updated_at = now()"
	    "  WHERE id = $1 RETURNING track_id)"
	    " UPDATE tracks SET processing_status = $3::track_processing_status,"
	    "  processing_error = NULL, updated_at = now() FROM j WHERE tracks.id = j.track_id"
	    "  AND $3::track_processing_status IS NOT NULL";
	struct job_facts f = { 0 };
	struct job_move m;
	enum job_state s = JOB_QUEUED;
	char ids[24];
	const char *params[3] = { ids, NULL, NULL };
	PGresult *r = NULL;
	enum result rc;

	snprintf(ids, sizeof(ids), "%lld", id);
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	if ((rc = db_exec(db, &r, "SELECT state::text, coalesce(track_id::text, ''), kind,"
	    " EXISTS (SELECT 1 FROM tracks t WHERE t.id = jobs.track_id"
	    "  AND t.deleted_at IS NOT NULL) FROM jobs WHERE id = $1 FOR UPDATE", 1, params,
	    e)) != OK)
		goto out;
	if (PQntuples(r) == 0) {
		err_set(e, "there is no job %lld", id);
		rc = ERR_NOT_FOUND;
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 3), "t") == 0) {
		err_set(e, "job %lld belongs to a deleted track (its objects are being purged)", id);
		rc = ERR_CONFLICT;
		goto out;
	}
	(void)job_state_parse(PQgetvalue(r, 0, 0), &s);
	if (was != NULL)
		*was = s;
	f.id = id;
	f.detached = !job_kind_sets_track(PQgetvalue(r, 0, 2));
	if ((rc = job_next(s, JEV_OPERATOR_RETRY, &f, &m)) != OK) {
		err_set(e, "job %lld is %s; only a failed job can be retried, or a cancelled one",
		    id, job_state_str(s));
		goto out;
	}
	snprintf(track_id, 37, "%s", PQgetvalue(r, 0, 1));
	params[1] = job_state_str(m.to);
	params[2] = m.track_changes ? track_status_sql(m.track) : NULL;
	if ((rc = db_exec(db, NULL, sql, 3, params, e)) != OK)
		goto out;
	rc = db_commit(db, e);
out:
	PQclear(r);
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}
