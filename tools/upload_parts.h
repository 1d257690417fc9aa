/*
 * upload_parts.h: the parts of a multipart upload (init's
 * audio_multipart, or POST /tracks/upload/parts), PUT one after another to
 * their presigned UploadPart URLs, each retried a few times when storage
 * or the network fails it.
 */
#ifndef MUSTORY_UPLOAD_PARTS_H
#define MUSTORY_UPLOAD_PARTS_H

#include <json-c/json.h>

#include "result.h"
#include "upload_http.h"
#include "upload_progress.h"

#define UMULTI_TRIES 3 /* tries of one part before the upload stops */

struct umulti {
	long long part_size;       /* bytes of every part but the last */
	int part_count;
	struct json_object *parts; /* borrowed: [{part_number, size, url}] still to send */
	long long done_bytes;      /* already in storage (resume) */
	int done_count;
};

/*
 * Read part_size, part_count and parts (and parts_done, when there) from o:
 * init's "audio_multipart" object or the /tracks/upload/parts answer.
 * ERR_INVALID when o does not have that shape.
 */
enum result umulti_read(struct json_object *o, struct umulti *m);

/*
 * PUT every part of m->parts from the file at path (file_size bytes), the
 * bar counting from m->done_bytes. OK when all are in; else ERR_ABORTED
 * (interrupted), ERR_IO (the file: *why says), ERR_STORAGE (r holds
 * storage's last answer, *failed the part's number).
 */
enum result umulti_put(struct uhttp *h, struct uprog *p, const char *path, long long file_size,
    const struct umulti *m, struct uresp *r, int *failed, char *why, size_t whyn);

#endif
