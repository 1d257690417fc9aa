#include "routes.h"

#include <string.h>

#include "ids.h"
#include "utf8.h"

typedef void (*route_handler)(struct req *, const char *);

/* Parallel arrays: path (a trailing '*' takes one {id} segment), method, auth. */
static const char *const route_paths[ROUTE__MAX] = {
	[ROUTE_INIT] = "/tracks/upload/init",
	[ROUTE_COMPLETE] = "/tracks/upload/complete",
	[ROUTE_STATUS] = "/tracks/upload/status/*",
	[ROUTE_TRACK] = "/tracks/*",
	[ROUTE_HEALTHZ] = "/healthz",
};
static const char *const route_methods[ROUTE__MAX] = {
	[ROUTE_INIT] = "POST",
	[ROUTE_COMPLETE] = "POST",
	[ROUTE_STATUS] = "GET",
	[ROUTE_TRACK] = "GET",
	[ROUTE_HEALTHZ] = "GET",
};
static const int route_auth[ROUTE__MAX] = {
	[ROUTE_INIT] = 1,
	[ROUTE_COMPLETE] = 1,
	[ROUTE_STATUS] = 1,
	[ROUTE_TRACK] = 1,
	[ROUTE_HEALTHZ] = 0,
};
static const route_handler route_handlers[ROUTE__MAX] = {
	[ROUTE_INIT] = route_init,
	[ROUTE_COMPLETE] = route_complete,
	[ROUTE_STATUS] = route_status,
	[ROUTE_TRACK] = route_track,
	[ROUTE_HEALTHZ] = route_healthz,
};

/* Does path match pattern? On a '*' match, *seg points at the segment. */
STATIC int route_match(const char *pattern, const char *path, const char **seg);

STATIC int
route_match(const char *pattern, const char *path, const char **seg)
{
	size_t plen = strlen(pattern);

	*seg = NULL;
	if (plen > 0 && pattern[plen - 1] == '*') {
		if (strncmp(pattern, path, plen - 1) != 0)
			return 0;
		path += plen - 1;
		if (*path == '\0' || strchr(path, '/') != NULL)
			return 0;
		*seg = path;
		return 1;
	}
	return strcmp(pattern, path) == 0;
}

void
routes_dispatch(struct req *r)
{
	const char *seg = NULL, *allow = NULL;
	char id[37], path[256];
	size_t i;
	int is_head;

	is_head = strcmp(r->method, "HEAD") == 0;
	for (i = 0; i < ROUTE__MAX; i++) {
		/* "/tracks/upload/..." must not be taken as "/tracks/{id}" */
		if (!route_match(route_paths[i], r->path, &seg))
			continue;
		if (i == ROUTE_TRACK && strcmp(seg, "upload") == 0)
			continue;
		if (strcmp(route_methods[i], r->method) != 0 &&
		    !(is_head && strcmp(route_methods[i], "GET") == 0)) {
			allow = route_methods[i];
			continue;
		}
		if (seg != NULL && !id_uuid_normalize(seg, id)) {
			http_error_field(r, "track_id",
			    "track_id in the path must be a UUID like 123e4567-e89b-12d3-a456-426614174000.");
			return;
		}
		if (route_auth[i] && !http_authenticate(r))
			return;
		route_handlers[i](r, seg != NULL ? id : NULL);
		return;
	}
	if (allow != NULL) {
		http_error_method(r, allow);
		return;
	}
	/* The decoded path may hold any bytes: echo it as UTF-8, cut between characters. */
	http_error(r, 404, "not_found", "There is no API endpoint at %s.",
	    utf8_excerpt(path, sizeof(path), r->path, strlen(r->path)));
}
