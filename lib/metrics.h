/*
 * metrics.h: the API's request counters and the Prometheus text format
 * (exposition format 0.0.4) they are served in by GET /metrics.
 *
 * The prefork supervisor maps one fixed-size table (struct metrics_table)
 * shared with every worker it forks (mmap MAP_SHARED|MAP_ANONYMOUS, like
 * lib/gate.h), so whichever worker answers /metrics answers for all, and
 * a worker that dies takes nothing with it. A request adds to it with three
 * relaxed C11 atomic adds (no lock, no system call): its route and status,
 * its duration bucket, its duration sum. Without a supervisor (CGI, mod_fcgid,
 * an inherited socket) there is no table: each process would count only
 * its own requests, so none are counted and /metrics says so.
 */
#ifndef MUSTORY_METRICS_H
#define MUSTORY_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define METRICS_ROUTES 32                       /* route slots, the last one "unmatched" */
#define METRICS_UNMATCHED (METRICS_ROUTES - 1)  /* requests no route took (404, 405) */
#define METRICS_CODE_MIN 100
#define METRICS_CODES 500                       /* statuses 100..599 */
#define METRICS_BOUNDS 13                       /* duration buckets, +Inf not counted */

enum metrics_error {
	METRICS_ERR_DATABASE, /* a request's database call failed */
	METRICS_ERR_STORAGE,  /* a request's storage call failed (or found no place to wait) */
	METRICS_ERR__MAX
};

/* The shared table. Durations per bucket, not cumulative: the render adds them up. */
struct metrics_table {
	atomic_ullong requests[METRICS_ROUTES][METRICS_CODES];
	atomic_ullong duration[METRICS_ROUTES][METRICS_BOUNDS + 1]; /* the last: over 10 s */
	atomic_ullong duration_us[METRICS_ROUTES];                  /* sum, microseconds */
	atomic_ullong errors[METRICS_ERR__MAX];
	long long started; /* Unix time the table was made: the counters count from then */
};

/* A handle; t == NULL (or a NULL handle): no shared table, nothing counted. */
struct metrics {
	struct metrics_table *t; /* owned by the process that opened it */
};

/* Map a zeroed table (before forking the workers). ERR_NOMEM when mmap fails. */
enum result metrics_open(struct metrics *m, struct errbuf *e);

/* Unmap (in the process that opened it; a forked worker just exits). */
void metrics_close(struct metrics *m);

/*
 * Count one answered request: route 0..METRICS_ROUTES-2 (anything else is
 * the unmatched slot), status 100..599 (anything else counts as 500),
 * seconds its duration. A no-op when m or m->t is NULL.
 */
void metrics_request(struct metrics *m, int route, int status, double seconds);

/* Count one dependency failure. A no-op when m or m->t is NULL. */
void metrics_error(struct metrics *m, enum metrics_error which);

/* A growing text (the body of /metrics); failed once an allocation failed. */
struct metrics_text {
	char *s;  /* owned; NUL-terminated while not failed */
	size_t len, cap;
	bool failed;
};

void metrics_text_init(struct metrics_text *t);
void metrics_text_free(struct metrics_text *t);
void metrics_printf(struct metrics_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "# HELP name help" and "# TYPE name type" (help: no backslash or line break). */
void metrics_family(struct metrics_text *t, const char *name, const char *type,
    const char *help);

/*
 * One sample line "name{labels} value". labels is "" or already made of
 * name="value" pairs (values through metrics_escape). value in the
 * format's spelling: shortest decimal, NaN, +Inf, -Inf.
 */
void metrics_sample(struct metrics_text *t, const char *name, const char *labels, double v);

/*
 * A label value for the format: '\\', '"' and line feed escaped, cut at
 * size - 1 bytes (never inside an escape). Returns out.
 */
const char *metrics_escape(char *out, size_t size, const char *in);

/* A route's labels: method NULL for the unmatched slot's "route" alone. */
struct metrics_route {
	const char *method; /* borrowed, e.g. "GET" */
	const char *path;   /* borrowed, e.g. "/tracks/{track_id}" */
};

/*
 * The API process's families from m: whether the counters are shared
 * (mustory_metrics_process_counters, with a "# " line saying what is
 * missing when not), the workers, the start time, requests by route and
 * status, the duration histogram of every route in routes[0..n) and of
 * the unmatched slot, and the dependency errors. n <= METRICS_ROUTES - 1.
 * With no table (m or m->t NULL) only the first family, as 0.
 */
void metrics_render_api(struct metrics_text *t, const struct metrics *m,
    const struct metrics_route *routes, int n, int workers);

#endif
