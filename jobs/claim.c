#include "claim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *const job_state_names[JOB_STATE__MAX] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
};

static const char *const job_event_names[JEV__MAX] = {
	[JEV_CLAIM] = "claim",
	[JEV_SUCCEED] = "succeed",
	[JEV_FAIL_TRANSIENT] = "fail_transient",
	[JEV_FAIL_PERMANENT] = "fail_permanent",
	[JEV_LEASE_LOST] = "lease_lost",
	[JEV_HAND_BACK] = "hand_back",
	[JEV_OPERATOR_RETRY] = "operator_retry",
};

static char *claim_strdup_or_null(const PGresult *r, int row, int col);

const char *
job_state_str(enum job_state s)
{
	return (int)s >= 0 && s < JOB_STATE__MAX ? job_state_names[s] : "unknown";
}

const char *
job_event_str(enum job_event ev)
{
	return (int)ev >= 0 && ev < JEV__MAX ? job_event_names[ev] : "unknown";
}

enum result
job_next(enum job_state from, enum job_event ev, int attempts, int max_attempts,
    struct job_move *m)
{
	bool used_up = attempts >= max_attempts;

	memset(m, 0, sizeof(*m));
	m->to = from;
	switch (ev) {
	case JEV_CLAIM:
		if (from != JOB_QUEUED)
			return ERR_CONFLICT;
		m->to = JOB_RUNNING;
		return OK;
	case JEV_SUCCEED:
		if (from != JOB_RUNNING)
			return ERR_CONFLICT;
		m->to = JOB_SUCCEEDED;
		m->outcome = "succeeded";
		return OK;
	case JEV_FAIL_TRANSIENT:
		if (from != JOB_RUNNING)
			return ERR_CONFLICT;
		m->to = used_up ? JOB_FAILED : JOB_QUEUED;
		m->outcome = used_up ? "failed" : "retry";
		m->track_failed = used_up;
		m->backoff = !used_up;
		return OK;
	case JEV_FAIL_PERMANENT:
		if (from != JOB_RUNNING)
			return ERR_CONFLICT;
		m->to = JOB_FAILED;
		m->outcome = "failed";
		m->track_failed = true;
		return OK;
	case JEV_LEASE_LOST:
		if (from != JOB_RUNNING)
			return ERR_CONFLICT;
		m->to = used_up ? JOB_FAILED : JOB_QUEUED;
		m->outcome = "lease_lost";
		m->track_failed = used_up;
		return OK;
	case JEV_HAND_BACK:
		if (from != JOB_RUNNING)
			return ERR_CONFLICT;
		m->to = JOB_QUEUED;
		m->outcome = "handed_back";
		m->uncount = true;
		return OK;
	case JEV_OPERATOR_RETRY:
		if (from != JOB_FAILED)
			return ERR_CONFLICT;
		m->to = JOB_QUEUED;
		return OK;
	case JEV__MAX:
		break;
	}
	return ERR_CONFLICT;
}

double
job_backoff_s(int attempt, long long base_s, long long max_s, double unit)
{
	double d = (double)base_s, j;
	int i;

	if (attempt < 1)
		attempt = 1;
	for (i = 1; i < attempt && d < (double)max_s; i++)
		d *= 2;
	if (d > (double)max_s)
		d = (double)max_s;
	j = d * 0.25 * (2 * unit - 1); /* +-25% */
	d += j;
	if (d < 0)
		d = 0;
	if (d > (double)max_s)
		d = (double)max_s;
	return d;
}

bool
job_is_permanent(enum result rc)
{
	switch (rc) {
	case ERR_PERMANENT:
	case ERR_INVALID:
	case ERR_NOT_FOUND:
	case ERR_TOO_LARGE:
		return true;
	default:
		return false;
	}
}

void
job_free(struct job *j)
{
	free(j->audio_key);
	free(j->artwork_key);
	free(j->file_ext);
	memset(j, 0, sizeof(*j));
}

/* malloc'd copy of a cell, NULL for SQL NULL (or out of memory). */
static char *
claim_strdup_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

enum result
job_claim(struct db *db, const char *owner, long long lease_s, int max_attempts,
    struct job *j, bool *got, struct errbuf *e)
{
	static const char sql[] =
	    "WITH c AS ("
	    " UPDATE jobs SET state = 'running', attempts = attempts + 1,"
	    "  max_attempts = LEAST(max_attempts, $3::int),"
	    "  lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2::int),"
	    "  started_at = now(), finished_at = NULL, progress = 0, updated_at = now()"
	    " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= now()"
	    "   AND kind = 'transcode_hls' ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)"
	    " RETURNING id, track_id, attempts, max_attempts),"
	    " r AS (INSERT INTO job_runs (job_id, attempt, runner)"
	    "  SELECT id, attempts, $1 FROM c RETURNING id)"
	    " SELECT c.id, c.track_id, c.attempts, c.max_attempts, r.id,"
	    "  t.original_audio_key, t.artwork_key, t.file_extension, t.file_size"
	    " FROM c JOIN r ON true JOIN tracks t ON t.id = c.track_id";
	char lease[24], maxa[24];
	const char *params[3] = { owner, lease, maxa };
	PGresult *r = NULL;
	enum result rc;

	*got = false;
	memset(j, 0, sizeof(*j));
	snprintf(lease, sizeof(lease), "%lld", lease_s);
	snprintf(maxa, sizeof(maxa), "%d", max_attempts);
	if ((rc = db_exec(db, &r, sql, 3, params, e)) != OK)
		goto out;
	if (PQntuples(r) != 1)
		goto out;
	j->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(j->track_id, sizeof(j->track_id), "%s", PQgetvalue(r, 0, 1));
	j->attempts = atoi(PQgetvalue(r, 0, 2));
	j->max_attempts = atoi(PQgetvalue(r, 0, 3));
	j->run_id = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	j->audio_key = claim_strdup_or_null(r, 0, 5);
	j->artwork_key = claim_strdup_or_null(r, 0, 6);
	j->file_ext = claim_strdup_or_null(r, 0, 7);
	j->file_size = strtoll(PQgetvalue(r, 0, 8), NULL, 10);
	j->state = JOB_RUNNING;
	if (j->audio_key == NULL || j->file_ext == NULL) {
		/* Out of memory (both columns are NOT NULL): the lease will lapse. */
		err_set(e, "out of memory");
		job_free(j);
		rc = ERR_NOMEM;
		goto out;
	}
	*got = true;
out:
	PQclear(r);
	return rc;
}

enum result
job_renew(struct db *db, const struct job *j, const char *owner, long long lease_s,
    int progress, bool *ours, struct errbuf *e)
{
	static const char sql[] =
	    "UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3::int),"
	    " progress = CASE WHEN $4::int >= 0 THEN GREATEST(progress, LEAST($4::int, 99))"
	    "  ELSE progress END, updated_at = now()"
	    " WHERE id = $1 AND lease_owner = $2 AND attempts = $5 AND state = 'running'"
	    " RETURNING id";
	char id[24], lease[24], prog[16], att[16];
	const char *params[5] = { id, owner, lease, prog, att };
	PGresult *r = NULL;
	enum result rc;

	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(lease, sizeof(lease), "%lld", lease_s);
	snprintf(prog, sizeof(prog), "%d", progress);
	snprintf(att, sizeof(att), "%d", j->attempts);
	if ((rc = db_exec(db, &r, sql, 5, params, e)) == OK)
		*ours = PQntuples(r) == 1;
	PQclear(r);
	return rc;
}

enum result
job_move_to(struct db *db, struct job *j, const char *owner, enum job_event ev,
    const char *message, const char *public_message, double delay_s, enum job_state *to,
    struct errbuf *e)
{
	static const char sql[] =
	    "WITH j AS ("
	    " UPDATE jobs SET state = $4::job_state,"
	    "  run_at = CASE WHEN $4 = 'queued' THEN now() + make_interval(secs => $5::float8)"
	    "   ELSE run_at END,"
	    "  attempts = attempts - $8::int, last_error = $6,"
	    "  lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),"
	    "  finished_at = CASE WHEN $4 = 'failed' THEN now() END"
	    " WHERE id = $1 AND lease_owner = $2 AND attempts = $3 AND state = 'running'"
	    " RETURNING id, track_id, state),"
	    " r AS (UPDATE job_runs SET finished_at = now(), outcome = $7, message = $6"
	    "  WHERE id = $9 AND job_id IN (SELECT id FROM j) RETURNING id),"
	    " t AS (UPDATE tracks SET processing_status = 'FAILED', processing_error = $10,"
	    "  updated_at = now() FROM j WHERE tracks.id = j.track_id AND j.state = 'failed'"
	    "  RETURNING tracks.id)"
	    " SELECT (SELECT count(*) FROM j), (SELECT count(*) FROM r), (SELECT count(*) FROM t)";
	struct job_move m;
	char id[24], att[16], delay[32], unc[4], run[24];
	const char *params[10];
	PGresult *r = NULL;
	enum result rc;

	if ((rc = job_next(j->state, ev, j->attempts, j->max_attempts, &m)) != OK) {
		err_set(e, "job %lld: %s is not possible when %s", j->id, job_event_str(ev),
		    job_state_str(j->state));
		return rc;
	}
	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(att, sizeof(att), "%d", j->attempts);
	snprintf(delay, sizeof(delay), "%.3f", m.backoff ? delay_s : 0.0);
	snprintf(unc, sizeof(unc), "%d", m.uncount ? 1 : 0);
	snprintf(run, sizeof(run), "%lld", j->run_id);
	params[0] = id;
	params[1] = owner;
	params[2] = att;
	params[3] = job_state_str(m.to);
	params[4] = delay;
	params[5] = message;
	params[6] = m.outcome;
	params[7] = unc;
	params[8] = run;
	params[9] = public_message != NULL ? public_message : message;
	if ((rc = db_exec(db, &r, sql, 10, params, e)) != OK)
		goto out;
	if (strcmp(PQgetvalue(r, 0, 0), "1") != 0) {
		err_set(e, "job %lld is no longer ours (lease lost)", j->id);
		rc = ERR_CONFLICT;
		goto out;
	}
	j->state = m.to;
	if (to != NULL)
		*to = m.to;
out:
	PQclear(r);
	return rc;
}

enum result
job_succeed(struct db *db, struct job *j, const char *owner, const struct job_success *s,
    struct errbuf *e)
{
	char id[24], att[16], run[24], dur[32];
	const char *lease_p[3] = { id, owner, att };
	const char *job_p[1] = { id };
	const char *run_p[1] = { run };
	const char *trk_p[5];
	PGresult *r = NULL;
	struct job_move m;
	enum result rc;

	if ((rc = job_next(j->state, JEV_SUCCEED, j->attempts, j->max_attempts, &m)) != OK) {
		err_set(e, "job %lld cannot succeed when %s", j->id, job_state_str(j->state));
		return rc;
	}
	snprintf(id, sizeof(id), "%lld", j->id);
	snprintf(att, sizeof(att), "%d", j->attempts);
	snprintf(run, sizeof(run), "%lld", j->run_id);
	snprintf(dur, sizeof(dur), "%.3f", s->duration_s);
	trk_p[0] = j->track_id;
	trk_p[1] = s->hls_prefix;
	trk_p[2] = s->hls_url;
	trk_p[3] = dur;
	trk_p[4] = s->artwork_url;
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	if ((rc = db_exec(db, &r, "SELECT 1 FROM jobs WHERE id = $1 AND lease_owner = $2"
	    " AND attempts = $3 AND state = 'running' FOR UPDATE", 3, lease_p, e)) != OK)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, "job %lld is no longer ours (lease lost)", j->id);
		rc = ERR_CONFLICT;
		goto out;
	}
	if ((rc = db_exec(db, NULL, "UPDATE jobs SET state = 'succeeded', progress = 100,"
	    " finished_at = now(), last_error = NULL, lease_owner = NULL,"
	    " lease_expires_at = NULL, updated_at = now() WHERE id = $1", 1, job_p, e)) != OK)
		goto out;
	if ((rc = db_exec(db, NULL, "UPDATE job_runs SET finished_at = now(),"
	    " outcome = 'succeeded', message = NULL WHERE id = $1", 1, run_p, e)) != OK)
		goto out;
	if ((rc = db_exec(db, NULL, "UPDATE tracks SET processing_status = 'COMPLETED',"
	    " processing_error = NULL, hls_prefix = $2, hls_url = $3,"
	    " duration_seconds = $4::float8, artwork_url = $5, updated_at = now()"
	    " WHERE id = $1", 5, trk_p, e)) != OK)
		goto out;
	rc = db_commit(db, e);
	if (rc == OK)
		j->state = m.to;
out:
	PQclear(r);
	if (rc != OK && db->in_tx)
		db_rollback(db);
	return rc;
}

enum result
job_rescue(struct db *db, long long *n, struct errbuf *e)
{
	static const char sql[] =
	    "WITH x AS (SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < now()"
	    "  FOR UPDATE SKIP LOCKED),"
	    " j AS (UPDATE jobs SET"
	    "  state = CASE WHEN attempts >= max_attempts THEN 'failed'::job_state"
	    "   ELSE 'queued'::job_state END,"
	    "  run_at = now(), updated_at = now(),"
	    "  finished_at = CASE WHEN attempts >= max_attempts THEN now() END,"
	    "  last_error = 'the runner ' || COALESCE(lease_owner, '?') || ' stopped renewing its"
	    " lease (it died, hung or lost the database) during attempt ' || attempts,"
	    "  lease_owner = NULL, lease_expires_at = NULL"
	    "  FROM x WHERE jobs.id = x.id"
	    "  RETURNING jobs.id, jobs.track_id, jobs.state, jobs.attempts, jobs.last_error),"
	    " r AS (UPDATE job_runs SET finished_at = now(), outcome = 'lease_lost',"
	    "  message = j.last_error FROM j"
	    "  WHERE job_runs.job_id = j.id AND job_runs.finished_at IS NULL RETURNING job_runs.id),"
	    " t AS (UPDATE tracks SET processing_status = 'FAILED', updated_at = now(),"
	    "  processing_error = 'Processing was interrupted ' || j.attempts || ' times before it"
	    " could finish; please try again later or upload the track again.'"
	    "  FROM j WHERE tracks.id = j.track_id AND j.state = 'failed' RETURNING tracks.id)"
	    " SELECT j.id, j.track_id, j.state, j.attempts, (SELECT count(*) FROM r),"
	    "  (SELECT count(*) FROM t) FROM j";
	PGresult *r = NULL;
	enum result rc;
	int i;

	*n = 0;
	if ((rc = db_exec(db, &r, sql, 0, NULL, e)) != OK)
		goto out;
	for (i = 0; i < PQntuples(r); i++)
		log_warnx("job %s track %s: lease expired during attempt %s; now %s (lease_lost)",
		    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 3),
		    PQgetvalue(r, i, 2));
	*n = PQntuples(r);
out:
	PQclear(r);
	return rc;
}

enum result
job_next_due(struct db *db, double *due_s, double *lease_s, struct errbuf *e)
{
	static const char sql[] =
	    "SELECT EXTRACT(EPOCH FROM (SELECT min(run_at) FROM jobs WHERE state = 'queued')"
	    "  - now()),"
	    " EXTRACT(EPOCH FROM (SELECT min(lease_expires_at) FROM jobs WHERE state = 'running')"
	    "  - now())";
	PGresult *r = NULL;
	enum result rc;

	*due_s = *lease_s = -1;
	if ((rc = db_exec(db, &r, sql, 0, NULL, e)) != OK)
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
job_operator_retry(struct db *db, long long id, char track_id[37], struct errbuf *e)
{
	static const char sql[] =
	    "WITH j AS (UPDATE jobs SET state = 'queued', attempts = 0, run_at = now(),"
	    "  last_error = NULL, progress = 0, lease_owner = NULL, lease_expires_at = NULL,"
	    "  finished_at = NULL, updated_at = now()"
	    "  WHERE id = $1 AND state = 'failed' RETURNING id, track_id),"
	    " t AS (UPDATE tracks SET processing_status = 'PROCESSING', processing_error = NULL,"
	    "  updated_at = now() FROM j WHERE tracks.id = j.track_id RETURNING tracks.id)"
	    " SELECT j.track_id FROM j";
	char ids[24];
	const char *params[1] = { ids };
	PGresult *r = NULL;
	struct job_move m;
	enum result rc;

	snprintf(ids, sizeof(ids), "%lld", id);
	if ((rc = db_exec(db, &r, sql, 1, params, e)) != OK)
		goto out;
	if (PQntuples(r) == 1) {
		snprintf(track_id, 37, "%s", PQgetvalue(r, 0, 0));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if ((rc = db_exec(db, &r, "SELECT state FROM jobs WHERE id = $1", 1, params, e)) != OK)
		goto out;
	if (PQntuples(r) == 0) {
		err_set(e, "there is no job %lld", id);
		rc = ERR_NOT_FOUND;
	} else {
		enum job_state s = JOB_QUEUED;
		int k;
		for (k = 0; k < JOB_STATE__MAX; k++)
			if (strcmp(job_state_names[k], PQgetvalue(r, 0, 0)) == 0)
				s = (enum job_state)k;
		rc = job_next(s, JEV_OPERATOR_RETRY, 0, 1, &m);
		err_set(e, "job %lld is %s; only a failed job can be retried", id,
		    job_state_str(s));
		if (rc == OK)
			rc = ERR_CONFLICT; /* raced: it was failed a moment ago */
	}
out:
	PQclear(r);
	return rc;
}
