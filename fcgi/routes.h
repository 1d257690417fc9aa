/*
 * routes.h: the route table (kcgi/Redis style: one table, parallel arrays)
 * and the handlers it dispatches to, one per fcgi/route_<name>.c.
 */
#ifndef MUSTORY_ROUTES_H
#define MUSTORY_ROUTES_H

#include "http.h"
#include "validate.h"

enum route {
	ROUTE_INIT,      /* POST /tracks/upload/init */
	ROUTE_COMPLETE,  /* POST /tracks/upload/complete */
	ROUTE_STATUS,    /* GET  /tracks/upload/status/{id} */
	ROUTE_TRACK,     /* GET  /tracks/{id} */
	ROUTE_HEALTHZ,   /* GET  /healthz */
	ROUTE__MAX
};

/* Request bodies, filled by validate_fields from the routes' tables. */
struct init_body {
	const char *title;
	const char *artist_name;
	const char *file_extension;
	long long file_size;
	const char *artwork_extension;
};
extern const struct field_spec init_fields[];
extern const size_t init_nfields;

struct complete_body {
	char track_id[37];
};
extern const struct field_spec complete_fields[];
extern const size_t complete_nfields;

/* Find the route for r and run its handler; always sends one response. */
void routes_dispatch(struct req *r);

/*
 * Handlers. id is the path's {id} (already a lowercase UUID) or NULL.
 * Each sends exactly one response.
 */
void route_init(struct req *r, const char *id);
void route_complete(struct req *r, const char *id);
void route_status(struct req *r, const char *id);
void route_track(struct req *r, const char *id);
void route_healthz(struct req *r, const char *id);

#endif
