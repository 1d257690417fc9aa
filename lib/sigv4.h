/*
 * sigv4.h: AWS Signature Version 4 for S3, written from AWS's S3 API
 * reference ("Authenticating Requests (AWS Signature Version 4)": the
 * Authorization header, query-string (presigned URL) and browser POST
 * forms). Tested against AWS's published examples (tests/unit/test_sigv4.c)
 * and against the aws4 npm module (tests/unit/test_sigv4_crosscheck.c).
 *
 * Paths and query parameters are given raw (unencoded); the signer encodes
 * them once, the S3 way, and hands back the encoded path and query so the
 * request sent is byte for byte the request signed.
 *
 * Secrets: nothing here logs. The secret key is only ever an HMAC key; the
 * outputs (signature, canonical request, string to sign) are not secret.
 */
#ifndef MUSTORY_SIGV4_H
#define MUSTORY_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "result.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
/* SHA-256 of the empty string: the payload hash of HEAD, GET, DELETE. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_MAX_EXPIRES 604800 /* 7 days: S3's limit for presigned URLs */

/* All borrowed; must outlive the call only. */
struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *region;  /* "us-east-1" */
	const char *service; /* "s3" */
};

/* A header or query parameter, raw (not encoded). value NULL means "". */
struct sigv4_pair {
	const char *name;
	const char *value;
};

struct sigv4_request {
	const char *method; /* "GET", "PUT", ... */
	const char *host;   /* Host header value: "bucket.s3.amazonaws.com", "127.0.0.1:9000" */
	const char *path;   /* raw, starts with '/': "/bucket/tracks/a b.mp3"; NULL = "/" */
	const struct sigv4_pair *query; /* raw parameters, any order, repeats allowed */
	size_t nquery;
	/*
	 * Further headers to sign (and send). Not host, x-amz-date,
	 * x-amz-content-sha256 or authorization: the signer adds those.
	 * Names are case-insensitive; a name given twice is signed as the
	 * values joined by ',' (as HTTP combines them).
	 */
	const struct sigv4_pair *headers;
	size_t nheaders;
	/*
	 * Header signing: hex SHA-256 of the body, or SIGV4_UNSIGNED_PAYLOAD.
	 * NULL means SIGV4_EMPTY_SHA256. Presigning always uses UNSIGNED-PAYLOAD.
	 */
	const char *payload_hash;
};

/* The result of signing. Every pointer is owned: free with sigv4_signed_free(). */
struct sigv4_signed {
	char amz_date[17];       /* "20130524T000000Z": send as x-amz-date */
	char signature[65];      /* lowercase hex */
	char *path;              /* encoded path for the URL: "/bucket/tracks/a%20b.mp3" */
	char *query;             /* encoded query for the URL, no '?'; "" when none.
	                            Presigned: includes every X-Amz-* and the signature. */
	char *authorization;     /* header signing: the Authorization value; else NULL */
	char *signed_headers;    /* "host;range;x-amz-content-sha256;x-amz-date" */
	char *canonical_request; /* kept for tests and debugging (not secret) */
	char *string_to_sign;
	const char *payload_hash; /* static or borrowed from the request: x-amz-content-sha256 */
};

/*
 * Sign req with the Authorization header. Always signs host, x-amz-date
 * (from now) and x-amz-content-sha256 (req->payload_hash) besides
 * req->headers. The caller sends: Host: req->host, x-amz-date:
 * out->amz_date, x-amz-content-sha256: out->payload_hash, Authorization:
 * out->authorization, and every header of req->headers, to
 * path + ("?" + query when query is not empty).
 * ERR_INVALID when the request is malformed (CR/LF in a header value, a
 * header the signer owns, no host...), ERR_NOMEM.
 */
enum result sigv4_sign_headers(const struct sigv4_creds *c,
    const struct sigv4_request *req, time_t now, struct sigv4_signed *out,
    struct errbuf *e);

/*
 * Presign req as a URL valid expires_s seconds (1..SIGV4_MAX_EXPIRES):
 * X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders (host and
 * req->headers) and -Signature join req->query in out->query. The payload
 * is UNSIGNED-PAYLOAD, out->authorization is NULL.
 */
enum result sigv4_presign(const struct sigv4_creds *c,
    const struct sigv4_request *req, time_t now, long long expires_s,
    struct sigv4_signed *out, struct errbuf *e);

void sigv4_signed_free(struct sigv4_signed *s);

/*
 * Browser POST (form) signing: *policy_b64 (malloc'd) gets base64 of the
 * policy document as given (its bytes are what S3 checks), signature the
 * hex HMAC of that base64 text under the signing key of now's date.
 */
enum result sigv4_sign_policy(const struct sigv4_creds *c, const char *policy,
    size_t policy_len, time_t now, char **policy_b64, char signature[65]);

/* "20130524T000000Z" for now (UTC) into out[17]. */
void sigv4_amz_date(time_t now, char out[17]);

/*
 * The x-amz-credential value: "AKID/20130524/us-east-1/s3/aws4_request".
 * malloc'd, NULL when out of memory.
 */
char *sigv4_credential(const struct sigv4_creds *c, time_t now);

/*
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8), region), service),
 * "aws4_request"). date8 is "YYYYMMDD". out is secret material: callers
 * wipe it (OPENSSL_cleanse) when done.
 */
void sigv4_signing_key(const char *secret, const char *date8,
    const char *region, const char *service, unsigned char out[32]);

/*
 * Pieces of the canonical request, which signing itself calls (so a test
 * of a piece tests what runs). malloc'd, NULL when out of memory.
 *   canonical URI: each segment of the raw path URI-encoded, '/' kept.
 *   canonical query: name=value pairs, both URI-encoded ('/' too), sorted
 *   by encoded name then encoded value, joined by '&'; "" when none.
 */
char *sigv4_canonical_uri(const char *path);
char *sigv4_canonical_query(const struct sigv4_pair *q, size_t n);

#ifdef UNITTEST
/*
 * The other steps sign() takes, the same for header and query signing
 * (static in release builds). All malloc'd, NULL when out of memory.
 *   canonical headers: every name lowercased, its value trimmed and inner
 *   runs of spaces folded, sorted by name, a repeated name joined by ','
 *   in the order given; *canonical gets "name:value\n" for each,
 *   *signed_list "a;b;c". ERR_INVALID for a bad name or a line break in
 *   a value, ERR_NOMEM.
 *   canonical request: the six parts joined by '\n' (headers already end
 *   in '\n', so a blank line follows them).
 *   string to sign: algorithm, x-amz-date, scope, hex SHA-256 of the
 *   canonical request.
 */
enum result sigv4_canonical_headers(const struct sigv4_pair *h, size_t n,
    char **canonical, char **signed_list, struct errbuf *e);
char *sigv4_canonical_request(const char *method, const char *uri,
    const char *query, const char *headers, const char *signed_list,
    const char *payload);
char *sigv4_string_to_sign(const char *amz_date, const char *scope,
    const char *canonical_request);
#endif

#endif
