/*
 * s3.h: the S3 transfer client (libcurl): HEAD, GET to a file, PUT, DELETE
 * and parallel uploads, each request signed by our own SigV4 signer
 * (lib/sigv4.h). Works against AWS S3, R2, MinIO and the dev stack's
 * s3rver. Object keys passed here are made by lib/storage_layout.h, never
 * taken from user text; where a request goes is decided there too. The
 * presigned POST form the API hands out is lib/s3_post.h (no network);
 * what an answer means is lib/s3_status.h.
 */
#ifndef MUSTORY_S3_H
#define MUSTORY_S3_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "result.h"
#include "sigv4.h"

#define S3_ETAG_MAX 128 /* a buffer this size holds any ETag we keep (quotes included) */

struct s3 {
	const struct config *cfg; /* borrowed: outlives this handle */
	CURL *curl;               /* owned; reused so connections are kept alive */
	long timeout_s;           /* HEAD/GET/PUT/DELETE limit; 0: STORAGE_TIMEOUT_SECONDS */
};

/*
 * Errors from the calls below:
 *   ERR_NOT_FOUND  404 (NoSuchKey)
 *   ERR_AUTH       403 / signature rejected (a configuration problem)
 *   ERR_STORAGE    connection refused, timeout, 5xx: transient, retry later
 *   ERR_TOO_LARGE  download bigger than max_bytes
 *   ERR_CONFLICT   412: the object no longer has the ETag asked for (If-Match)
 *   ERR_IO         local file problem
 * e gets a sentence naming the key and what happened (never the secret).
 */
enum result s3_init(struct s3 *s3, const struct config *cfg, struct errbuf *e);
void s3_cleanup(struct s3 *s3);

/*
 * The limit of each call made on this handle from now on, in seconds (0:
 * STORAGE_TIMEOUT_SECONDS again). The API sets STORAGE_API_TIMEOUT_SECONDS:
 * a request waiting on storage holds a worker, so it gives up sooner than
 * the runner's transfers do. Parallel uploads (s3_put_files) keep the
 * configured one.
 */
void s3_set_timeout(struct s3 *s3, long seconds);

/*
 * HEAD: *size (may be NULL) gets Content-Length; etag (may be NULL, else
 * S3_ETAG_MAX bytes) the ETag header as storage sent it, quotes included
 * ("" when there was none, or it could not be sent back in an If-Match).
 */
enum result s3_head(struct s3 *s3, const char *key, long long *size, char *etag,
    struct errbuf *e);

/*
 * GET streamed into fd (never whole in memory); *got bytes written. With
 * if_match (an ETag from s3_head; NULL: none) the read is conditional:
 * ERR_CONFLICT when the object has changed since (412 Precondition Failed).
 */
enum result s3_get_to_fd(struct s3 *s3, const char *key, const char *if_match, int fd,
    long long max_bytes, long long *got, struct errbuf *e);

/* PUT a memory buffer. cache_control may be NULL. */
enum result s3_put_buffer(struct s3 *s3, const char *key, const void *buf,
    size_t len, const char *content_type, const char *cache_control,
    struct errbuf *e);

struct s3_put {
	const char *key;
	const char *path;          /* local file to upload */
	const char *content_type;
	const char *cache_control; /* may be NULL */
};

/*
 * PUT several files, up to `parallel` at a time (curl multi). Each file is
 * retried a few times on transient errors; the first failure that remains
 * is returned. All or error: the caller publishes its manifest only on OK.
 */
enum result s3_put_files(struct s3 *s3, const struct s3_put *puts, size_t n,
    int parallel, struct errbuf *e);

enum result s3_delete(struct s3 *s3, const char *key, struct errbuf *e);

/*
 * GET a small answer into memory: key ("" for the bucket itself) with the
 * raw query parameters (signed and sent as given), retried when transient
 * like a delete. *body (malloc'd, NUL-terminated; free it) and *len get a
 * 2xx answer of at most max_bytes (ERR_TOO_LARGE past it). label names the
 * request in messages (NULL: the key). The listing (s3_list.h) uses it.
 */
enum result s3_get_small(struct s3 *s3, const char *key, const struct sigv4_pair *query,
    size_t nquery, size_t max_bytes, const char *label, char **body, size_t *len,
    struct errbuf *e);

#endif
