/*
 * upload_http.h: mustory-upload's HTTP client (libcurl): JSON calls to the
 * API with the bearer token, and the multipart/form-data POST of a presigned
 * form to storage. One easy handle, reused, so calls share a connection.
 */
#ifndef MUSTORY_UPLOAD_HTTP_H
#define MUSTORY_UPLOAD_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "result.h"

/* Set by the SIGINT/SIGTERM handler; every transfer aborts when it is set. */
extern volatile sig_atomic_t uhttp_stop;

struct uhttp {
	CURL *curl;
	char *api;          /* owned: the API's base URL, no trailing '/' */
	const char *token;  /* borrowed */
	curl_off_t max_send; /* bytes/s for storage uploads, 0 = unlimited */
};

/* One answer. Free with uresp_free(). */
struct uresp {
	long status;                 /* HTTP status, 0 when no answer */
	char *body;                  /* owned, NUL-terminated ("" when none) */
	size_t len;
	struct json_object *json;    /* owned; NULL when the body is not JSON */
	CURLcode cc;                 /* the transfer's result */
	char error[CURL_ERROR_SIZE]; /* curl's sentence when cc != CURLE_OK */
	char detail[512];            /* uresp_detail()'s sentence */
};

/* Called while a form uploads: bytes sent so far of total (0 = unknown). */
typedef void (*uhttp_progress_fn)(void *arg, curl_off_t now, curl_off_t total);

enum result uhttp_init(struct uhttp *h, const char *api, const char *token);
void uhttp_free(struct uhttp *h);

/*
 * METHOD api+path with body (may be NULL) as JSON. Returns OK when an answer
 * came (any status, in r->status), ERR_ABORTED when uhttp_stop was set,
 * ERR_IO when no answer came (not reachable, timed out: r->error says).
 */
enum result uhttp_api(struct uhttp *h, const char *method, const char *path,
    struct json_object *body, struct uresp *r);

/*
 * POST url as multipart/form-data: every member of fields (strings), then
 * the file at path as the last field "file". Same returns as uhttp_api().
 */
enum result uhttp_form(struct uhttp *h, const char *url, struct json_object *fields,
    const char *path, uhttp_progress_fn fn, void *arg, struct uresp *r);

/*
 * PUT size bytes of fd from offset off to url (a presigned UploadPart URL).
 * Same returns as uhttp_api().
 */
enum result uhttp_put_range(struct uhttp *h, const char *url, int fd, off_t off,
    curl_off_t size, uhttp_progress_fn fn, void *arg, struct uresp *r);

void uresp_free(struct uresp *r);

/*
 * Borrowed (lives in r): the sentence for a person: the API's "detail", or
 * storage's <Message>, or curl's error, or the start of the body; made safe
 * to print (utext_clean: no control characters, well-formed UTF-8).
 */
const char *uresp_detail(struct uresp *r);
/* Borrowed: the API's "code", or "" when none. */
const char *uresp_code(const struct uresp *r);

#endif
