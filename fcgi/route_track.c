/* GET /tracks/{id}: the whole track; hls_url and artwork_url once completed. */
#include "routes.h"
#include "track_view.h"

void
route_track(struct req *r, const char *id)
{
	PGresult *res = NULL;
	json_object *o = NULL;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	rc = track_load(r, id, &res, &e);
	if (rc == ERR_NOT_FOUND) {
		track_not_found(r, id);
		goto out;
	}
	if (rc != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	o = track_full_json(res);
	http_send_json(r, 200, o);
out:
	json_object_put(o);
	PQclear(res);
}
