#include "deliver.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "log.h"
#include "webhook.h"
#include "webhook_queue.h"

#define DELIVER_ANSWER_MAX 65536 /* bytes of an answer read (and dropped) */

/* What one POST came to. */
struct deliver_answer {
	long status;         /* 0: none */
	double secs;
	CURLcode cc;
	char curl_err[CURL_ERROR_SIZE];
	size_t read;         /* answer bytes read, capped */
	const volatile sig_atomic_t *stop; /* borrowed: the runner is stopping */
};

static size_t answer_drop(char *p, size_t size, size_t n, void *arg);
static int stop_check(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un);
static struct curl_slist *deliver_headers(const struct webhook_delivery *d, long long ts,
    const char *sig);
static enum result deliver_post(const struct config *cfg, const struct webhook_delivery *d,
    const struct webhook_key *k, struct deliver_answer *a, struct errbuf *e);
static enum result deliver_judge(struct worker *w, struct job *j,
    const struct webhook_delivery *d, const struct deliver_answer *a, struct errbuf *e);

/* The answer's body is not read: at most DELIVER_ANSWER_MAX bytes are taken. */
static size_t
answer_drop(char *p, size_t size, size_t n, void *arg)
{
	struct deliver_answer *a = arg;

	(void)p;
	a->read += size * n;
	return a->read > DELIVER_ANSWER_MAX ? 0 : size * n;
}

/* A stopping runner does not wait out the timeout: the attempt is handed back. */
static int
stop_check(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const struct deliver_answer *a = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return a->stop != NULL && *a->stop ? 1 : 0;
}

static struct curl_slist *
deliver_headers(const struct webhook_delivery *d, long long ts, const char *sig)
{
	struct curl_slist *h = NULL, *t;
	char line[128];
	const char *fixed[] = { "Content-Type: application/json", "Expect:", NULL };
	size_t i;

	for (i = 0; fixed[i] != NULL; i++) {
		if ((t = curl_slist_append(h, fixed[i])) == NULL)
			goto fail;
		h = t;
	}
	snprintf(line, sizeof(line), "webhook-id: %s", d->webhook_id);
	if ((t = curl_slist_append(h, line)) == NULL)
		goto fail;
	h = t;
	snprintf(line, sizeof(line), "webhook-timestamp: %lld", ts);
	if ((t = curl_slist_append(h, line)) == NULL)
		goto fail;
	h = t;
	snprintf(line, sizeof(line), "webhook-signature: %s", sig);
	if ((t = curl_slist_append(h, line)) == NULL)
		goto fail;
	return t;
fail:
	curl_slist_free_all(h);
	return NULL;
}

/* One signed POST of d; *a says what came of it (a->stop set by the caller). */
static enum result
deliver_post(const struct config *cfg, const struct webhook_delivery *d,
    const struct webhook_key *k, struct deliver_answer *a, struct errbuf *e)
{
	const volatile sig_atomic_t *stop = a->stop;
	char sig[WEBHOOK_SIGNATURE_SIZE];
	struct curl_slist *hdr = NULL;
	long long ts = (long long)time(NULL);
	size_t len = strlen(d->body);
	double t0;
	CURL *h;
	enum result rc;

	memset(a, 0, sizeof(*a));
	a->stop = stop;
	if ((rc = webhook_sign(k, d->webhook_id, ts, d->body, len, sig)) != OK ||
	    (hdr = deliver_headers(d, ts, sig)) == NULL || (h = curl_easy_init()) == NULL) {
		curl_slist_free_all(hdr);
		err_set(e, "out of memory");
		return ERR_NOMEM;
	}
	curl_easy_setopt(h, CURLOPT_URL, d->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Mustory-Webhooks/" MUSTORY_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->curl_err);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->webhook_timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)cfg->webhook_timeout_s);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, answer_drop);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stop_check);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, a);
	t0 = clock_now_s();
	a->cc = curl_easy_perform(h);
	a->secs = clock_now_s() - t0;
	/* an answer cut short by our cap still has its status */
	if (a->cc == CURLE_OK || a->cc == CURLE_WRITE_ERROR)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->curl_err[0] == '\0')
		snprintf(a->curl_err, sizeof(a->curl_err), "%s", curl_easy_strerror(a->cc));
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	OPENSSL_cleanse(sig, sizeof(sig));
	return OK;
}

/* The job's move for answer a (OK: it is recorded as succeeded here). */
static enum result
deliver_judge(struct worker *w, struct job *j, const struct webhook_delivery *d,
    const struct deliver_answer *a, struct errbuf *e)
{
	char msg[512];
	struct errbuf de;

	switch (webhook_verdict(a->status)) {
	case WEBHOOK_DELIVERED:
		snprintf(msg, sizeof(msg), "%s %s delivered to %s: HTTP %ld in %.3f s", d->type,
		    d->webhook_id, d->url, a->status, a->secs);
		log_info("job %lld: %s", j->id, msg);
		return job_done(&w->db, j, w->owner, msg, e);
	case WEBHOOK_GONE:
		snprintf(msg, sizeof(msg), "HTTP 410 Gone from %s on %s %s", d->url, d->type,
		    d->webhook_id);
		err_clear(&de);
		if (webhook_disable(&w->db, d->url, msg, &de) != OK)
			log_warnx("job %lld: cannot disable %s: %s", j->id, d->url, err_msg(&de));
		err_set(e, "HTTP 410 Gone from %s in %.3f s: the endpoint is disabled, no more "
		    "events go to it (delete its row in webhook_endpoints to enable it again)",
		    d->url, a->secs);
		return ERR_PERMANENT;
	case WEBHOOK_REFUSED:
		err_set(e, "HTTP %ld from %s in %.3f s: refused, not retried%s", a->status, d->url,
		    a->secs, a->status >= 300 && a->status < 400 ? " (redirects are not followed: "
		    "set the URL it points to)" : "");
		return ERR_PERMANENT;
	case WEBHOOK_RETRY:
		break;
	}
	if (a->status != 0)
		err_set(e, "HTTP %ld from %s in %.3f s", a->status, d->url, a->secs);
	else
		err_set(e, "no answer from %s in %.3f s: %s", d->url, a->secs, a->curl_err);
	return a->cc == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_REMOTE;
}

enum result
deliver_run(struct worker *w, struct job *j, struct heartbeat *hb, struct errbuf *e)
{
	struct webhook_delivery d;
	struct webhook_key k;
	struct deliver_answer a;
	char since[32], why[256];
	bool off;
	enum result rc;

	(void)hb;
	/* a payload we cannot read is ERR_INVALID: permanent */
	if ((rc = webhook_payload_parse(j->payload, &d, e)) != OK)
		return rc;
	log_context_set(NULL, d.track_id, j->id); /* the event's track, in JSON logs */
	if ((rc = webhook_secret_parse(w->cfg->webhook_secret, &k, e)) != OK) {
		/* a runner without a secret never claims these jobs (worker.c) */
		rc = ERR_PERMANENT;
		goto out;
	}
	if ((rc = webhook_disabled(&w->db, d.url, &off, since, why, sizeof(why), e)) != OK)
		goto out;
	if (off) {
		err_set(e, "not sent: %s is disabled since %s (%s)", d.url, since, why);
		rc = ERR_PERMANENT;
		goto out;
	}
	a.stop = w->stop;
	if ((rc = deliver_post(w->cfg, &d, &k, &a, e)) != OK)
		goto out;
	if (a.cc == CURLE_ABORTED_BY_CALLBACK) {
		err_set(e, "stopped while sending to %s", d.url);
		rc = ERR_ABORTED;
		goto out;
	}
	rc = deliver_judge(w, j, &d, &a, e);
out:
	OPENSSL_cleanse(&k, sizeof(k));
	webhook_delivery_free(&d);
	return rc;
}

bool
deliver_usable(const struct config *cfg)
{
	return cfg->webhook_secret != NULL && cfg->webhook_secret[0] != '\0';
}
