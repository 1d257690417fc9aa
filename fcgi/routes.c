#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "log.h"
#include "utf8.h"

typedef void (*route_handler)(struct req *, const char *);

/*
 * Parallel arrays: path (a '*' takes one {id} segment), method, auth.
 * "/tracks" (exact) is the list; "/tracks/{id}" one track; "/tracks/upload/..."
 * are never taken as a track whose id is "upload" (see routes_dispatch).
 */
static const char *const route_paths[ROUTE__MAX] = {
	[ROUTE_INIT] = "/tracks/upload/init",
	[ROUTE_COMPLETE] = "/tracks/upload/complete",
	[ROUTE_PARTS] = "/tracks/upload/parts",
	[ROUTE_STATUS] = "/tracks/upload/status/*",
	[ROUTE_TRACK] = "/tracks/*",
	[ROUTE_HEALTHZ] = "/healthz",
	[ROUTE_LIST] = "/tracks",
	[ROUTE_ORIGINAL] = "/tracks/*/original",
	[ROUTE_METRICS] = "/metrics",
	[ROUTE_DELETE] = "/tracks/*",
};
static const char *const route_methods[ROUTE__MAX] = {
	[ROUTE_INIT] = "POST",
	[ROUTE_COMPLETE] = "POST",
	[ROUTE_PARTS] = "POST",
	[ROUTE_STATUS] = "GET",
	[ROUTE_TRACK] = "GET",
	[ROUTE_HEALTHZ] = "GET",
	[ROUTE_LIST] = "GET",
	[ROUTE_ORIGINAL] = "GET",
	[ROUTE_METRICS] = "GET",
	[ROUTE_DELETE] = "DELETE",
};
static const int route_auth[ROUTE__MAX] = {
	[ROUTE_INIT] = 1,
	[ROUTE_COMPLETE] = 1,
	[ROUTE_PARTS] = 1,
	[ROUTE_STATUS] = 1,
	[ROUTE_TRACK] = 1,
	[ROUTE_HEALTHZ] = 0,
	[ROUTE_LIST] = 1,
	[ROUTE_ORIGINAL] = 1,
	[ROUTE_METRICS] = 0, /* its own check: the client's address (route_metrics.c) */
	[ROUTE_DELETE] = 1,
};
static const route_handler route_handlers[ROUTE__MAX] = {
	[ROUTE_INIT] = route_init,
	[ROUTE_COMPLETE] = route_complete,
	[ROUTE_PARTS] = route_parts,
	[ROUTE_STATUS] = route_status,
	[ROUTE_TRACK] = route_track,
	[ROUTE_HEALTHZ] = route_healthz,
	[ROUTE_LIST] = route_list,
	[ROUTE_ORIGINAL] = route_original,
	[ROUTE_METRICS] = route_metrics,
	[ROUTE_DELETE] = route_delete,
};

/* Does path match pattern? On a '*' match, *seg points at the segment. */
STATIC int route_match(const char *pattern, const char *path, const char **seg);

STATIC int
route_match(const char *pattern, const char *path, const char **seg)
{
	const char *star = strchr(pattern, '*');
	size_t pre, n;

	*seg = NULL;
	if (star == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(star - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return 0;
	path += pre;
	n = strcspn(path, "/");
	if (n == 0 || strcmp(path + n, star + 1) != 0)
		return 0;
	*seg = path;
	return 1;
}

void
routes_dispatch(struct req *r)
{
	const char *seg = NULL;
	char id[37], path[256], segbuf[40], allow[64] = "";
	size_t i, seglen;
	int is_head;

	is_head = strcmp(r->method, "HEAD") == 0;
	for (i = 0; i < ROUTE__MAX; i++) {
		if (!route_match(route_paths[i], r->path, &seg))
			continue;
		/* The segment runs to the next '/' (or the end). */
		seglen = seg != NULL ? strcspn(seg, "/") : 0;
		/* "/tracks/upload/..." must not be taken as "/tracks/{id}..." */
		if (seg != NULL && strncmp(route_paths[i], "/tracks/*", 9) == 0 && seglen == 6 &&
		    strncmp(seg, "upload", 6) == 0)
			continue;
		if (strcmp(route_methods[i], r->method) != 0 &&
		    !(is_head && strcmp(route_methods[i], "GET") == 0)) {
			/* Every method the path has, in table order ("GET, DELETE"). */
			if (strstr(allow, route_methods[i]) == NULL)
				snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
				    allow[0] != '\0' ? ", " : "", route_methods[i]);
			continue;
		}
		r->route = (int)i;
		if (seg != NULL) {
			snprintf(segbuf, sizeof(segbuf), "%.*s",
			    (int)(seglen < sizeof(segbuf) ? seglen : sizeof(segbuf) - 1), seg);
			seg = seglen < sizeof(segbuf) ? segbuf : "";
		}
		if (seg != NULL && !id_uuid_normalize(seg, id)) {
			http_error_field(r, "track_id",
			    "track_id in the path must be a UUID like 123e4567-e89b-12d3-a456-426614174000.");
			return;
		}
		if (seg != NULL)
			log_context_set(r->request_id, id, 0);
		if (route_auth[i] && !http_authenticate(r))
			return;
		route_handlers[i](r, seg != NULL ? id : NULL);
		return;
	}
	if (allow[0] != '\0') {
		http_error_method(r, allow);
		return;
	}
	/* The decoded path may hold any bytes: echo it as UTF-8, cut between characters. */
	http_error(r, 404, "not_found", "There is no API endpoint at %s.",
	    utf8_excerpt(path, sizeof(path), r->path, strlen(r->path)));
}

const char *
routes_method(int i)
{
	return i >= 0 && i < ROUTE__MAX ? route_methods[i] : NULL;
}

const char *
routes_label_path(int i, char *buf, size_t size)
{
	const char *p = i >= 0 && i < ROUTE__MAX ? route_paths[i] : "", *star = strchr(p, '*');

	if (star == NULL)
		snprintf(buf, size, "%s", p);
	else
		snprintf(buf, size, "%.*s{track_id}%s", (int)(star - p), p, star + 1);
	return buf;
}
