#include "track_view.h"

#include <stdlib.h>
#include <string.h>

static json_object *col_string(const PGresult *res, enum track_col c);

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
col_string(const PGresult *res, enum track_col c)
{
	if (PQgetisnull(res, 0, (int)c))
		return NULL;
	return json_object_new_string(PQgetvalue(res, 0, (int)c));
}

static int
track_progress(const PGresult *res)
{
	enum track_status st = track_row_status(res);

	if (st == TRACK_COMPLETED)
		return 100;
	if (st == TRACK_PENDING)
		return 0;
	return atoi(PQgetvalue(res, 0, TC_PROGRESS));
}

json_object *
track_status_json(const PGresult *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "track_id", col_string(res, TC_ID));
	json_object_object_add(o, "status",
	    json_object_new_string(track_status_str(track_row_status(res))));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res)));
	json_object_object_add(o, "error", col_string(res, TC_ERROR));
	return o;
}

json_object *
track_full_json(const PGresult *res)
{
	json_object *o = json_object_new_object();
	bool done = track_row_status(res) == TRACK_COMPLETED;

	json_object_object_add(o, "id", col_string(res, TC_ID));
	json_object_object_add(o, "track_id", col_string(res, TC_ID));
	json_object_object_add(o, "title", col_string(res, TC_TITLE));
	json_object_object_add(o, "artist_name", col_string(res, TC_ARTIST));
	json_object_object_add(o, "file_extension", col_string(res, TC_EXT));
	json_object_object_add(o, "file_size",
	    json_object_new_int64(strtoll(PQgetvalue(res, 0, TC_SIZE), NULL, 10)));
	json_object_object_add(o, "status",
	    json_object_new_string(track_status_str(track_row_status(res))));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res)));
	json_object_object_add(o, "processing_error", col_string(res, TC_ERROR));
	json_object_object_add(o, "duration_seconds", PQgetisnull(res, 0, TC_DURATION) ? NULL :
	    json_object_new_double(strtod(PQgetvalue(res, 0, TC_DURATION), NULL)));
	json_object_object_add(o, "hls_url", done ? col_string(res, TC_HLS_URL) : NULL);
	json_object_object_add(o, "artwork_url", done ? col_string(res, TC_ARTWORK_URL) : NULL);
	json_object_object_add(o, "artwork_thumbnails", done && !PQgetisnull(res, 0, TC_THUMBS) ?
	    json_tokener_parse(PQgetvalue(res, 0, TC_THUMBS)) : NULL);
	json_object_object_add(o, "artwork_error", done ? col_string(res, TC_ART_ERROR) : NULL);
	json_object_object_add(o, "loudness", done && !PQgetisnull(res, 0, TC_LOUDNESS) ?
	    json_tokener_parse(PQgetvalue(res, 0, TC_LOUDNESS)) : NULL);
	json_object_object_add(o, "waveform_url", done ? col_string(res, TC_WAVEFORM) : NULL);
	/* the file's own tags, once processed; never what the artist typed at init */
	json_object_object_add(o, "tags", done && !PQgetisnull(res, 0, TC_TAGS) ?
	    json_tokener_parse(PQgetvalue(res, 0, TC_TAGS)) : NULL);
	json_object_object_add(o, "created_at", col_string(res, TC_CREATED));
	json_object_object_add(o, "updated_at", col_string(res, TC_UPDATED));
	return o;
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
