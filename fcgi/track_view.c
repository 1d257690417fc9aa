#include "track_view.h"

#include <stdlib.h>
#include <string.h>

#include "track_json.h"

static bool track_load_view(struct req *r, const char *id, bool status_only, PGresult **res);

void
track_not_found(struct req *r, const char *id)
{
	http_error(r, 404, "track_not_found", "No track %s among your tracks.", id);
}

enum result
track_load(struct req *r, const char *id, PGresult **res, struct errbuf *e)
{
	return track_get(&r->w->db, id, r->user, res, e);
}

static bool
track_load_view(struct req *r, const char *id, bool status_only, PGresult **res)
{
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	if ((rc = track_get_view(&r->w->db, id, r->user, status_only, res, &e)) == ERR_NOT_FOUND)
		track_not_found(r, id);
	else if (rc != OK)
		http_error_db(r, rc, &e);
	return rc == OK;
}

bool
track_load_or_answer(struct req *r, const char *id, PGresult **res)
{
	return track_load_view(r, id, false, res);
}

/* The shapes are built by lib/track_json.c, the one builder (webhooks use it too). */
json_object *
track_status_json(const PGresult *res)
{
	return track_json_status(res, 0);
}

json_object *
track_full_json_at(const PGresult *res, int row)
{
	return track_json_full(res, row);
}

json_object *
track_full_json(const PGresult *res)
{
	return track_full_json_at(res, 0);
}

void
track_respond(struct req *r, const char *id, bool status_only)
{
	PGresult *res = NULL;
	json_object *o = NULL;

	if (!track_load_view(r, id, status_only, &res))
		goto out;
	o = status_only ? track_status_json(res) : track_full_json(res);
	http_send_json(r, 200, o);
out:
	json_object_put(o);
	PQclear(res);
}
