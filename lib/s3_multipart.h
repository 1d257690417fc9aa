/*
 * s3_multipart.h: S3 multipart uploads, beside the transfer client (s3.h):
 * CreateMultipartUpload, ListParts (every page), CompleteMultipartUpload
 * (its own, longer timeout) and AbortMultipartUpload, each header-signed by
 * lib/sigv4.h; and presigned UploadPart URLs that sign content-length, so
 * storage refuses a part of any other size. The XML S3 speaks here is built
 * and parsed by the small helpers below (pure; tests/fuzz/fuzz_s3_multipart.c).
 * Keys come from storage_layout.h, never from user text.
 */
#ifndef MUSTORY_S3_MULTIPART_H
#define MUSTORY_S3_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "result.h"
#include "s3.h"

#define S3MP_MIN_PART_BYTES (5LL * 1024 * 1024) /* every part but the last */
#define S3MP_MAX_PART_BYTES (5LL * 1024 * 1024 * 1024)
#define S3MP_MAX_OBJECT_BYTES (5LL * 1024 * 1024 * 1024 * 1024) /* 5 TiB */
#define S3MP_MAX_PARTS 10000
#define S3MP_UPLOAD_ID_MAX 1024  /* buffer for an upload id (S3's are ~ 100-200) */
#define S3MP_ETAG_MAX 128        /* buffer for a part's ETag, quotes included */
#define S3MP_COMPLETE_TIMEOUT_S 60 /* CompleteMultipartUpload may take S3 a while */
#define S3MP_LIST_PAGE 1000      /* max-parts asked per ListParts page */

/* How a file of file_size bytes is cut: parts 1..count, all part_size but the last. */
struct s3mp_plan {
	long long file_size;
	long long part_size;
	int count;
};

/*
 * The plan for file_size (> 0) with parts of part_bytes (>= S3MP_MIN_PART_BYTES),
 * made bigger when needed so there are at most S3MP_MAX_PARTS. A file no
 * bigger than one part is one part. ERR_INVALID for sizes out of range.
 */
enum result s3mp_plan_make(long long file_size, long long part_bytes, struct s3mp_plan *p);
/* The size of part number (1..count); -1 out of range. */
long long s3mp_plan_part_size(const struct s3mp_plan *p, int number);

/* One stored part (ListParts), or one to complete. */
struct s3mp_part {
	int number;
	long long size;
	char etag[S3MP_ETAG_MAX]; /* as storage gives it, quotes included */
};

/* A growing list of parts, ascending by number once listed. */
struct s3mp_parts {
	struct s3mp_part *v; /* owned */
	size_t n, cap;
};
void s3mp_parts_free(struct s3mp_parts *ps);

/*
 * The presigned UploadPart URL: PUT <key>?partNumber=N&uploadId=ID, valid
 * expires_s seconds from now, X-Amz-SignedHeaders "content-length;host" with
 * content-length = size. *url malloc'd. Pure: no network.
 */
enum result s3mp_presign_part(const struct config *cfg, const char *key,
    const char *upload_id, int number, long long size, long long expires_s,
    time_t now, char **url, struct errbuf *e);

/*
 * Network calls on s3's handle. Errors as s3.h, and: ERR_NOT_FOUND for
 * NoSuchUpload (the upload was completed or aborted, or never was);
 * ERR_CONFLICT when storage refuses the parts of a complete (InvalidPart,
 * InvalidPartOrder, EntityTooSmall: e names storage's code), also when it
 * says so in the body of a 200 answer.
 */
enum result s3mp_create(struct s3 *s3, const char *key, const char *content_type,
    char upload_id[S3MP_UPLOAD_ID_MAX], struct errbuf *e);
/* Every stored part, every page (part-number-marker, IsTruncated). */
enum result s3mp_list_parts(struct s3 *s3, const char *key, const char *upload_id,
    struct s3mp_parts *out, struct errbuf *e);
/* parts ascending by number. Timeout S3MP_COMPLETE_TIMEOUT_S (or the
 * configured storage timeout when longer). */
enum result s3mp_complete(struct s3 *s3, const char *key, const char *upload_id,
    const struct s3mp_parts *parts, struct errbuf *e);
enum result s3mp_abort(struct s3 *s3, const char *key, const char *upload_id,
    struct errbuf *e);

/*
 * XML helpers (pure). The body of CompleteMultipartUpload for parts
 * (malloc'd, NULL when out of memory or an ETag holds a control character).
 */
char *s3mp_complete_xml(const struct s3mp_parts *parts);

/* InitiateMultipartUploadResult: the UploadId. ERR_INVALID when absent,
 * empty, too long or not printable ASCII. */
enum result s3mp_parse_create(const char *xml, size_t len, char *upload_id, size_t cap);

/*
 * One ListPartsResult page: its parts appended to out, *truncated from
 * IsTruncated, *next from NextPartNumberMarker (0 when absent).
 * ERR_INVALID for a part without a valid number (1..10000), size or ETag,
 * ERR_NOMEM.
 */
enum result s3mp_parse_list(const char *xml, size_t len, struct s3mp_parts *out,
    bool *truncated, int *next);

/*
 * Is the document an <Error> (after the XML declaration and whitespace)?
 * code gets its <Code> (letters and digits, may be ""). The answer of a
 * CompleteMultipartUpload can be 200 and still this.
 */
bool s3mp_parse_error(const char *xml, size_t len, char *code, size_t cap);

#ifdef UNITTEST
/*
 * What a multipart answer means (static in release builds): the errors
 * listed above, a 200 whose body is an <Error> counted as that error,
 * anything else as s3_status_result (s3_status.h). what names the step
 * for messages ("completing the multipart upload of"). body holds len
 * bytes and a NUL after them.
 */
enum result s3mp_answer(const struct config *cfg, const char *method, const char *key,
    const char *what, long status, const char *body, size_t len, struct errbuf *e);
#endif

#endif
