#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fcgi_conn.h"
#include "gateway.h"
#include "jwt_cache.h"
#include "log.h"
#include "utf8.h"

static long long http_body_length(struct req *r);
static const char *http_reason(int status);
static const char *http_request_id_header(const struct req *r, char *buf, size_t size);
static bool http_json_type(const char *ct);

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

void
http_req_init(struct req *r, char **envp, const char *body, size_t body_len, bool body_over,
    struct worker *w)
{
	memset(r, 0, sizeof(*r));
	r->envp = envp;
	r->body = body;
	r->body_len = body_len;
	r->body_over = body_over;
	r->w = w;
	r->route = -1;
	r->method = http_param(r, "REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	/* RFC 3875's variables, which every gateway sets (never nginx's DOCUMENT_URI). */
	(void)gateway_path(gateway_param_last(envp, "SCRIPT_NAME"),
	    gateway_param_last(envp, "PATH_INFO"),
	    gateway_param_last(envp, "REQUEST_URI"), r->path_buf, sizeof(r->path_buf));
	r->path = r->path_buf;
	r->request_id = http_param(r, "REQUEST_ID");
	if (r->request_id == NULL)
		r->request_id = "-";
}

const char *
http_param(const struct req *r, const char *name)
{
	return fcgi_param(r->envp, name);
}

const char *
http_answer(const struct req *r, size_t *len)
{
	static const char oom[] = "Status: 500 Internal Server Error\r\n"
	    "Content-Type: application/json\r\nContent-Length: 3\r\n\r\n{}\n";

	if (r->out.failed || r->out.p == NULL) {
		*len = sizeof(oom) - 1;
		return oom;
	}
	*len = r->out.len;
	return r->out.p;
}

void
http_req_free(struct req *r)
{
	free(r->out.p);
	memset(&r->out, 0, sizeof(r->out));
}

/* Append to the answer; on failure the answer becomes http_answer's 500. */
static void
http_put(struct req *r, const void *p, size_t n)
{
	struct http_out *o = &r->out;
	size_t cap = o->cap != 0 ? o->cap : 1024;
	char *np;

	if (o->failed)
		return;
	while (cap < o->len + n)
		cap *= 2;
	if (cap != o->cap) {
		if ((np = realloc(o->p, cap)) == NULL) {
			o->failed = true;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

/*
 * "X-Request-Id: <id>\r\n" for r's request id (nginx's $request_id), or ""
 * when there is none or it is not a plain token (1..64 of [A-Za-z0-9._-]).
 */
static const char *
http_request_id_header(const struct req *r, char *buf, size_t size)
{
	const char *id = r->request_id;
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n > 64 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") != n || strcmp(id, "-") == 0)
		return "";
	snprintf(buf, size, "X-Request-Id: %s\r\n", id);
	return buf;
}

static void
http_send_typed(struct req *r, int status, const char *ctype, const char *extra_headers,
    const char *body, size_t len)
{
	char head[2560], rid[96], *fixed = NULL;
	size_t bad;
	int n;

	if (r->status != 0)
		return;
	r->status = status;
	/*
	 * Every body is well-formed UTF-8. Echoes are made so where they are
	 * written (utf8_excerpt); this is the net under them: json-c writes
	 * whatever bytes its strings hold.
	 */
	if (!utf8_valid(body, len, &bad, NULL)) {
		log_errx("%s %s: the %d answer is not UTF-8 at byte %zu; sent with U+FFFD", r->method,
		    r->path, status, bad);
		if ((fixed = malloc(3 * len + 1)) == NULL) {
			status = r->status = 500;
			body = "{}";
			len = 2;
		} else {
			utf8_copy_valid(fixed, 3 * len + 1, body, len);
			body = fixed;
			len = strlen(fixed);
		}
	}
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "%s%s"
	    "\r\n",
	    status, http_reason(status), ctype, len, http_request_id_header(r, rid, sizeof(rid)),
	    extra_headers != NULL ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		n = snprintf(head, sizeof(head), "Status: 500 Internal Server Error\r\n\r\n");
	http_put(r, head, (size_t)n);
	http_put(r, body, len);
	free(fixed);
}

static void
http_send_raw(struct req *r, int status, const char *extra_headers, const char *body, size_t len)
{
	http_send_typed(r, status, "application/json", extra_headers, body, len);
}

void
http_send_text(struct req *r, int status, const char *content_type, const char *body, size_t len)
{
	http_send_typed(r, status, content_type, NULL, body, len);
}

void
http_send_no_content(struct req *r)
{
	char head[512], rid[96];
	int n;

	if (r->status != 0)
		return;
	r->status = 204;
	/* No body, so neither Content-Type nor Content-Length (RFC 9110 8.6). */
	n = snprintf(head, sizeof(head), "Status: 204 No Content\r\n%s\r\n",
	    http_request_id_header(r, rid, sizeof(rid)));
	if (n < 0 || (size_t)n >= sizeof(head))
		n = snprintf(head, sizeof(head), "Status: 204 No Content\r\n\r\n");
	http_put(r, head, (size_t)n);
}

void
http_send_json(struct req *r, int status, json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	char *body;

	if (s == NULL) {
		http_send_raw(r, 500, NULL,
		    "{\"detail\":\"Internal error while writing the answer.\",\"code\":\"internal\"}\n", 73);
		return;
	}
	if ((body = malloc(len + 1)) == NULL) {
		http_send_raw(r, 500, NULL, "{}", 2);
		return;
	}
	memcpy(body, s, len);
	body[len] = '\n';
	http_send_raw(r, status, NULL, body, len + 1);
	free(body);
}

static void
http_error_hdr(struct req *r, int status, const char *code, const char *headers,
    const char *field, const char *detail)
{
	json_object *o = json_object_new_object();
	size_t len;
	const char *s;
	char *body;

	/* The one funnel of every error answer: storage's failures are counted here. */
	if (strcmp(code, "storage_unavailable") == 0)
		metrics_error(r->w->metrics, METRICS_ERR_STORAGE);
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_object_add(o, "code", json_object_new_string(code));
	if (field != NULL)
		json_object_object_add(o, "field", json_object_new_string(field));
	r->code = code;
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s != NULL && (body = malloc(len + 1)) != NULL) {
		memcpy(body, s, len);
		body[len] = '\n';
		http_send_raw(r, status, headers, body, len + 1);
		free(body);
	} else
		http_send_raw(r, 500, NULL, "{}", 2);
	json_object_put(o);
}

void
http_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* A cut sentence ends between characters. */
	if (n >= (int)sizeof(detail))
		detail[utf8_truncate(detail, sizeof(detail) - 1, sizeof(detail) - 1)] = '\0';
	http_error_hdr(r, status, code,
	    status == 401 ? "WWW-Authenticate: Bearer\r\n" : NULL, NULL, detail);
}

void
http_error_field(struct req *r, const char *field, const char *detail)
{
	http_error_hdr(r, 422, "invalid_field", NULL, field, detail);
}

void
http_error_method(struct req *r, const char *allow)
{
	char hdr[128], detail[400], method[24], path[256];

	snprintf(hdr, sizeof(hdr), "Allow: %s\r\n", allow);
	snprintf(detail, sizeof(detail), "Method %s is not allowed on %s; use %s.",
	    utf8_excerpt(method, sizeof(method), r->method, strlen(r->method)),
	    utf8_excerpt(path, sizeof(path), r->path, strlen(r->path)), allow);
	http_error_hdr(r, 405, "method_not_allowed", hdr, NULL, detail);
}

void
http_error_db(struct req *r, enum result rc, const struct errbuf *e)
{
	metrics_error(r->w->metrics, METRICS_ERR_DATABASE);
	if (rc == ERR_DB && db_is_transient(&r->w->db)) {
		log_warnx("%s %s: %s (answered 503)", r->method, r->path, err_msg(e));
		http_error(r, 503, "database_busy",
		    "The database is busy right now. Retry in a few seconds.");
		return;
	}
	if (rc == ERR_DB && db_is_down(&r->w->db)) {
		log_warnx("%s %s: %s", r->method, r->path, err_msg(e));
		http_error(r, 503, "database_unavailable",
		    "The database is not reachable right now. Retry in a few seconds.");
		return;
	}
	log_errx("%s %s: %s", r->method, r->path, err_msg(e));
	http_error(r, 500, "internal", "Internal error (request %s). It has been logged.",
	    r->request_id);
}

bool
http_authenticate(struct req *r)
{
	const struct config *cfg = r->w->cfg;
	const struct jwt_rules rules = { cfg->jwt_secret, cfg->jwt_issuer, cfg->jwt_audience,
		cfg->jwt_max_ttl_s };
	const char *h = http_param(r, "HTTP_AUTHORIZATION");
	struct errbuf e;

	err_clear(&e);
	if (h == NULL || *h == '\0') {
		http_error(r, 401, "missing_token",
		    "Sign in first: send your access token as \"Authorization: Bearer <token>\".");
		return false;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		http_error(r, 401, "invalid_token",
		    "The Authorization header must be \"Bearer <token>\".");
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (jwt_verify_cached(&r->w->jwt_cache, h, &rules, time(NULL), r->user, &e) != OK) {
		http_error(r, 401, "invalid_token", "The access token was refused (%s). Sign in again.",
		    err_msg(&e));
		return false;
	}
	return true;
}

static bool
http_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* The body's declared length when the headers allow reading it; -1 (answered) when not. */
static long long
http_body_length(struct req *r)
{
	const char *ct = http_param(r, "CONTENT_TYPE");
	const char *cl = http_param(r, "CONTENT_LENGTH");
	long long len = 0;
	char *end;

	if (!http_json_type(ct)) {
		http_error(r, 415, "unsupported_media_type",
		    "Send the request body as JSON with \"Content-Type: application/json\".");
		return -1;
	}
	if (cl != NULL && *cl != '\0') {
		len = strtoll(cl, &end, 10);
		if (*end != '\0' || len < 0) {
			http_error(r, 400, "bad_request", "The Content-Length header is not a number.");
			return -1;
		}
	}
	if (len > HTTP_MAX_BODY) {
		http_error(r, 413, "body_too_large",
		    "The request body is too large: API requests are JSON documents of at most %d KiB.",
		    HTTP_MAX_BODY / 1024);
		return -1;
	}
	if (len == 0) {
		http_error(r, 400, "malformed_json", "The request body is empty; send a JSON object.");
		return -1;
	}
	return len;
}

json_object *
http_read_json(struct req *r)
{
	long long len;
	char *buf = NULL;
	size_t got;
	json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t off;

	if ((len = http_body_length(r)) < 0)
		return NULL;
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		http_error(r, 503, "overloaded", "The server is out of memory; retry shortly.");
		return NULL;
	}
	/* CONTENT_LENGTH bytes of what was sent (more is ignored, as it always was) */
	got = r->body_len < (size_t)len ? r->body_len : (size_t)len;
	if (got != (size_t)len) {
		http_error(r, 400, "bad_request", "The request body ended early (%zu of %lld bytes).",
		    got, len);
		goto out;
	}
	memcpy(buf, r->body, got);
	buf[len] = '\0';
	if ((tok = json_tokener_new_ex(32)) == NULL) {
		http_error(r, 503, "overloaded", "The server is out of memory; retry shortly.");
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
		http_error(r, 400, "malformed_json", "The body is not valid JSON (%s at byte %zu).",
		    jerr == json_tokener_continue ? "unexpected end of input" :
		    json_tokener_error_desc(jerr), off);
		goto out;
	}
	/* buf[off] != '\0': strchr() would find the terminator, passing NULs as blanks. */
	while (off < (size_t)len && buf[off] != '\0' && strchr(" \t\r\n", buf[off]) != NULL)
		off++;
	if (off != (size_t)len) {
		json_object_put(obj);
		obj = NULL;
		http_error(r, 400, "malformed_json",
		    "The body is not valid JSON (extra data after the object at byte %zu).", off);
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
		http_error(r, 422, "invalid_body", "The body must be a JSON object.");
		goto out;
	}
out:
	if (tok != NULL)
		json_tokener_free(tok);
	free(buf);
	return obj;
}

void
http_redirect(struct req *r, const char *location, json_object *obj)
{
	size_t n = strlen(location) + 16, len;
	char *hdr, *body;
	const char *s;

	/* Only our own URLs go here; a line break would split the header. */
	if (strpbrk(location, "\r\n") != NULL || (hdr = malloc(n)) == NULL) {
		http_error(r, 500, "internal", "Internal error (request %s).", r->request_id);
		return;
	}
	snprintf(hdr, n, "Location: %s\r\n", location);
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL || (body = malloc(len + 1)) == NULL) {
		free(hdr);
		http_error(r, 500, "internal", "Internal error (request %s).", r->request_id);
		return;
	}
	memcpy(body, s, len);
	body[len] = '\n';
	http_send_raw(r, 302, hdr, body, len + 1);
	free(body);
	free(hdr);
}
