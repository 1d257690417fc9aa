#include "track_view.h"

#include <stdlib.h>
#include <string.h>

static json_object *col_string(const PGresult *res, int row, enum track_col c);
static int track_progress(const PGresult *res, int row);

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

static json_object *
col_string(const PGresult *res, int row, enum track_col c)
{
	if (PQgetisnull(res, row, (int)c))
		return NULL;
	return json_object_new_string(PQgetvalue(res, row, (int)c));
}

static int
track_progress(const PGresult *res, int row)
{
	enum track_status st = track_row_status_at(res, row);

	if (st == TRACK_COMPLETED)
		return 100;
	if (st == TRACK_PENDING)
		return 0;
	return atoi(PQgetvalue(res, row, TC_PROGRESS));
}

json_object *
track_status_json(const PGresult *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "track_id", col_string(res, 0, TC_ID));
	json_object_object_add(o, "status",
	    json_object_new_string(track_status_str(track_row_status(res))));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res, 0)));
	json_object_object_add(o, "error", col_string(res, 0, TC_ERROR));
	return o;
}

json_object *
track_full_json_at(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();
	bool done = track_row_status_at(res, row) == TRACK_COMPLETED;

	json_object_object_add(o, "id", col_string(res, row, TC_ID));
	json_object_object_add(o, "track_id", col_string(res, row, TC_ID));
	json_object_object_add(o, "title", col_string(res, row, TC_TITLE));
	json_object_object_add(o, "artist_name", col_string(res, row, TC_ARTIST));
	json_object_object_add(o, "file_extension", col_string(res, row, TC_EXT));
	json_object_object_add(o, "file_size",
	    json_object_new_int64(strtoll(PQgetvalue(res, row, TC_SIZE), NULL, 10)));
	json_object_object_add(o, "status",
	    json_object_new_string(track_status_str(track_row_status_at(res, row))));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res, row)));
	json_object_object_add(o, "processing_error", col_string(res, row, TC_ERROR));
	json_object_object_add(o, "duration_seconds", PQgetisnull(res, row, TC_DURATION) ? NULL :
	    json_object_new_double(strtod(PQgetvalue(res, row, TC_DURATION), NULL)));
	json_object_object_add(o, "hls_url", done ? col_string(res, row, TC_HLS_URL) : NULL);
	json_object_object_add(o, "artwork_url", done ? col_string(res, row, TC_ARTWORK_URL) : NULL);
	json_object_object_add(o, "created_at", col_string(res, row, TC_CREATED));
	json_object_object_add(o, "updated_at", col_string(res, row, TC_UPDATED));
	return o;
}

json_object *
track_full_json(const PGresult *res)
{
	return track_full_json_at(res, 0);
}

void
track_respond(struct req *r, const char *id, json_object *(*render)(const PGresult *))
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
	o = render(res);
	http_send_json(r, 200, o);
out:
	json_object_put(o);
	PQclear(res);
}
