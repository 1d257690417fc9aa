/*
 * GET /metrics: the Prometheus text format (exposition format 0.0.4) for
 * loopback and the addresses of METRICS_ALLOW only (REMOTE_ADDR; the sites
 * refuse everyone else before us, this is for deployments without them);
 * anyone else gets 403 forbidden, as nginx and Apache answer it.
 *
 * Two parts: the API's own counters (lib/metrics.h: shared by the prefork
 * supervisor's workers, absent without one), then the database's figures,
 * read in one short read-only transaction (statement_timeout 2 s) through
 * the indexes the runner claims with: jobs queued and running, the age of
 * the oldest due job, runners holding a live lease, and how long recent job
 * runs took. When the database does not answer, the API's part is still
 * served, with mustory_database_up 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "routes.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* The kind every track's job has: its queued and running gauges are there even at 0. */
#define METRICS_MAIN_KIND "transcode_hls"

_Static_assert(ROUTE__MAX <= METRICS_ROUTES - 1, "METRICS_ROUTES must hold every route");

/*
 * One row per figure: what, state, kind, value. Each part is served by a
 * partial index (jobs_due_idx, jobs_lease_idx): the terminal states, which
 * only a scan of the whole table could count, are not.
 */
static const char metrics_jobs_sql[] =
    "SELECT 'jobs', 'queued', kind, count(*)::float8 FROM jobs WHERE state = 'queued'"
    " GROUP BY kind"
    " UNION ALL SELECT 'jobs', 'running', kind, count(*)::float8 FROM jobs"
    " WHERE state = 'running' GROUP BY kind"
    " UNION ALL SELECT 'oldest', NULL, NULL,"
    " COALESCE(EXTRACT(EPOCH FROM now() - min(run_at)), 0)::float8 FROM jobs"
    " WHERE state = 'queued' AND run_at <= now()"
    " UNION ALL SELECT 'runners', NULL, NULL, count(DISTINCT lease_owner)::float8 FROM jobs"
    " WHERE state = 'running' AND lease_expires_at > now()";

/*
 * The finished runs among the last 1000 (by id: the primary key, read
 * backwards) that ended in the last hour, by outcome: count, sum, p50, p90, p99.
 */
static const char metrics_runs_sql[] =
    "SELECT outcome, count(*)::float8, sum(d),"
    " percentile_cont(0.5) WITHIN GROUP (ORDER BY d),"
    " percentile_cont(0.9) WITHIN GROUP (ORDER BY d),"
    " percentile_cont(0.99) WITHIN GROUP (ORDER BY d)"
    " FROM (SELECT outcome, EXTRACT(EPOCH FROM finished_at - started_at)::float8 AS d"
    "  FROM (SELECT outcome, started_at, finished_at FROM job_runs ORDER BY id DESC"
    "   LIMIT 1000) last"
    "  WHERE outcome IS NOT NULL AND finished_at > now() - interval '1 hour') r"
    " GROUP BY outcome ORDER BY outcome";

static bool metrics_allowed(struct req *r);
static void metrics_render_jobs(struct metrics_text *t, PGresult *res);
static void metrics_render_runs(struct metrics_text *t, PGresult *res);
static bool metrics_render_db(struct req *r, struct metrics_text *t);

static bool
metrics_allowed(struct req *r)
{
	const char *addr = http_param(r, "REMOTE_ADDR");

	if (ipallow_match(&r->w->cfg->metrics_allow, addr))
		return true;
	log_info("GET /metrics from %s refused: not loopback nor in METRICS_ALLOW",
	    addr != NULL ? addr : "an unknown address (no REMOTE_ADDR)");
	http_error(r, 403, "forbidden",
	    "Metrics are served only to loopback and the addresses in METRICS_ALLOW.");
	return false;
}

static void
metrics_render_jobs(struct metrics_text *t, PGresult *res)
{
	char labels[200], kind[100];
	bool main_seen[2] = { false, false };
	int i, n = PQntuples(res), s;

	metrics_family(t, "mustory_jobs", "gauge",
	    "Jobs queued or running now, by state and kind (finished jobs are not counted: "
	    "mustory-admin jobs --state failed lists the failed ones).");
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(res, i, 0), "jobs") != 0)
			continue;
		s = strcmp(PQgetvalue(res, i, 1), "queued") == 0 ? 0 : 1;
		if (strcmp(PQgetvalue(res, i, 2), METRICS_MAIN_KIND) == 0)
			main_seen[s] = true;
		snprintf(labels, sizeof(labels), "state=\"%s\",kind=\"%s\"", s == 0 ? "queued" : "running",
		    metrics_escape(kind, sizeof(kind), PQgetvalue(res, i, 2)));
		metrics_sample(t, "mustory_jobs", labels, strtod(PQgetvalue(res, i, 3), NULL));
	}
	for (s = 0; s < 2; s++)
		if (!main_seen[s]) {
			snprintf(labels, sizeof(labels), "state=\"%s\",kind=\"" METRICS_MAIN_KIND "\"",
			    s == 0 ? "queued" : "running");
			metrics_sample(t, "mustory_jobs", labels, 0);
		}
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(res, i, 0), "oldest") == 0) {
			metrics_family(t, "mustory_jobs_oldest_due_age_seconds", "gauge",
			    "How long the oldest queued job has been due (0 when none is): a queue "
			    "that no runner takes from grows this.");
			metrics_sample(t, "mustory_jobs_oldest_due_age_seconds", "",
			    strtod(PQgetvalue(res, i, 3), NULL));
		} else if (strcmp(PQgetvalue(res, i, 0), "runners") == 0) {
			metrics_family(t, "mustory_runners_with_live_lease", "gauge",
			    "Runner workers (lease owners, host:pid:name) holding a job whose lease "
			    "has not run out; an idle runner holds none.");
			metrics_sample(t, "mustory_runners_with_live_lease", "",
			    strtod(PQgetvalue(res, i, 3), NULL));
		}
	}
}

static void
metrics_render_runs(struct metrics_text *t, PGresult *res)
{
	static const char name[] = "mustory_job_run_duration_seconds";
	static const char *const q[3] = { "0.5", "0.9", "0.99" };
	char labels[200], outcome[100];
	int i, k, n = PQntuples(res);

	metrics_family(t, name, "summary",
	    "How long job runs took, by outcome, over the finished runs among the last 1000 "
	    "that ended in the last hour (a window: _count and _sum go down as runs leave it).");
	for (i = 0; i < n; i++) {
		metrics_escape(outcome, sizeof(outcome), PQgetvalue(res, i, 0));
		for (k = 0; k < 3; k++) {
			snprintf(labels, sizeof(labels), "outcome=\"%s\",quantile=\"%s\"", outcome, q[k]);
			metrics_sample(t, name, labels, strtod(PQgetvalue(res, i, 3 + k), NULL));
		}
		snprintf(labels, sizeof(labels), "outcome=\"%s\"", outcome);
		metrics_printf(t, "%s_sum{%s} %.15g\n", name, labels, strtod(PQgetvalue(res, i, 2), NULL));
		metrics_printf(t, "%s_count{%s} %.15g\n", name, labels,
		    strtod(PQgetvalue(res, i, 1), NULL));
	}
}

/* The database's part; false (nothing rendered, the error logged) when it could not be read. */
static bool
metrics_render_db(struct req *r, struct metrics_text *t)
{
	struct db *db = &r->w->db;
	PGresult *jobs = NULL, *runs = NULL;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	if ((rc = db_begin(db, &e)) != OK)
		goto out;
	if ((rc = db_exec(db, NULL, "SET LOCAL statement_timeout = 2000", 0, NULL, &e)) != OK ||
	    (rc = db_exec(db, &jobs, metrics_jobs_sql, 0, NULL, &e)) != OK ||
	    (rc = db_exec(db, &runs, metrics_runs_sql, 0, NULL, &e)) != OK ||
	    (rc = db_commit(db, &e)) != OK) {
		db_rollback(db);
		goto out;
	}
	metrics_render_jobs(t, jobs);
	metrics_render_runs(t, runs);
out:
	if (rc != OK) {
		log_warnx("GET /metrics: the database figures: %s", err_msg(&e));
		metrics_error(r->w->metrics, METRICS_ERR_DATABASE);
	}
	PQclear(jobs);
	PQclear(runs);
	return rc == OK;
}

void
route_metrics(struct req *r, const char *unused)
{
	struct metrics_route routes[ROUTE__MAX];
	char paths[ROUTE__MAX][64];
	struct metrics_text t;
	bool db_ok;
	int i;

	(void)unused;
	if (!metrics_allowed(r))
		return;
	for (i = 0; i < ROUTE__MAX; i++) {
		routes[i].method = routes_method(i);
		routes[i].path = routes_label_path(i, paths[i], sizeof(paths[i]));
	}
	metrics_text_init(&t);
	metrics_render_api(&t, r->w->metrics, routes, ROUTE__MAX, (int)r->w->cfg->fcgi_workers);
	metrics_family(&t, "mustory_build_info", "gauge", "The API's version, as the value 1.");
	metrics_sample(&t, "mustory_build_info", "version=\"" MUSTORY_VERSION "\"", 1);
	db_ok = metrics_render_db(r, &t);
	metrics_family(&t, "mustory_database_up", "gauge",
	    "1 when the database figures (mustory_jobs and the rest) were read for this answer; "
	    "0 when the database did not answer, and they are missing.");
	metrics_sample(&t, "mustory_database_up", "", db_ok ? 1 : 0);
	if (t.failed)
		http_error(r, 503, "overloaded", "The server is out of memory; retry shortly.");
	else
		http_send_text(r, 200, METRICS_CONTENT_TYPE, t.s, t.len);
	metrics_text_free(&t);
}
