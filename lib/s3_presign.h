/*
 * s3_presign.h: presigned GET URLs (AWS "Authenticating Requests: Using
 * Query Parameters"), the download twin of s3_post.h: pure, no network.
 * The signing is lib/sigv4.c's; the URL comes from storage_layout.h.
 */
#ifndef MUSTORY_S3_PRESIGN_H
#define MUSTORY_S3_PRESIGN_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "result.h"

#define S3_FILENAME_MAX 100 /* bytes of the name a download is given */

/*
 * A GET of key valid expires_s seconds (1..SIGV4_MAX_EXPIRES) from now.
 * disposition (NULL: none) is signed as response-content-disposition, so
 * storage answers with that Content-Disposition (the download's file name).
 * *url is malloc'd. ERR_INVALID (a bad key, disposition, expiry or storage
 * setting), ERR_NOMEM.
 */
enum result s3_presign_get(const struct config *cfg, const char *key, const char *disposition,
    long long expires_s, time_t now, char **url, struct errbuf *e);

/*
 * The Content-Disposition of a download named name + "." + ext (RFC 6266,
 * RFC 5987): attachment; filename="<ASCII fallback>";
 * filename*=UTF-8''<percent-encoded UTF-8>. name is UTF-8 (ill-formed
 * parts become U+FFFD). In both forms, control characters, '/' and '\'
 * become '_'; in the fallback every non-ASCII character and '"' does too,
 * and an empty name becomes "track". name is cut (between characters) to
 * S3_FILENAME_MAX bytes, which keeps the presigned URL, a Location header,
 * within a proxy's header buffer (nginx's is 4 KiB by default). ext must
 * be letters and digits (else it is left out). malloc'd, NULL when out of
 * memory.
 */
char *s3_attachment_disposition(const char *name, const char *ext);

#endif
