#include "webhook_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "track.h"
#include "track_json.h"

static bool event_known(const char *type);
static enum result enqueue_one(struct db *db, const struct config *cfg,
    const struct webhook_delivery *d, struct errbuf *e);

static bool
event_known(const char *type)
{
	return type != NULL && (strcmp(type, WEBHOOK_TRACK_COMPLETED) == 0 ||
	    strcmp(type, WEBHOOK_TRACK_FAILED) == 0 || strcmp(type, WEBHOOK_TRACK_DELETED) == 0);
}

/* One job for d's URL, unless the URL is disabled. */
static enum result
enqueue_one(struct db *db, const struct config *cfg, const struct webhook_delivery *d,
    struct errbuf *e)
{
	char maxa[24], *payload;
	const char *params[4] = { maxa, NULL, d->url, WEBHOOK_JOB_KIND };
	enum result rc;

	if ((payload = webhook_payload(d)) == NULL) {
		err_set(e, "out of memory");
		return ERR_NOMEM;
	}
	snprintf(maxa, sizeof(maxa), "%lld", cfg->webhook_max_attempts);
	params[1] = payload;
	rc = db_exec(db, NULL, "INSERT INTO jobs (kind, track_id, max_attempts, payload)"
	    " SELECT $4, NULL, $1::int, $2::jsonb"
	    " WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE url = $3)", 4, params, e);
	free(payload);
	return rc;
}

enum result
webhook_enqueue(struct db *db, const struct config *cfg, const char *track_id,
    const char *type, struct errbuf *e)
{
	struct webhook_urls u;
	struct webhook_delivery d;
	char id[WEBHOOK_ID_SIZE];
	PGresult *track = NULL, *now = NULL;
	json_object *data = NULL;
	enum result rc;
	size_t i;

	if (!webhook_enabled(cfg))
		return OK;
	if (!event_known(type)) {
		err_set(e, "no webhook event is called %s", type != NULL ? type : "(null)");
		return ERR_INVALID;
	}
	memset(&d, 0, sizeof(d));
	if ((rc = webhook_urls_parse(cfg->webhook_urls, &u, e)) != OK)
		return rc;
	if ((rc = track_get_by_id(db, track_id, &track, e)) != OK) {
		if (rc == ERR_NOT_FOUND)
			err_set(e, "no track %s to tell the webhooks of", track_id);
		goto out;
	}
	if ((rc = db_exec(db, &now, "SELECT to_char(now() AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", 0, NULL, e)) != OK)
		goto out;
	if ((rc = webhook_id_new(id)) != OK) {
		err_set(e, "cannot make a webhook id (%s)", result_str(rc));
		goto out;
	}
	data = track_json_full(track, 0);
	d.webhook_id = id;
	d.type = (char *)type;
	d.track_id = (char *)track_id;
	if ((d.body = webhook_body(type, PQgetvalue(now, 0, 0), data)) == NULL) {
		err_set(e, "out of memory");
		rc = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < u.n && rc == OK; i++) {
		d.url = (char *)u.url[i];
		rc = enqueue_one(db, cfg, &d, e);
	}
out:
	free(d.body);
	json_object_put(data);
	PQclear(track);
	PQclear(now);
	webhook_urls_free(&u);
	return rc;
}

enum result
webhook_disable(struct db *db, const char *url, const char *reason, struct errbuf *e)
{
	const char *params[2] = { url, reason };

	return db_exec(db, NULL, "INSERT INTO webhook_endpoints (url, reason) VALUES ($1, $2)"
	    " ON CONFLICT (url) DO NOTHING", 2, params, e);
}

enum result
webhook_disabled(struct db *db, const char *url, bool *disabled, char since[32], char *why,
    size_t why_len, struct errbuf *e)
{
	PGresult *r = NULL;
	enum result rc;

	*disabled = false;
	since[0] = '\0';
	if (why_len > 0)
		why[0] = '\0';
	rc = db_exec(db, &r, "SELECT to_char(disabled_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), reason FROM webhook_endpoints WHERE url = $1",
	    1, &url, e);
	if (rc == OK && PQntuples(r) == 1) {
		*disabled = true;
		snprintf(since, 32, "%s", PQgetvalue(r, 0, 0));
		if (why_len > 0)
			snprintf(why, why_len, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return rc;
}
