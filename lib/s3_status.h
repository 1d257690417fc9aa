/*
 * s3_status.h: how an S3 answer maps to a result (the transfer client
 * lib/s3.c asks here; tests/unit/test_s3_post.c checks the table).
 */
#ifndef MUSTORY_S3_STATUS_H
#define MUSTORY_S3_STATUS_H

#include <stdbool.h>

#include "config.h"
#include "result.h"

/*
 * Map an HTTP answer (status, and the error body read so far, may be NULL)
 * to a result. 2xx OK; 404 ERR_NOT_FOUND; 412 ERR_CONFLICT (If-Match
 * failed: the object changed); 401/403, 3xx and 400s about
 * credentials ERR_AUTH (configuration); 408, 429 and 5xx ERR_STORAGE and
 * *transient; anything else ERR_STORAGE, not retried. e names method and key.
 */
enum result s3_status_result(const struct config *cfg, const char *method,
    const char *key, long status, const char *body, bool *transient,
    struct errbuf *e);

/* For messages: "checking" (HEAD), "reading" (GET), "writing" (PUT),
 * "deleting" (anything else). Static. */
const char *s3_verb(const char *method);

#endif
