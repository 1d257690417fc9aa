/*
 * janitor.c: the janitor's passes (see janitor.h). Each reads its candidates
 * in batches through a partial index (migrations/0012_janitor.sql), in key
 * order with a cursor, so a dry run (which changes nothing) and a track left
 * for later (locked by a complete, storage down) never make it read the
 * same rows again.
 */
#include "janitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "s3_list.h"
#include "s3_multipart.h"
#include "track.h"
#include "webhook_queue.h"

/* A pass under way. */
struct jctx {
	struct db *db;
	struct s3 *s3;
	const struct config *cfg;
	const struct janitor_opts *o;
	struct janitor_report *r;
	double deadline;     /* clock_now_s() after which no batch starts; 0: none */
	enum janitor_pass pass;
	const char *track;   /* borrowed: the track being worked on (items) */
	char ttl[24];        /* UPLOAD_TTL_SECONDS as a parameter */
};

static bool jan_go_on(const struct jctx *c);
static void jan_item(struct jctx *c, enum janitor_action a, const char *key, long long n);
static enum result jan_on_key(const char *key, long long size, void *arg);
static enum result jan_sweep(struct jctx *c, const char *prefix, const char *keep,
    struct errbuf *e);
static enum result jan_track_dir(const char *id, char *buf, size_t len, struct errbuf *e);
static enum result pass_expire(struct jctx *c, struct errbuf *e);
static enum result expire_track(struct jctx *c, const PGresult *res, int row,
    struct errbuf *e);
static enum result expire_storage(struct jctx *c, const char *id, const char *key,
    const char *upload_id, struct errbuf *e);
static enum result pass_remove(struct jctx *c, struct errbuf *e);
static enum result remove_track(struct jctx *c, const PGresult *res, int row,
    struct errbuf *e);
static enum result pass_superseded(struct jctx *c, struct errbuf *e);
static enum result sweep_attempts(struct jctx *c, const char *id, const char *prefix,
    struct errbuf *e);
static enum result mark_swept(struct jctx *c, struct janitor_array *ids,
    struct janitor_array *prefixes, struct errbuf *e);
STATIC bool janitor_array_add(struct janitor_array *b, const char *s);
static enum result pass_history(struct jctx *c, struct errbuf *e);
static bool is_attempt_id(const char *s);
static void tick_item(void *ctx, const struct janitor_item *it);

static const char *const pass_names[JP__MAX] = { "expire", "remove", "superseded", "history" };
static const char *const action_names[JA__MAX] = { "expire_track", "abort_upload",
	"delete_object", "remove_track", "prune_runs" };

const char *
janitor_pass_str(enum janitor_pass p)
{
	return (unsigned)p < JP__MAX ? pass_names[p] : "unknown";
}

const char *
janitor_action_str(enum janitor_action a)
{
	return (unsigned)a < JA__MAX ? action_names[a] : "unknown";
}

static bool
is_attempt_id(const char *s)
{
	size_t i;

	for (i = 0; i < STORAGE_ATTEMPT_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

bool
janitor_keep_make(const char *track, const char *hls_prefix, struct janitor_keep *k)
{
	char want[STORAGE_KEY_MAX];
	const char *attempt;

	memset(k, 0, sizeof(*k));
	if (track == NULL || hls_prefix == NULL || (attempt = strrchr(hls_prefix, '/')) == NULL ||
	    !is_attempt_id(++attempt) || strchr(track, '/') != NULL || track[0] == '\0')
		goto bad;
	/* exactly the prefix publish made for this track: hls/<track>/<attempt> */
	if (storage_key_hls_prefix(want, sizeof(want), track, attempt) == NULL ||
	    strcmp(want, hls_prefix) != 0)
		goto bad;
	/* the keeps end in '/': hls/<track>/<attempt>0... is not this attempt */
	if (storage_key_hls_prefix(k->hls_scan, sizeof(k->hls_scan), track, "") == NULL ||
	    storage_key_art_prefix(k->art_scan, sizeof(k->art_scan), track, "") == NULL ||
	    storage_key_hls_prefix(k->hls_keep, sizeof(k->hls_keep) - 1, track, attempt) == NULL ||
	    storage_key_art_prefix(k->art_keep, sizeof(k->art_keep) - 1, track, attempt) == NULL)
		goto bad;
	strcat(k->hls_keep, "/");
	strcat(k->art_keep, "/");
	return true;
bad:
	memset(k, 0, sizeof(*k));
	return false;
}

bool
janitor_superseded(const struct janitor_keep *k, const char *key)
{
	size_t hs = strlen(k->hls_scan), as = strlen(k->art_scan);

	if (hs == 0 || as == 0)
		return false;
	if (strncmp(key, k->hls_scan, hs) == 0 && key[hs] != '\0')
		return strncmp(key, k->hls_keep, strlen(k->hls_keep)) != 0;
	if (strncmp(key, k->art_scan, as) == 0 && key[as] != '\0')
		return strncmp(key, k->art_keep, strlen(k->art_keep)) != 0;
	return false;
}

/* May another batch (or track) start? */
static bool
jan_go_on(const struct jctx *c)
{
	if (c->o->stop != NULL && *c->o->stop)
		return false;
	return c->deadline == 0 || clock_now_s() < c->deadline;
}

static void
jan_item(struct jctx *c, enum janitor_action a, const char *key, long long n)
{
	struct janitor_item it;

	if (c->o->on_item == NULL)
		return;
	it.pass = c->pass;
	it.action = a;
	it.track_id = c->pass == JP_HISTORY ? NULL : c->track;
	it.key = key;
	it.count = n;
	c->o->on_item(c->o->ctx, &it);
}

/* s3_delete_prefix's callback: one object deleted (or, dry, to delete). */
static enum result
jan_on_key(const char *key, long long size, void *arg)
{
	struct jctx *c = arg;

	(void)size;
	c->r->objects++;
	jan_item(c, JA_DELETE_OBJECT, key, 1);
	return OK;
}

/* Every object under prefix but those under keep (NULL: none kept). */
static enum result
jan_sweep(struct jctx *c, const char *prefix, const char *keep, struct errbuf *e)
{
	long long n = 0;

	return s3_delete_prefix(c->s3, prefix, keep, c->o->dry_run, jan_on_key, c, &n, e);
}

/* "tracks/<id>/": where the original and the uploaded artwork are. */
static enum result
jan_track_dir(const char *id, char *buf, size_t len, struct errbuf *e)
{
	if (storage_track_prefix(buf, len, id, STORAGE_PREFIX_UPLOADS) == NULL) {
		err_set(e, "track id %.64s is too long for a key", id);
		return ERR_INVALID;
	}
	return OK;
}

/* Abort the upload (if any) and delete tracks/<id>/. */
static enum result
expire_storage(struct jctx *c, const char *id, const char *key, const char *upload_id,
    struct errbuf *e)
{
	char dir[STORAGE_KEY_MAX];
	enum result rc;

	if (upload_id != NULL) {
		if (!c->o->dry_run) {
			rc = s3mp_abort(c->s3, key, upload_id, e);
			if (rc != OK && rc != ERR_NOT_FOUND)
				return rc;
			err_clear(e);
		}
		c->r->uploads_aborted++;
		jan_item(c, JA_ABORT_UPLOAD, key, 1);
	}
	if ((rc = jan_track_dir(id, dir, sizeof(dir), e)) != OK)
		return rc;
	return jan_sweep(c, dir, NULL, e);
}

/*
 * Expire row `row` of the candidates (id, cursor, original key, upload id):
 * lock it if it is still PENDING and old enough (a complete holding it, or
 * done with it, wins: skipped), remove its objects, fail it, commit.
 */
static enum result
expire_track(struct jctx *c, const PGresult *res, int row, struct errbuf *e)
{
	const char *id = PQgetvalue(res, row, 0), *key = PQgetvalue(res, row, 2);
	const char *upload = PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3);
	const char *lock[3] = { id, track_status_sql(TRACK_PENDING), c->ttl };
	const char *fail[4] = { id, track_status_sql(TRACK_FAILED), JANITOR_EXPIRED_MSG,
		track_status_sql(TRACK_PENDING) };
	PGresult *r = NULL;
	enum result rc;

	c->track = id;
	if (c->o->dry_run) {
		c->r->expired++;
		jan_item(c, JA_EXPIRE_TRACK, NULL, 1);
		return expire_storage(c, id, key, upload, e);
	}
	if ((rc = db_begin(c->db, e)) != OK)
		return rc;
	rc = db_exec(c->db, &r, "SELECT 1 FROM tracks WHERE id = $1::uuid"
	    " AND processing_status = $2::track_processing_status AND deleted_at IS NULL"
	    " AND created_at < now() - make_interval(secs => $3::float8)"
	    " FOR UPDATE SKIP LOCKED", 3, lock, e);
	if (rc != OK || PQntuples(r) == 0)
		goto out; /* taken by a complete (or gone): theirs */
	/* No state change until the objects are gone: storage down, try again later. */
	if ((rc = expire_storage(c, id, key, upload, e)) != OK)
		goto out;
	PQclear(r);
	r = NULL;
	if ((rc = db_exec(c->db, NULL, "UPDATE tracks SET processing_status ="
	    " $2::track_processing_status, processing_error = $3, expired_at = now(),"
	    " updated_at = now() WHERE id = $1::uuid"
	    " AND processing_status = $4::track_processing_status", 4, fail, e)) != OK)
		goto out;
	if ((rc = webhook_enqueue(c->db, c->cfg, id, WEBHOOK_TRACK_FAILED, e)) != OK)
		goto out;
	if ((rc = db_commit(c->db, e)) != OK)
		goto out;
	c->r->expired++;
	jan_item(c, JA_EXPIRE_TRACK, NULL, 1);
out:
	if (c->db->in_tx)
		db_rollback(c->db);
	PQclear(r);
	return rc;
}

typedef enum result (*jan_row_fn)(struct jctx *c, const PGresult *res, int row,
    struct errbuf *e);

/*
 * The batches of one pass: sql (its last three parameters the keyset
 * cursor, column 0 the track's id and column 1 the cursor's other column,
 * then the batch size) read JANITOR_BATCH rows at a time, row() per row.
 * A row that fails stops the pass: it and the rest of its batch are left
 * for the next run (what names the work in the log).
 */
static enum result
jan_batches(struct jctx *c, const char *sql, const char **p, int np, const char *what,
    jan_row_fn row, struct errbuf *e)
{
	char at[64] = "-infinity", id[37] = "00000000-0000-0000-0000-000000000000", lim[16];
	PGresult *res = NULL;
	enum result rc = OK;
	int i, n;

	p[np - 3] = at;
	p[np - 2] = id;
	p[np - 1] = lim;
	snprintf(lim, sizeof(lim), "%d", JANITOR_BATCH);
	do {
		if (!jan_go_on(c))
			break;
		PQclear(res);
		res = NULL;
		if ((rc = db_exec(c->db, &res, sql, np, p, e)) != OK)
			break;
		n = PQntuples(res);
		for (i = 0; i < n && rc == OK && jan_go_on(c); i++)
			rc = row(c, res, i, e);
		if (rc != OK) {
			c->r->skipped += n - i + 1;
			log_warnx("janitor: %s %s: %s (left for the next pass)", what,
			    PQgetvalue(res, i - 1, 0), err_msg(e));
			break;
		}
		if (n > 0) {
			snprintf(id, sizeof(id), "%s", PQgetvalue(res, n - 1, 0));
			snprintf(at, sizeof(at), "%s", PQgetvalue(res, n - 1, 1));
		}
	} while (n == JANITOR_BATCH);
	PQclear(res);
	c->track = NULL;
	return rc;
}

static enum result
pass_expire(struct jctx *c, struct errbuf *e)
{
	const char *p[5] = { track_status_sql(TRACK_PENDING), c->ttl };

	c->pass = JP_EXPIRE;
	return jan_batches(c, "SELECT t.id, t.created_at::text AS after,"
	    " t.original_audio_key, t.multipart_upload_id FROM tracks t"
	    " WHERE t.processing_status = $1::track_processing_status"
	    " AND t.expired_at IS NULL AND t.deleted_at IS NULL" /* tracks_pending_created_idx */
	    " AND t.created_at < now() - make_interval(secs => $2::float8)"
	    " AND (t.created_at, t.id) > ($3::timestamptz, $4::uuid)"
	    " ORDER BY t.created_at, t.id LIMIT $5::int", p, 5, "expiring track", expire_track, e);
}

/* The last sweep of an expired track's objects, then its row. */
static enum result
remove_track(struct jctx *c, const PGresult *res, int row, struct errbuf *e)
{
	const char *id = PQgetvalue(res, row, 0);
	const char *p[3] = { id, c->ttl, track_status_sql(TRACK_FAILED) };
	char dir[STORAGE_KEY_MAX];
	PGresult *r = NULL;
	enum result rc;
	int n;

	c->track = id;
	if ((rc = jan_track_dir(id, dir, sizeof(dir), e)) != OK ||
	    (rc = jan_sweep(c, dir, NULL, e)) != OK)
		return rc;
	if (!c->o->dry_run) {
		if ((rc = db_exec(c->db, &r, "DELETE FROM tracks WHERE id = $1::uuid"
		    " AND deleted_at IS NULL AND expired_at < now() - make_interval(secs => $2::float8)"
		    " AND processing_status = $3::track_processing_status RETURNING id",
		    3, p, e)) != OK)
			return rc;
		n = PQntuples(r);
		PQclear(r);
		if (n == 0)
			return OK;
	}
	c->r->removed++;
	jan_item(c, JA_REMOVE_TRACK, NULL, 1);
	return OK;
}

static enum result
pass_remove(struct jctx *c, struct errbuf *e)
{
	const char *p[4] = { c->ttl };

	c->pass = JP_REMOVE;
	return jan_batches(c, "SELECT t.id, t.expired_at::text AS after FROM tracks t"
	    " WHERE t.expired_at IS NOT NULL AND t.deleted_at IS NULL"
	    " AND t.expired_at < now() - make_interval(secs => $1::float8)"
	    " AND (t.expired_at, t.id) > ($2::timestamptz, $3::uuid)"
	    " ORDER BY t.expired_at, t.id LIMIT $4::int", p, 4, "removing expired track",
	    remove_track, e);
}

STATIC bool
janitor_array_add(struct janitor_array *b, const char *s)
{
	size_t len = strlen(s), need = b->n + 2 * len + 5;
	char *ns;

	if (need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < need)
			cap *= 2;
		if ((ns = realloc(b->s, cap)) == NULL)
			return false;
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->n] = b->n == 0 ? '{' : ',';
	b->n++;
	b->s[b->n++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			b->s[b->n++] = '\\';
		b->s[b->n++] = *s;
	}
	b->s[b->n++] = '"';
	b->s[b->n] = '}';
	b->s[b->n + 1] = '\0';
	return true;
}

/* Mark the listed tracks swept at the listed prefixes (only where still theirs). */
static enum result
mark_swept(struct jctx *c, struct janitor_array *ids, struct janitor_array *prefixes,
    struct errbuf *e)
{
	const char *p[3] = { ids->s, prefixes->s, track_status_sql(TRACK_COMPLETED) };
	enum result rc = OK;

	if (ids->n > 0 && !c->o->dry_run)
		rc = db_exec(c->db, NULL, "UPDATE tracks t SET hls_swept_prefix = v.p"
		    " FROM unnest($1::uuid[], $2::text[]) AS v(id, p)"
		    " WHERE t.id = v.id AND t.hls_prefix = v.p"
		    " AND t.processing_status = $3::track_processing_status", 3, p, e);
	ids->n = prefixes->n = 0;
	return rc;
}

/* A track whose job ran more than once: what is not its attempt's goes. */
static enum result
sweep_attempts(struct jctx *c, const char *id, const char *prefix, struct errbuf *e)
{
	struct janitor_keep k;
	enum result rc;

	c->track = id;
	if (!janitor_keep_make(id, prefix, &k)) {
		log_warnx("janitor: track %s: hls_prefix %.80s is not one of its attempts; "
		    "nothing of it is deleted", id, prefix);
		return OK;
	}
	if ((rc = jan_sweep(c, k.hls_scan, k.hls_keep, e)) != OK ||
	    (rc = jan_sweep(c, k.art_scan, k.art_keep, e)) != OK)
		return rc;
	c->r->swept++;
	return OK;
}

/*
 * The completed tracks not swept since their last attempt, whose job is
 * done (succeeded: nothing is uploading to the track any more) with how
 * many runs it had; one run: only marked.
 */
static enum result
pass_superseded(struct jctx *c, struct errbuf *e)
{
	char after[37] = "00000000-0000-0000-0000-000000000000", lim[16];
	const char *p[3] = { track_status_sql(TRACK_COMPLETED), after, lim };
	struct janitor_array ids = { 0 }, prefixes = { 0 };
	PGresult *res = NULL;
	enum result rc = OK;
	int i, n;

	c->pass = JP_SUPERSEDED;
	snprintf(lim, sizeof(lim), "%d", JANITOR_BATCH);
	do {
		if (!jan_go_on(c))
			break;
		PQclear(res);
		res = NULL;
		/* the batch from the partial index first, then each one's job */
		if ((rc = db_exec(c->db, &res, "SELECT t.id, t.hls_prefix,"
		    " (SELECT count(*) FROM job_runs r WHERE r.job_id = j.id) AS runs,"
		    " j.state = 'succeeded' AS done"
		    " FROM (SELECT id, hls_prefix FROM tracks"
		    "  WHERE processing_status = $1::track_processing_status"
		    "  AND hls_swept_prefix IS DISTINCT FROM hls_prefix AND id > $2::uuid"
		    "  AND deleted_at IS NULL"
		    "  ORDER BY id LIMIT $3::int) t"
		    " LEFT JOIN jobs j ON j.track_id = t.id AND j.kind = 'transcode_hls'"
		    " ORDER BY t.id", 3, p, e)) != OK)
			break;
		n = PQntuples(res);
		for (i = 0; i < n && rc == OK && jan_go_on(c); i++) {
			const char *id = PQgetvalue(res, i, 0), *prefix = PQgetvalue(res, i, 1);

			/* no prefix, or its job not done (retried, running): not now */
			if (PQgetisnull(res, i, 1) || strcmp(PQgetvalue(res, i, 3), "t") != 0)
				continue;
			/* runs pruned (0) are counted as several: look, to be sure */
			if (strcmp(PQgetvalue(res, i, 2), "1") != 0 &&
			    (rc = sweep_attempts(c, id, prefix, e)) != OK)
				break;
			if (!janitor_array_add(&ids, id) || !janitor_array_add(&prefixes, prefix)) {
				err_set(e, "out of memory");
				rc = ERR_NOMEM;
			}
		}
		if (rc == OK || rc == ERR_STORAGE) {
			struct errbuf me;

			err_clear(&me);
			/* what was swept before a storage failure is marked still */
			if (mark_swept(c, &ids, &prefixes, &me) != OK && rc == OK) {
				err_set(e, "%s", err_msg(&me));
				rc = ERR_DB;
			}
		}
		if (rc != OK) {
			c->r->skipped += n - i;
			log_warnx("janitor: superseded attempts of track %s: %s (left for the next "
			    "pass)", i < n ? PQgetvalue(res, i, 0) : "-", err_msg(e));
			break;
		}
		if (n > 0)
			snprintf(after, sizeof(after), "%s", PQgetvalue(res, n - 1, 0));
	} while (n == JANITOR_BATCH);
	free(ids.s);
	free(prefixes.s);
	PQclear(res);
	c->track = NULL;
	return rc;
}

/* The runs of finished jobs, finished more than JOB_HISTORY_DAYS ago. */
static enum result
pass_history(struct jctx *c, struct errbuf *e)
{
	char days[24], lim[16];
	const char *p[2] = { days, lim };
	PGresult *res = NULL;
	enum result rc = OK;
	long long n;

	c->pass = JP_HISTORY;
	snprintf(days, sizeof(days), "%lld", c->cfg->job_history_days);
	snprintf(lim, sizeof(lim), "%d", JANITOR_PRUNE_BATCH);
	if (c->o->dry_run) {
		if ((rc = db_exec(c->db, &res, "SELECT count(*) FROM job_runs r"
		    " JOIN jobs j ON j.id = r.job_id"
		    " WHERE r.finished_at < now() - make_interval(days => $1::int)"
		    " AND j.state NOT IN ('queued', 'running')", 1, p, e)) != OK)
			return rc;
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		c->r->runs_pruned += n;
		if (n > 0)
			jan_item(c, JA_PRUNE_RUNS, NULL, n);
		return OK;
	}
	do {
		if (!jan_go_on(c))
			break;
		if ((rc = db_exec(c->db, &res, "DELETE FROM job_runs WHERE id IN ("
		    "SELECT r.id FROM job_runs r JOIN jobs j ON j.id = r.job_id"
		    " WHERE r.finished_at < now() - make_interval(days => $1::int)"
		    " AND j.state NOT IN ('queued', 'running')"
		    " ORDER BY r.finished_at LIMIT $2::int) RETURNING 1", 2, p, e)) != OK)
			break;
		n = PQntuples(res);
		PQclear(res);
		res = NULL;
		c->r->runs_pruned += n;
		if (n > 0)
			jan_item(c, JA_PRUNE_RUNS, NULL, n);
	} while (n == JANITOR_PRUNE_BATCH);
	return rc;
}

enum result
janitor_run(struct db *db, struct s3 *s3, const struct config *cfg,
    const struct janitor_opts *o, struct janitor_report *r, struct errbuf *e)
{
	static const struct {
		enum result (*run)(struct jctx *, struct errbuf *);
		bool storage; /* it calls storage */
	} passes[JP__MAX] = {
		{ pass_expire, true }, { pass_remove, true }, { pass_superseded, true },
		{ pass_history, false },
	};
	struct jctx c;
	struct errbuf pe;
	enum result rc, first = OK;
	bool storage_down = false;
	size_t i;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.s3 = s3;
	c.cfg = cfg;
	c.o = o;
	c.r = r;
	c.deadline = o->budget_s > 0 ? clock_now_s() + o->budget_s : 0;
	snprintf(c.ttl, sizeof(c.ttl), "%lld", cfg->upload_ttl_s);
	for (i = 0; i < JP__MAX; i++) {
		/* storage that failed one pass would make the next wait out its timeouts too */
		if (passes[i].storage && storage_down)
			continue;
		err_clear(&pe);
		rc = passes[i].run(&c, &pe);
		if (rc == ERR_STORAGE || rc == ERR_AUTH)
			storage_down = true;
		if (rc != OK && first == OK) {
			first = rc;
			err_set(e, "%s: %s", janitor_pass_str((enum janitor_pass)i), err_msg(&pe));
		}
	}
	return first;
}

enum result
janitor_try_lock(struct db *db, bool *got, struct errbuf *e)
{
	const char *p[1] = { JANITOR_LOCK_KEY };
	PGresult *r = NULL;
	enum result rc;

	*got = false;
	if ((rc = db_exec(db, &r, "SELECT pg_try_advisory_lock($1::bigint)", 1, p, e)) != OK)
		return rc;
	*got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return OK;
}

void
janitor_unlock(struct db *db)
{
	const char *p[1] = { JANITOR_LOCK_KEY };
	struct errbuf e;

	err_clear(&e);
	(void)db_exec(db, NULL, "SELECT pg_advisory_unlock($1::bigint)", 1, p, &e);
}

/* The runner logs what its pass did: tracks at info, objects at debug. */
static void
tick_item(void *ctx, const struct janitor_item *it)
{
	(void)ctx;
	if (it->action == JA_DELETE_OBJECT)
		log_debug("janitor: %s: deleted %s", janitor_pass_str(it->pass), it->key);
	else if (it->action == JA_EXPIRE_TRACK)
		log_info("janitor: track %s: pending -> failed (%s)", it->track_id,
		    JANITOR_EXPIRED_MSG);
	else if (it->action == JA_REMOVE_TRACK)
		log_info("janitor: track %s: expired, removed", it->track_id);
}

void
janitor_tick(struct db *db, struct s3 *s3, const struct config *cfg, double budget_s,
    const volatile sig_atomic_t *stop)
{
	struct janitor_opts o = { false, budget_s, stop, tick_item, NULL };
	struct janitor_report r;
	struct errbuf e;
	bool got = false;
	enum result rc;

	err_clear(&e);
	if (janitor_try_lock(db, &got, &e) != OK || !got)
		return; /* the database is down (the loop says so), or another runner's turn */
	rc = janitor_run(db, s3, cfg, &o, &r, &e);
	janitor_unlock(db);
	if (r.expired + r.removed + r.swept + r.objects + r.runs_pruned > 0)
		log_info("janitor: %lld expired, %lld removed, %lld tracks swept of old attempts, "
		    "%lld objects deleted, %lld job runs pruned", r.expired, r.removed, r.swept,
		    r.objects, r.runs_pruned);
	if (rc != OK)
		log_warnx("janitor: %s", err_msg(&e));
}
