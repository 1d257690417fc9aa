/*
 * routes.h: the route table (kcgi/Redis style: one table, parallel arrays)
 * and the handlers it dispatches to, one per fcgi/route_<name>.c.
 */
#ifndef MUSTORY_ROUTES_H
#define MUSTORY_ROUTES_H

#include "http.h"
#include "bodies.h"

enum route {
	ROUTE_INIT,      /* POST /tracks/upload/init */
	ROUTE_COMPLETE,  /* POST /tracks/upload/complete */
	ROUTE_PARTS,     /* POST /tracks/upload/parts */
	ROUTE_STATUS,    /* GET  /tracks/upload/status/{id} */
	ROUTE_TRACK,     /* GET  /tracks/{id} */
	ROUTE_HEALTHZ,   /* GET  /healthz */
	ROUTE_LIST,      /* GET  /tracks?limit=&cursor=&status= */
	ROUTE_ORIGINAL,  /* GET  /tracks/{id}/original */
	ROUTE_METRICS,   /* GET  /metrics */
	ROUTE_DELETE,    /* DELETE /tracks/{id} */
	ROUTE__MAX
};

/*
 * Find the route for r and run its handler; always sends one response.
 * r->route is the route taken (enum route), -1 when none was.
 */
void routes_dispatch(struct req *r);

/* Static: route i's method ("GET"), NULL past the table. */
const char *routes_method(int i);

/*
 * Route i's path as a metrics label: the table's, with "{track_id}" for its
 * '*' ("/tracks/{track_id}"), into buf. Returns buf ("" past the table).
 */
const char *routes_label_path(int i, char *buf, size_t size);

/*
 * Handlers. id is the path's {id} (already a lowercase UUID) or NULL.
 * Each sends exactly one response.
 */
void route_init(struct req *r, const char *id);
void route_complete(struct req *r, const char *id);
void route_parts(struct req *r, const char *id);
void route_status(struct req *r, const char *id);
void route_track(struct req *r, const char *id);
void route_healthz(struct req *r, const char *id);
void route_list(struct req *r, const char *id);
void route_original(struct req *r, const char *id);
void route_metrics(struct req *r, const char *id);
void route_delete(struct req *r, const char *id);

#ifdef UNITTEST
/*
 * Does path match pattern? Exact, or with one "*" (at the end or between
 * slashes) matching one segment (non-empty, no '/'), whose start goes to
 * *seg (the segment runs to the next '/' or the end). 1 on a match, else 0.
 */
int route_match(const char *pattern, const char *path, const char **seg);
#endif

#endif
