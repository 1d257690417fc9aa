#include "track_json.h"

#include <stdbool.h>
#include <stdlib.h>

static json_object *col_string(const PGresult *res, int row, enum track_col c);
static json_object *col_json(const PGresult *res, int row, enum track_col c, bool shown);
static int track_progress(const PGresult *res, int row);

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
track_json_status(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "track_id", col_string(res, row, TC_ID));
	json_object_object_add(o, "status",
	    json_object_new_string(track_status_str(track_row_status_at(res, row))));
	json_object_object_add(o, "progress", json_object_new_int(track_progress(res, row)));
	json_object_object_add(o, "error", col_string(res, row, TC_ERROR));
	return o;
}

/* A jsonb column as JSON, when shown (a completed track's) and not NULL. */
static json_object *
col_json(const PGresult *res, int row, enum track_col c, bool shown)
{
	if (!shown || PQgetisnull(res, row, c))
		return NULL;
	return json_tokener_parse(PQgetvalue(res, row, c));
}

json_object *
track_json_full(const PGresult *res, int row)
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
	json_object_object_add(o, "artwork_thumbnails", col_json(res, row, TC_THUMBS, done));
	json_object_object_add(o, "artwork_error", done ? col_string(res, row, TC_ART_ERROR) : NULL);
	json_object_object_add(o, "loudness", col_json(res, row, TC_LOUDNESS, done));
	json_object_object_add(o, "waveform_url", done ? col_string(res, row, TC_WAVEFORM) : NULL);
	/* the file's own tags, once processed; never what the artist typed at init */
	json_object_object_add(o, "tags", col_json(res, row, TC_TAGS, done));
	json_object_object_add(o, "created_at", col_string(res, row, TC_CREATED));
	json_object_object_add(o, "updated_at", col_string(res, row, TC_UPDATED));
	return o;
}
