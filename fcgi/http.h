/*
 * http.h: one FastCGI request and its single response. Every answer is JSON;
 * every error is {"detail": "...", "code": "..."} with the right status.
 */
#ifndef MUSTORY_HTTP_H
#define MUSTORY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "config.h"
#include "db.h"
#include "gate.h"
#include "jwt_cache.h"
#include "metrics.h"
#include "result.h"
#include "s3.h"

/* The largest request body the API reads (nginx caps it too). */
#define HTTP_MAX_BODY (64 * 1024)

/* What a worker owns for its life: handed to each request, borrowed. */
struct worker {
	const struct config *cfg;
	struct db db;
	struct s3 s3;
	struct gate *storage_gate; /* borrowed: the cap on storage calls; NULL: none */
	int slot;                  /* this worker's place in storage_gate */
	struct jwt_cache jwt_cache; /* tokens this worker verified (zeroed: empty) */
	struct metrics *metrics;   /* borrowed: the counters shared by every worker; NULL: none */
};

/* The longest request path routed (longer ones cannot name a route). */
#define HTTP_PATH_MAX 2048

struct req {
	FCGX_Request *fcgi;       /* borrowed */
	struct worker *w;         /* borrowed */
	const char *method;       /* borrowed from the FastCGI params */
	const char *path;         /* borrowed; without query string */
	const char *request_id;   /* borrowed; nginx's $request_id or "-" */
	char user[37];            /* the token's sub, once authenticated */
	int status;               /* status sent, 0 until then */
	int route;                /* the route taken (enum route, routes.h), -1: none */
	const char *code;         /* error code sent, for the log */
	char path_buf[HTTP_PATH_MAX]; /* path points here (gateway_path) */
};

/*
 * Fill r from the FastCGI (or CGI) parameters; the path is SCRIPT_NAME +
 * PATH_INFO, else the decoded REQUEST_URI (gateway_path, gateway.h).
 */
void http_req_init(struct req *r, FCGX_Request *fcgi, struct worker *w);

/* Borrowed: a FastCGI parameter or NULL. */
const char *http_param(const struct req *r, const char *name);

/*
 * After a FastCGI request's answer, before FCGX_Finish_r: when the web
 * server has sent all it will (stdin read to its end, or no body and the
 * empty stdin record, which the server sends with the parameters), the
 * connection is closed at once instead of libfcgi's lingering close
 * (shutdown, then waiting up to 2 s for the server to close first), which
 * kept the worker from its next accept until nginx had run. A request
 * with an unread body keeps the lingering close: closing over unread data
 * would reset the server's side. Kept connections are left alone.
 */
void http_fcgi_end(FCGX_Request *fr);

/*
 * Send len bytes of body (UTF-8 text) with status and content_type (a
 * constant of ours: no CR/LF). Sends at most once per request.
 */
void http_send_text(struct req *r, int status, const char *content_type, const char *body,
    size_t len);

/* Send obj (not consumed) with status. Sends at most once per request. */
void http_send_json(struct req *r, int status, json_object *obj);

/* 204 No Content: no body, no Content-Type. Sends at most once per request. */
void http_send_no_content(struct req *r);

/*
 * 302 to location (a URL we made: no CR/LF) with obj (not consumed) as
 * the body. Sends at most once per request.
 */
void http_redirect(struct req *r, const char *location, json_object *obj);

/* Send {"detail": fmt..., "code": code}. */
void http_error(struct req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Send a 422 naming the invalid field. */
void http_error_field(struct req *r, const char *field, const char *detail);

/* 405 with an Allow header. */
void http_error_method(struct req *r, const char *allow);

/*
 * Check the bearer token; on failure sends 401 and returns false. On
 * success r->user is the caller's UUID.
 */
bool http_authenticate(struct req *r);

/*
 * Read a JSON object body: checks Content-Type (415), size (413), syntax
 * (400), that it is an object (422). On failure the error is sent and NULL
 * returned; on success the caller owns the object (json_object_put).
 */
json_object *http_read_json(struct req *r);

/* Send 503/500 for a failed database call (e says what). */
void http_error_db(struct req *r, enum result rc, const struct errbuf *e);

#endif
