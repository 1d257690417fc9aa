/*
 * storage_layout.c: object keys and storage URLs (see storage_layout.h for
 * the layout). Pure string work, no network.
 */
#include "storage_layout.h"
#include "encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

static const char *key_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *bucket_url(const struct config *cfg);

enum result
storage_attempt_id(char out[STORAGE_ATTEMPT_HEX + 1])
{
	unsigned char r[STORAGE_ATTEMPT_HEX / 2];

	if (RAND_bytes(r, sizeof(r)) != 1) {
		out[0] = '\0';
		return ERR_IO;
	}
	enc_hex(r, sizeof(r), out);
	return OK;
}

/* buf, or NULL (and buf "") when the key would not fit. */
static const char *
key_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len == 0)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return NULL;
	}
	return buf;
}

const char *
storage_key_original(char *buf, size_t len, const char *track, const char *ext)
{
	return key_fmt(buf, len, "tracks/%s/original.%s", track, ext);
}

const char *
storage_key_artwork(char *buf, size_t len, const char *track, const char *ext)
{
	return key_fmt(buf, len, "tracks/%s/artwork.%s", track, ext);
}

const char *
storage_key_hls_prefix(char *buf, size_t len, const char *track, const char *attempt)
{
	return key_fmt(buf, len, "hls/%s/%s", track, attempt);
}

const char *
storage_track_prefix(char *buf, size_t len, const char *track, size_t i)
{
	static const char *const roots[STORAGE_TRACK_PREFIXES] = { "tracks", "hls", "art" };

	if (i >= STORAGE_TRACK_PREFIXES) {
		if (len > 0)
			buf[0] = '\0';
		return NULL;
	}
	return key_fmt(buf, len, "%s/%s/", roots[i], track);
}

const char *
storage_key_hls_master(char *buf, size_t len, const char *prefix)
{
	return key_fmt(buf, len, "%s/master.m3u8", prefix);
}

const char *
storage_hls_uri(char *buf, size_t len, int kbps, const char *file)
{
	return key_fmt(buf, len, "a%d/%s", kbps, file);
}

const char *
storage_key_hls_file(char *buf, size_t len, const char *prefix, int kbps, const char *file)
{
	return key_fmt(buf, len, "%s/a%d/%s", prefix, kbps, file);
}

const char *
storage_key_hls_waveform(char *buf, size_t len, const char *prefix)
{
	return key_fmt(buf, len, "%s/waveform.json", prefix);
}

const char *
storage_key_art_prefix(char *buf, size_t len, const char *track, const char *attempt)
{
	return key_fmt(buf, len, "art/%s/%s", track, attempt);
}

const char *
storage_key_art_file(char *buf, size_t len, const char *prefix, const char *name)
{
	return key_fmt(buf, len, "%s/%s", prefix, name);
}

enum result
storage_target_make(const struct config *cfg, const char *key, struct storage_target *t,
    struct errbuf *e)
{
	const char *ep = cfg->storage_endpoint, *hp, *slash;
	size_t schemelen, hplen;
	const char *base;
	int n;

	memset(t, 0, sizeof(*t));
	if (ep != NULL && strncmp(ep, "http://", 7) == 0)
		schemelen = 4;
	else if (ep != NULL && strncmp(ep, "https://", 8) == 0)
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
		storage_target_free(t);
		err_set(e, "storage: out of memory");
		return ERR_NOMEM;
	}
	return OK;
}

void
storage_target_free(struct storage_target *t)
{
	free(t->host);
	free(t->origin);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

char *
storage_url_request(const struct storage_target *t, const char *enc_path,
    const char *enc_query)
{
	char *s;

	if (enc_query == NULL)
		enc_query = "";
	if (asprintf(&s, "%s%s%s%s", t->origin, enc_path, *enc_query != '\0' ? "?" : "",
	    enc_query) < 0)
		return NULL;
	return s;
}

/*
 * The bucket's base URL: <endpoint>/<bucket> in path style, the bucket
 * prefixed to the endpoint's host in virtual-host style. Plain string work
 * on what config_load accepted (http:// or https://, no trailing slash), so
 * it cannot fail but for memory. Owned; NULL on OOM.
 */
static char *
bucket_url(const struct config *cfg)
{
	const char *ep = cfg->storage_endpoint, *sep = strstr(ep, "://");
	char *s;
	int n;

	if (cfg->storage_path_style || sep == NULL)
		n = asprintf(&s, "%s/%s", ep, cfg->storage_bucket);
	else
		n = asprintf(&s, "%.*s%s.%s", (int)(sep + 3 - ep), ep, cfg->storage_bucket,
		    sep + 3);
	return n < 0 ? NULL : s;
}

enum result
storage_url_form(const struct config *cfg, char **out, struct errbuf *e)
{
	struct storage_target t;
	enum result rc;

	*out = NULL;
	if ((rc = storage_target_make(cfg, NULL, &t, e)) != OK)
		return rc;
	storage_target_free(&t);
	if ((*out = bucket_url(cfg)) == NULL) {
		err_set(e, "storage: out of memory");
		return ERR_NOMEM;
	}
	return OK;
}

char *
storage_url_public(const struct config *cfg, const char *key)
{
	char *base, *s;
	int n;

	if (cfg->storage_public_url != NULL && cfg->storage_public_url[0] != '\0')
		n = asprintf(&s, "%s/%s", cfg->storage_public_url, key);
	else if ((base = bucket_url(cfg)) == NULL)
		return NULL;
	else {
		n = asprintf(&s, "%s/%s", base, key);
		free(base);
	}
	return n < 0 ? NULL : s;
}
