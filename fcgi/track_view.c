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
	const char *params[] = { id, r->user };
	enum result rc;

	rc = db_exec(&r->w->db, res,
	    "SELECT t.id, t.title, t.artist_name, t.file_extension, t.file_size,"
	    " lower(t.processing_status::text), t.processing_error, t.duration_seconds,"
	    " t.hls_url, t.artwork_url,"
	    " to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " coalesce(j.progress, 0), t.original_audio_key"
	    " FROM tracks t LEFT JOIN jobs j ON j.track_id = t.id AND j.kind = 'transcode_hls'"
	    " WHERE t.id = $1 AND t.owner_id = $2",
	    2, params, e);
	if (rc != OK)
		return rc;
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		return ERR_NOT_FOUND;
	}
	return OK;
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
	const char *st = PQgetvalue(res, 0, TC_STATUS);

	if (strcmp(st, "completed") == 0)
		return 100;
	if (strcmp(st, "pending") == 0)
		return 0;
	return atoi(PQgetvalue(res, 0, TC_PROGRESS));
}

json_object *
track_status_json(const PGresult *res)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "track_id", col_string(res, TC_ID));
	json_object_object_add(o, "status", col_string(res, TC_STATUS));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res)));
	json_object_object_add(o, "error", col_string(res, TC_ERROR));
	return o;
}

json_object *
track_full_json(const PGresult *res)
{
	json_object *o = json_object_new_object();
	bool done = strcmp(PQgetvalue(res, 0, TC_STATUS), "completed") == 0;

	json_object_object_add(o, "id", col_string(res, TC_ID));
	json_object_object_add(o, "track_id", col_string(res, TC_ID));
	json_object_object_add(o, "title", col_string(res, TC_TITLE));
	json_object_object_add(o, "artist_name", col_string(res, TC_ARTIST));
	json_object_object_add(o, "file_extension", col_string(res, TC_EXT));
	json_object_object_add(o, "file_size",
	    json_object_new_int64(strtoll(PQgetvalue(res, 0, TC_SIZE), NULL, 10)));
	json_object_object_add(o, "status", col_string(res, TC_STATUS));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res)));
	json_object_object_add(o, "processing_error", col_string(res, TC_ERROR));
	json_object_object_add(o, "duration_seconds", PQgetisnull(res, 0, TC_DURATION) ? NULL :
	    json_object_new_double(strtod(PQgetvalue(res, 0, TC_DURATION), NULL)));
	json_object_object_add(o, "hls_url", done ? col_string(res, TC_HLS_URL) : NULL);
	json_object_object_add(o, "artwork_url", done ? col_string(res, TC_ARTWORK_URL) : NULL);
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
