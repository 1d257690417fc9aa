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
	TC_MP_UPLOAD_ID, /* NULL unless a multipart upload */
	TC_MP_PART_SIZE,
	TC__MAX
};

/*
 * Load track id owned by owner_id, with its job's progress. On OK *res is
 * one row (caller PQclears). ERR_NOT_FOUND when missing or someone else's.
 */
enum result track_get(struct db *db, const char *id, const char *owner_id, PGresult **res,
    struct errbuf *e);

/* The status of a track_get row (TRACK_PENDING if the label is unknown). */
enum track_status track_row_status(const PGresult *res);

/* Is the track_get row a multipart upload (upload_mode 'multipart')? */
bool track_row_multipart(const PGresult *res);

/*
 * Inside the caller's transaction (db_begin), lock the row of track id
 * owned by owner_id (SELECT ... FOR UPDATE) and read its status: concurrent
 * completes of a multipart upload take turns here, so only the first
 * completes it in storage. ERR_NOT_FOUND when missing or someone else's.
 */
enum result track_lock(struct db *db, const char *id, const char *owner_id,
    enum track_status *status, struct errbuf *e);

#endif
