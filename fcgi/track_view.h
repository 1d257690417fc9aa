/*
 * track_view.h: load one of the caller's tracks and render it as JSON
 * (the status shape and the whole-track shape, both built by the one
 * builder in lib/track_json.h).
 */
#ifndef MUSTORY_TRACK_VIEW_H
#define MUSTORY_TRACK_VIEW_H

#include <stdbool.h>

#include <libpq-fe.h>
#include <json-c/json.h>

#include "http.h"
#include "track.h"

/*
 * Load track id owned by r->user (track_get's row, columns TC_*). On OK
 * *res is one row (caller PQclears).
 * ERR_NOT_FOUND when missing or someone else's; ERR_DB otherwise.
 */
enum result track_load(struct req *r, const char *id, PGresult **res, struct errbuf *e);

/*
 * track_load, answering its failure: true with *res (one row, caller
 * PQclears); false when the 404 (missing, someone else's, deleted) or the
 * database's 503 has been sent.
 */
bool track_load_or_answer(struct req *r, const char *id, PGresult **res);

/* {"track_id","status","progress","error"}: caller owns. */
json_object *track_status_json(const PGresult *res);

/* The whole track (row 0): caller owns. */
json_object *track_full_json(const PGresult *res);
/* The whole track of row `row` (a track_list result has one per track). */
json_object *track_full_json_at(const PGresult *res, int row);

/*
 * Load track id and answer 200 with its status (status_only: GET status,
 * from the narrower track_get_view) or the whole track (GET track), or the
 * 404/503.
 */
void track_respond(struct req *r, const char *id, bool status_only);

/* Send the 404 for a track that is missing or not the caller's. */
void track_not_found(struct req *r, const char *id);

#endif
