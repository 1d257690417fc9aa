/*
 * upload_http.c: the HTTP calls of mustory-upload (see upload_http.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "upload_http.h"
#include "upload_text.h"
#include "utf8.h"

#define BODY_MAX (1024 * 1024) /* answers are small JSON or XML documents */
#define API_TIMEOUT_S 30L
#define CONNECT_TIMEOUT_S 10L
#define STALL_SECONDS 60L /* an upload sending nothing for this long fails */

volatile sig_atomic_t uhttp_stop;

struct progress {
	uhttp_progress_fn fn;
	void *arg;
};

/* The bytes of a PUT: [off, off + left) of fd. */
struct range {
	int fd;
	off_t off;
	curl_off_t left;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata);
static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata);
static int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow);
static void common_opts(struct uhttp *h, struct uresp *r, struct progress *p);
static enum result perform(struct uhttp *h, struct uresp *r);
static const char *keep(struct uresp *r, const char *s, size_t len);

enum result
uhttp_init(struct uhttp *h, const char *api, const char *token)
{
	size_t n = strlen(api);

	memset(h, 0, sizeof(*h));
	while (n > 0 && api[n - 1] == '/')
		n--;
	if ((h->api = strndup(api, n)) == NULL)
		return ERR_NOMEM;
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h->api);
		h->api = NULL;
		return ERR_NOMEM;
	}
	h->token = token;
	return OK;
}

void
uhttp_free(struct uhttp *h)
{
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->api);
	memset(h, 0, sizeof(*h));
}

void
uresp_free(struct uresp *r)
{
	free(r->body);
	if (r->json != NULL)
		json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

/* Appends to r->body, capped at BODY_MAX (past it the transfer fails). */
static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct uresp *r = userdata;
	size_t n = size * nmemb;
	char *nb;

	if (r->len + n > BODY_MAX)
		return 0;
	if ((nb = realloc(r->body, r->len + n + 1)) == NULL)
		return 0;
	memcpy(nb + r->len, ptr, n);
	r->body = nb;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t
on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct range *g = userdata;
	size_t want = size * nitems;
	ssize_t n;

	if ((curl_off_t)want > g->left)
		want = (size_t)g->left;
	if (want == 0)
		return 0;
	if ((n = pread(g->fd, buf, want, g->off)) <= 0)
		return CURL_READFUNC_ABORT; /* the file shrank or cannot be read */
	g->off += n;
	g->left -= n;
	return (size_t)n;
}

static int
on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct progress *p = clientp;

	(void)dltotal;
	(void)dlnow;
	if (uhttp_stop)
		return 1; /* CURLE_ABORTED_BY_CALLBACK */
	if (p != NULL && p->fn != NULL)
		p->fn(p->arg, ulnow, ultotal);
	return 0;
}

static void
common_opts(struct uhttp *h, struct uresp *r, struct progress *p)
{
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(h->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h->curl, CURLOPT_XFERINFODATA, p);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "mustory-upload/1");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
}

static enum result
perform(struct uhttp *h, struct uresp *r)
{
	r->error[0] = '\0';
	r->cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->body == NULL && (r->body = strdup("")) == NULL)
		return ERR_NOMEM;
	if (r->cc == CURLE_ABORTED_BY_CALLBACK || uhttp_stop)
		return ERR_ABORTED;
	if (r->cc != CURLE_OK) {
		if (r->error[0] == '\0')
			snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(r->cc));
		return ERR_IO;
	}
	r->json = json_tokener_parse(r->body);
	return OK;
}

enum result
uhttp_api(struct uhttp *h, const char *method, const char *path, struct json_object *body,
    struct uresp *r)
{
	struct curl_slist *hdrs = NULL, *t;
	char *url = NULL, *auth = NULL;
	const char *json = NULL;
	enum result rc = ERR_NOMEM;

	memset(r, 0, sizeof(*r));
	common_opts(h, r, NULL);
	if (asprintf(&url, "%s%s", h->api, path) < 0) {
		url = NULL;
		goto out;
	}
	if (asprintf(&auth, "Authorization: Bearer %s", h->token) < 0) {
		auth = NULL;
		goto out;
	}
	if ((t = curl_slist_append(hdrs, auth)) == NULL)
		goto out;
	hdrs = t;
	if ((t = curl_slist_append(hdrs, "Accept: application/json")) == NULL)
		goto out;
	hdrs = t;
	if (body != NULL) {
		json = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (json == NULL || (t = curl_slist_append(hdrs,
		    "Content-Type: application/json")) == NULL)
			goto out;
		hdrs = t;
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, json);
	}
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, API_TIMEOUT_S);
	rc = perform(h, r);
out:
	curl_slist_free_all(hdrs);
	free(url);
	free(auth);
	return rc;
}

enum result
uhttp_form(struct uhttp *h, const char *url, struct json_object *fields, const char *path,
    uhttp_progress_fn fn, void *arg, struct uresp *r)
{
	struct progress p = { fn, arg };
	curl_mime *mime;
	curl_mimepart *part;
	enum result rc = ERR_NOMEM;

	memset(r, 0, sizeof(*r));
	common_opts(h, r, &p);
	if ((mime = curl_mime_init(h->curl)) == NULL)
		return ERR_NOMEM;
	json_object_object_foreach(fields, k, v) {
		if ((part = curl_mime_addpart(mime)) == NULL ||
		    curl_mime_name(part, k) != CURLE_OK ||
		    curl_mime_data(part, json_object_get_string(v), CURL_ZERO_TERMINATED) != CURLE_OK)
			goto out;
	}
	/* The policy's conditions cover the fields before "file"; S3 ignores
	 * anything after it, so the file goes last. */
	if ((part = curl_mime_addpart(mime)) == NULL || curl_mime_name(part, "file") != CURLE_OK)
		goto out;
	if (curl_mime_filedata(part, path) != CURLE_OK) {
		rc = ERR_IO;
		goto out;
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	if (h->max_send > 0)
		curl_easy_setopt(h->curl, CURLOPT_MAX_SEND_SPEED_LARGE, h->max_send);
	rc = perform(h, r);
out:
	curl_mime_free(mime);
	return rc;
}

enum result
uhttp_put_range(struct uhttp *h, const char *url, int fd, off_t off, curl_off_t size,
    uhttp_progress_fn fn, void *arg, struct uresp *r)
{
	struct progress p = { fn, arg };
	struct range g = { fd, off, size };
	struct curl_slist *hdrs = NULL;
	enum result rc;

	memset(r, 0, sizeof(*r));
	common_opts(h, r, &p);
	/* No "Expect: 100-continue" round trip before each part. */
	if ((hdrs = curl_slist_append(NULL, "Expect:")) == NULL)
		return ERR_NOMEM;
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h->curl, CURLOPT_INFILESIZE_LARGE, size);
	curl_easy_setopt(h->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h->curl, CURLOPT_READDATA, &g);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	if (h->max_send > 0)
		curl_easy_setopt(h->curl, CURLOPT_MAX_SEND_SPEED_LARGE, h->max_send);
	rc = perform(h, r);
	curl_slist_free_all(hdrs);
	return rc;
}

/* r->detail = s[0..len) made printable (utext_clean), cut to fit; returns it. */
static const char *
keep(struct uresp *r, const char *s, size_t len)
{
	char *c = utext_clean(s, len, sizeof(r->detail));
	size_t n;

	if (c == NULL) {
		snprintf(r->detail, sizeof(r->detail), "HTTP status %ld with no sentence", r->status);
		return r->detail;
	}
	n = utf8_truncate(c, strlen(c), sizeof(r->detail) - 1);
	memcpy(r->detail, c, n);
	r->detail[n] = '\0';
	free(c);
	return r->detail;
}

const char *
uresp_detail(struct uresp *r)
{
	struct json_object *d;
	const char *a, *b;

	if (r->json != NULL && json_object_is_type(r->json, json_type_object) &&
	    json_object_object_get_ex(r->json, "detail", &d) &&
	    json_object_is_type(d, json_type_string))
		return keep(r, json_object_get_string(d), (size_t)json_object_get_string_len(d));
	/* Storage answers errors in S3's XML: its <Message> is the sentence. */
	if (r->body != NULL && (a = strstr(r->body, "<Message>")) != NULL &&
	    (b = strstr(a, "</Message>")) != NULL)
		return keep(r, a + strlen("<Message>"), (size_t)(b - a) - strlen("<Message>"));
	if (r->cc != CURLE_OK && r->error[0] != '\0')
		return keep(r, r->error, strlen(r->error));
	if (r->body != NULL && r->len > 0)
		return keep(r, r->body, r->len < 200 ? r->len : 200);
	snprintf(r->detail, sizeof(r->detail), "HTTP status %ld with no body", r->status);
	return r->detail;
}

const char *
uresp_code(const struct uresp *r)
{
	struct json_object *c;

	if (r->json != NULL && json_object_is_type(r->json, json_type_object) &&
	    json_object_object_get_ex(r->json, "code", &c) &&
	    json_object_is_type(c, json_type_string))
		return json_object_get_string(c);
	return "";
}
