/*
 * janitor.h: the passes that keep storage and the database from growing
 * forever (issue 15, section 2). Used by the resident runner (every
 * JANITOR_INTERVAL_SECONDS, one runner at a time) and by `mustory-admin
 * janitor` (cron, mustory-janitor.timer). docs/jobs.md, "Janitor".
 *
 *   expire      a PENDING track older than UPLOAD_TTL_SECONDS: its unfinished
 *               multipart upload is aborted, every object under tracks/<id>/
 *               (original, artwork) deleted, then the track is FAILED with
 *               JANITOR_EXPIRED_MSG, in one transaction holding the row (a
 *               concurrent complete waits, then finds it FAILED; one that
 *               committed first keeps its track). Storage down: the track is
 *               left as it is for the next pass.
 *   remove      an expired track UPLOAD_TTL_SECONDS after it expired: a last
 *               sweep of tracks/<id>/, then its row goes.
 *   superseded  a COMPLETED track not swept since its last attempt: when its
 *               job ran more than once, every object under hls/<id>/ and
 *               art/<id>/ outside the current attempt (hls_prefix) is deleted;
 *               then the track is marked swept (hls_swept_prefix). A track whose
 *               job ran once is only marked: no storage listing.
 *   history     job_runs finished more than JOB_HISTORY_DAYS ago, of jobs no
 *               longer queued or running, are deleted in batches.
 *
 * Every pass is safe beside another janitor (row locks, conditional
 * statements, SKIP LOCKED); the advisory lock only saves doing work twice.
 */
#ifndef MUSTORY_JANITOR_H
#define MUSTORY_JANITOR_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "result.h"
#include "s3.h"
#include "storage_layout.h"

/* The processing_error of an expired track (what GET .../status shows). */
#define JANITOR_EXPIRED_MSG "the upload was never completed"
/* pg_try_advisory_lock key of a janitor pass: "mustjani". */
#define JANITOR_LOCK_KEY "7887337266247462505"
#define JANITOR_BATCH 200        /* tracks read per statement */
#define JANITOR_PRUNE_BATCH 1000 /* job_runs rows deleted per statement */
#define JANITOR_TICK_BUDGET_S 20.0 /* a runner's pass starts no batch after this */

enum janitor_pass { JP_EXPIRE, JP_REMOVE, JP_SUPERSEDED, JP_HISTORY, JP__MAX };

enum janitor_action {
	JA_EXPIRE_TRACK, /* a PENDING track failed as expired */
	JA_ABORT_UPLOAD, /* its multipart upload aborted (key: the original's) */
	JA_DELETE_OBJECT,/* an object deleted */
	JA_REMOVE_TRACK, /* an expired track's row removed */
	JA_PRUNE_RUNS,   /* count job_runs rows pruned */
	JA__MAX
};

/* Static: "expire", "remove", "superseded", "history"; "unknown". */
const char *janitor_pass_str(enum janitor_pass p);
/* Static: "expire_track", "abort_upload", "delete_object", "remove_track",
 * "prune_runs"; "unknown". */
const char *janitor_action_str(enum janitor_action a);

/* One thing done (or, in a dry run, that would be). All borrowed for the call. */
struct janitor_item {
	enum janitor_pass pass;
	enum janitor_action action;
	const char *track_id; /* NULL for history */
	const char *key;      /* the object (or upload's object) key; NULL otherwise */
	long long count;      /* JA_PRUNE_RUNS: rows; else 1 */
};

/* What a pass did (or would do). */
struct janitor_report {
	long long expired, removed, swept, objects, uploads_aborted, runs_pruned;
	long long skipped; /* tracks left for a later pass (storage down, busy) */
};

struct janitor_opts {
	bool dry_run;  /* list what would be done; change nothing */
	double budget_s; /* start no new batch after this many seconds; 0: until done */
	const volatile sig_atomic_t *stop; /* may be NULL: stop between tracks when set */
	void (*on_item)(void *ctx, const struct janitor_item *it); /* may be NULL */
	void *ctx;
};

/*
 * Run every pass once, each to its end (or the budget). A pass that fails
 * (storage or database down) leaves what it has not done for the next run
 * and the others still run; the first failure is returned, e says which.
 */
enum result janitor_run(struct db *db, struct s3 *s3, const struct config *cfg,
    const struct janitor_opts *o, struct janitor_report *r, struct errbuf *e);

/* pg_try_advisory_lock on db's session: *got false when another janitor holds it. */
enum result janitor_try_lock(struct db *db, bool *got, struct errbuf *e);
/* Release it (never fails: a dead session has released it already). */
void janitor_unlock(struct db *db);

/*
 * The runner's pass: take the lock (another runner's pass: skip quietly),
 * run within budget_s, log what was done, release the lock.
 */
void janitor_tick(struct db *db, struct s3 *s3, const struct config *cfg, double budget_s,
    const volatile sig_atomic_t *stop);

/*
 * The prefixes of a completed track's current attempt, from its hls_prefix
 * ("hls/<track>/<attempt>", STORAGE_ATTEMPT_HEX lowercase hex digits): what
 * is listed (hls/<track>/, art/<track>/) and what is kept
 * (hls/<track>/<attempt>/, art/<track>/<attempt>/). Pure.
 */
struct janitor_keep {
	char hls_scan[STORAGE_KEY_MAX], hls_keep[STORAGE_KEY_MAX];
	char art_scan[STORAGE_KEY_MAX], art_keep[STORAGE_KEY_MAX];
};

/* false (k zeroed) when hls_prefix is not the track's attempt prefix: then
 * nothing may be deleted. */
bool janitor_keep_make(const char *track, const char *hls_prefix, struct janitor_keep *k);

/* Is key an object of a superseded attempt: under a scan prefix, not under
 * its keep prefix? Pure. */
bool janitor_superseded(const struct janitor_keep *k, const char *key);

/* A PostgreSQL array literal being built ({"a","b"}): s[0..n) then "}". */
struct janitor_array {
	char *s; /* owned; NULL until the first element */
	size_t n, cap;
};

#ifdef UNITTEST
/* Append s as a quoted element (" and \ escaped); false when out of memory.
 * Static in release builds. */
bool janitor_array_add(struct janitor_array *b, const char *s);
#endif

#endif
