/*
 * s3.c: S3-compatible storage over libcurl, every request signed by
 * lib/sigv4 (never CURLOPT_AWS_SIGV4: libcurl 7.88's signer leaves out
 * x-amz-content-sha256 and does not canonicalize the query).
 *
 * What is signed is what is sent: the URL is built from the encoded path
 * and query the signer returns, and the Host header is set explicitly to
 * the value signed. Only http and https, no redirects, no signals.
 */
#include "s3.h"
#include "clock.h"
#include "encode.h"
#include "log.h"
#include "sigv4.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S3_ERRBODY_MAX 4096      /* what we keep of an error response */
#define S3_ATTEMPTS 3            /* tries for idempotent writes */
#define S3_BACKOFF_MS 250        /* first retry delay; x4 each time */
#define S3_LOW_SPEED_BYTES 1024L /* below this many bytes/s for timeout_s: stalled */
#define S3_MAX_PARALLEL 16

/* Where a request goes: the signed Host, scheme://host, and the raw path. */
struct s3_target {
	char *host;   /* "127.0.0.1:9000", "bucket.s3.eu-west-1.amazonaws.com" */
	char *origin; /* "http://127.0.0.1:9000" */
	char *path;   /* raw, unencoded: "/bucket/tracks/x/original.mp3" */
};

/* One request and its response; lives across retries. */
struct s3_xfer {
	const char *method; /* "HEAD", "GET", "PUT", "DELETE" */
	const char *key;
	const char *verb;   /* for messages: "reading", "writing", ... */
	const char *content_type, *cache_control; /* PUT only; may be NULL */
	char payload_hash[65];
	CURL *h;
	/* upload source: a buffer, or a file we opened */
	const unsigned char *buf;
	size_t len, off;
	const char *in_path;
	int in_fd;
	long long in_size;
	int read_errno;
	/* download sink */
	int out_fd;
	long long max_bytes, got;
	bool too_large;
	int write_errno;
	/* response */
	char errbody[S3_ERRBODY_MAX + 1];
	size_t errlen;
	/* per attempt */
	char *url;
	struct curl_slist *headers;
	char curl_err[CURL_ERROR_SIZE];
};

STATIC enum result s3_target_make(const struct config *cfg, const char *key,
    struct s3_target *t, struct errbuf *e);
STATIC void s3_target_free(struct s3_target *t);
STATIC enum result s3_status_result(const struct config *cfg, const char *method,
    const char *key, long status, const char *body, bool *transient,
    struct errbuf *e);
static void s3_error_code(const char *body, char *out, size_t outlen);
static const char *verb_for(const char *method);
static void xfer_init(struct s3_xfer *x, const char *method, const char *key,
    const char *verb);
static void xfer_release(struct s3_xfer *x);
static enum result xfer_setup(const struct config *cfg, struct s3_xfer *x,
    struct errbuf *e);
static enum result xfer_result(const struct config *cfg, struct s3_xfer *x,
    CURLcode cc, bool *transient, struct errbuf *e);
static enum result xfer_rewind(struct s3_xfer *x);
static size_t xfer_write(char *p, size_t size, size_t n, void *ud);
static size_t xfer_read(char *p, size_t size, size_t n, void *ud);
static int xfer_seek(void *ud, curl_off_t off, int origin);
static enum result perform(struct s3 *s3, struct s3_xfer *x, int attempts,
    struct errbuf *e);
static long backoff_ms(int attempt);
static void sleep_ms(long ms);
static bool header_value_ok(const char *v);
static enum result put_file_open(struct s3_xfer *x, struct errbuf *e);

static const char *
verb_for(const char *method)
{
	if (strcmp(method, "GET") == 0)
		return "reading";
	if (strcmp(method, "HEAD") == 0)
		return "checking";
	if (strcmp(method, "PUT") == 0)
		return "writing";
	return "deleting";
}

STATIC enum result
s3_target_make(const struct config *cfg, const char *key, struct s3_target *t,
    struct errbuf *e)
{
	const char *ep = cfg->storage_endpoint, *hp, *slash;
	size_t schemelen, hplen;
	const char *base;
	int n;

	memset(t, 0, sizeof(*t));
	if (strncmp(ep, "http://", 7) == 0)
		schemelen = 4;
	else if (strncmp(ep, "https://", 8) == 0)
		schemelen = 5;
	else {
		err_set(e, "STORAGE_ENDPOINT must start with http:// or https://");
		return ERR_INVALID;
	}
	hp = ep + schemelen + 3;
	slash = strchr(hp, '/');
	hplen = slash != NULL ? (size_t)(slash - hp) : strlen(hp);
	base = slash != NULL ? slash : "";
	if (hplen == 0 || memchr(hp, '@', hplen) != NULL || strpbrk(ep, "?# \t\r\n") != NULL) {
		/* Not echoed: it may hold a password. */
		err_set(e, "STORAGE_ENDPOINT must be scheme://host[:port], without "
		    "user, password, query or fragment");
		return ERR_INVALID;
	}
	if (cfg->storage_bucket == NULL || *cfg->storage_bucket == '\0' ||
	    strpbrk(cfg->storage_bucket, "/?#% ") != NULL) {
		err_set(e, "STORAGE_BUCKET is missing or not a bucket name");
		return ERR_INVALID;
	}
	if (key == NULL)
		key = "";
	if (cfg->storage_path_style) {
		n = asprintf(&t->host, "%.*s", (int)hplen, hp);
		if (n >= 0)
			n = asprintf(&t->path, "%s/%s%s%s", base, cfg->storage_bucket,
			    *key != '\0' ? "/" : "", key);
	} else {
		n = asprintf(&t->host, "%s.%.*s", cfg->storage_bucket, (int)hplen, hp);
		if (n >= 0)
			n = asprintf(&t->path, "%s/%s", base, key);
	}
	if (n >= 0)
		n = asprintf(&t->origin, "%.*s://%s", (int)schemelen, ep, t->host);
	if (n < 0 || t->host == NULL || t->path == NULL || t->origin == NULL) {
		s3_target_free(t);
		err_set(e, "storage: out of memory");
		return ERR_NOMEM;
	}
	return OK;
}

STATIC void
s3_target_free(struct s3_target *t)
{
	free(t->host);
	free(t->origin);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

/* The <Code> of an S3 XML error body, letters and digits only, or "". */
static void
s3_error_code(const char *body, char *out, size_t outlen)
{
	const char *p = strstr(body, "<Code>"), *end;
	size_t i, o = 0;

	out[0] = '\0';
	if (p == NULL || (end = strstr(p + 6, "</Code>")) == NULL)
		return;
	for (i = 6; p + i < end && o + 1 < outlen; i++)
		if (isalnum((unsigned char)p[i]))
			out[o++] = p[i];
	out[o] = '\0';
}

/*
 * Map an HTTP answer to a result. 2xx OK; 404 ERR_NOT_FOUND; 401/403, 3xx
 * and 400s about credentials ERR_AUTH (configuration); 408, 429 and 5xx
 * ERR_STORAGE and transient; anything else ERR_STORAGE, not retried.
 */
STATIC enum result
s3_status_result(const struct config *cfg, const char *method, const char *key,
    long status, const char *body, bool *transient, struct errbuf *e)
{
	char code[64], paren[80];

	*transient = false;
	if (status >= 200 && status < 300)
		return OK;
	s3_error_code(body != NULL ? body : "", code, sizeof(code));
	snprintf(paren, sizeof(paren), "%ld%s%s", status, code[0] ? " " : "", code);
	if (status == 404) {
		if (strcmp(code, "NoSuchBucket") == 0)
			err_set(e, "storage at %s has no bucket %s (%s) while %s %s",
			    cfg->storage_endpoint, cfg->storage_bucket, paren,
			    verb_for(method), key);
		else
			err_set(e, "storage has no object %s (%s)", key, paren);
		return ERR_NOT_FOUND;
	}
	if (status == 401 || status == 403 ||
	    (status == 400 && (strstr(code, "Authorization") != NULL ||
	    strstr(code, "AccessKey") != NULL || strstr(code, "Signature") != NULL ||
	    strstr(code, "Credential") != NULL || strstr(code, "Token") != NULL))) {
		err_set(e, "storage refused %s %s (%s): check STORAGE_ACCESS_KEY, "
		    "STORAGE_SECRET_KEY and STORAGE_REGION", method, key, paren);
		return ERR_AUTH;
	}
	if (status >= 300 && status < 400) {
		err_set(e, "storage redirected %s %s (%s): check STORAGE_ENDPOINT, "
		    "STORAGE_REGION and STORAGE_PATH_STYLE for bucket %s", method, key,
		    paren, cfg->storage_bucket);
		return ERR_AUTH;
	}
	*transient = status == 408 || status == 429 || status >= 500;
	err_set(e, "storage answered %s to %s %s", paren, method, key);
	return ERR_STORAGE;
}

static void
xfer_init(struct s3_xfer *x, const char *method, const char *key, const char *verb)
{
	memset(x, 0, sizeof(*x));
	x->method = method;
	x->key = key;
	x->verb = verb;
	x->in_fd = -1;
	x->out_fd = -1;
	memcpy(x->payload_hash, SIGV4_EMPTY_SHA256, sizeof(x->payload_hash));
}

static void
xfer_release(struct s3_xfer *x)
{
	free(x->url);
	x->url = NULL;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
}

static bool
header_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return false;
	return true;
}

/* Sign x now and configure its easy handle for one attempt. */
static enum result
xfer_setup(const struct config *cfg, struct s3_xfer *x, struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	struct sigv4_pair hv[2];
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct s3_target t;
	size_t nh = 0;
	char *line = NULL;
	long timeout = (long)cfg->storage_timeout_s;
	bool upload = strcmp(x->method, "PUT") == 0;
	enum result rc;
	CURL *h = x->h;

	xfer_release(x);
	x->errlen = 0;
	x->errbody[0] = '\0';
	x->curl_err[0] = '\0';
	if ((rc = s3_target_make(cfg, x->key, &t, e)) != OK)
		return rc;
	if (upload && x->content_type != NULL)
		hv[nh++] = (struct sigv4_pair){ "Content-Type", x->content_type };
	if (upload && x->cache_control != NULL)
		hv[nh++] = (struct sigv4_pair){ "Cache-Control", x->cache_control };
	req = (struct sigv4_request){ x->method, t.host, t.path, NULL, 0, hv, nh,
		x->payload_hash };
	if ((rc = sigv4_sign_headers(&creds, &req, time(NULL), &sig, e)) != OK) {
		s3_target_free(&t);
		return rc;
	}
	rc = ERR_NOMEM;
	if (asprintf(&x->url, "%s%s%s%s", t.origin, sig.path, sig.query[0] ? "?" : "",
	    sig.query) < 0) {
		x->url = NULL;
		goto out;
	}
#define ADD_HEADER(fmt, val)                                                   \
	do {                                                                   \
		struct curl_slist *l;                                          \
		if (asprintf(&line, fmt, val) < 0) {                           \
			line = NULL;                                           \
			goto out;                                              \
		}                                                              \
		if ((l = curl_slist_append(x->headers, line)) == NULL)         \
			goto out;                                              \
		x->headers = l;                                                \
		free(line);                                                    \
		line = NULL;                                                   \
	} while (0)
	ADD_HEADER("Host: %s", t.host);
	ADD_HEADER("x-amz-date: %s", sig.amz_date);
	ADD_HEADER("x-amz-content-sha256: %s", sig.payload_hash);
	ADD_HEADER("Authorization: %s", sig.authorization);
	if (upload && x->content_type != NULL)
		ADD_HEADER("Content-Type: %s", x->content_type);
	if (upload && x->cache_control != NULL)
		ADD_HEADER("Cache-Control: %s", x->cache_control);
#undef ADD_HEADER

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, x->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mustory/1");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (strcmp(x->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	} else if (strcmp(x->method, "DELETE") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
		curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	} else {
		/* Big transfers: give up when stalled, not after a fixed time. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, S3_LOW_SPEED_BYTES);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeout);
		if (upload) {
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, xfer_read);
			curl_easy_setopt(h, CURLOPT_READDATA, x);
			curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, xfer_seek);
			curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)
			    (x->buf != NULL || x->in_fd < 0 ? (long long)x->len : x->in_size));
		} else {
			curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
			if (x->max_bytes > 0)
				curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_bytes);
		}
	}
	rc = OK;
out:
	free(line);
	if (rc != OK) {
		err_set(e, "storage: out of memory preparing %s %s", x->method, x->key);
		xfer_release(x);
	}
	sigv4_signed_free(&sig);
	s3_target_free(&t);
	return rc;
}

static size_t
xfer_write(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n, done = 0, keep;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->out_fd >= 0 && status >= 200 && status < 300) {
		if (x->max_bytes > 0 && x->got + (long long)len > x->max_bytes) {
			x->too_large = true;
			return 0;
		}
		while (done < len) {
			ssize_t w = write(x->out_fd, p + done, len - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				x->write_errno = errno;
				return 0;
			}
			done += (size_t)w;
		}
		x->got += (long long)len;
		return len;
	}
	/* Anything else is an answer to read for its error code; capped. */
	keep = S3_ERRBODY_MAX - x->errlen;
	if (keep > len)
		keep = len;
	memcpy(x->errbody + x->errlen, p, keep);
	x->errlen += keep;
	x->errbody[x->errlen] = '\0';
	return len;
}

static size_t
xfer_read(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t want = size * n;

	if (x->buf != NULL || x->in_fd < 0) {
		size_t left = x->len - x->off;

		if (want > left)
			want = left;
		if (want > 0)
			memcpy(p, x->buf + x->off, want);
		x->off += want;
		return want;
	}
	for (;;) {
		ssize_t r = read(x->in_fd, p, want);

		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR) {
			x->read_errno = errno;
			return CURL_READFUNC_ABORT;
		}
	}
}

static int
xfer_seek(void *ud, curl_off_t off, int origin)
{
	struct s3_xfer *x = ud;

	if (origin != SEEK_SET || off < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (x->buf != NULL || x->in_fd < 0) {
		if ((size_t)off > x->len)
			return CURL_SEEKFUNC_FAIL;
		x->off = (size_t)off;
		return CURL_SEEKFUNC_OK;
	}
	return lseek(x->in_fd, (off_t)off, SEEK_SET) < 0 ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

/* Back to the start of the upload before another attempt. */
static enum result
xfer_rewind(struct s3_xfer *x)
{
	x->off = 0;
	x->read_errno = 0;
	if (x->in_fd >= 0 && lseek(x->in_fd, 0, SEEK_SET) < 0)
		return ERR_IO;
	return OK;
}

static enum result
xfer_result(const struct config *cfg, struct s3_xfer *x, CURLcode cc,
    bool *transient, struct errbuf *e)
{
	const char *ep = cfg->storage_endpoint;
	const char *why = x->curl_err[0] != '\0' ? x->curl_err : curl_easy_strerror(cc);
	long status = 0, oserr = 0;

	*transient = false;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_FILESIZE_EXCEEDED && (status < 200 || status >= 300))
		/* An error answer longer than the cap: its status is what counts. */
		return s3_status_result(cfg, x->method, x->key, status, "", transient, e);
	if (x->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		err_set(e, "%s is bigger than the %lld-byte limit", x->key, x->max_bytes);
		return ERR_TOO_LARGE;
	}
	if (x->write_errno != 0) {
		err_set(e, "cannot write %s to the local file: %s", x->key, strerror(x->write_errno));
		return ERR_IO;
	}
	if (x->read_errno != 0) {
		err_set(e, "cannot read %s to upload it as %s: %s",
		    x->in_path != NULL ? x->in_path : "the buffer", x->key,
		    strerror(x->read_errno));
		return ERR_IO;
	}
	switch (cc) {
	case CURLE_OK:
		return s3_status_result(cfg, x->method, x->key, status, x->errbody, transient, e);
	case CURLE_COULDNT_CONNECT:
		*transient = true;
		curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == ECONNREFUSED)
			err_set(e, "storage at %s refused the connection while %s %s", ep, x->verb, x->key);
		else
			err_set(e, "storage at %s could not be reached while %s %s (%s)", ep,
			    x->verb, x->key, why);
		return ERR_STORAGE;
	case CURLE_COULDNT_RESOLVE_HOST:
		*transient = true;
		err_set(e, "storage host in %s could not be resolved while %s %s", ep, x->verb, x->key);
		return ERR_STORAGE;
	case CURLE_OPERATION_TIMEDOUT:
		*transient = true;
		err_set(e, "storage at %s timed out while %s %s (%s)", ep, x->verb, x->key, why);
		return ERR_STORAGE;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		*transient = true;
		err_set(e, "storage at %s dropped the connection while %s %s (%s)", ep,
		    x->verb, x->key, why);
		return ERR_STORAGE;
	case CURLE_OUT_OF_MEMORY:
		err_set(e, "out of memory while %s %s", x->verb, x->key);
		return ERR_NOMEM;
	default:
		err_set(e, "storage request %s %s to %s failed: %s", x->method, x->key, ep, why);
		return ERR_STORAGE;
	}
}

static long
backoff_ms(int attempt)
{
	long ms = S3_BACKOFF_MS;
	int i;

	for (i = 1; i < attempt; i++)
		ms *= 4;
	return ms + (long)(clock_now_ms() % (ms / 4 + 1)); /* a little jitter */
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* One request on s3->curl (keep-alive), retried when transient. */
static enum result
perform(struct s3 *s3, struct s3_xfer *x, int attempts, struct errbuf *e)
{
	struct errbuf attempt_e;
	enum result rc;
	bool transient;
	int attempt;
	long wait;

	x->h = s3->curl;
	for (attempt = 1;; attempt++) {
		err_clear(&attempt_e);
		if ((rc = xfer_rewind(x)) != OK) {
			err_set(e, "cannot rewind %s to retry %s: %s", x->in_path, x->key, strerror(errno));
			return rc;
		}
		if ((rc = xfer_setup(s3->cfg, x, e)) != OK)
			return rc;
		rc = xfer_result(s3->cfg, x, curl_easy_perform(x->h), &transient, &attempt_e);
		xfer_release(x);
		if (rc == OK) {
			log_debug("storage %s %s: ok", x->method, x->key);
			return OK;
		}
		if (!transient || attempt >= attempts) {
			err_set(e, "%s", err_msg(&attempt_e));
			return rc;
		}
		wait = backoff_ms(attempt);
		log_warnx("%s; retrying in %ld ms", err_msg(&attempt_e), wait);
		sleep_ms(wait);
	}
}

enum result
s3_init(struct s3 *s3, const struct config *cfg, struct errbuf *e)
{
	struct s3_target t;
	enum result rc;

	memset(s3, 0, sizeof(*s3));
	if ((rc = s3_target_make(cfg, "", &t, e)) != OK)
		return rc;
	s3_target_free(&t);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, "cannot initialize libcurl");
		return ERR_NOMEM;
	}
	if ((s3->curl = curl_easy_init()) == NULL) {
		curl_global_cleanup();
		err_set(e, "cannot initialize libcurl");
		return ERR_NOMEM;
	}
	s3->cfg = cfg;
	return OK;
}

void
s3_cleanup(struct s3 *s3)
{
	if (s3->curl != NULL) {
		curl_easy_cleanup(s3->curl);
		curl_global_cleanup();
	}
	memset(s3, 0, sizeof(*s3));
}

enum result
s3_head(struct s3 *s3, const char *key, long long *size, struct errbuf *e)
{
	struct s3_xfer x;
	curl_off_t cl = -1;
	enum result rc;

	if (size != NULL)
		*size = -1;
	xfer_init(&x, "HEAD", key, "checking");
	if ((rc = perform(s3, &x, 1, e)) != OK)
		return rc;
	curl_easy_getinfo(s3->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (size != NULL)
		*size = (long long)cl;
	return OK;
}

enum result
s3_get_to_fd(struct s3 *s3, const char *key, int fd, long long max_bytes,
    long long *got, struct errbuf *e)
{
	struct s3_xfer x;
	enum result rc;

	xfer_init(&x, "GET", key, "reading");
	x.out_fd = fd;
	x.max_bytes = max_bytes;
	rc = perform(s3, &x, 1, e);
	if (got != NULL)
		*got = x.got;
	return rc;
}

enum result
s3_put_buffer(struct s3 *s3, const char *key, const void *buf, size_t len,
    const char *content_type, const char *cache_control, struct errbuf *e)
{
	struct s3_xfer x;

	if ((content_type != NULL && !header_value_ok(content_type)) ||
	    (cache_control != NULL && !header_value_ok(cache_control))) {
		err_set(e, "cannot write %s: a header value has control characters", key);
		return ERR_INVALID;
	}
	xfer_init(&x, "PUT", key, "writing");
	x.buf = buf != NULL ? buf : (const unsigned char *)"";
	x.len = len;
	x.content_type = content_type;
	x.cache_control = cache_control;
	enc_sha256_hex(x.buf, len, x.payload_hash);
	return perform(s3, &x, S3_ATTEMPTS, e);
}

enum result
s3_delete(struct s3 *s3, const char *key, struct errbuf *e)
{
	struct s3_xfer x;

	xfer_init(&x, "DELETE", key, "deleting");
	return perform(s3, &x, S3_ATTEMPTS, e);
}

/* Open x->in_path and hash it: the payload hash S3 checks the body against. */
static enum result
put_file_open(struct s3_xfer *x, struct errbuf *e)
{
	enum result rc;

	if ((x->in_fd = open(x->in_path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(e, "cannot open %s to upload it as %s: %s", x->in_path, x->key,
		    strerror(errno));
		return ERR_IO;
	}
	if ((rc = enc_sha256_fd_hex(x->in_fd, x->payload_hash, &x->in_size)) != OK) {
		err_set(e, "cannot read %s to upload it as %s: %s", x->in_path, x->key,
		    rc == ERR_IO ? strerror(errno) : "out of memory");
		return rc;
	}
	return OK;
}

enum result
s3_put_files(struct s3 *s3, const struct s3_put *puts, size_t n, int parallel,
    struct errbuf *e)
{
	enum { WAITING, RUNNING, DONE } *st = NULL;
	struct s3_xfer *xs = NULL;
	long long *retry_at = NULL;
	int *tries = NULL;
	CURLM *m = NULL;
	size_t i, done = 0, running = 0;
	enum result rc = OK;

	if (n == 0)
		return OK;
	for (i = 0; i < n; i++)
		if (puts[i].key == NULL || puts[i].path == NULL ||
		    (puts[i].content_type != NULL && !header_value_ok(puts[i].content_type)) ||
		    (puts[i].cache_control != NULL && !header_value_ok(puts[i].cache_control))) {
			err_set(e, "cannot upload file %zu of %zu: no key or path, or a "
			    "header value with control characters", i + 1, n);
			return ERR_INVALID;
		}
	if (parallel < 1)
		parallel = 1;
	if (parallel > S3_MAX_PARALLEL)
		parallel = S3_MAX_PARALLEL;
	if ((size_t)parallel > n)
		parallel = (int)n;
	if ((xs = calloc(n, sizeof(*xs))) == NULL) {
		err_set(e, "storage: out of memory uploading %zu files", n);
		return ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		xfer_init(&xs[i], "PUT", puts[i].key, "writing");
		xs[i].in_path = puts[i].path;
		xs[i].content_type = puts[i].content_type;
		xs[i].cache_control = puts[i].cache_control;
	}
	if ((st = calloc(n, sizeof(*st))) == NULL ||
	    (retry_at = calloc(n, sizeof(*retry_at))) == NULL ||
	    (tries = calloc(n, sizeof(*tries))) == NULL || (m = curl_multi_init()) == NULL) {
		err_set(e, "storage: out of memory uploading %zu files", n);
		rc = ERR_NOMEM;
		goto out;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);

	while (done < n) {
		long long now = clock_now_ms(), next = -1;
		struct CURLMsg *msg;
		int still, left;
		long wait;

		/* Fill free slots with files whose (re)try time has come. */
		for (i = 0; i < n && running < (size_t)parallel; i++) {
			if (st[i] != WAITING)
				continue;
			if (retry_at[i] > now) {
				if (next < 0 || retry_at[i] < next)
					next = retry_at[i];
				continue;
			}
			if (xs[i].h == NULL) {
				if ((rc = put_file_open(&xs[i], e)) != OK)
					goto out;
				if ((xs[i].h = curl_easy_init()) == NULL) {
					err_set(e, "storage: out of memory uploading %s", xs[i].key);
					rc = ERR_NOMEM;
					goto out;
				}
			}
			if (xfer_rewind(&xs[i]) != OK) {
				err_set(e, "cannot rewind %s to upload it as %s: %s",
				    xs[i].in_path, xs[i].key, strerror(errno));
				rc = ERR_IO;
				goto out;
			}
			if ((rc = xfer_setup(s3->cfg, &xs[i], e)) != OK)
				goto out;
			if (curl_multi_add_handle(m, xs[i].h) != CURLM_OK) {
				err_set(e, "storage: cannot start uploading %s", xs[i].key);
				rc = ERR_NOMEM;
				goto out;
			}
			tries[i]++;
			st[i] = RUNNING;
			running++;
		}

		if (curl_multi_perform(m, &still) != CURLM_OK) {
			err_set(e, "storage: the transfer engine failed uploading %zu files", n);
			rc = ERR_STORAGE;
			goto out;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct s3_xfer *x = NULL;
			struct errbuf xe;
			bool transient;
			enum result xr;
			size_t k;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			k = (size_t)(x - xs);
			err_clear(&xe);
			xr = xfer_result(s3->cfg, x, msg->data.result, &transient, &xe);
			curl_multi_remove_handle(m, x->h);
			xfer_release(x);
			running--;
			if (xr == OK) {
				log_debug("storage PUT %s: ok", x->key);
				close(x->in_fd);
				x->in_fd = -1;
				st[k] = DONE;
				done++;
			} else if (transient && tries[k] < S3_ATTEMPTS) {
				long ms = backoff_ms(tries[k]);

				log_warnx("%s; retrying in %ld ms", err_msg(&xe), ms);
				retry_at[k] = clock_now_ms() + ms;
				st[k] = WAITING;
			} else {
				/* All or error: stop at the first failure that remains. */
				err_set(e, "%s", err_msg(&xe));
				rc = xr;
				goto out;
			}
		}
		if (done == n)
			break;
		/* Sleep until curl has work, or the next retry is due. */
		wait = 1000;
		if (next >= 0 && running < (size_t)parallel) {
			long long d = next - clock_now_ms();

			wait = d < 0 ? 0 : d < wait ? (long)d : wait;
		}
		if (still > 0 || wait > 0)
			curl_multi_poll(m, NULL, 0, (int)wait, NULL);
	}
out:
	for (i = 0; i < n; i++) {
		if (xs[i].h != NULL) {
			if (st[i] == RUNNING)
				curl_multi_remove_handle(m, xs[i].h);
			curl_easy_cleanup(xs[i].h);
		}
		xfer_release(&xs[i]);
		if (xs[i].in_fd >= 0)
			close(xs[i].in_fd);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	free(xs);
	free(st);
	free(retry_at);
	free(tries);
	return rc;
}

enum result
s3_presign_post(const struct config *cfg, const char *key,
    const char *content_type, long long min_bytes, long long max_bytes,
    long long expires_s, time_t now, struct s3_post *out, struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	json_object *policy = NULL, *conds = NULL, *c, *range;
	char expiration[32], amz_date[17], signature[65];
	char *credential = NULL, *policy_b64 = NULL;
	const char *policy_json;
	struct s3_target t = { 0 };
	time_t exp_t;
	struct tm tm;
	enum result rc = ERR_NOMEM;

	memset(out, 0, sizeof(*out));
	if (key == NULL || *key == '\0' || content_type == NULL || *content_type == '\0' ||
	    !header_value_ok(content_type) || !header_value_ok(key)) {
		err_set(e, "cannot presign an upload without a key and a content type");
		return ERR_INVALID;
	}
	if (min_bytes < 0 || max_bytes < min_bytes) {
		err_set(e, "cannot presign %s: size range %lld to %lld is empty", key,
		    min_bytes, max_bytes);
		return ERR_INVALID;
	}
	if (expires_s < 1 || expires_s > SIGV4_MAX_EXPIRES) {
		err_set(e, "cannot presign %s: expiry must be 1 to %d seconds", key,
		    SIGV4_MAX_EXPIRES);
		return ERR_INVALID;
	}
	/* The form action: endpoint/bucket, or the bucket's own host. */
	if ((rc = s3_target_make(cfg, NULL, &t, e)) != OK)
		return rc;
	rc = ERR_NOMEM;
	if (cfg->storage_path_style) {
		if (asprintf(&out->url, "%s/%s", cfg->storage_endpoint, cfg->storage_bucket) < 0)
			out->url = NULL;
	} else {
		/* t.path is base + "/": drop the slash for the bare origin. */
		if (asprintf(&out->url, "%s%.*s", t.origin, (int)strlen(t.path) - 1, t.path) < 0)
			out->url = NULL;
	}
	if (out->url == NULL)
		goto out;

	exp_t = now + (time_t)expires_s;
	if (gmtime_r(&exp_t, &tm) == NULL ||
	    strftime(expiration, sizeof(expiration), "%Y-%m-%dT%H:%M:%S.000Z", &tm) == 0) {
		err_set(e, "cannot presign %s: bad expiry time", key);
		rc = ERR_INVALID;
		goto out;
	}
	sigv4_amz_date(now, amz_date);
	if ((credential = sigv4_credential(&creds, now)) == NULL)
		goto out;

	/* Every field the client sends, but policy and signature, is a condition. */
	if ((policy = json_object_new_object()) == NULL || (conds = json_object_new_array()) == NULL)
		goto out;
	json_object_object_add(policy, "expiration", json_object_new_string(expiration));
	json_object_object_add(policy, "conditions", conds);
#define COND(name, value)                                                      \
	do {                                                                   \
		if ((c = json_object_new_object()) == NULL)                    \
			goto out;                                              \
		json_object_array_add(conds, c);                               \
		json_object_object_add(c, name, json_object_new_string(value)); \
	} while (0)
	COND("bucket", cfg->storage_bucket);
	COND("key", key);
	COND("Content-Type", content_type);
	if ((range = json_object_new_array()) == NULL)
		goto out;
	json_object_array_add(conds, range);
	json_object_array_add(range, json_object_new_string("content-length-range"));
	json_object_array_add(range, json_object_new_int64(min_bytes));
	json_object_array_add(range, json_object_new_int64(max_bytes));
	COND("x-amz-algorithm", SIGV4_ALGORITHM);
	COND("x-amz-credential", credential);
	COND("x-amz-date", amz_date);
#undef COND
	policy_json = json_object_to_json_string_ext(policy,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (policy_json == NULL ||
	    sigv4_sign_policy(&creds, policy_json, strlen(policy_json), now,
	    &policy_b64, signature) != OK)
		goto out;

	if ((out->fields = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(out->fields, "key", json_object_new_string(key));
	json_object_object_add(out->fields, "Content-Type", json_object_new_string(content_type));
	json_object_object_add(out->fields, "x-amz-algorithm", json_object_new_string(SIGV4_ALGORITHM));
	json_object_object_add(out->fields, "x-amz-credential", json_object_new_string(credential));
	json_object_object_add(out->fields, "x-amz-date", json_object_new_string(amz_date));
	json_object_object_add(out->fields, "policy", json_object_new_string(policy_b64));
	json_object_object_add(out->fields, "x-amz-signature", json_object_new_string(signature));
	if (json_object_object_length(out->fields) != 7)
		goto out;
	rc = OK;
out:
	if (rc == ERR_NOMEM)
		err_set(e, "cannot presign %s: out of memory", key);
	if (rc != OK)
		s3_post_free(out);
	json_object_put(policy);
	free(credential);
	free(policy_b64);
	s3_target_free(&t);
	return rc;
}

void
s3_post_free(struct s3_post *p)
{
	if (p == NULL)
		return;
	free(p->url);
	json_object_put(p->fields);
	memset(p, 0, sizeof(*p));
}
