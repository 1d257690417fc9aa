/*
 * track.h: a track's processing status (enum track_status and its two
 * spellings) and the statements on the tracks table that touch no job:
 * the new track's INSERT and the one SELECT both views render. The
 * statements that change a track together with its job live beside the
 * job state machine, in jobstore.c, and take their labels from here.
 */
#ifndef MUSTORY_TRACK_H
#define MUSTORY_TRACK_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "db.h"
#include "result.h"

enum track_status {
	TRACK_PENDING,    /* created; the upload is not confirmed yet */
	TRACK_PROCESSING, /* confirmed; its job is queued or running */
	TRACK_COMPLETED,  /* HLS published */
	TRACK_FAILED,     /* its job failed (processing_error says why) */
	TRACK_STATUS__MAX
};

/* Static: the SQL enum's label ("PENDING"), "UNKNOWN" when out of range. */
const char *track_status_sql(enum track_status s);
/* Static: the API's spelling ("pending"), "unknown" when out of range. */
const char *track_status_str(enum track_status s);
/* The SQL label to the enum; false when it is none of them. */
bool track_status_parse(const char *sql_label, enum track_status *s);
/* The API's spelling ("pending") to the enum; false when it is none of them. */
bool track_status_parse_api(const char *api_name, enum track_status *s);

/* A new track, all strings borrowed; artwork_* NULL when none. */
struct track_new {
	const char *id;
	const char *owner_id;
	const char *title;
	const char *artist_name;
	const char *file_extension;
	long long file_size;
	const char *content_type;
	const char *audio_key;
	const char *audio_url;
	const char *artwork_extension;
	const char *artwork_key;
	/* A multipart upload (issue 14): storage's upload id and the part size;
	 * NULL / 0 for the single presigned POST. */
	const char *multipart_upload_id;
	long long multipart_part_size;
};

/*
 * INSERT the PENDING track, unless its owner already has max_pending
 * PENDING tracks: then ERR_LIMIT and nothing is written. Concurrent inserts
 * of one owner are serialized (a transaction-scoped advisory lock on the
 * owner), so they can never together pass the limit: under READ COMMITTED a
 * count in the same statement would not see the others' rows.
 */
enum result track_insert(struct db *db, const struct track_new *t, long long max_pending,
    struct errbuf *e);

/* Columns of the row track_get returns. */
enum track_col {
	TC_ID, TC_TITLE, TC_ARTIST, TC_EXT, TC_SIZE, TC_STATUS, TC_ERROR, TC_DURATION,
	TC_HLS_URL, TC_ARTWORK_URL, TC_CREATED, TC_UPDATED, TC_PROGRESS, TC_AUDIO_KEY,
	TC_CREATED_US, /* created_at in microseconds since the epoch (the list's key) */
	TC_MP_UPLOAD_ID, /* NULL unless a multipart upload */
	TC_MP_PART_SIZE,
	TC_TAGS, TC_THUMBS, TC_ART_ERROR, TC_LOUDNESS, TC_WAVEFORM,
	TC__MAX
};

/*
 * Load track id owned by owner_id, with its job's progress. On OK *res is
 * one row (caller PQclears). ERR_NOT_FOUND when missing, deleted
 * (deleted_at: DELETE /tracks/{id}) or someone else's.
 */
enum result track_get(struct db *db, const char *id, const char *owner_id, PGresult **res,
    struct errbuf *e);

/*
 * track_get, or with status_only the columns GET status shows (TC_ID,
 * TC_STATUS, TC_ERROR, TC_PROGRESS; every other column NULL), cheaper.
 */
enum result track_get_view(struct db *db, const char *id, const char *owner_id,
    bool status_only, PGresult **res, struct errbuf *e);

/*
 * The same row for track id whoever owns it, deleted or not (webhooks
 * build the track's JSON from it, a track.deleted one inside the delete's
 * transaction). ERR_NOT_FOUND when there is no such row.
 */
enum result track_get_by_id(struct db *db, const char *id, PGresult **res, struct errbuf *e);

/* The status of a track_get row (TRACK_PENDING if the label is unknown). */
enum track_status track_row_status(const PGresult *res);
/* The same for row `row` of a track_get or track_list result. */
enum track_status track_row_status_at(const PGresult *res, int row);

/*
 * Where a page of the list starts: after the track (created_us, id) in the
 * order newest first (created_at DESC, id DESC). The cursor the API hands
 * out is opaque: base64url (no padding) of a version byte (1), created_us
 * as 8 bytes big-endian and the id's 16 bytes.
 */
struct track_cursor {
	long long created_us; /* microseconds since 1970-01-01 UTC, >= 0 */
	char id[37];          /* lowercase UUID */
};

#define TRACK_CURSOR_LEN 34 /* characters of an encoded cursor */
#define TRACK_LIST_MAX 100  /* the largest page */

/* Encode c into out (TRACK_CURSOR_LEN + 1 bytes). false when c->id is not a UUID. */
bool track_cursor_encode(const struct track_cursor *c, char out[TRACK_CURSOR_LEN + 1]);

/*
 * Decode a cursor strictly: exactly the text track_cursor_encode makes for
 * some cursor (canonical base64url, the version byte, created_us from 0 to
 * the year 9999). false for anything else.
 */
bool track_cursor_decode(const char *s, struct track_cursor *c);

/*
 * One page of owner_id's tracks, newest first (created_at DESC, id DESC),
 * with the columns of track_get (TC_*), one row per track. At most limit + 1
 * rows (limit 1..TRACK_LIST_MAX): a row past limit means there is a next
 * page. after: start after this track (NULL: from the newest). status:
 * only tracks with it (TRACK_STATUS__MAX: any). The order is total and the
 * key is (created_at, id), so a page never skips or repeats a track when
 * others are inserted meanwhile. On OK the caller PQclears *res.
 */
enum result track_list(struct db *db, const char *owner_id, enum track_status status,
    const struct track_cursor *after, int limit, PGresult **res, struct errbuf *e);

/* Is the track_get row a multipart upload (upload_mode 'multipart')? */
bool track_row_multipart(const PGresult *res);

/*
 * Inside the caller's transaction (db_begin), lock the row of track id
 * owned by owner_id (SELECT ... FOR UPDATE) and read its status: concurrent
 * completes of a multipart upload take turns here, so only the first
 * completes it in storage. ERR_NOT_FOUND when missing, deleted or someone
 * else's.
 */
enum result track_lock(struct db *db, const char *id, const char *owner_id,
    enum track_status *status, struct errbuf *e);

#endif
