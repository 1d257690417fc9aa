/*
 * mustory-admin: the operator's command line.
 *
 *   mustory-admin [--json] [--env-file PATH] COMMAND ...
 *     jobs [--state S] [--limit N]   the newest jobs (state queued, running,
 *                                    succeeded or failed; N 1..1000, default 50)
 *     job show ID                    one job and every run of it
 *     job retry ID                   a failed job queued again (what
 *                                    mustory-runner --retry does)
 *     job cancel ID                  cancel a queued job at once, or ask a
 *                                    running one's runner to stop
 *     track show ID                  one track, whoever owns it, and its jobs
 *     track delete ID                delete a track, whoever owns it (as
 *                                    DELETE /tracks/{id}: its job cancelled,
 *                                    its objects purged)
 *     janitor [--dry-run]            one janitor pass (lib/janitor.h): expire
 *                                    abandoned uploads, remove expired tracks,
 *                                    delete superseded HLS attempts, prune old
 *                                    job runs; --dry-run lists what it would do
 *     migrate [--dir DIR]            schema.sql (only on a database without
 *                                    schema_migrations), then every
 *                                    DIR/migrations/NNNN_*.sql not yet recorded,
 *                                    each in its own transaction
 *
 * DATABASE_URL (and DB_CONNECT_TIMEOUT_SECONDS) come from the environment,
 * else the env file (--env-file, or $ENV_FILE), read through config_lookup()
 * as the other programs read it. Tables for a person on stdout; --json: one
 * JSON document instead, for scripts. Errors on stderr. Exit 0 on success,
 * 1 on failure (no such job, a database error...), 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>

#include "config.h"
#include "db.h"
#include "ids.h"
#include "janitor.h"
#include "log.h"
#include "jobstate.h"
#include "jobstore.h"
#include "lifecycle.h"
#include "result.h"
#include "utf8.h"

#ifndef MUSTORY_VERSION
#define MUSTORY_VERSION "0.1.0-dev"
#endif
#ifndef MUSTORY_MIGRATE_DIR
#define MUSTORY_MIGRATE_DIR "."
#endif

#define PROG "mustory-admin"
#define CELL_MAX 60 /* characters of a table cell before it is cut */

struct args {
	const char *envfile, *state, *dir;
	long long limit;
	bool json, dry_run;
	const char *pos[4]; /* the command and its operands */
	int npos;
};

static void usage(FILE *f);
static int parse_args(int argc, char *argv[], struct args *a);
static bool parse_id(const char *s, long long *out);
static int admin_open(const struct args *a, struct db *db);
static json_object *row_json(const PGresult *res, int row);
static json_object *rows_json(const PGresult *res);
static void cell(char *out, size_t size, const PGresult *res, int row, int col, size_t max);
static int width(const char *s);
static int is_migration(const struct dirent *d);
static int column(const PGresult *res, const char *name);
static void print_table(const PGresult *res, const char *const *cols);
static void print_record(const PGresult *res);
static int print_json(json_object *o);
static int query(struct db *db, const char *sql, int n, const char *const *params,
    PGresult **res);
static int cmd_jobs(const struct args *a, struct db *db);
static int cmd_job_show(const struct args *a, struct db *db, long long id);
static int cmd_job_retry(const struct args *a, struct db *db, long long id);
static int cmd_job_cancel(const struct args *a, struct db *db, long long id);
static int cmd_track_show(const struct args *a, struct db *db, const char *id);
static int cmd_track_delete(const struct args *a, struct db *db, const char *id);
static int cmd_migrate(const struct args *a, struct db *db);
static int cmd_janitor(const struct args *a, struct db *db);
static int janitor_lock_wait(struct db *db);
static void janitor_item_out(void *ctx, const struct janitor_item *it);
static int migrate_file(struct db *db, const char *path, const char *version);
static char *read_file(const char *path);
static int dispatch(const struct args *a, struct db *db);

/* Times as the API writes them: ISO 8601, UTC, seconds. */
#define TS(c) "to_char(" c " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS " c
static const char job_columns[] =
    "SELECT id, kind, track_id, state::text AS state, attempts, max_attempts, progress, "
    TS("run_at") ", lease_owner, " TS("lease_expires_at") ", last_error, " TS("created_at")
    ", " TS("updated_at") ", " TS("started_at") ", " TS("finished_at") ", "
    TS("cancel_requested_at") ", payload::text AS payload FROM jobs";
/* The columns of the jobs table a person sees (--json has them all). */
static const char *const job_brief[] = { "id", "kind", "track_id", "state", "attempts",
	"progress", "run_at", "lease_owner", "last_error", "updated_at", NULL };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [--json] [--env-file PATH] COMMAND\n"
	    "  jobs [--state S] [--limit N]  the newest jobs (S: queued, running, succeeded,\n"
	    "                                failed, cancelled; N: 1 to 1000, default 50)\n"
	    "  job show ID                   a job and its runs\n"
	    "  job retry ID                  queue a failed (or cancelled) job again\n"
	    "                                (attempts from 0)\n"
	    "  job cancel ID                 cancel a queued job; ask a running one to stop\n"
	    "  track show ID                 a track (any owner) and its jobs\n"
	    "  track delete ID               delete a track (any owner), as the API does:\n"
	    "                                its job cancelled, its objects purged\n"
	    "  janitor [--dry-run]           expire abandoned uploads, remove expired tracks,\n"
	    "                                delete superseded HLS attempts, prune old job runs\n"
	    "                                (--dry-run: list what it would do, change nothing)\n"
	    "  migrate [--dir DIR]           apply schema.sql (once) and the pending\n"
	    "                                DIR/migrations/NNNN_*.sql (default DIR: %s)\n"
	    "  --json          one JSON document on stdout instead of tables\n"
	    "  --env-file PATH read DATABASE_URL from this KEY=VALUE file (else $ENV_FILE)\n"
	    "  --help, --version\n",
	    MUSTORY_MIGRATE_DIR);
}

static bool
parse_id(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out > 0 && s[0] != '+';
}

/* 0: parsed; 1: --help or --version shown; 2: a usage error, reported. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		bool has_value = i + 1 < argc;

		if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			usage(stdout);
			return 1;
		} else if (strcmp(o, "--version") == 0) {
			printf(PROG " %s\n", MUSTORY_VERSION);
			return 1;
		} else if (strcmp(o, "--json") == 0) {
			a->json = true;
		} else if (strcmp(o, "--dry-run") == 0) {
			a->dry_run = true;
		} else if (strcmp(o, "--env-file") == 0 && has_value) {
			a->envfile = argv[++i];
		} else if (strcmp(o, "--state") == 0 && has_value) {
			a->state = argv[++i];
		} else if (strcmp(o, "--dir") == 0 && has_value) {
			a->dir = argv[++i];
		} else if (strcmp(o, "--limit") == 0 && has_value) {
			if (!parse_id(argv[++i], &a->limit) || a->limit > 1000) {
				fprintf(stderr, PROG ": --limit must be a whole number from 1 to 1000\n");
				return 2;
			}
		} else if (o[0] == '-' ||
		    a->npos == (int)(sizeof(a->pos) / sizeof(a->pos[0]))) {
			fprintf(stderr, PROG ": unexpected %s (see --help)\n", o);
			return 2;
		} else {
			a->pos[a->npos++] = o;
		}
	}
	if (a->npos == 0) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Connect with DATABASE_URL; 0 on success, else the error is reported. */
static int
admin_open(const struct args *a, struct db *db)
{
	char *url = NULL, *tmo = NULL;
	struct errbuf e;
	long long t = 3;
	int rc = 1;

	err_clear(&e);
	if (config_lookup(a->envfile, "DATABASE_URL", &url, &e) != OK ||
	    config_lookup(a->envfile, "DB_CONNECT_TIMEOUT_SECONDS", &tmo, &e) != OK) {
		fprintf(stderr, PROG ": %s\n", err_msg(&e));
		goto out;
	}
	if (url == NULL || *url == '\0') {
		fprintf(stderr, PROG ": DATABASE_URL is not set; export it or pass --env-file PATH\n");
		goto out;
	}
	if (tmo != NULL && (!parse_id(tmo, &t) || t > 60)) {
		fprintf(stderr, PROG ": DB_CONNECT_TIMEOUT_SECONDS must be 1 to 60\n");
		goto out;
	}
	/* Times in UTC, whatever the server's default. */
	if (db_open(db, url, (int)t, PROG, "SET TimeZone = 'UTC'", &e) != OK) {
		fprintf(stderr, PROG ": %s\n", err_msg(&e));
		goto out;
	}
	rc = 0;
out:
	free(url);
	free(tmo);
	return rc;
}

/* Row `row` as an object of column name -> text (or null). Caller owns. */
static json_object *
row_json(const PGresult *res, int row)
{
	json_object *o = json_object_new_object(), *v;
	const char *s;
	int c;

	for (c = 0; c < PQnfields(res); c++) {
		s = PQgetvalue(res, row, c);
		/* Numbers as numbers: int2, int4, int8 and float8 (pg_type OIDs). */
		switch (PQftype(res, c)) {
		case 20: case 21: case 23:
			v = json_object_new_int64(strtoll(s, NULL, 10));
			break;
		case 701:
			v = json_object_new_double(strtod(s, NULL));
			break;
		default:
			v = json_object_new_string(s);
		}
		json_object_object_add(o, PQfname(res, c), PQgetisnull(res, row, c) ? NULL : v);
		if (PQgetisnull(res, row, c))
			json_object_put(v);
	}
	return o;
}

static json_object *
rows_json(const PGresult *res)
{
	json_object *a = json_object_new_array();
	int r;

	for (r = 0; r < PQntuples(res); r++)
		json_object_array_add(a, row_json(res, r));
	return a;
}

/*
 * A value for a table: "-" for null, control characters as '?', ill-formed
 * UTF-8 repaired, cut to max characters with "..." (and to what fits in size).
 */
static void
cell(char *out, size_t size, const PGresult *res, int row, int col, size_t max)
{
	const char *v = PQgetisnull(res, row, col) ? "-" : PQgetvalue(res, row, col);
	size_t len = strlen(v), i = 0, o = 0, n, skip = 1, chars = 0;
	uint32_t cp = 0;

	while (i < len && o + 8 < size) {
		n = utf8_decode(v + i, len - i, &cp, NULL, &skip);
		if (n == 0 || cp < 0x20 || cp == 0x7f) {
			out[o++] = '?';
			i += n == 0 ? skip : n;
		} else {
			memcpy(out + o, v + i, n);
			o += n;
			i += n;
		}
		if (++chars == max && i < len) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
	}
	out[o] = '\0';
}

/* Characters (not bytes) of a UTF-8 string, for column widths. */
static int
width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static int
column(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

/* The columns cols (NULL: all) of every row, aligned. */
static void
print_table(const PGresult *res, const char *const *cols)
{
	int nr = PQntuples(res), nc = 0, r, c, w[32] = { 0 }, idx[32];
	char buf[CELL_MAX * 4 + 16];

	for (c = 0; c < PQnfields(res) && nc < 32; c++)
		if (cols == NULL)
			idx[nc++] = c;
	for (; cols != NULL && cols[nc] != NULL && nc < 32; nc++)
		idx[nc] = column(res, cols[nc]);
	for (c = 0; c < nc; c++) {
		w[c] = width(PQfname(res, idx[c]));
		for (r = 0; r < nr; r++) {
			cell(buf, sizeof(buf), res, r, idx[c], CELL_MAX);
			if (width(buf) > w[c])
				w[c] = width(buf);
		}
	}
	for (c = 0; c < nc; c++)
		printf("%s%-*s", c ? "  " : "", c + 1 < nc ? w[c] : 0, PQfname(res, idx[c]));
	printf("\n");
	for (r = 0; r < nr; r++) {
		for (c = 0; c < nc; c++) {
			cell(buf, sizeof(buf), res, r, idx[c], CELL_MAX);
			/* printf pads by bytes: add what multi-byte characters take. */
			printf("%s%-*s", c ? "  " : "",
			    c + 1 < nc ? w[c] + (int)strlen(buf) - width(buf) : 0, buf);
		}
		printf("\n");
	}
	if (nr == 0)
		printf("(none)\n");
}

/* Row 0 as "name: value" lines. */
static void
print_record(const PGresult *res)
{
	char buf[4096];
	int c;

	for (c = 0; c < PQnfields(res); c++) {
		cell(buf, sizeof(buf), res, 0, c, 1000);
		printf("%-18s %s\n", PQfname(res, c), buf);
	}
}

static int
print_json(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE);

	printf("%s\n", s != NULL ? s : "null");
	json_object_put(o);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
query(struct db *db, const char *sql, int n, const char *const *params, PGresult **res)
{
	struct errbuf e;

	err_clear(&e);
	if (db_exec(db, res, sql, n, params, &e) != OK) {
		fprintf(stderr, PROG ": %s\n", err_msg(&e));
		return 1;
	}
	return 0;
}

static int
cmd_jobs(const struct args *a, struct db *db)
{
	char sql[2048], lim[24];
	const char *params[2] = { lim, a->state };
	enum job_state st;
	PGresult *res = NULL;
	int rc;

	if (a->state != NULL && !job_state_parse(a->state, &st)) {
		fprintf(stderr, PROG ": --state must be queued, running, succeeded, failed or "
		    "cancelled\n");
		return 2;
	}
	snprintf(lim, sizeof(lim), "%lld", a->limit > 0 ? a->limit : 50);
	snprintf(sql, sizeof(sql), "%s%s ORDER BY id DESC LIMIT $1::int", job_columns,
	    a->state != NULL ? " WHERE state = $2::job_state" : "");
	if ((rc = query(db, sql, a->state != NULL ? 2 : 1, params, &res)) != 0)
		return rc;
	if (a->json)
		rc = print_json(rows_json(res));
	else
		print_table(res, job_brief);
	PQclear(res);
	return rc;
}

static int
cmd_job_show(const struct args *a, struct db *db, long long id)
{
	char sql[2048], ids[24];
	const char *params[1] = { ids };
	PGresult *job = NULL, *runs = NULL;
	json_object *o;
	int rc;

	snprintf(ids, sizeof(ids), "%lld", id);
	snprintf(sql, sizeof(sql), "%s WHERE id = $1::bigint", job_columns);
	if ((rc = query(db, sql, 1, params, &job)) != 0)
		goto out;
	if (PQntuples(job) == 0) {
		fprintf(stderr, PROG ": there is no job %lld\n", id);
		rc = 1;
		goto out;
	}
	if ((rc = query(db, "SELECT id, attempt, runner, " TS("started_at") ", " TS("finished_at")
	    ", outcome, message FROM job_runs WHERE job_id = $1::bigint ORDER BY id", 1, params, &runs)) != 0)
		goto out;
	if (a->json) {
		o = row_json(job, 0);
		json_object_object_add(o, "runs", rows_json(runs));
		rc = print_json(o);
	} else {
		print_record(job);
		printf("\nruns\n");
		print_table(runs, NULL);
	}
out:
	PQclear(job);
	PQclear(runs);
	return rc;
}

static int
cmd_job_retry(const struct args *a, struct db *db, long long id)
{
	enum job_state was = JOB_FAILED;
	char track[37] = "";
	json_object *o;
	struct errbuf e;

	err_clear(&e);
	if (job_operator_retry(db, id, track, &was, &e) != OK) {
		fprintf(stderr, PROG ": cannot retry job %lld: %s\n", id, err_msg(&e));
		return 1;
	}
	if (!a->json) {
		printf("job %lld track %s: %s -> queued (operator retry)\n", id, track,
		    job_state_str(was));
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "track_id", json_object_new_string(track));
	json_object_object_add(o, "state", json_object_new_string(job_state_str(JOB_QUEUED)));
	return print_json(o);
}

static int
cmd_job_cancel(const struct args *a, struct db *db, long long id)
{
	char track[37] = "";
	struct job_move m;
	json_object *o;
	struct errbuf e;

	err_clear(&e);
	if (job_cancel(db, id, &m, track, &e) != OK) {
		fprintf(stderr, PROG ": cannot cancel job %lld: %s\n", id, err_msg(&e));
		return 1;
	}
	if (!a->json) {
		printf("job %lld%s%s: %s\n", id, track[0] != '\0' ? " track " : "", track,
		    m.request_cancel ? "running, its runner is asked to stop (cancel requested)" :
		    "queued -> cancelled");
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "track_id", track[0] != '\0' ? json_object_new_string(track) :
	    NULL);
	json_object_object_add(o, "state", json_object_new_string(job_state_str(m.to)));
	json_object_object_add(o, "cancel_requested", json_object_new_boolean(1));
	return print_json(o);
}

static int
cmd_track_delete(const struct args *a, struct db *db, const char *arg)
{
	struct track_deletion d;
	struct config cfg;
	json_object *o;
	struct errbuf e;
	char id[37];
	enum result rc;

	if (!id_uuid_normalize(arg, id)) {
		fprintf(stderr, PROG ": a track ID is a UUID, not %s\n", arg);
		return 2;
	}
	err_clear(&e);
	/* The purge's attempts and the webhooks: the same settings as the API's. */
	if (config_load(&cfg, a->envfile, &e) != OK) {
		fprintf(stderr, PROG ": configuration: %s\n", err_msg(&e));
		return 1;
	}
	rc = track_delete(db, &cfg, id, NULL, &d, &e);
	config_free(&cfg);
	if (rc != OK) {
		fprintf(stderr, PROG ": cannot delete track %s: %s\n", id, err_msg(&e));
		return 1;
	}
	if (!a->json) {
		printf("track %s deleted", id);
		if (d.cancel_requested)
			printf("; job %lld is running, its runner is asked to stop", d.job_id);
		else if (d.job_cancelled)
			printf("; job %lld cancelled", d.job_id);
		printf("; purge job %lld removes its objects\n", d.purge_job_id);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "track_id", json_object_new_string(id));
	json_object_object_add(o, "deleted", json_object_new_boolean(1));
	json_object_object_add(o, "job_id", d.job_id != 0 ? json_object_new_int64(d.job_id) : NULL);
	json_object_object_add(o, "job_cancelled", json_object_new_boolean(d.job_cancelled));
	json_object_object_add(o, "cancel_requested", json_object_new_boolean(d.cancel_requested));
	json_object_object_add(o, "purge_job_id", json_object_new_int64(d.purge_job_id));
	return print_json(o);
}

static int
cmd_track_show(const struct args *a, struct db *db, const char *arg)
{
	char id[37];
	const char *params[1] = { id };
	PGresult *t = NULL, *jobs = NULL;
	char sql[2048];
	json_object *o;
	int rc;

	if (!id_uuid_normalize(arg, id)) {
		fprintf(stderr, PROG ": a track ID is a UUID, not %s\n", arg);
		return 2;
	}
	if ((rc = query(db, "SELECT id, owner_id, title, artist_name, file_extension, file_size,"
	    " content_type, processing_status::text AS status, processing_error, duration_seconds,"
	    " original_audio_key, artwork_key, hls_prefix, hls_url, artwork_url, " TS("created_at")
	    ", " TS("updated_at") ", " TS("deleted_at") " FROM tracks WHERE id = $1::uuid", 1,
	    params, &t)) != 0)
		goto out;
	if (PQntuples(t) == 0) {
		fprintf(stderr, PROG ": there is no track %s\n", id);
		rc = 1;
		goto out;
	}
	/* its jobs, and its purge (which names the track in its payload) */
	snprintf(sql, sizeof(sql), "%s WHERE track_id = $1::uuid OR (kind = 'purge'"
	    " AND payload ->> 'track_id' = $1::text) ORDER BY id", job_columns);
	if ((rc = query(db, sql, 1, params, &jobs)) != 0)
		goto out;
	if (a->json) {
		o = row_json(t, 0);
		json_object_object_add(o, "jobs", rows_json(jobs));
		rc = print_json(o);
	} else {
		print_record(t);
		printf("\njobs\n");
		print_table(jobs, job_brief);
	}
out:
	PQclear(t);
	PQclear(jobs);
	return rc;
}

/* The whole file, NUL-terminated, malloc'd; NULL with errno set. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else
			buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * One file in one transaction, recorded as version (NULL: the baseline,
 * not recorded). The file is sent as one simple query (several statements,
 * as psql -1 -f runs them); nothing of it stays when any statement fails.
 */
static int
migrate_file(struct db *db, const char *path, const char *version)
{
	const char *params[1] = { version };
	struct errbuf e;
	PGresult *r;
	char *sql;
	int rc = 1;

	if ((sql = read_file(path)) == NULL) {
		fprintf(stderr, PROG ": migrate: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	err_clear(&e);
	if (db_begin(db, &e) != OK)
		goto fail;
	/* PQexec, not db_exec: only a simple query may hold several statements. */
	r = PQexec(db->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		err_set(&e, "%s", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	if ((version != NULL && db_exec(db, NULL, "INSERT INTO schema_migrations (version)"
	    " VALUES ($1)", 1, params, &e) != OK) || db_commit(db, &e) != OK)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
	fprintf(stderr, PROG ": migrate: %s: %s\n", path, err_msg(&e));
out:
	free(sql);
	return rc;
}

static int
is_migration(const struct dirent *d)
{
	const char *n = d->d_name;
	size_t len = strlen(n);

	return len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
	    strcmp(n + len - 4, ".sql") == 0;
}

static int
cmd_migrate(const struct args *a, struct db *db)
{
	const char *dir = a->dir != NULL ? a->dir : MUSTORY_MIGRATE_DIR;
	struct dirent **list = NULL;
	char path[4096], version[256];
	const char *params[1] = { version };
	PGresult *res = NULL;
	int n = 0, i, rc, applied = 0;

	if ((rc = query(db, "SELECT to_regclass('public.schema_migrations') IS NULL", 0, NULL,
	    &res)) != 0)
		return rc;
	/* The baseline once: later changes are migrations (scripts/migrate.sh says why). */
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		snprintf(path, sizeof(path), "%s/schema.sql", dir);
		if ((rc = migrate_file(db, path, NULL)) != 0)
			goto out;
		if (!a->json)
			printf("migrate: applied schema.sql\n");
	}
	snprintf(path, sizeof(path), "%s/migrations", dir);
	if ((n = scandir(path, &list, is_migration, alphasort)) < 0) {
		fprintf(stderr, PROG ": migrate: %s: %s\n", path, strerror(errno));
		rc = 1;
		n = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		snprintf(version, sizeof(version), "%.*s", (int)strlen(list[i]->d_name) - 4,
		    list[i]->d_name);
		PQclear(res);
		res = NULL;
		if ((rc = query(db, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params,
		    &res)) != 0)
			goto out;
		if (PQntuples(res) > 0)
			continue;
		if (!a->json)
			printf("migrate: applying %s\n", version);
		snprintf(path, sizeof(path), "%s/migrations/%s", dir, list[i]->d_name);
		if ((rc = migrate_file(db, path, version)) != 0)
			goto out;
		applied++;
	}
	if (a->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "applied", json_object_new_int(applied));
		rc = print_json(o);
	} else
		printf("migrate: schema is current\n");
out:
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	PQclear(res);
	return rc;
}

/* What a janitor pass is given to print, one item at a time. */
struct janitor_out {
	bool json;
	json_object *items; /* --json: the array, owned by the document */
};

static void
janitor_item_out(void *ctx, const struct janitor_item *it)
{
	struct janitor_out *out = ctx;
	json_object *o;

	if (!out->json) {
		char what[64];

		if (it->action == JA_PRUNE_RUNS)
			snprintf(what, sizeof(what), "%lld job runs", it->count);
		printf("%-10s  %-13s  %-36s  %s\n", janitor_pass_str(it->pass),
		    janitor_action_str(it->action), it->track_id != NULL ? it->track_id : "-",
		    it->action == JA_PRUNE_RUNS ? what : it->key != NULL ? it->key : "-");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "pass", json_object_new_string(janitor_pass_str(it->pass)));
	json_object_object_add(o, "action",
	    json_object_new_string(janitor_action_str(it->action)));
	json_object_object_add(o, "track_id",
	    it->track_id != NULL ? json_object_new_string(it->track_id) : NULL);
	json_object_object_add(o, "key", it->key != NULL ? json_object_new_string(it->key) : NULL);
	json_object_object_add(o, "count", json_object_new_int64(it->count));
	json_object_array_add(out->items, o);
}

/*
 * The janitor's lock, waited for up to a minute (a runner's pass holds it
 * for at most JANITOR_TICK_BUDGET_S and the storage calls in hand). 0: held.
 */
static int
janitor_lock_wait(struct db *db)
{
	struct errbuf e;
	bool got = false;
	int i;

	for (i = 0; i < 120; i++) {
		err_clear(&e);
		if (janitor_try_lock(db, &got, &e) != OK) {
			fprintf(stderr, PROG ": janitor: %s\n", err_msg(&e));
			return 1;
		}
		if (got)
			return 0;
		usleep(500000);
	}
	fprintf(stderr, PROG ": janitor: another janitor pass (a runner's, or another "
	    PROG ") has held its lock for a minute; try again later\n");
	return 1;
}

static int
cmd_janitor(const struct args *a, struct db *db)
{
	struct janitor_out out = { a->json, NULL };
	struct janitor_opts o = { a->dry_run, 0, NULL, janitor_item_out, &out };
	struct janitor_report r;
	struct config cfg;
	struct s3 s3;
	struct errbuf e;
	json_object *doc = NULL;
	enum result rc;
	int status = 1;

	err_clear(&e);
	if (config_load(&cfg, a->envfile, &e) != OK) {
		fprintf(stderr, PROG ": configuration: %s\n", err_msg(&e));
		return 1;
	}
	/* what the passes log (storage's removals, warnings) goes to stderr */
	log_init(PROG, (enum log_level)log_level_parse(cfg.log_level));
	log_set_format((enum log_format)log_format_parse(cfg.log_format));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (s3_init(&s3, &cfg, &e) != OK) {
		fprintf(stderr, PROG ": %s\n", err_msg(&e));
		goto out_cfg;
	}
	/* A dry run changes nothing: it needs no turn. */
	if (!a->dry_run && janitor_lock_wait(db) != 0)
		goto out;
	if (a->json) {
		doc = json_object_new_object();
		out.items = json_object_new_array();
		json_object_object_add(doc, "dry_run", json_object_new_boolean(a->dry_run));
		json_object_object_add(doc, "items", out.items);
	} else
		printf("%-10s  %-13s  %-36s  %s\n", "pass", "action", "track_id", "key");
	rc = janitor_run(db, &s3, &cfg, &o, &r, &e);
	if (!a->dry_run)
		janitor_unlock(db);
	if (rc != OK)
		fprintf(stderr, PROG ": janitor: %s (the rest is left for the next pass)\n",
		    err_msg(&e));
	status = rc == OK ? 0 : 1;
	if (a->json) {
		json_object_object_add(doc, "expired", json_object_new_int64(r.expired));
		json_object_object_add(doc, "removed", json_object_new_int64(r.removed));
		json_object_object_add(doc, "swept", json_object_new_int64(r.swept));
		json_object_object_add(doc, "objects", json_object_new_int64(r.objects));
		json_object_object_add(doc, "uploads_aborted",
		    json_object_new_int64(r.uploads_aborted));
		json_object_object_add(doc, "runs_pruned", json_object_new_int64(r.runs_pruned));
		json_object_object_add(doc, "skipped", json_object_new_int64(r.skipped));
		json_object_object_add(doc, "error",
		    rc == OK ? NULL : json_object_new_string(err_msg(&e)));
		if (print_json(doc) != 0)
			status = 1;
	} else
		printf("janitor%s: %lld tracks expired, %lld removed, %lld swept of old attempts, "
		    "%lld objects, %lld uploads aborted, %lld job runs pruned%s\n",
		    a->dry_run ? " (dry run, nothing changed)" : "", r.expired, r.removed, r.swept,
		    r.objects, r.uploads_aborted, r.runs_pruned,
		    r.skipped > 0 ? "; some left for the next pass" : "");
out:
	s3_cleanup(&s3);
out_cfg:
	curl_global_cleanup();
	config_free(&cfg);
	return status;
}

static int
dispatch(const struct args *a, struct db *db)
{
	const char *cmd = a->pos[0], *sub = a->npos > 1 ? a->pos[1] : "";
	long long id;

	if (a->dry_run && strcmp(cmd, "janitor") != 0)
		goto bad;
	if (strcmp(cmd, "jobs") == 0 && a->npos == 1 && a->dir == NULL)
		return cmd_jobs(a, db);
	if (strcmp(cmd, "migrate") == 0 && a->npos == 1 && a->state == NULL && a->limit == 0)
		return cmd_migrate(a, db);
	if (strcmp(cmd, "janitor") == 0 && a->npos == 1 && a->state == NULL && a->limit == 0 &&
	    a->dir == NULL)
		return cmd_janitor(a, db);
	if (a->npos != 3 || a->state != NULL || a->limit != 0 || a->dir != NULL)
		goto bad;
	if (strcmp(cmd, "job") == 0 && (strcmp(sub, "show") == 0 || strcmp(sub, "retry") == 0 ||
	    strcmp(sub, "cancel") == 0)) {
		if (!parse_id(a->pos[2], &id)) {
			fprintf(stderr, PROG ": a job ID is a positive whole number, not %s\n",
			    a->pos[2]);
			return 2;
		}
		if (sub[0] == 'c')
			return cmd_job_cancel(a, db, id);
		return sub[0] == 's' ? cmd_job_show(a, db, id) : cmd_job_retry(a, db, id);
	}
	if (strcmp(cmd, "track") == 0 && strcmp(sub, "show") == 0)
		return cmd_track_show(a, db, a->pos[2]);
	if (strcmp(cmd, "track") == 0 && strcmp(sub, "delete") == 0)
		return cmd_track_delete(a, db, a->pos[2]);
bad:
	fprintf(stderr, PROG ": unknown command or options (see --help)\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct db db;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc == 1 ? 0 : 2;
	memset(&db, 0, sizeof(db));
	if (admin_open(&a, &db) != 0) {
		db_close(&db);
		return 1;
	}
	rc = dispatch(&a, &db);
	db_close(&db);
	return rc;
}
