/*
 * s3.c: the transfer client: S3-compatible storage over libcurl, every
 * request signed by lib/sigv4 (never CURLOPT_AWS_SIGV4: libcurl 7.88's
 * signer leaves out x-amz-content-sha256 and does not canonicalize the
 * query). One request (struct s3_xfer) is signed, sent and retried by
 * perform(); s3_put_files runs several on a curl multi handle.
 *
 * What is signed is what is sent: the target (host, path) comes from
 * storage_layout, the URL from the encoded path and query the signer
 * returns, and the Host header is set explicitly to the value signed.
 * Only http and https, no redirects, no signals. What an answer means is
 * s3_status.c.
 */
#include "s3.h"
#include "clock.h"
#include "encode.h"
#include "log.h"
#include "s3_post.h"
#include "s3_status.h"
#include "sigv4.h"
#include "storage_layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define S3_ERRBODY_MAX 4096      /* what we keep of an error response */
#define S3_ATTEMPTS 3            /* tries for idempotent writes */
#define S3_BACKOFF_MS 250        /* first retry delay; x4 each time */
#define S3_LOW_SPEED_BYTES 1024L /* below this many bytes/s for timeout_s: stalled */
#define S3_MAX_PARALLEL 16

/* One request and its response; lives across retries. */
struct s3_xfer {
	const char *method; /* "HEAD", "GET", "PUT", "DELETE" */
	const char *key;
	const char *verb;   /* for messages: "reading", "writing", ... */
	const char *content_type, *cache_control; /* PUT only; may be NULL */
	const char *if_match; /* GET only; may be NULL */
	const char *label;  /* names the request in messages; NULL: the key */
	const struct sigv4_pair *query; /* raw query parameters; may be NULL */
	size_t nquery;
	char payload_hash[65];
	CURL *h;
	/* upload source: a buffer, or a file we opened */
	const unsigned char *buf;
	size_t len, off;
	const char *in_path;
	int in_fd;
	long long in_size;
	int read_errno;
	/* download sink: a file, or memory (mem_max > 0) */
	char *mem;
	size_t mem_len, mem_max;
	int out_fd;
	long long max_bytes, got;
	bool too_large;
	int write_errno;
	/* response */
	char etag[S3_ETAG_MAX]; /* the ETag header as sent, "" when none */
	char errbody[S3_ERRBODY_MAX + 1];
	size_t errlen;
	long timeout_s;     /* 0: STORAGE_TIMEOUT_SECONDS */
	/* per attempt */
	char *url;
	struct curl_slist *headers;
	char curl_err[CURL_ERROR_SIZE];
};

static void xfer_init(struct s3_xfer *x, const char *method, const char *key);
static void xfer_release(struct s3_xfer *x);
static bool add_header(struct curl_slist **l, const char *name, const char *value);
static enum result xfer_sign(const struct config *cfg, struct s3_xfer *x,
    struct errbuf *e);
static void xfer_options(const struct config *cfg, struct s3_xfer *x);
static enum result xfer_setup(const struct config *cfg, struct s3_xfer *x,
    struct errbuf *e);
static enum result xfer_result(const struct config *cfg, struct s3_xfer *x,
    CURLcode cc, bool *transient, struct errbuf *e);
static enum result xfer_rewind(struct s3_xfer *x);
static size_t xfer_write_mem(struct s3_xfer *x, const char *p, size_t len);
static size_t xfer_write(char *p, size_t size, size_t n, void *ud);
static size_t xfer_header(char *p, size_t size, size_t n, void *ud);
static size_t xfer_read(char *p, size_t size, size_t n, void *ud);
static int xfer_seek(void *ud, curl_off_t off, int origin);
static enum result perform(struct s3 *s3, struct s3_xfer *x, int attempts,
    struct errbuf *e);
static long backoff_ms(int attempt);
static void sleep_ms(long ms);
static enum result put_file_open(struct s3_xfer *x, struct errbuf *e);
struct put_slot;
struct putset;
static enum result puts_check(const struct s3_put *puts, size_t n, struct errbuf *e);
static enum result putset_init(struct putset *ps, struct s3 *s3, const struct s3_put *puts,
    size_t n, int parallel, struct errbuf *e);
static void putset_free(struct putset *ps);
static enum result putset_start(struct putset *ps, struct put_slot *sl, struct errbuf *e);
static enum result putset_fill(struct putset *ps, long long *next, struct errbuf *e);
static enum result putset_reap(struct putset *ps, struct errbuf *e);

static void
xfer_init(struct s3_xfer *x, const char *method, const char *key)
{
	memset(x, 0, sizeof(*x));
	x->method = method;
	x->key = key;
	x->verb = s3_verb(method);
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

/* Append "name: value" to *l. false when out of memory (*l is kept). */
static bool
add_header(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist *n;
	char *line;

	if (asprintf(&line, "%s: %s", name, value) < 0)
		return false;
	n = curl_slist_append(*l, line);
	free(line);
	if (n == NULL)
		return false;
	*l = n;
	return true;
}

/*
 * Sign x now: x->url and x->headers get exactly what was signed (the
 * target's Host, the signer's encoded path and query, its date, payload
 * hash and Authorization, and the PUT's own headers).
 */
static enum result
xfer_sign(const struct config *cfg, struct s3_xfer *x, struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	struct sigv4_pair hv[2];
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct storage_target t;
	size_t nh = 0, i;
	enum result rc;

	if ((rc = storage_target_make(cfg, x->key, &t, e)) != OK)
		return rc;
	if (strcmp(x->method, "PUT") == 0 && x->content_type != NULL)
		hv[nh++] = (struct sigv4_pair){ "Content-Type", x->content_type };
	if (strcmp(x->method, "PUT") == 0 && x->cache_control != NULL)
		hv[nh++] = (struct sigv4_pair){ "Cache-Control", x->cache_control };
	if (strcmp(x->method, "GET") == 0 && x->if_match != NULL)
		hv[nh++] = (struct sigv4_pair){ "If-Match", x->if_match };
	req = (struct sigv4_request){ x->method, t.host, t.path, x->query, x->nquery, hv, nh,
		x->payload_hash };
	if ((rc = sigv4_sign_headers(&creds, &req, time(NULL), &sig, e)) != OK) {
		storage_target_free(&t);
		return rc;
	}
	rc = ERR_NOMEM;
	if ((x->url = storage_url_request(&t, sig.path, sig.query)) == NULL ||
	    !add_header(&x->headers, "Host", t.host) ||
	    !add_header(&x->headers, "x-amz-date", sig.amz_date) ||
	    !add_header(&x->headers, "x-amz-content-sha256", sig.payload_hash) ||
	    !add_header(&x->headers, "Authorization", sig.authorization))
		goto out;
	for (i = 0; i < nh; i++)
		if (!add_header(&x->headers, hv[i].name, hv[i].value))
			goto out;
	rc = OK;
out:
	if (rc != OK) {
		err_set(e, "storage: out of memory preparing %s %s", x->method, x->key);
		xfer_release(x);
	}
	sigv4_signed_free(&sig);
	storage_target_free(&t);
	return rc;
}

/* The easy handle's options for one attempt of x. */
static void
xfer_options(const struct config *cfg, struct s3_xfer *x)
{
	long timeout = x->timeout_s > 0 ? x->timeout_s : (long)cfg->storage_timeout_s;
	CURL *h = x->h;

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
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, xfer_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
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
		if (strcmp(x->method, "PUT") == 0) {
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
}

/* Sign x now and configure its easy handle for one attempt. */
static enum result
xfer_setup(const struct config *cfg, struct s3_xfer *x, struct errbuf *e)
{
	enum result rc;

	xfer_release(x);
	x->errlen = 0;
	x->errbody[0] = '\0';
	x->etag[0] = '\0';
	x->curl_err[0] = '\0';
	if ((rc = xfer_sign(cfg, x, e)) != OK)
		return rc;
	xfer_options(cfg, x);
	return OK;
}

/* A 2xx answer into x->mem, NUL-terminated, at most x->mem_max bytes. */
static size_t
xfer_write_mem(struct s3_xfer *x, const char *p, size_t len)
{
	size_t cap;
	char *m;

	if (len > x->mem_max - x->mem_len) {
		x->too_large = true;
		x->max_bytes = (long long)x->mem_max;
		return 0;
	}
	cap = x->mem_len + len + 1;
	if ((m = realloc(x->mem, cap)) == NULL) {
		x->write_errno = ENOMEM;
		return 0;
	}
	memcpy(m + x->mem_len, p, len);
	x->mem = m;
	x->mem_len += len;
	m[x->mem_len] = '\0';
	return len;
}

static size_t
xfer_write(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n, done = 0, keep;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->mem_max > 0 && status >= 200 && status < 300)
		return xfer_write_mem(x, p, len);
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

/* A response header: keep the ETag (one that is too long or has control
 * characters is not kept: it could not be sent back in an If-Match). */
static size_t
xfer_header(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n, i = 5, end = len;

	if (len < 5 || strncasecmp(p, "etag:", 5) != 0)
		return len;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (end > i && (p[end - 1] == '\r' || p[end - 1] == '\n' || p[end - 1] == ' ' ||
	    p[end - 1] == '\t'))
		end--;
	if (end - i >= sizeof(x->etag))
		return len;
	memcpy(x->etag, p + i, end - i);
	x->etag[end - i] = '\0';
	if (!s3_value_ok(x->etag))
		x->etag[0] = '\0';
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
	const char *k = x->label != NULL ? x->label : x->key;

	*transient = false;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_FILESIZE_EXCEEDED && (status < 200 || status >= 300))
		/* An error answer longer than the cap: its status is what counts. */
		return s3_status_result(cfg, x->method, k, status, "", transient, e);
	if (x->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		err_set(e, "%s is bigger than the %lld-byte limit", k, x->max_bytes);
		return ERR_TOO_LARGE;
	}
	if (x->write_errno != 0) {
		err_set(e, "cannot write %s to the local file: %s", k, strerror(x->write_errno));
		return ERR_IO;
	}
	if (x->read_errno != 0) {
		err_set(e, "cannot read %s to upload it as %s: %s",
		    x->in_path != NULL ? x->in_path : "the buffer", k,
		    strerror(x->read_errno));
		return ERR_IO;
	}
	switch (cc) {
	case CURLE_OK:
		return s3_status_result(cfg, x->method, k, status, x->errbody, transient, e);
	case CURLE_COULDNT_CONNECT:
		*transient = true;
		curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == ECONNREFUSED)
			err_set(e, "storage at %s refused the connection while %s %s", ep, x->verb, k);
		else
			err_set(e, "storage at %s could not be reached while %s %s (%s)", ep,
			    x->verb, k, why);
		return ERR_STORAGE;
	case CURLE_COULDNT_RESOLVE_HOST:
		*transient = true;
		err_set(e, "storage host in %s could not be resolved while %s %s", ep, x->verb, k);
		return ERR_STORAGE;
	case CURLE_OPERATION_TIMEDOUT:
		*transient = true;
		err_set(e, "storage at %s timed out while %s %s (%s)", ep, x->verb, k, why);
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
		    x->verb, k, why);
		return ERR_STORAGE;
	case CURLE_OUT_OF_MEMORY:
		err_set(e, "out of memory while %s %s", x->verb, k);
		return ERR_NOMEM;
	default:
		err_set(e, "storage request %s %s to %s failed: %s", x->method, k, ep, why);
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
	x->timeout_s = s3->timeout_s;
	for (attempt = 1;; attempt++) {
		err_clear(&attempt_e);
		if ((rc = xfer_rewind(x)) != OK) {
			err_set(e, "cannot rewind %s to retry %s: %s", x->in_path, x->key, strerror(errno));
			return rc;
		}
		if ((rc = xfer_setup(s3->cfg, x, e)) != OK)
			return rc;
		x->mem_len = 0;
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
	struct storage_target t;
	enum result rc;

	memset(s3, 0, sizeof(*s3));
	if ((rc = storage_target_make(cfg, "", &t, e)) != OK)
		return rc;
	storage_target_free(&t);
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
s3_set_timeout(struct s3 *s3, long seconds)
{
	s3->timeout_s = seconds > 0 ? seconds : 0;
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
s3_head(struct s3 *s3, const char *key, long long *size, char *etag, struct errbuf *e)
{
	struct s3_xfer x;
	curl_off_t cl = -1;
	enum result rc;

	if (size != NULL)
		*size = -1;
	if (etag != NULL)
		etag[0] = '\0';
	xfer_init(&x, "HEAD", key);
	if ((rc = perform(s3, &x, 1, e)) != OK)
		return rc;
	curl_easy_getinfo(s3->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (size != NULL)
		*size = (long long)cl;
	if (etag != NULL)
		memcpy(etag, x.etag, sizeof(x.etag));
	return OK;
}

enum result
s3_get_to_fd(struct s3 *s3, const char *key, const char *if_match, int fd,
    long long max_bytes, long long *got, struct errbuf *e)
{
	struct s3_xfer x;
	enum result rc;

	if (if_match != NULL && (if_match[0] == '\0' || strlen(if_match) >= S3_ETAG_MAX ||
	    !s3_value_ok(if_match))) {
		err_set(e, "cannot read %s: the ETag to match is empty, too long or has control "
		    "characters", key);
		return ERR_INVALID;
	}
	xfer_init(&x, "GET", key);
	x.if_match = if_match;
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

	if ((content_type != NULL && !s3_value_ok(content_type)) ||
	    (cache_control != NULL && !s3_value_ok(cache_control))) {
		err_set(e, "cannot write %s: a header value has control characters", key);
		return ERR_INVALID;
	}
	xfer_init(&x, "PUT", key);
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

	xfer_init(&x, "DELETE", key);
	return perform(s3, &x, S3_ATTEMPTS, e);
}

enum result
s3_get_small(struct s3 *s3, const char *key, const struct sigv4_pair *query, size_t nquery,
    size_t max_bytes, const char *label, char **body, size_t *len, struct errbuf *e)
{
	struct s3_xfer x;
	enum result rc;

	*body = NULL;
	*len = 0;
	xfer_init(&x, "GET", key);
	x.query = query;
	x.nquery = nquery;
	x.label = label;
	x.mem_max = max_bytes > 0 ? max_bytes : 1;
	if ((rc = perform(s3, &x, S3_ATTEMPTS, e)) != OK) {
		free(x.mem);
		return rc;
	}
	if (x.mem == NULL && (x.mem = strdup("")) == NULL) {
		err_set(e, "out of memory while %s %s", x.verb, label != NULL ? label : key);
		return ERR_NOMEM;
	}
	*body = x.mem;
	*len = x.mem_len;
	return OK;
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

/* One file of s3_put_files; x first, so a handle's CURLINFO_PRIVATE is the slot. */
struct put_slot {
	struct s3_xfer x;
	enum { PUT_WAITING, PUT_RUNNING, PUT_DONE } st;
	long long retry_at; /* clock_now_ms() when the next try may start */
	int tries;
};

/* The state of one s3_put_files call. */
struct putset {
	struct s3 *s3;
	struct put_slot *slots; /* owned, n of them */
	CURLM *m;               /* owned */
	size_t n, done, running, parallel;
};

static enum result
puts_check(const struct s3_put *puts, size_t n, struct errbuf *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (puts[i].key == NULL || puts[i].path == NULL ||
		    (puts[i].content_type != NULL && !s3_value_ok(puts[i].content_type)) ||
		    (puts[i].cache_control != NULL && !s3_value_ok(puts[i].cache_control))) {
			err_set(e, "cannot upload file %zu of %zu: no key or path, or a "
			    "header value with control characters", i + 1, n);
			return ERR_INVALID;
		}
	return OK;
}

static enum result
putset_init(struct putset *ps, struct s3 *s3, const struct s3_put *puts, size_t n,
    int parallel, struct errbuf *e)
{
	size_t i;

	memset(ps, 0, sizeof(*ps));
	ps->s3 = s3;
	ps->n = n;
	ps->parallel = parallel < 1 ? 1 : parallel > S3_MAX_PARALLEL ? S3_MAX_PARALLEL :
	    (size_t)parallel;
	if (ps->parallel > n)
		ps->parallel = n;
	if ((ps->slots = calloc(n, sizeof(*ps->slots))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		struct s3_xfer *x = &ps->slots[i].x;

		xfer_init(x, "PUT", puts[i].key);
		x->in_path = puts[i].path;
		x->content_type = puts[i].content_type;
		x->cache_control = puts[i].cache_control;
	}
	if ((ps->m = curl_multi_init()) == NULL)
		goto oom;
	curl_multi_setopt(ps->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)ps->parallel);
	return OK;
oom:
	err_set(e, "storage: out of memory uploading %zu files", n);
	return ERR_NOMEM;
}

static void
putset_free(struct putset *ps)
{
	size_t i;

	for (i = 0; ps->slots != NULL && i < ps->n; i++) {
		struct put_slot *sl = &ps->slots[i];

		if (sl->x.h != NULL) {
			if (sl->st == PUT_RUNNING)
				curl_multi_remove_handle(ps->m, sl->x.h);
			curl_easy_cleanup(sl->x.h);
		}
		xfer_release(&sl->x);
		if (sl->x.in_fd >= 0)
			close(sl->x.in_fd);
	}
	if (ps->m != NULL)
		curl_multi_cleanup(ps->m);
	free(ps->slots);
	memset(ps, 0, sizeof(*ps));
}

/* Start (or restart) one file: open and hash it the first time, sign, add. */
static enum result
putset_start(struct putset *ps, struct put_slot *sl, struct errbuf *e)
{
	struct s3_xfer *x = &sl->x;
	enum result rc;

	if (x->h == NULL) {
		if ((rc = put_file_open(x, e)) != OK)
			return rc;
		if ((x->h = curl_easy_init()) == NULL) {
			err_set(e, "storage: out of memory uploading %s", x->key);
			return ERR_NOMEM;
		}
	}
	if (xfer_rewind(x) != OK) {
		err_set(e, "cannot rewind %s to upload it as %s: %s", x->in_path, x->key,
		    strerror(errno));
		return ERR_IO;
	}
	if ((rc = xfer_setup(ps->s3->cfg, x, e)) != OK)
		return rc;
	if (curl_multi_add_handle(ps->m, x->h) != CURLM_OK) {
		err_set(e, "storage: cannot start uploading %s", x->key);
		return ERR_NOMEM;
	}
	sl->tries++;
	sl->st = PUT_RUNNING;
	ps->running++;
	return OK;
}

/* Fill free slots with files whose (re)try time has come; *next gets the
 * earliest retry time still ahead (-1: none). */
static enum result
putset_fill(struct putset *ps, long long *next, struct errbuf *e)
{
	long long now = clock_now_ms();
	enum result rc;
	size_t i;

	*next = -1;
	for (i = 0; i < ps->n && ps->running < ps->parallel; i++) {
		struct put_slot *sl = &ps->slots[i];

		if (sl->st != PUT_WAITING)
			continue;
		if (sl->retry_at > now) {
			if (*next < 0 || sl->retry_at < *next)
				*next = sl->retry_at;
			continue;
		}
		if ((rc = putset_start(ps, sl, e)) != OK)
			return rc;
	}
	return OK;
}

/* Collect finished transfers: done, scheduled for a retry, or the error. */
static enum result
putset_reap(struct putset *ps, struct errbuf *e)
{
	struct CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(ps->m, &left)) != NULL) {
		struct put_slot *sl = NULL;
		struct errbuf xe;
		bool transient;
		enum result xr;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
		err_clear(&xe);
		xr = xfer_result(ps->s3->cfg, &sl->x, msg->data.result, &transient, &xe);
		curl_multi_remove_handle(ps->m, sl->x.h);
		xfer_release(&sl->x);
		ps->running--;
		if (xr == OK) {
			log_debug("storage PUT %s: ok", sl->x.key);
			close(sl->x.in_fd);
			sl->x.in_fd = -1;
			sl->st = PUT_DONE;
			ps->done++;
		} else if (transient && sl->tries < S3_ATTEMPTS) {
			long ms = backoff_ms(sl->tries);

			log_warnx("%s; retrying in %ld ms", err_msg(&xe), ms);
			sl->retry_at = clock_now_ms() + ms;
			sl->st = PUT_WAITING;
		} else {
			/* All or error: stop at the first failure that remains. */
			sl->st = PUT_WAITING; /* already removed from the multi handle */
			err_set(e, "%s", err_msg(&xe));
			return xr;
		}
	}
	return OK;
}

enum result
s3_put_files(struct s3 *s3, const struct s3_put *puts, size_t n, int parallel,
    struct errbuf *e)
{
	struct putset ps;
	enum result rc;

	if (n == 0)
		return OK;
	if ((rc = puts_check(puts, n, e)) != OK)
		return rc;
	if ((rc = putset_init(&ps, s3, puts, n, parallel, e)) != OK)
		goto out;
	while (ps.done < n) {
		long long next;
		long wait;
		int still;

		if ((rc = putset_fill(&ps, &next, e)) != OK)
			goto out;
		if (curl_multi_perform(ps.m, &still) != CURLM_OK) {
			err_set(e, "storage: the transfer engine failed uploading %zu files", n);
			rc = ERR_STORAGE;
			goto out;
		}
		if ((rc = putset_reap(&ps, e)) != OK || ps.done == n)
			goto out;
		/* Sleep until curl has work, or the next retry is due. */
		wait = 1000;
		if (next >= 0 && ps.running < ps.parallel) {
			long long d = next - clock_now_ms();

			wait = d < 0 ? 0 : d < wait ? (long)d : wait;
		}
		if (still > 0 || wait > 0)
			curl_multi_poll(ps.m, NULL, 0, (int)wait, NULL);
	}
out:
	putset_free(&ps);
	return rc;
}
