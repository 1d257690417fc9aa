/*
 * http.h: one request (FastCGI or CGI) and its single response. Every answer
 * is JSON; every error is {"detail": "...", "code": "..."} with the right
 * status. The gateway (fcgi/main.c) hands in the parameters and the body,
 * already received whole, and sends the answer built here.
 */
#ifndef MUSTORY_HTTP_H
#define MUSTORY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

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

/* The answer as the gateway sends it: a CGI response (headers, blank line, body). */
struct http_out {
	char *p;                  /* owned; len bytes */
	size_t len, cap;
	bool failed;              /* out of memory: send http_answer's 500 instead */
};

struct req {
	char **envp;              /* borrowed: the FastCGI parameters, or the CGI environment */
	const char *body;         /* borrowed: the body received, body_len bytes */
	size_t body_len;
	bool body_over;           /* more was sent than the gateway keeps (HTTP_MAX_BODY + 1) */
	struct http_out out;      /* the answer; http_req_free frees it */
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
 * Fill r from the FastCGI (or CGI) parameters envp and the body; the path
 * is SCRIPT_NAME + PATH_INFO, else the decoded REQUEST_URI (gateway_path,
 * gateway.h). All borrowed for r's life.
 */
void http_req_init(struct req *r, char **envp, const char *body, size_t body_len,
    bool body_over, struct worker *w);

/* Borrowed: the answer to send (a 500 when building it ran out of memory), *len bytes. */
const char *http_answer(const struct req *r, size_t *len);

/* Free what r owns (its answer). */
void http_req_free(struct req *r);

/* Borrowed: a FastCGI parameter or NULL. */
const char *http_param(const struct req *r, const char *name);

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
