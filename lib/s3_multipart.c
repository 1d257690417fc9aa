/*
 * s3_multipart.c: S3 multipart uploads (see s3_multipart.h). Each call is
 * one request on the transfer client's curl handle, header-signed by
 * lib/sigv4 (payload hash of the exact body sent), its answer kept in a
 * capped buffer and read by the XML helpers at the bottom. Not retried
 * here: a repeated CompleteMultipartUpload is exactly what callers avoid.
 */
#include "s3_multipart.h"
#include "encode.h"
#include "log.h"
#include "s3_status.h"
#include "sigv4.h"
#include "storage_layout.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MP_RESP_MAX (1024 * 1024) /* a ListParts page of 1000 parts is ~ 250 KB */

/* One request and its answer. */
struct mp_call {
	const char *method;  /* "POST", "GET", "DELETE" */
	const char *key;
	const char *what;    /* for messages: "starting the multipart upload of" */
	const struct sigv4_pair *query;
	size_t nquery;
	const char *body;    /* NULL: none */
	size_t body_len;
	const char *content_type; /* signed and sent when not NULL */
	long timeout_s;
	/* answer */
	char *resp;          /* owned, NUL-terminated */
	size_t resp_len;
	bool resp_over;
	long status;
	char curl_err[CURL_ERROR_SIZE];
};

static size_t mp_write(char *p, size_t size, size_t n, void *ud);
static bool mp_header(struct curl_slist **l, const char *name, const char *value);
static enum result mp_sign(const struct config *cfg, struct mp_call *c, char **url,
    struct curl_slist **hdrs, struct errbuf *e);
static void mp_options(CURL *h, struct mp_call *c, const char *url, struct curl_slist *hdrs);
STATIC enum result s3mp_answer(const struct config *cfg, const char *method,
    const char *key, const char *what, long status, const char *body, size_t len,
    struct errbuf *e);
static enum result mp_result(const struct config *cfg, struct mp_call *c, CURLcode cc,
    struct errbuf *e);
static enum result mp_perform(struct s3 *s3, struct mp_call *c, struct errbuf *e);
static void mp_call_free(struct mp_call *c);
static const char *mem_find(const char *p, const char *end, const char *s);
static bool xml_elem(const char *p, const char *end, const char *tag, const char **vs,
    const char **ve, const char **after);
static bool xml_text(const char *vs, const char *ve, char *out, size_t cap);
static bool xml_long(const char *p, const char *end, const char *tag, long long min,
    long long max, long long *out);
static bool parts_push(struct s3mp_parts *ps, const struct s3mp_part *p);
static bool etag_ok(const char *s);

enum result
s3mp_plan_make(long long file_size, long long part_bytes, struct s3mp_plan *p)
{
	long long min_for_count;

	memset(p, 0, sizeof(*p));
	if (file_size <= 0 || file_size > S3MP_MAX_OBJECT_BYTES ||
	    part_bytes < S3MP_MIN_PART_BYTES || part_bytes > S3MP_MAX_PART_BYTES)
		return ERR_INVALID;
	/* At most S3MP_MAX_PARTS: the smallest part size that fits them all. */
	min_for_count = (file_size + S3MP_MAX_PARTS - 1) / S3MP_MAX_PARTS;
	p->file_size = file_size;
	p->part_size = part_bytes > min_for_count ? part_bytes : min_for_count;
	p->count = (int)((file_size + p->part_size - 1) / p->part_size);
	return OK;
}

long long
s3mp_plan_part_size(const struct s3mp_plan *p, int number)
{
	if (number < 1 || number > p->count)
		return -1;
	if (number < p->count)
		return p->part_size;
	return p->file_size - p->part_size * (long long)(p->count - 1);
}

void
s3mp_parts_free(struct s3mp_parts *ps)
{
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

static bool
parts_push(struct s3mp_parts *ps, const struct s3mp_part *p)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct s3mp_part *v;

		if (ps->cap >= S3MP_MAX_PARTS || (v = realloc(ps->v, cap * sizeof(*v))) == NULL)
			return false;
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->n++] = *p;
	return true;
}

enum result
s3mp_presign_part(const struct config *cfg, const char *key, const char *upload_id,
    int number, long long size, long long expires_s, time_t now, char **url,
    struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	char num[16], len[24];
	const struct sigv4_pair q[] = { { "partNumber", num }, { "uploadId", upload_id } };
	const struct sigv4_pair h[] = { { "content-length", len } };
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct storage_target t;
	enum result rc;

	*url = NULL;
	if (number < 1 || number > S3MP_MAX_PARTS || size < 0) {
		err_set(e, "part %d of %lld bytes cannot be signed", number, size);
		return ERR_INVALID;
	}
	snprintf(num, sizeof(num), "%d", number);
	snprintf(len, sizeof(len), "%lld", size);
	if ((rc = storage_target_make(cfg, key, &t, e)) != OK)
		return rc;
	req = (struct sigv4_request){ "PUT", t.host, t.path, q, 2, h, 1, NULL };
	if ((rc = sigv4_presign(&creds, &req, now, expires_s, &sig, e)) == OK) {
		if ((*url = storage_url_request(&t, sig.path, sig.query)) == NULL) {
			err_set(e, "out of memory signing part %d of %s", number, key);
			rc = ERR_NOMEM;
		}
		sigv4_signed_free(&sig);
	}
	storage_target_free(&t);
	return rc;
}

/* ---------------------------------------------------------------- requests */

static size_t
mp_write(char *p, size_t size, size_t n, void *ud)
{
	struct mp_call *c = ud;
	size_t len = size * n;
	char *v;

	if (c->resp_len + len > MP_RESP_MAX) {
		c->resp_over = true;
		return 0;
	}
	if ((v = realloc(c->resp, c->resp_len + len + 1)) == NULL)
		return 0;
	memcpy(v + c->resp_len, p, len);
	c->resp = v;
	c->resp_len += len;
	c->resp[c->resp_len] = '\0';
	return len;
}

static bool
mp_header(struct curl_slist **l, const char *name, const char *value)
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

/* Sign c now: *url and *hdrs get exactly what was signed. */
static enum result
mp_sign(const struct config *cfg, struct mp_call *c, char **url, struct curl_slist **hdrs,
    struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	struct sigv4_pair hv[1];
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct storage_target t;
	char hash[65];
	size_t nh = 0;
	enum result rc;

	if ((rc = storage_target_make(cfg, c->key, &t, e)) != OK)
		return rc;
	if (c->content_type != NULL)
		hv[nh++] = (struct sigv4_pair){ "Content-Type", c->content_type };
	enc_sha256_hex(c->body != NULL ? c->body : "", c->body_len, hash);
	req = (struct sigv4_request){ c->method, t.host, t.path, c->query, c->nquery, hv, nh,
		hash };
	if ((rc = sigv4_sign_headers(&creds, &req, time(NULL), &sig, e)) != OK) {
		storage_target_free(&t);
		return rc;
	}
	rc = ERR_NOMEM;
	if ((*url = storage_url_request(&t, sig.path, sig.query)) == NULL ||
	    !mp_header(hdrs, "Host", t.host) ||
	    !mp_header(hdrs, "x-amz-date", sig.amz_date) ||
	    !mp_header(hdrs, "x-amz-content-sha256", sig.payload_hash) ||
	    !mp_header(hdrs, "Authorization", sig.authorization) ||
	    (c->content_type != NULL && !mp_header(hdrs, "Content-Type", c->content_type)) ||
	    (c->content_type == NULL && !mp_header(hdrs, "Content-Type", "")) ||
	    !mp_header(hdrs, "Expect", ""))
		err_set(e, "storage: out of memory preparing %s %s", c->method, c->key);
	else
		rc = OK;
	sigv4_signed_free(&sig);
	storage_target_free(&t);
	return rc;
}

static void
mp_options(CURL *h, struct mp_call *c, const char *url, struct curl_slist *hdrs)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mustory/1");
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mp_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	if (strcmp(c->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body != NULL ? c->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
	} else if (strcmp(c->method, "DELETE") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
}

/*
 * What an answer means (status and body): see s3_multipart.h. Storage may
 * answer a complete with 200 and put the error in the body.
 */
STATIC enum result
s3mp_answer(const struct config *cfg, const char *method, const char *key, const char *what,
    long status, const char *body, size_t len, struct errbuf *e)
{
	char code[64];
	bool transient, is_error = s3mp_parse_error(body, len, code, sizeof(code));
	bool parts = strcmp(code, "InvalidPart") == 0 || strcmp(code, "InvalidPartOrder") == 0 ||
	    strcmp(code, "EntityTooSmall") == 0;

	if (status == 404 && strcmp(code, "NoSuchBucket") != 0) {
		err_set(e, "storage has no multipart upload of %s (%ld %s) while %s it",
		    key, status, code, what);
		return ERR_NOT_FOUND;
	}
	if (status == 400 && parts) {
		err_set(e, "storage refused the parts of %s (%s)", key, code);
		return ERR_CONFLICT;
	}
	if (status >= 200 && status < 300 && is_error) {
		err_set(e, "storage answered 200 with error %s while %s %s", code, what, key);
		return parts ? ERR_CONFLICT : strcmp(code, "NoSuchUpload") == 0 ? ERR_NOT_FOUND :
		    ERR_STORAGE;
	}
	return s3_status_result(cfg, method, key, status, body, &transient, e);
}

static enum result
mp_result(const struct config *cfg, struct mp_call *c, CURLcode cc, struct errbuf *e)
{
	if (cc != CURLE_OK && !(c->resp_over && cc == CURLE_WRITE_ERROR)) {
		err_set(e, "storage at %s failed while %s %s: %s", cfg->storage_endpoint,
		    c->what, c->key, c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc));
		return cc == CURLE_OUT_OF_MEMORY ? ERR_NOMEM : ERR_STORAGE;
	}
	if (c->resp_over) {
		err_set(e, "storage answered more than %d bytes while %s %s", MP_RESP_MAX,
		    c->what, c->key);
		return ERR_STORAGE;
	}
	return s3mp_answer(cfg, c->method, c->key, c->what, c->status,
	    c->resp != NULL ? c->resp : "", c->resp_len, e);
}

static enum result
mp_perform(struct s3 *s3, struct mp_call *c, struct errbuf *e)
{
	struct curl_slist *hdrs = NULL;
	char *url = NULL;
	enum result rc;
	CURLcode cc;

	if ((rc = mp_sign(s3->cfg, c, &url, &hdrs, e)) == OK) {
		mp_options(s3->curl, c, url, hdrs);
		cc = curl_easy_perform(s3->curl);
		curl_easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE, &c->status);
		rc = mp_result(s3->cfg, c, cc, e);
		/* The handle is shared with s3.c: leave no pointer to our buffers behind. */
		curl_easy_reset(s3->curl);
	}
	log_debug("storage %s %s (multipart): %s", c->method, c->key, result_str(rc));
	curl_slist_free_all(hdrs);
	free(url);
	return rc;
}

static void
mp_call_free(struct mp_call *c)
{
	free(c->resp);
	c->resp = NULL;
}

enum result
s3mp_create(struct s3 *s3, const char *key, const char *content_type,
    char upload_id[S3MP_UPLOAD_ID_MAX], struct errbuf *e)
{
	const struct sigv4_pair q[] = { { "uploads", "" } };
	struct mp_call c = { .method = "POST", .key = key,
		.what = "starting the multipart upload of", .query = q, .nquery = 1,
		.content_type = content_type, .timeout_s = (long)s3->cfg->storage_timeout_s };
	enum result rc;

	upload_id[0] = '\0';
	if ((rc = mp_perform(s3, &c, e)) == OK &&
	    (rc = s3mp_parse_create(c.resp != NULL ? c.resp : "", c.resp_len, upload_id,
	    S3MP_UPLOAD_ID_MAX)) != OK)
		err_set(e, "storage answered CreateMultipartUpload for %s without a usable UploadId",
		    key);
	if (rc != OK)
		rc = rc == ERR_INVALID ? ERR_STORAGE : rc;
	mp_call_free(&c);
	return rc;
}

enum result
s3mp_list_parts(struct s3 *s3, const char *key, const char *upload_id,
    struct s3mp_parts *out, struct errbuf *e)
{
	char marker[16], maxp[16];
	const struct sigv4_pair q[] = { { "uploadId", upload_id }, { "max-parts", maxp },
		{ "part-number-marker", marker } };
	enum result rc = OK;
	int next = 0, pages;

	memset(out, 0, sizeof(*out));
	snprintf(maxp, sizeof(maxp), "%d", S3MP_LIST_PAGE);
	for (pages = 0; pages < S3MP_MAX_PARTS; pages++) {
		struct mp_call c = { .method = "GET", .key = key, .what = "listing the parts of",
			.query = q, .nquery = next > 0 ? 3 : 2,
			.timeout_s = (long)s3->cfg->storage_timeout_s };
		bool truncated = false;
		int prev = next;

		snprintf(marker, sizeof(marker), "%d", next);
		if ((rc = mp_perform(s3, &c, e)) == OK &&
		    (rc = s3mp_parse_list(c.resp != NULL ? c.resp : "", c.resp_len, out,
		    &truncated, &next)) != OK) {
			err_set(e, "storage answered ListParts for %s with a page we cannot read", key);
			rc = rc == ERR_INVALID ? ERR_STORAGE : rc;
		}
		mp_call_free(&c);
		if (rc != OK || !truncated)
			break;
		if (next <= prev) {
			err_set(e, "storage's ListParts for %s is truncated without a next marker", key);
			rc = ERR_STORAGE;
			break;
		}
	}
	if (rc != OK)
		s3mp_parts_free(out);
	return rc;
}

enum result
s3mp_complete(struct s3 *s3, const char *key, const char *upload_id,
    const struct s3mp_parts *parts, struct errbuf *e)
{
	const struct sigv4_pair q[] = { { "uploadId", upload_id } };
	long t = (long)s3->cfg->storage_timeout_s;
	struct mp_call c = { .method = "POST", .key = key,
		.what = "completing the multipart upload of", .query = q, .nquery = 1,
		.content_type = "application/xml",
		.timeout_s = t > S3MP_COMPLETE_TIMEOUT_S ? t : S3MP_COMPLETE_TIMEOUT_S };
	char *xml;
	enum result rc;

	if ((xml = s3mp_complete_xml(parts)) == NULL) {
		err_set(e, "cannot write the part list of %s", key);
		return ERR_NOMEM;
	}
	c.body = xml;
	c.body_len = strlen(xml);
	rc = mp_perform(s3, &c, e);
	if (rc == OK && (c.resp == NULL || mem_find(c.resp, c.resp + c.resp_len,
	    "CompleteMultipartUploadResult") == NULL)) {
		err_set(e, "storage answered CompleteMultipartUpload for %s without a result", key);
		rc = ERR_STORAGE;
	}
	mp_call_free(&c);
	free(xml);
	return rc;
}

enum result
s3mp_abort(struct s3 *s3, const char *key, const char *upload_id, struct errbuf *e)
{
	const struct sigv4_pair q[] = { { "uploadId", upload_id } };
	struct mp_call c = { .method = "DELETE", .key = key,
		.what = "aborting the multipart upload of", .query = q, .nquery = 1,
		.timeout_s = (long)s3->cfg->storage_timeout_s };
	enum result rc = mp_perform(s3, &c, e);

	mp_call_free(&c);
	return rc;
}

/* ---------------------------------------------------------------- XML */

/* The first s in [p, end), or NULL. */
static const char *
mem_find(const char *p, const char *end, const char *s)
{
	if (p >= end)
		return NULL;
	return memmem(p, (size_t)(end - p), s, strlen(s));
}

/*
 * The first element <tag ...>...</tag> in [p, end): *vs..*ve its content,
 * *after just past its end tag. <tag/> is empty content. Elements of the
 * same name do not nest in S3's answers.
 */
static bool
xml_elem(const char *p, const char *end, const char *tag, const char **vs,
    const char **ve, const char **after)
{
	size_t tl = strlen(tag);
	char close[72];

	if (tl + 4 > sizeof(close))
		return false;
	snprintf(close, sizeof(close), "</%s>", tag);
	while ((p = mem_find(p, end, "<")) != NULL) {
		const char *q = p + 1, *gt;

		p = q;
		if ((size_t)(end - q) < tl + 1 || memcmp(q, tag, tl) != 0)
			continue;
		q += tl;
		if (*q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
			continue;
		if ((gt = memchr(q, '>', (size_t)(end - q))) == NULL)
			return false;
		if (gt[-1] == '/') {
			*vs = *ve = gt + 1;
			*after = gt + 1;
			return true;
		}
		*vs = gt + 1;
		if ((*ve = mem_find(*vs, end, close)) == NULL)
			return false;
		*after = *ve + strlen(close);
		return true;
	}
	return false;
}

/*
 * Text content [vs, ve) into out (cap bytes), the five XML entities and
 * &#N; / &#xN; (ASCII) decoded, surrounding whitespace trimmed. false when
 * it does not fit, holds markup or a control character, or a bad entity.
 */
static bool
xml_text(const char *vs, const char *ve, char *out, size_t cap)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "quot;", '"' }, { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "apos;", '\'' },
	};
	size_t o = 0, i;

	while (vs < ve && isspace((unsigned char)*vs))
		vs++;
	while (ve > vs && isspace((unsigned char)ve[-1]))
		ve--;
	while (vs < ve) {
		unsigned char ch = (unsigned char)*vs;

		if (ch == '<' || (ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
		if (ch == '&') {
			const char *semi = memchr(vs, ';', (size_t)(ve - vs));
			long v = -1;

			if (semi == NULL)
				return false;
			for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
				if ((size_t)(semi + 1 - vs - 1) == strlen(ents[i].name) &&
				    memcmp(vs + 1, ents[i].name, strlen(ents[i].name)) == 0)
					v = (unsigned char)ents[i].c;
			if (v < 0 && semi - vs >= 3 && vs[1] == '#') {
				char num[12], *endp;
				size_t nl = (size_t)(semi - vs - 2);

				if (nl >= sizeof(num))
					return false;
				memcpy(num, vs + 2, nl);
				num[nl] = '\0';
				v = num[0] == 'x' ? strtol(num + 1, &endp, 16) : strtol(num, &endp, 10);
				if (*endp != '\0' || endp == num || v < 0x20 || v > 0x7e)
					return false;
			}
			if (v < 0)
				return false;
			ch = (unsigned char)v;
			vs = semi + 1;
		} else {
			vs++;
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = (char)ch;
	}
	if (cap == 0)
		return false;
	out[o] = '\0';
	return true;
}

/* The decimal content of the first <tag> in [p, end), within [min, max]. */
static bool
xml_long(const char *p, const char *end, const char *tag, long long min, long long max,
    long long *out)
{
	const char *vs, *ve, *after;
	char buf[24], *endp;
	long long v;

	if (!xml_elem(p, end, tag, &vs, &ve, &after) || !xml_text(vs, ve, buf, sizeof(buf)) ||
	    !isdigit((unsigned char)buf[0]))
		return false;
	v = strtoll(buf, &endp, 10);
	if (*endp != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* An ETag we may echo in XML and JSON: printable ASCII, not empty. */
static bool
etag_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

char *
s3mp_complete_xml(const struct s3mp_parts *parts)
{
	size_t cap = 128 + parts->n * (64 + 6 * S3MP_ETAG_MAX), o, i;
	char *buf;
	int w;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	o = (size_t)snprintf(buf, cap, "<CompleteMultipartUpload "
	    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (i = 0; i < parts->n; i++) {
		const char *s;

		if (!etag_ok(parts->v[i].etag))
			goto fail;
		w = snprintf(buf + o, cap - o, "<Part><PartNumber>%d</PartNumber><ETag>",
		    parts->v[i].number);
		o += (size_t)w;
		for (s = parts->v[i].etag; *s != '\0'; s++) {
			const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" :
			    *s == '>' ? "&gt;" : *s == '"' ? "&quot;" : NULL;

			if (rep != NULL) {
				memcpy(buf + o, rep, strlen(rep));
				o += strlen(rep);
			} else {
				buf[o++] = *s;
			}
		}
		o += (size_t)snprintf(buf + o, cap - o, "</ETag></Part>");
	}
	snprintf(buf + o, cap - o, "</CompleteMultipartUpload>");
	return buf;
fail:
	free(buf);
	return NULL;
}

enum result
s3mp_parse_create(const char *xml, size_t len, char *upload_id, size_t cap)
{
	const char *end = xml + len, *vs, *ve, *after, *rs, *re;

	if (cap > 0)
		upload_id[0] = '\0';
	if (!xml_elem(xml, end, "InitiateMultipartUploadResult", &rs, &re, &after) ||
	    !xml_elem(rs, re, "UploadId", &vs, &ve, &after) ||
	    !xml_text(vs, ve, upload_id, cap) || !etag_ok(upload_id)) {
		if (cap > 0)
			upload_id[0] = '\0';
		return ERR_INVALID;
	}
	return OK;
}

enum result
s3mp_parse_list(const char *xml, size_t len, struct s3mp_parts *out, bool *truncated,
    int *next)
{
	const char *end = xml + len, *rs, *re, *vs, *ve, *after, *p;
	char flag[8];
	long long v;

	*truncated = false;
	*next = 0;
	if (!xml_elem(xml, end, "ListPartsResult", &rs, &re, &after))
		return ERR_INVALID;
	/* Part elements first: IsTruncated and the markers sit beside them. */
	for (p = rs; xml_elem(p, re, "Part", &vs, &ve, &after); p = after) {
		struct s3mp_part part;
		const char *es, *ee, *ea;

		memset(&part, 0, sizeof(part));
		if (!xml_long(vs, ve, "PartNumber", 1, S3MP_MAX_PARTS, &v))
			return ERR_INVALID;
		part.number = (int)v;
		if (!xml_long(vs, ve, "Size", 0, S3MP_MAX_PART_BYTES, &part.size) ||
		    !xml_elem(vs, ve, "ETag", &es, &ee, &ea) ||
		    !xml_text(es, ee, part.etag, sizeof(part.etag)) || !etag_ok(part.etag))
			return ERR_INVALID;
		if (!parts_push(out, &part))
			return ERR_NOMEM;
	}
	if (xml_elem(rs, re, "IsTruncated", &vs, &ve, &after) &&
	    xml_text(vs, ve, flag, sizeof(flag)))
		*truncated = strcmp(flag, "true") == 0;
	if (xml_long(rs, re, "NextPartNumberMarker", 0, S3MP_MAX_PARTS, &v))
		*next = (int)v;
	return OK;
}

bool
s3mp_parse_error(const char *xml, size_t len, char *code, size_t cap)
{
	const char *p = xml, *end = xml + len, *vs, *ve, *after;
	size_t o = 0;

	if (cap > 0)
		code[0] = '\0';
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '<' && p[1] == '?') {
			if ((p = mem_find(p, end, "?>")) == NULL)
				return false;
			p += 2;
			continue;
		}
		break;
	}
	if (end - p < 7 || memcmp(p, "<Error", 6) != 0 ||
	    (p[6] != '>' && !isspace((unsigned char)p[6])))
		return false;
	if (cap > 0 && xml_elem(p, end, "Code", &vs, &ve, &after)) {
		for (; vs < ve && o + 1 < cap; vs++)
			if (isalnum((unsigned char)*vs))
				code[o++] = *vs;
		code[o] = '\0';
	}
	return true;
}
