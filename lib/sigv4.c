/*
 * sigv4.c: AWS Signature Version 4, the S3 flavour.
 *
 * From AWS's S3 API reference, "Signature Calculations for the
 * Authorization Header" and "Authenticating Requests: Using Query
 * Parameters":
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
 *                      CanonicalHeaders \n SignedHeaders \n HashedPayload
 *   StringToSign     = "AWS4-HMAC-SHA256" \n x-amz-date \n
 *                      date/region/service/aws4_request \n
 *                      Hex(SHA256(CanonicalRequest))
 *   Signature        = Hex(HMAC(kSigning, StringToSign))
 *
 * S3 differs from the other services in that the path is URI-encoded once
 * (not twice) and is not normalized ("a//b", "." and ".." are kept).
 */
#include "sigv4.h"
#include "encode.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

/* A growing string; oom sticks so callers check once at the end. */
struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

/* A canonical header: lowercase name, trimmed and collapsed value. */
struct hdr {
	char *name;
	char *value;
	size_t order; /* position given, to join repeated names in order */
};

/* A query parameter, both halves already URI-encoded. */
struct qp {
	char *name;
	char *value;
};

static void sb_add(struct sb *b, const char *s, size_t n);
static void sb_adds(struct sb *b, const char *s);
static char *sb_take(struct sb *b);
static bool is_tchar(unsigned char c);
static bool valid_payload_hash(const char *h);
static char *header_value_normalize(const char *v);
static int hdr_cmp(const void *a, const void *b);
static int qp_cmp(const void *a, const void *b);
static void hdrs_free(struct hdr *h, size_t n);
static void qps_free(struct qp *q, size_t n);
static enum result hdr_push(struct hdr *h, size_t *n, const char *name,
    const char *value, struct errbuf *e);
static enum result qp_push(struct qp *q, size_t *n, const char *name,
    const char *value);
static char *credential_scope(const struct sigv4_creds *c, const char *date8);
static enum result check_request(const struct sigv4_creds *c,
    const struct sigv4_request *req, long long expires_s, const char **payload,
    struct errbuf *e);
static enum result hdrs_merge(struct hdr *hs, size_t *nh);
STATIC enum result sigv4_canonical_headers(const struct sigv4_pair *h, size_t n,
    char **canonical, char **signed_list, struct errbuf *e);
STATIC char *sigv4_canonical_request(const char *method, const char *uri,
    const char *query, const char *headers, const char *signed_list,
    const char *payload);
STATIC char *sigv4_string_to_sign(const char *amz_date, const char *scope,
    const char *canonical_request);
static bool key_cache_fits(const struct sigv4_creds *c, const char *date8);
static void signing_key_cached(const struct sigv4_creds *c, const char *date8,
    unsigned char out[32]);
static void signature_hex(const struct sigv4_creds *c, const char *date8,
    const char *text, char out[65]);
static enum result sign_headers_of(const struct sigv4_request *req, bool presign,
    struct sigv4_signed *out, char **canonical, struct errbuf *e);
static char *sign_query_of(const struct sigv4_creds *c, const struct sigv4_request *req,
    long long expires_s, const char *scope, const struct sigv4_signed *out);
static enum result sign_finish(const struct sigv4_creds *c, bool presign,
    const char *scope, char **canonical_query, struct sigv4_signed *out);
static enum result sign(const struct sigv4_creds *c,
    const struct sigv4_request *req, time_t now, long long expires_s,
    struct sigv4_signed *out, struct errbuf *e);

/* Names the signer sets itself; callers may not pass them. */
static const char *const owned_headers[] = {
	"host", "x-amz-date", "x-amz-content-sha256", "authorization",
};
static const char *const owned_params[] = {
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature",
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_adds(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Owned by the caller; NULL when an append ran out of memory. */
static char *
sb_take(struct sb *b)
{
	char *p = b->p;

	if (b->oom) {
		free(p);
		p = NULL;
	} else if (p == NULL) {
		p = strdup("");
	}
	memset(b, 0, sizeof(*b));
	return p;
}

/* RFC 9110 token characters: what a header name or method may contain. */
static bool
is_tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
valid_payload_hash(const char *h)
{
	size_t i;

	if (strcmp(h, SIGV4_UNSIGNED_PAYLOAD) == 0)
		return true;
	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return i == 64;
}

/* Trim spaces and tabs, fold inner runs into one space. Owned; NULL on OOM. */
static char *
header_value_normalize(const char *v)
{
	size_t i, o = 0;
	bool space = false;
	char *out;

	if ((out = malloc(strlen(v) + 1)) == NULL)
		return NULL;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] == ' ' || v[i] == '\t') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		out[o++] = v[i];
	}
	out[o] = '\0';
	return out;
}

static int
hdr_cmp(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
qp_cmp(const void *a, const void *b)
{
	const struct qp *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

static void
hdrs_free(struct hdr *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

static void
qps_free(struct qp *q, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(q[i].name);
		free(q[i].value);
	}
	free(q);
}

static enum result
hdr_push(struct hdr *h, size_t *n, const char *name, const char *value,
    struct errbuf *e)
{
	size_t i, len = strlen(name);
	char *lname;

	if (len == 0) {
		err_set(e, "cannot sign a header with an empty name");
		return ERR_INVALID;
	}
	for (i = 0; i < len; i++)
		if (!is_tchar((unsigned char)name[i])) {
			err_set(e, "cannot sign header \"%.64s\": not a valid header name", name);
			return ERR_INVALID;
		}
	if (value == NULL)
		value = "";
	if (strpbrk(value, "\r\n") != NULL) {
		err_set(e, "cannot sign header %.64s: its value has a line break", name);
		return ERR_INVALID;
	}
	if ((lname = strdup(name)) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < len; i++)
		lname[i] = (char)tolower((unsigned char)lname[i]);
	h[*n].name = lname;
	h[*n].order = *n;
	if ((h[*n].value = header_value_normalize(value)) == NULL) {
		free(lname);
		return ERR_NOMEM;
	}
	(*n)++;
	return OK;
}

static enum result
qp_push(struct qp *q, size_t *n, const char *name, const char *value)
{
	if (value == NULL)
		value = "";
	q[*n].name = enc_uri(name, strlen(name), false);
	q[*n].value = enc_uri(value, strlen(value), false);
	(*n)++;
	return q[*n - 1].name == NULL || q[*n - 1].value == NULL ? ERR_NOMEM : OK;
}

void
sigv4_amz_date(time_t now, char out[17])
{
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		memcpy(out, "19700101T000000Z", 17);
}

void
sigv4_signing_key(const char *secret, const char *date8, const char *region,
    const char *service, unsigned char out[32])
{
	size_t slen = strlen(secret);
	unsigned char k[32];
	char *ksecret;

	if ((ksecret = malloc(slen + 5)) == NULL)
		abort(); /* a few bytes; nothing sensible to do without them */
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen + 1);
	enc_hmac_sha256(ksecret, slen + 4, date8, strlen(date8), k);
	OPENSSL_cleanse(ksecret, slen + 4);
	free(ksecret);
	enc_hmac_sha256(k, sizeof(k), region, strlen(region), k);
	enc_hmac_sha256(k, sizeof(k), service, strlen(service), k);
	enc_hmac_sha256(k, sizeof(k), "aws4_request", 12, out);
	OPENSSL_cleanse(k, sizeof(k));
}

/* "20130524/us-east-1/s3/aws4_request". Owned; NULL on OOM. */
static char *
credential_scope(const struct sigv4_creds *c, const char *date8)
{
	char *s;

	if (asprintf(&s, "%.8s/%s/%s/aws4_request", date8, c->region, c->service) < 0)
		return NULL;
	return s;
}

char *
sigv4_credential(const struct sigv4_creds *c, time_t now)
{
	char date[17], *s;

	sigv4_amz_date(now, date);
	if (asprintf(&s, "%s/%.8s/%s/%s/aws4_request", c->access_key, date,
	    c->region, c->service) < 0)
		return NULL;
	return s;
}

char *
sigv4_canonical_uri(const char *path)
{
	if (path == NULL || *path == '\0')
		path = "/";
	return enc_uri(path, strlen(path), true);
}

char *
sigv4_canonical_query(const struct sigv4_pair *q, size_t n)
{
	struct qp *qs;
	struct sb b = { 0 };
	size_t i, nq = 0;
	char *s = NULL;

	if ((qs = calloc(n + 1, sizeof(*qs))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (qp_push(qs, &nq, q[i].name, q[i].value) != OK)
			goto out;
	qsort(qs, nq, sizeof(*qs), qp_cmp);
	for (i = 0; i < nq; i++) {
		if (i > 0)
			sb_add(&b, "&", 1);
		sb_adds(&b, qs[i].name);
		sb_add(&b, "=", 1);
		sb_adds(&b, qs[i].value);
	}
	s = sb_take(&b);
out:
	qps_free(qs, nq);
	free(b.p);
	return s;
}

/* Everything sign() refuses before it starts; *payload gets the hash to sign. */
static enum result
check_request(const struct sigv4_creds *c, const struct sigv4_request *req,
    long long expires_s, const char **payload, struct errbuf *e)
{
	bool presign = expires_s >= 0;
	const char *path = req->path == NULL || *req->path == '\0' ? "/" : req->path;
	size_t i, j;

	if (c == NULL || c->access_key == NULL || *c->access_key == '\0' ||
	    c->secret_key == NULL || *c->secret_key == '\0' ||
	    c->region == NULL || *c->region == '\0' ||
	    c->service == NULL || *c->service == '\0') {
		err_set(e, "cannot sign: the access key, secret key, region and service are all required");
		return ERR_INVALID;
	}
	if (req->method == NULL || *req->method == '\0' ||
	    strspn(req->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(req->method)) {
		err_set(e, "cannot sign: the method must be an uppercase word");
		return ERR_INVALID;
	}
	if (req->host == NULL || *req->host == '\0' || strpbrk(req->host, " \t\r\n/") != NULL) {
		err_set(e, "cannot sign: the host is missing or malformed");
		return ERR_INVALID;
	}
	if (*path != '/') {
		err_set(e, "cannot sign: the path must start with '/'");
		return ERR_INVALID;
	}
	*payload = presign ? SIGV4_UNSIGNED_PAYLOAD :
	    req->payload_hash != NULL ? req->payload_hash : SIGV4_EMPTY_SHA256;
	if (!valid_payload_hash(*payload)) {
		err_set(e, "cannot sign: the payload hash must be 64 lowercase hex digits or UNSIGNED-PAYLOAD");
		return ERR_INVALID;
	}
	if (presign && (expires_s < 1 || expires_s > SIGV4_MAX_EXPIRES)) {
		err_set(e, "cannot presign: expiry must be 1 to %d seconds, not %lld",
		    SIGV4_MAX_EXPIRES, expires_s);
		return ERR_INVALID;
	}
	for (i = 0; i < req->nheaders; i++)
		for (j = 0; j < sizeof(owned_headers) / sizeof(owned_headers[0]); j++)
			if (req->headers[i].name != NULL &&
			    strcasecmp(req->headers[i].name, owned_headers[j]) == 0) {
				err_set(e, "cannot sign: the signer sets the %s header itself", owned_headers[j]);
				return ERR_INVALID;
			}
	for (i = 0; i < req->nquery; i++) {
		if (req->query[i].name == NULL || *req->query[i].name == '\0') {
			err_set(e, "cannot sign: a query parameter has no name");
			return ERR_INVALID;
		}
		for (j = 0; presign && j < sizeof(owned_params) / sizeof(owned_params[0]); j++)
			if (strcasecmp(req->query[i].name, owned_params[j]) == 0) {
				err_set(e, "cannot presign: the signer sets %s itself", owned_params[j]);
				return ERR_INVALID;
			}
	}
	return OK;
}

/* A repeated name becomes one header whose values are joined by ','. */
static enum result
hdrs_merge(struct hdr *hs, size_t *nh)
{
	size_t i, j;

	for (i = 0, j = 0; i < *nh; i++) {
		if (j > 0 && strcmp(hs[i].name, hs[j - 1].name) == 0) {
			char *v;

			if (asprintf(&v, "%s,%s", hs[j - 1].value, hs[i].value) < 0)
				return ERR_NOMEM;
			free(hs[j - 1].value);
			hs[j - 1].value = v;
			free(hs[i].name);
			free(hs[i].value);
			hs[i].name = hs[i].value = NULL;
		} else {
			if (i != j) {
				hs[j] = hs[i];
				hs[i].name = hs[i].value = NULL;
			}
			j++;
		}
	}
	*nh = j;
	return OK;
}

STATIC enum result
sigv4_canonical_headers(const struct sigv4_pair *h, size_t n, char **canonical,
    char **signed_list, struct errbuf *e)
{
	struct hdr *hs;
	struct sb b = { 0 }, l = { 0 };
	size_t i, nh = 0;
	enum result rc = ERR_NOMEM;

	*canonical = *signed_list = NULL;
	if ((hs = calloc(n + 1, sizeof(*hs))) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = hdr_push(hs, &nh, h[i].name, h[i].value, e)) != OK)
			goto out;
	rc = ERR_NOMEM;
	qsort(hs, nh, sizeof(*hs), hdr_cmp);
	if (hdrs_merge(hs, &nh) != OK)
		goto out;
	for (i = 0; i < nh; i++) {
		sb_adds(&b, hs[i].name);
		sb_add(&b, ":", 1);
		sb_adds(&b, hs[i].value);
		sb_add(&b, "\n", 1);
		if (i > 0)
			sb_add(&l, ";", 1);
		sb_adds(&l, hs[i].name);
	}
	if ((*canonical = sb_take(&b)) == NULL || (*signed_list = sb_take(&l)) == NULL)
		goto out;
	rc = OK;
out:
	if (rc != OK) {
		free(*canonical);
		free(*signed_list);
		*canonical = *signed_list = NULL;
	}
	free(b.p);
	free(l.p);
	hdrs_free(hs, nh);
	return rc;
}

STATIC char *
sigv4_canonical_request(const char *method, const char *uri, const char *query,
    const char *headers, const char *signed_list, const char *payload)
{
	char *s;

	if (asprintf(&s, "%s\n%s\n%s\n%s\n%s\n%s", method, uri, query, headers, signed_list,
	    payload) < 0)
		return NULL;
	return s;
}

STATIC char *
sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request)
{
	char crhash[65], *s;

	enc_sha256_hex(canonical_request, strlen(canonical_request), crhash);
	if (asprintf(&s, "%s\n%s\n%s\n%s", SIGV4_ALGORITHM, amz_date, scope, crhash) < 0)
		return NULL;
	return s;
}

/*
 * The signing key of the last (secret, date, region, service) this thread
 * used: it changes once a day, and deriving it is four HMACs, most of a
 * presigned form's cost. Per thread (the runner has a heartbeat thread), no
 * allocation; inputs longer than the buffers are not cached.
 */
struct key_cache {
	bool valid;
	char secret[128], date8[9], region[64], service[32];
	unsigned char key[32];
};
static _Thread_local struct key_cache key_cache;

static bool
key_cache_fits(const struct sigv4_creds *c, const char *date8)
{
	return strlen(c->secret_key) < sizeof(key_cache.secret) &&
	    strlen(date8) < sizeof(key_cache.date8) &&
	    strlen(c->region) < sizeof(key_cache.region) &&
	    strlen(c->service) < sizeof(key_cache.service);
}

static void
signing_key_cached(const struct sigv4_creds *c, const char *date8, unsigned char out[32])
{
	struct key_cache *k = &key_cache;

	if (!key_cache_fits(c, date8)) {
		sigv4_signing_key(c->secret_key, date8, c->region, c->service, out);
		return;
	}
	if (!k->valid || strcmp(k->date8, date8) != 0 || strcmp(k->secret, c->secret_key) != 0 ||
	    strcmp(k->region, c->region) != 0 || strcmp(k->service, c->service) != 0) {
		k->valid = false;
		sigv4_signing_key(c->secret_key, date8, c->region, c->service, k->key);
		strcpy(k->secret, c->secret_key);
		strcpy(k->date8, date8);
		strcpy(k->region, c->region);
		strcpy(k->service, c->service);
		k->valid = true;
	}
	memcpy(out, k->key, sizeof(k->key));
}

/* Hex HMAC of text under the signing key of date8 into out[65]. */
static void
signature_hex(const struct sigv4_creds *c, const char *date8, const char *text,
    char out[65])
{
	unsigned char key[32], mac[32];

	signing_key_cached(c, date8, key);
	enc_hmac_sha256(key, sizeof(key), text, strlen(text), mac);
	OPENSSL_cleanse(key, sizeof(key));
	enc_hex(mac, sizeof(mac), out);
}

/*
 * The headers signed: host, and when signing headers x-amz-content-sha256
 * and x-amz-date, then the caller's. out->signed_headers gets the list.
 */
static enum result
sign_headers_of(const struct sigv4_request *req, bool presign, struct sigv4_signed *out,
    char **canonical, struct errbuf *e)
{
	struct sigv4_pair *hv;
	size_t n = 0, i;
	enum result rc;

	if ((hv = calloc(req->nheaders + 3, sizeof(*hv))) == NULL)
		return ERR_NOMEM;
	hv[n++] = (struct sigv4_pair){ "host", req->host };
	if (!presign) {
		hv[n++] = (struct sigv4_pair){ "x-amz-content-sha256", out->payload_hash };
		hv[n++] = (struct sigv4_pair){ "x-amz-date", out->amz_date };
	}
	for (i = 0; i < req->nheaders; i++)
		hv[n++] = req->headers[i];
	rc = sigv4_canonical_headers(hv, n, canonical, &out->signed_headers, e);
	free(hv);
	return rc;
}

/* The query signed: the caller's, and when presigning the X-Amz-* params
 * but the signature. Owned; NULL on OOM. */
static char *
sign_query_of(const struct sigv4_creds *c, const struct sigv4_request *req,
    long long expires_s, const char *scope, const struct sigv4_signed *out)
{
	struct sigv4_pair *qv;
	char expires[24], *cred = NULL, *q = NULL;
	size_t n = req->nquery;

	if ((qv = calloc(req->nquery + 5, sizeof(*qv))) == NULL)
		return NULL;
	if (req->nquery > 0)
		memcpy(qv, req->query, req->nquery * sizeof(*qv));
	if (expires_s >= 0) {
		if (asprintf(&cred, "%s/%s", c->access_key, scope) < 0) {
			free(qv);
			return NULL;
		}
		snprintf(expires, sizeof(expires), "%lld", expires_s);
		qv[n++] = (struct sigv4_pair){ "X-Amz-Algorithm", SIGV4_ALGORITHM };
		qv[n++] = (struct sigv4_pair){ "X-Amz-Credential", cred };
		qv[n++] = (struct sigv4_pair){ "X-Amz-Date", out->amz_date };
		qv[n++] = (struct sigv4_pair){ "X-Amz-Expires", expires };
		qv[n++] = (struct sigv4_pair){ "X-Amz-SignedHeaders", out->signed_headers };
	}
	q = sigv4_canonical_query(qv, n);
	free(cred);
	free(qv);
	return q;
}

/* What the caller sends besides the signature: the query, or Authorization. */
static enum result
sign_finish(const struct sigv4_creds *c, bool presign, const char *scope,
    char **canonical_query, struct sigv4_signed *out)
{
	if (presign) {
		if (asprintf(&out->query, "%s&X-Amz-Signature=%s", *canonical_query,
		    out->signature) < 0) {
			out->query = NULL;
			return ERR_NOMEM;
		}
		return OK;
	}
	out->query = *canonical_query;
	*canonical_query = NULL;
	if (asprintf(&out->authorization, "%s Credential=%s/%s,SignedHeaders=%s,Signature=%s",
	    SIGV4_ALGORITHM, c->access_key, scope, out->signed_headers, out->signature) < 0) {
		out->authorization = NULL;
		return ERR_NOMEM;
	}
	return OK;
}

/* expires_s < 0: header signing; otherwise a presigned URL. */
static enum result
sign(const struct sigv4_creds *c, const struct sigv4_request *req, time_t now,
    long long expires_s, struct sigv4_signed *out, struct errbuf *e)
{
	bool presign = expires_s >= 0;
	const char *path = req->path == NULL || *req->path == '\0' ? "/" : req->path;
	char date8[9], *scope = NULL, *headers = NULL, *query = NULL;
	enum result rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_request(c, req, expires_s, &out->payload_hash, e)) != OK)
		return rc;
	sigv4_amz_date(now, out->amz_date);
	memcpy(date8, out->amz_date, 8);
	date8[8] = '\0';
	rc = ERR_NOMEM;
	if ((scope = credential_scope(c, date8)) == NULL)
		goto out;
	if ((rc = sign_headers_of(req, presign, out, &headers, e)) != OK)
		goto out;
	rc = ERR_NOMEM;
	if ((query = sign_query_of(c, req, expires_s, scope, out)) == NULL ||
	    (out->path = sigv4_canonical_uri(path)) == NULL ||
	    (out->canonical_request = sigv4_canonical_request(req->method, out->path, query,
	    headers, out->signed_headers, out->payload_hash)) == NULL ||
	    (out->string_to_sign = sigv4_string_to_sign(out->amz_date, scope,
	    out->canonical_request)) == NULL)
		goto out;
	signature_hex(c, date8, out->string_to_sign, out->signature);
	rc = sign_finish(c, presign, scope, &query, out);
out:
	if (rc == ERR_NOMEM)
		err_set(e, "cannot sign: out of memory");
	if (rc != OK)
		sigv4_signed_free(out);
	free(scope);
	free(headers);
	free(query);
	return rc;
}

enum result
sigv4_sign_headers(const struct sigv4_creds *c, const struct sigv4_request *req,
    time_t now, struct sigv4_signed *out, struct errbuf *e)
{
	return sign(c, req, now, -1, out, e);
}

enum result
sigv4_presign(const struct sigv4_creds *c, const struct sigv4_request *req,
    time_t now, long long expires_s, struct sigv4_signed *out, struct errbuf *e)
{
	if (expires_s < 0) {
		memset(out, 0, sizeof(*out));
		err_set(e, "cannot presign: expiry must be 1 to %d seconds, not %lld",
		    SIGV4_MAX_EXPIRES, expires_s);
		return ERR_INVALID;
	}
	return sign(c, req, now, expires_s, out, e);
}

void
sigv4_signed_free(struct sigv4_signed *s)
{
	if (s == NULL)
		return;
	free(s->path);
	free(s->query);
	free(s->authorization);
	free(s->signed_headers);
	free(s->canonical_request);
	free(s->string_to_sign);
	memset(s, 0, sizeof(*s));
}

enum result
sigv4_sign_policy(const struct sigv4_creds *c, const char *policy,
    size_t policy_len, time_t now, char **policy_b64, char signature[65])
{
	char date[17];

	*policy_b64 = NULL;
	signature[0] = '\0';
	if (c == NULL || c->secret_key == NULL || c->region == NULL || c->service == NULL)
		return ERR_INVALID;
	if ((*policy_b64 = enc_base64(policy, policy_len)) == NULL)
		return ERR_NOMEM;
	sigv4_amz_date(now, date);
	date[8] = '\0';
	signature_hex(c, date, *policy_b64, signature);
	return OK;
}
