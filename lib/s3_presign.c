/*
 * s3_presign.c: presigned GET URLs and the Content-Disposition they carry.
 * Pure: the URL is signed here and fetched by someone else (the app).
 */
#include "s3_presign.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "s3_post.h"
#include "sigv4.h"
#include "storage_layout.h"
#include "utf8.h"

static char *safe_name(const char *name, bool ascii);
static bool ext_ok(const char *ext);

enum result
s3_presign_get(const struct config *cfg, const char *key, const char *disposition,
    long long expires_s, time_t now, char **url, struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key, cfg->storage_secret_key,
		cfg->storage_region, "s3" };
	struct sigv4_pair q[1];
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct storage_target t;
	enum result rc;

	*url = NULL;
	if (key == NULL || *key == '\0' || !s3_value_ok(key) ||
	    (disposition != NULL && !s3_value_ok(disposition))) {
		err_set(e, "cannot presign a download without a key, or with a control character");
		return ERR_INVALID;
	}
	if ((rc = storage_target_make(cfg, key, &t, e)) != OK)
		return rc;
	q[0] = (struct sigv4_pair){ "response-content-disposition", disposition };
	req = (struct sigv4_request){ "GET", t.host, t.path, q, disposition != NULL ? 1 : 0, NULL,
		0, NULL };
	if ((rc = sigv4_presign(&creds, &req, now, expires_s, &sig, e)) != OK) {
		storage_target_free(&t);
		return rc;
	}
	if ((*url = storage_url_request(&t, sig.path, sig.query)) == NULL) {
		err_set(e, "out of memory presigning %s", key);
		rc = ERR_NOMEM;
	}
	sigv4_signed_free(&sig);
	storage_target_free(&t);
	return rc;
}

/* name made safe for a file name: see s3_attachment_disposition. malloc'd. */
static char *
safe_name(const char *name, bool ascii)
{
	size_t len = utf8_truncate(name, strlen(name), S3_FILENAME_MAX), i = 0, o = 0, n;
	char *fixed, *out;
	uint32_t cp;

	if ((fixed = malloc(3 * len + 1)) == NULL)
		return NULL;
	utf8_copy_valid(fixed, 3 * len + 1, name, len);
	len = strlen(fixed);
	if ((out = malloc(len + 1)) == NULL) {
		free(fixed);
		return NULL;
	}
	while (i < len) {
		n = utf8_decode(fixed + i, len - i, &cp, NULL, NULL);
		if (n == 0)
			n = 1; /* cannot happen after utf8_copy_valid */
		if (cp < 0x20 || cp == 0x7f || cp == '/' || cp == '\\' ||
		    (ascii && (cp >= 0x80 || cp == '"'))) {
			out[o++] = '_';
		} else {
			memcpy(out + o, fixed + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	free(fixed);
	return out;
}

static bool
ext_ok(const char *ext)
{
	size_t i;

	if (ext == NULL || *ext == '\0' || strlen(ext) > 16)
		return false;
	for (i = 0; ext[i] != '\0'; i++)
		if (!((ext[i] >= 'a' && ext[i] <= 'z') || (ext[i] >= 'A' && ext[i] <= 'Z') ||
		    (ext[i] >= '0' && ext[i] <= '9')))
			return false;
	return true;
}

char *
s3_attachment_disposition(const char *name, const char *ext)
{
	char *ascii = NULL, *utf = NULL, *full = NULL, *enc = NULL, *out = NULL;
	const char *dot = ext_ok(ext) ? "." : "", *x = ext_ok(ext) ? ext : "";
	size_t n;

	if ((ascii = safe_name(name, true)) == NULL || (utf = safe_name(name, false)) == NULL)
		goto out;
	n = strlen(utf) + strlen("track") + strlen(x) + 2;
	if ((full = malloc(n)) == NULL)
		goto out;
	snprintf(full, n, "%s%s%s", *utf != '\0' ? utf : "track", dot, x);
	if ((enc = enc_uri(full, strlen(full), false)) == NULL)
		goto out;
	n = strlen(ascii) + strlen(enc) + strlen(x) + 64;
	if ((out = malloc(n)) == NULL)
		goto out;
	snprintf(out, n, "attachment; filename=\"%s%s%s\"; filename*=UTF-8''%s",
	    *ascii != '\0' ? ascii : "track", dot, x, enc);
out:
	free(ascii);
	free(utf);
	free(full);
	free(enc);
	return out;
}
