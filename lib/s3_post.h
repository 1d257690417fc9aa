/*
 * s3_post.h: the presigned browser POST upload (policy + signature), the
 * pure part of our S3 support the API uses: no network, no libcurl. The
 * transfer client the runner uses is s3.h.
 */
#ifndef MUSTORY_S3_POST_H
#define MUSTORY_S3_POST_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "result.h"

/* Presigned POST, the shape boto3's generate_presigned_post returns. */
struct s3_post {
	char *url;           /* owned: form action, e.g. http://host:9000/bucket */
	json_object *fields; /* owned: key, Content-Type, x-amz-algorithm,
	                        x-amz-credential, x-amz-date, policy, x-amz-signature */
};

/*
 * Policy: expiration now+expires_s, {"bucket"}, exact {"key"}, exact
 * {"Content-Type"}, ["content-length-range", min_bytes, max_bytes] and one
 * condition for each x-amz-* field. The form URL comes from
 * storage_url_form (storage_layout.h). Pure: no network.
 */
enum result s3_presign_post(const struct config *cfg, const char *key,
    const char *content_type, long long min_bytes, long long max_bytes,
    long long expires_s, time_t now, struct s3_post *out, struct errbuf *e);
void s3_post_free(struct s3_post *p);

/*
 * True when v has no control character but tab: safe to send as a header
 * or form field value (s3.c checks its headers with it too).
 */
bool s3_value_ok(const char *v);

#endif
