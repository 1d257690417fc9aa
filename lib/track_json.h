/*
 * track_json.h: the one builder of a track's JSON, from a row of
 * track_get / track_list / track_get_by_id (columns TC_*, track.h). The API
 * answers with it (fcgi/track_view.c) and the webhooks carry it as their
 * "data" (webhook.h), so both say exactly the same about a track.
 */
#ifndef MUSTORY_TRACK_JSON_H
#define MUSTORY_TRACK_JSON_H

#include <libpq-fe.h>
#include <json-c/json.h>

#include "track.h"

/* Serialization flags of every JSON the API sends (and a webhook signs). */
#define TRACK_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* {"track_id","status","progress","error"} of row `row`: caller owns. */
json_object *track_json_status(const PGresult *res, int row);

/*
 * The whole track of row `row` (GET /tracks/{id}): caller owns. hls_url,
 * artwork_url and the media fields only once the track is completed.
 */
json_object *track_json_full(const PGresult *res, int row);

#endif
