#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encode.h"
#include "track_json.h"

static bool url_chars_ok(const char *s, size_t len);
static bool url_parse_ok(const char *url);
static const char *json_str(json_object *o, const char *key);
static char *dup_or_null(const char *s);

enum result
webhook_secret_parse(const char *secret, struct webhook_key *k, struct errbuf *e)
{
	static const char want[] = "WEBHOOK_SECRET must be " WEBHOOK_SECRET_PREFIX
	    " followed by the base64 of 24 to 64 random bytes (e.g. " WEBHOOK_SECRET_PREFIX
	    "$(head -c 32 /dev/urandom | base64))";
	size_t plen = strlen(WEBHOOK_SECRET_PREFIX), slen;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	enum result rc;

	memset(k, 0, sizeof(*k));
	if (secret == NULL || strncmp(secret, WEBHOOK_SECRET_PREFIX, plen) != 0) {
		err_set(e, "%s; it does not start with " WEBHOOK_SECRET_PREFIX, want);
		return ERR_INVALID;
	}
	slen = strlen(secret + plen);
	/* 64 bytes are 88 characters: anything longer is refused unread. */
	if (slen > 4 * ((WEBHOOK_KEY_MAX + 2) / 3)) {
		err_set(e, "%s; it is too long", want);
		return ERR_INVALID;
	}
	rc = enc_base64_decode(secret + plen, slen, &raw, &rawlen);
	if (rc == ERR_NOMEM) {
		err_set(e, "WEBHOOK_SECRET: out of memory");
		return rc;
	}
	if (rc != OK || rawlen < WEBHOOK_KEY_MIN || rawlen > WEBHOOK_KEY_MAX) {
		err_set(e, "%s; %s", want, rc != OK ? "what follows it is not base64" :
		    rawlen < WEBHOOK_KEY_MIN ? "it holds fewer than 24 bytes" :
		    "it holds more than 64 bytes");
		if (raw != NULL)
			OPENSSL_cleanse(raw, rawlen);
		free(raw);
		return ERR_INVALID;
	}
	memcpy(k->b, raw, rawlen);
	k->len = rawlen;
	OPENSSL_cleanse(raw, rawlen);
	free(raw);
	return OK;
}

/* Printable ASCII without space, quotes, backslash or angle brackets. */
static bool
url_chars_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"'\\<>`{}|^", c) != NULL)
			return false;
	}
	return true;
}

/* An absolute http(s) URL with a host, as libcurl reads it. */
static bool
url_parse_ok(const char *url)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (h == NULL)
		return false;
	if (curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
		    host[0] != '\0' &&
		    (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
		    strstr(url, "://")[3] != '/'; /* curl reads http:///h as http://h */
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return ok;
}

enum result
webhook_urls_parse(const char *list, struct webhook_urls *u, struct errbuf *e)
{
	char *p, *end, *next;
	size_t i, pos = 0;

	memset(u, 0, sizeof(*u));
	if ((u->buf = strdup(list != NULL ? list : "")) == NULL) {
		err_set(e, "WEBHOOK_URLS: out of memory");
		return ERR_NOMEM;
	}
	if (u->buf[strspn(u->buf, " \t")] == '\0')
		return OK;
	for (p = u->buf; p != NULL; p = next) {
		pos++;
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		p += strspn(p, " \t");
		for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		if (*p == '\0') {
			err_set(e, "WEBHOOK_URLS: entry %zu is empty (a comma too many?)", pos);
			goto fail;
		}
		if (u->n == WEBHOOK_MAX_URLS) {
			err_set(e, "WEBHOOK_URLS names more than %d URLs", WEBHOOK_MAX_URLS);
			goto fail;
		}
		if (strlen(p) > WEBHOOK_URL_MAX || !url_chars_ok(p, strlen(p)) ||
		    !url_parse_ok(p)) {
			err_set(e, "WEBHOOK_URLS: entry %zu is not an http:// or https:// URL with "
			    "a host (printable ASCII, no spaces or quotes, at most %d characters)",
			    pos, WEBHOOK_URL_MAX);
			goto fail;
		}
		for (i = 0; i < u->n; i++) {
			if (strcmp(u->url[i], p) == 0) {
				err_set(e, "WEBHOOK_URLS: entry %zu repeats entry %zu", pos, i + 1);
				goto fail;
			}
		}
		u->url[u->n++] = p;
	}
	return OK;
fail:
	webhook_urls_free(u);
	return ERR_INVALID;
}

void
webhook_urls_free(struct webhook_urls *u)
{
	free(u->buf);
	memset(u, 0, sizeof(*u));
}

enum result
webhook_config_check(const char *urls, const char *secret, struct errbuf *e)
{
	struct webhook_urls u;
	struct webhook_key k;
	enum result rc;
	size_t n;

	if ((rc = webhook_urls_parse(urls, &u, e)) != OK)
		return rc;
	n = u.n;
	webhook_urls_free(&u);
	if (n > 0 && (secret == NULL || secret[0] == '\0')) {
		err_set(e, "WEBHOOK_SECRET is required when WEBHOOK_URLS is set (" WEBHOOK_SECRET_PREFIX
		    " followed by the base64 of 24 to 64 random bytes)");
		return ERR_INVALID;
	}
	if (secret != NULL && secret[0] != '\0') {
		rc = webhook_secret_parse(secret, &k, e);
		OPENSSL_cleanse(&k, sizeof(k));
		return rc;
	}
	return OK;
}

bool
webhook_enabled(const struct config *cfg)
{
	const char *s = cfg->webhook_urls;

	return s != NULL && s[strspn(s, " \t")] != '\0';
}

enum result
webhook_id_new(char out[WEBHOOK_ID_SIZE])
{
	unsigned char b[16];
	char *s;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return ERR_IO;
	if ((s = enc_base64url(b, sizeof(b))) == NULL)
		return ERR_NOMEM;
	snprintf(out, WEBHOOK_ID_SIZE, "msg_%s", s);
	free(s);
	return OK;
}

enum result
webhook_sign(const struct webhook_key *k, const char *id, long long ts, const char *body,
    size_t body_len, char out[WEBHOOK_SIGNATURE_SIZE])
{
	unsigned char mac[ENC_SHA256_LEN];
	char tss[24], *msg, *b64;
	size_t idlen = strlen(id), tslen, n;

	tslen = (size_t)snprintf(tss, sizeof(tss), "%lld", ts);
	n = idlen + 1 + tslen + 1 + body_len;
	if ((msg = malloc(n)) == NULL)
		return ERR_NOMEM;
	memcpy(msg, id, idlen);
	msg[idlen] = '.';
	memcpy(msg + idlen + 1, tss, tslen);
	msg[idlen + 1 + tslen] = '.';
	memcpy(msg + idlen + tslen + 2, body, body_len);
	enc_hmac_sha256(k->b, k->len, msg, n, mac);
	free(msg);
	if ((b64 = enc_base64(mac, sizeof(mac))) == NULL)
		return ERR_NOMEM;
	snprintf(out, WEBHOOK_SIGNATURE_SIZE, "v1,%s", b64);
	free(b64);
	return OK;
}

char *
webhook_body(const char *type, const char *timestamp, json_object *data)
{
	json_object *o = json_object_new_object();
	const char *s;
	char *out = NULL;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "timestamp", json_object_new_string(timestamp));
	json_object_object_add(o, "data", json_object_get(data));
	if ((s = json_object_to_json_string_ext(o, TRACK_JSON_FLAGS)) != NULL)
		out = strdup(s);
	json_object_put(o);
	return out;
}

char *
webhook_payload(const struct webhook_delivery *d)
{
	json_object *o = json_object_new_object();
	const char *s;
	char *out = NULL;

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "url", json_object_new_string(d->url));
	json_object_object_add(o, "webhook_id", json_object_new_string(d->webhook_id));
	json_object_object_add(o, "type", json_object_new_string(d->type));
	json_object_object_add(o, "track_id",
	    d->track_id != NULL ? json_object_new_string(d->track_id) : NULL);
	json_object_object_add(o, "body", json_object_new_string(d->body));
	if ((s = json_object_to_json_string_ext(o, TRACK_JSON_FLAGS)) != NULL)
		out = strdup(s);
	json_object_put(o);
	return out;
}

/* Borrowed: member key when it is a string, else NULL. */
static const char *
json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

enum result
webhook_payload_parse(const char *json, struct webhook_delivery *d, struct errbuf *e)
{
	json_object *o = json != NULL ? json_tokener_parse(json) : NULL;
	const char *url, *id, *type, *body, *track;
	enum result rc = ERR_INVALID;

	memset(d, 0, sizeof(*d));
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		err_set(e, "the webhook job's payload is not a JSON object");
		goto out;
	}
	url = json_str(o, "url");
	id = json_str(o, "webhook_id");
	type = json_str(o, "type");
	body = json_str(o, "body");
	track = json_str(o, "track_id");
	if (url == NULL || id == NULL || type == NULL || body == NULL) {
		err_set(e, "the webhook job's payload lacks one of url, webhook_id, type, body");
		goto out;
	}
	if (id[0] == '\0' || strchr(id, '.') != NULL || !url_chars_ok(id, strlen(id)) ||
	    strlen(id) >= WEBHOOK_ID_SIZE) {
		err_set(e, "the webhook job's webhook_id is not a plain id");
		goto out;
	}
	if (strlen(url) > WEBHOOK_URL_MAX || !url_chars_ok(url, strlen(url)) ||
	    (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
		err_set(e, "the webhook job's url is not an http(s) URL");
		goto out;
	}
	d->url = strdup(url);
	d->webhook_id = strdup(id);
	d->type = strdup(type);
	d->body = strdup(body);
	d->track_id = dup_or_null(track);
	if (d->url == NULL || d->webhook_id == NULL || d->type == NULL || d->body == NULL ||
	    (track != NULL && d->track_id == NULL)) {
		err_set(e, "out of memory");
		webhook_delivery_free(d);
		rc = ERR_NOMEM;
		goto out;
	}
	rc = OK;
out:
	json_object_put(o);
	return rc;
}

void
webhook_delivery_free(struct webhook_delivery *d)
{
	free(d->url);
	free(d->webhook_id);
	free(d->type);
	free(d->track_id);
	free(d->body);
	memset(d, 0, sizeof(*d));
}

enum webhook_verdict
webhook_verdict(long status)
{
	if (status >= 200 && status <= 299)
		return WEBHOOK_DELIVERED;
	if (status == 410)
		return WEBHOOK_GONE;
	if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 100)
		return WEBHOOK_RETRY;
	return WEBHOOK_REFUSED;
}
