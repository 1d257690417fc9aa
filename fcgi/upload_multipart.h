/*
 * upload_multipart.h: the API's side of resumable uploads (issue 14), on
 * lib/s3_multipart.h: what init answers for "upload_mode": "multipart", the
 * part URLs /tracks/upload/parts re-signs, and the step complete takes for
 * a multipart track before its usual HEAD, size check and job.
 */
#ifndef MUSTORY_UPLOAD_MULTIPART_H
#define MUSTORY_UPLOAD_MULTIPART_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "http.h"
#include "s3_multipart.h"

/*
 * The part list for plan: {"part_number", "size", "url"} for every part not
 * among done (stored with its planned size; done may be NULL), each URL a
 * presigned UploadPart valid UPLOAD_URL_EXPIRES_SECONDS. *arr owned by the
 * caller.
 */
enum result upload_mp_part_urls(const struct config *cfg, const char *key,
    const char *upload_id, const struct s3mp_plan *plan, const struct s3mp_parts *done,
    time_t now, json_object **arr, struct errbuf *e);

/*
 * init: start the multipart upload of key in storage; *o gets the
 * "audio_multipart" object. On failure the answer (503 / 500) is sent and
 * false returned. upload_id is filled on success.
 */
bool upload_mp_init(struct req *r, const char *key, const char *content_type,
    long long file_size, char upload_id[S3MP_UPLOAD_ID_MAX], long long *part_size,
    json_object **o);

/* init failed after upload_mp_init: abort the storage upload (best effort). */
void upload_mp_init_undo(struct req *r, const char *key, const char *upload_id);

/*
 * complete, for a PENDING multipart track (row from track_load): lock the
 * track row (a transaction stays open), check the stored parts against the
 * plan and complete the upload in storage. true: the caller goes on with
 * its HEAD, size check and job, then upload_mp_commit. false: the answer
 * is sent (200 with the current status when another complete got there
 * first, 409 upload_incomplete, 503), nothing stays open.
 */
bool upload_mp_complete(struct req *r, const char *track_id, const PGresult *row);
/* Commit what upload_mp_complete left open (OK when nothing is). */
enum result upload_mp_commit(struct req *r, struct errbuf *e);
/* Roll back what is still open (nothing when nothing is). */
void upload_mp_release(struct req *r);

#endif
