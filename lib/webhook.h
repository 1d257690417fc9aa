/*
 * webhook.h: the track events sent as Standard Webhooks (spec 1.0.0,
 * standardwebhooks.com): the settings (WEBHOOK_URLS, WEBHOOK_SECRET), the
 * events' bodies and payloads, their signatures, and what an answer means.
 * Pure but for the random id; queueing is webhook_queue.h, sending
 * jobs/deliver.c.
 *
 * An event is one job of kind "webhook" per configured URL (jobs/deliver.c
 * sends it), queued in the transaction of the change it tells of, so no
 * event is lost and none is sent for a change that rolled back. Its payload
 * (jsonb) holds what every attempt sends again unchanged:
 *   {"url", "webhook_id", "type", "track_id", "body"}
 * with body the exact bytes signed and sent, as a JSON string:
 *   {"type":"track.completed","timestamp":"<RFC 3339, the change's time>",
 *    "data":<the track, as GET /tracks/{id} answers it (track_json.h)>}
 * Each attempt signs it afresh: webhook-id (the same on every attempt and
 * every URL of one change), webhook-timestamp (unix seconds, now) and
 * webhook-signature "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
 */
#ifndef MUSTORY_WEBHOOK_H
#define MUSTORY_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "config.h"
#include "result.h"

/* The event types. */
#define WEBHOOK_TRACK_COMPLETED "track.completed"
#define WEBHOOK_TRACK_FAILED "track.failed"
#define WEBHOOK_TRACK_DELETED "track.deleted"

/* The job kind that delivers one event to one URL. */
#define WEBHOOK_JOB_KIND "webhook"

#define WEBHOOK_SECRET_PREFIX "whsec_"
#define WEBHOOK_KEY_MIN 24  /* bytes: the spec's 192 bits at least */
#define WEBHOOK_KEY_MAX 64  /* bytes: its 512 bits at most */
#define WEBHOOK_MAX_URLS 16
#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_ID_SIZE 32        /* "msg_" + 22 base64url characters + NUL */
#define WEBHOOK_SIGNATURE_SIZE 48 /* "v1," + 44 base64 characters + NUL */

/* The HMAC key: WEBHOOK_SECRET without its prefix, base64-decoded. */
struct webhook_key {
	unsigned char b[WEBHOOK_KEY_MAX];
	size_t len;
};

/*
 * Parse a secret: "whsec_" then strict base64 (padded) of 24 to 64 bytes.
 * ERR_INVALID with a sentence naming WEBHOOK_SECRET that never repeats the
 * value (it is a secret); *k is zeroed then.
 */
enum result webhook_secret_parse(const char *secret, struct webhook_key *k, struct errbuf *e);

/* The URLs of WEBHOOK_URLS; url[i] point into buf (owned). */
struct webhook_urls {
	char *buf;
	const char *url[WEBHOOK_MAX_URLS];
	size_t n;
};

/*
 * Split a comma list of URLs (spaces around each one ignored; "" or only
 * spaces: none). Each must be an absolute http:// or https:// URL with a
 * host, printable ASCII without spaces or quotes, at most WEBHOOK_URL_MAX
 * bytes, and listed once; at most WEBHOOK_MAX_URLS. ERR_INVALID with a
 * sentence naming WEBHOOK_URLS and the entry's position (not the URL: it may
 * hold a token). On OK the caller frees u with webhook_urls_free.
 */
enum result webhook_urls_parse(const char *list, struct webhook_urls *u, struct errbuf *e);
void webhook_urls_free(struct webhook_urls *u);

/*
 * Start-up check of the settings (config_load calls it): the URL list
 * parses; a secret is set when there are URLs, and parses when set.
 */
enum result webhook_config_check(const char *urls, const char *secret, struct errbuf *e);

/* Are webhooks on (WEBHOOK_URLS names at least one URL)? */
bool webhook_enabled(const struct config *cfg);

/* A fresh webhook-id: "msg_" and 16 random bytes in base64url. */
enum result webhook_id_new(char out[WEBHOOK_ID_SIZE]);

/*
 * The webhook-signature value "v1,<base64 HMAC-SHA256(key, id "." ts "." body)>"
 * into out. ERR_NOMEM when out of memory.
 */
enum result webhook_sign(const struct webhook_key *k, const char *id, long long ts,
    const char *body, size_t body_len, char out[WEBHOOK_SIGNATURE_SIZE]);

/*
 * The body {"type","timestamp","data"} serialized as the API serializes
 * (TRACK_JSON_FLAGS). data is borrowed (NULL: null).
 * malloc'd, NULL when out of memory.
 */
char *webhook_body(const char *type, const char *timestamp, json_object *data);

/* One delivery, as its job's payload holds it. Strings owned. */
struct webhook_delivery {
	char *url;
	char *webhook_id;
	char *type;
	char *track_id; /* NULL when none */
	char *body;
};

/* The payload's JSON text for a delivery (all but track_id required); malloc'd. */
char *webhook_payload(const struct webhook_delivery *d);

/*
 * Read a payload back: every string member present (track_id may be null
 * or missing), the id without '.' (it is signed between dots). ERR_INVALID
 * with a message otherwise; on OK free d with webhook_delivery_free.
 */
enum result webhook_payload_parse(const char *json, struct webhook_delivery *d,
    struct errbuf *e);
void webhook_delivery_free(struct webhook_delivery *d);

/* What an answer means for a delivery. */
enum webhook_verdict {
	WEBHOOK_DELIVERED, /* 2xx */
	WEBHOOK_RETRY,     /* no answer (timeout, connection), 408, 425, 429, 5xx: later */
	WEBHOOK_GONE,      /* 410: the endpoint is disabled, the job ends */
	WEBHOOK_REFUSED,   /* 3xx (redirects are not followed), other 4xx: never retried */
};

/* Pure: the verdict on an HTTP status (0: no answer at all). */
enum webhook_verdict webhook_verdict(long status);

#endif
