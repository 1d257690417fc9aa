#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* A lock-based atomic would take a per-process lock: useless across processes. */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the shared counters need lock-free 64-bit atomics");

/* The request duration buckets: 1 ms to 10 s (an upload check waits on storage up to 3 s). */
static const struct {
	unsigned long long us; /* upper bound, microseconds */
	const char *le;        /* the same, as the le label says it */
} metrics_bounds[METRICS_BOUNDS] = {
	{ 1000, "0.001" }, { 2500, "0.0025" }, { 5000, "0.005" }, { 10000, "0.01" },
	{ 25000, "0.025" }, { 50000, "0.05" }, { 100000, "0.1" }, { 250000, "0.25" },
	{ 500000, "0.5" }, { 1000000, "1" }, { 2500000, "2.5" }, { 5000000, "5" },
	{ 10000000, "10" },
};

static void metrics_route_labels(char *out, size_t size, const struct metrics_route *r);
static void metrics_render_requests(struct metrics_text *t, const struct metrics_table *tab,
    const struct metrics_route *routes, int n);
static void metrics_render_histogram(struct metrics_text *t, const struct metrics_table *tab,
    const struct metrics_route *routes, int n);
static void metrics_render_errors(struct metrics_text *t, const struct metrics_table *tab);

enum result
metrics_open(struct metrics *m, struct errbuf *e)
{
	struct metrics_table *t;
	size_t i, j;

	m->t = NULL;
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		err_set(e, "metrics: mmap of %zu bytes: %s", sizeof(*t), strerror(errno));
		return ERR_NOMEM;
	}
	for (i = 0; i < METRICS_ROUTES; i++) {
		for (j = 0; j < METRICS_CODES; j++)
			atomic_init(&t->requests[i][j], 0);
		for (j = 0; j <= METRICS_BOUNDS; j++)
			atomic_init(&t->duration[i][j], 0);
		atomic_init(&t->duration_us[i], 0);
	}
	for (i = 0; i < METRICS_ERR__MAX; i++)
		atomic_init(&t->errors[i], 0);
	t->started = (long long)time(NULL);
	m->t = t;
	return OK;
}

void
metrics_close(struct metrics *m)
{
	if (m->t != NULL)
		(void)munmap(m->t, sizeof(*m->t));
	m->t = NULL;
}

void
metrics_request(struct metrics *m, int route, int status, double seconds)
{
	unsigned long long us;
	int b;

	if (m == NULL || m->t == NULL)
		return;
	if (route < 0 || route >= METRICS_UNMATCHED)
		route = METRICS_UNMATCHED;
	if (status < METRICS_CODE_MIN || status >= METRICS_CODE_MIN + METRICS_CODES)
		status = 500;
	/* !(x > 0) also catches NaN; an hour caps the cast */
	us = !(seconds > 0) ? 0 : seconds > 3600 ? 3600000000ULL :
	    (unsigned long long)(seconds * 1e6 + 0.5);
	for (b = 0; b < METRICS_BOUNDS && us > metrics_bounds[b].us; b++)
		;
	atomic_fetch_add_explicit(&m->t->requests[route][status - METRICS_CODE_MIN], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&m->t->duration[route][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->t->duration_us[route], us, memory_order_relaxed);
}

void
metrics_error(struct metrics *m, enum metrics_error which)
{
	if (m == NULL || m->t == NULL || which < 0 || which >= METRICS_ERR__MAX)
		return;
	atomic_fetch_add_explicit(&m->t->errors[which], 1, memory_order_relaxed);
}

void
metrics_text_init(struct metrics_text *t)
{
	memset(t, 0, sizeof(*t));
}

void
metrics_text_free(struct metrics_text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

void
metrics_printf(struct metrics_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t need, cap;
	char *s;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	need = t->len + (size_t)n + 1;
	if (need > t->cap) {
		for (cap = t->cap > 0 ? t->cap : 4096; cap < need; cap *= 2)
			;
		if ((s = realloc(t->s, cap)) == NULL) {
			t->failed = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	va_start(ap, fmt);
	(void)vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void
metrics_family(struct metrics_text *t, const char *name, const char *type, const char *help)
{
	metrics_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_sample(struct metrics_text *t, const char *name, const char *labels, double v)
{
	char num[40];

	if (isnan(v))
		snprintf(num, sizeof(num), "NaN");
	else if (isinf(v))
		snprintf(num, sizeof(num), "%cInf", v > 0 ? '+' : '-');
	else
		snprintf(num, sizeof(num), "%.15g", v);
	if (labels != NULL && *labels != '\0')
		metrics_printf(t, "%s{%s} %s\n", name, labels, num);
	else
		metrics_printf(t, "%s %s\n", name, num);
}

const char *
metrics_escape(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in != '\0'; in++) {
		const char *esc = *in == '\\' ? "\\\\" : *in == '"' ? "\\\"" : *in == '\n' ? "\\n" : NULL;
		size_t n = esc != NULL ? 2 : 1;

		if (o + n >= size)
			break;
		if (esc != NULL)
			memcpy(out + o, esc, 2);
		else
			out[o] = *in;
		o += n;
	}
	out[o] = '\0';
	return out;
}

/* method="GET",route="/healthz" (route="unmatched" alone for the unmatched slot) */
static void
metrics_route_labels(char *out, size_t size, const struct metrics_route *r)
{
	if (r->method != NULL)
		snprintf(out, size, "method=\"%s\",route=\"%s\"", r->method, r->path);
	else
		snprintf(out, size, "route=\"%s\"", r->path);
}

static void
metrics_render_requests(struct metrics_text *t, const struct metrics_table *tab,
    const struct metrics_route *routes, int n)
{
	static const struct metrics_route unmatched = { NULL, "unmatched" };
	char labels[256];
	unsigned long long v;
	int i, c, slot;

	metrics_family(t, "mustory_api_requests_total", "counter",
	    "Requests answered, by route (the route table's method and path; route=\"unmatched\": "
	    "no route took it, a 404 or 405) and status code.");
	for (i = 0; i <= n; i++) {
		slot = i < n ? i : METRICS_UNMATCHED;
		metrics_route_labels(labels, sizeof(labels), i < n ? &routes[i] : &unmatched);
		for (c = 0; c < METRICS_CODES; c++) {
			v = atomic_load_explicit(&tab->requests[slot][c], memory_order_relaxed);
			if (v != 0)
				metrics_printf(t, "mustory_api_requests_total{%s,code=\"%d\"} %llu\n",
				    labels, c + METRICS_CODE_MIN, v);
		}
	}
}

static void
metrics_render_histogram(struct metrics_text *t, const struct metrics_table *tab,
    const struct metrics_route *routes, int n)
{
	static const struct metrics_route unmatched = { NULL, "unmatched" };
	static const char name[] = "mustory_api_request_duration_seconds";
	unsigned long long cum, us;
	char labels[256];
	int i, b, slot;

	metrics_family(t, name, "histogram",
	    "Time from a request's arrival at the API to its answer, by route.");
	for (i = 0; i <= n; i++) {
		slot = i < n ? i : METRICS_UNMATCHED;
		metrics_route_labels(labels, sizeof(labels), i < n ? &routes[i] : &unmatched);
		/* cumulative from the per-bucket counts: monotone, and +Inf is the count */
		for (cum = 0, b = 0; b <= METRICS_BOUNDS; b++) {
			cum += atomic_load_explicit(&tab->duration[slot][b], memory_order_relaxed);
			metrics_printf(t, "%s_bucket{%s,le=\"%s\"} %llu\n", name, labels,
			    b < METRICS_BOUNDS ? metrics_bounds[b].le : "+Inf", cum);
		}
		us = atomic_load_explicit(&tab->duration_us[slot], memory_order_relaxed);
		metrics_printf(t, "%s_sum{%s} %llu.%06llu\n", name, labels, us / 1000000, us % 1000000);
		metrics_printf(t, "%s_count{%s} %llu\n", name, labels, cum);
	}
}

static void
metrics_render_errors(struct metrics_text *t, const struct metrics_table *tab)
{
	metrics_family(t, "mustory_api_database_errors_total", "counter",
	    "Requests whose database call failed (answered 503, or 500 for an SQL error).");
	metrics_sample(t, "mustory_api_database_errors_total", "",
	    (double)atomic_load(&tab->errors[METRICS_ERR_DATABASE]));
	metrics_family(t, "mustory_api_storage_errors_total", "counter",
	    "Requests whose storage call failed or timed out, or found every place for "
	    "storage calls taken (answered 503 storage_unavailable).");
	metrics_sample(t, "mustory_api_storage_errors_total", "",
	    (double)atomic_load(&tab->errors[METRICS_ERR_STORAGE]));
}

void
metrics_render_api(struct metrics_text *t, const struct metrics *m,
    const struct metrics_route *routes, int n, int workers)
{
	static const char shared[] = "mustory_metrics_process_counters";

	if (n > METRICS_ROUTES - 1)
		n = METRICS_ROUTES - 1;
	metrics_family(t, shared, "gauge",
	    "1 when the API's request counters are served (shared by every worker of the "
	    "prefork supervisor); 0 without a supervisor (CGI, mod_fcgid), where only the "
	    "database figures are.");
	if (m == NULL || m->t == NULL) {
		metrics_printf(t, "# This API process has no supervisor (CGI, mod_fcgid or an "
		    "inherited socket): each process would count only its own requests, so no "
		    "request counters are served; the database figures below are complete.\n");
		metrics_sample(t, shared, "", 0);
		return;
	}
	metrics_sample(t, shared, "", 1);
	metrics_family(t, "mustory_api_workers", "gauge",
	    "FastCGI worker processes the supervisor keeps (FCGI_WORKERS).");
	metrics_sample(t, "mustory_api_workers", "", workers);
	metrics_family(t, "mustory_api_start_time_seconds", "gauge",
	    "When the supervisor started (Unix time): the counters count from then.");
	metrics_sample(t, "mustory_api_start_time_seconds", "", (double)m->t->started);
	metrics_render_requests(t, m->t, routes, n);
	metrics_render_histogram(t, m->t, routes, n);
	metrics_render_errors(t, m->t);
}
