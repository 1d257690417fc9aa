/*
 * s3_status.c: what a storage answer means. The HTTP status and the <Code>
 * of S3's XML error body become a result, whether to retry, and a sentence
 * naming the key and what to check. Pure: no network.
 */
#include "s3_status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void error_code(const char *body, char *out, size_t outlen);

const char *
s3_verb(const char *method)
{
	if (strcmp(method, "GET") == 0)
		return "reading";
	if (strcmp(method, "HEAD") == 0)
		return "checking";
	if (strcmp(method, "PUT") == 0)
		return "writing";
	return "deleting";
}

/* The <Code> of an S3 XML error body, letters and digits only, or "". */
static void
error_code(const char *body, char *out, size_t outlen)
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
 * Map an HTTP answer to a result. 2xx OK; 404 ERR_NOT_FOUND; 412 (a
 * conditional request's precondition failed) ERR_CONFLICT; 401/403, 3xx
 * and 400s about credentials ERR_AUTH (configuration); 408, 429 and 5xx
 * ERR_STORAGE and transient; anything else ERR_STORAGE, not retried.
 */
enum result
s3_status_result(const struct config *cfg, const char *method, const char *key,
    long status, const char *body, bool *transient, struct errbuf *e)
{
	char code[64], paren[80];

	*transient = false;
	if (status >= 200 && status < 300)
		return OK;
	error_code(body != NULL ? body : "", code, sizeof(code));
	snprintf(paren, sizeof(paren), "%ld%s%s", status, code[0] ? " " : "", code);
	if (status == 404) {
		if (strcmp(code, "NoSuchBucket") == 0)
			err_set(e, "storage at %s has no bucket %s (%s) while %s %s",
			    cfg->storage_endpoint, cfg->storage_bucket, paren,
			    s3_verb(method), key);
		else
			err_set(e, "storage has no object %s (%s)", key, paren);
		return ERR_NOT_FOUND;
	}
	if (status == 412) {
		err_set(e, "storage answered %s to %s %s: the object is no longer the one "
		    "asked for (its ETag changed)", paren, method, key);
		return ERR_CONFLICT;
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
