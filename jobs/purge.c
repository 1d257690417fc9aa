#include "purge.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "s3_list.h"
#include "s3_multipart.h"
#include "storage_layout.h"

/* What a purge hands the per-key callback of s3_delete_prefix. */
struct purge_walk {
	struct worker *w;     /* borrowed */
	struct heartbeat *hb; /* borrowed */
};

STATIC bool purge_payload_track(const char *payload, char id[37]);
static enum result purge_key(const char *key, long long size, void *arg);
static enum result purge_defer(struct worker *w, struct job *j, struct heartbeat *hb,
    double delay_s, const char *why, struct errbuf *e);
static enum result purge_storage(struct worker *w, struct heartbeat *hb, const char *id,
    const struct purge_facts *pf, long long *n, struct errbuf *e);

STATIC bool
purge_payload_track(const char *payload, char id[37])
{
	json_object *o, *v;
	bool ok = false;

	if (payload == NULL || (o = json_tokener_parse(payload)) == NULL)
		return false;
	if (json_object_object_get_ex(o, "track_id", &v) && json_object_is_type(v, json_type_string))
		ok = id_uuid_normalize(json_object_get_string(v), id);
	json_object_put(o);
	return ok;
}

/* Per key deleted: stop (ERR_ABORTED) when the lease is gone or the runner stops. */
static enum result
purge_key(const char *key, long long size, void *arg)
{
	struct purge_walk *pw = arg;

	(void)size;
	log_debug("purge: deleted %s", key);
	if (heartbeat_lost(pw->hb) || *pw->w->stop)
		return ERR_ABORTED;
	return OK;
}

/* Hand the purge back for delay_s, not counted as an attempt (job_next's defer). */
static enum result
purge_defer(struct worker *w, struct job *j, struct heartbeat *hb, double delay_s,
    const char *why, struct errbuf *e)
{
	struct job_facts f = { 0 };
	struct job_move m;
	enum result rc;

	f.id = j->id;
	f.attempts = j->attempts;
	f.max_attempts = j->max_attempts;
	f.owner = w->owner;
	f.detached = true;
	f.persistent = true;
	f.defer_s = delay_s;
	f.reason = why;
	if ((rc = job_next(j->state, JEV_DEFER, &f, &m)) != OK)
		return rc;
	heartbeat_stop(hb); /* the move checks the lease itself */
	if ((rc = job_apply(&w->db, w->cfg, j, w->owner, &m, e)) != OK)
		return rc;
	log_info("job %lld purge: running -> queued (%s)", j->id, m.message);
	return OK;
}

/* Step 2: abort an unfinished multipart upload, then every prefix of the track. */
static enum result
purge_storage(struct worker *w, struct heartbeat *hb, const char *id,
    const struct purge_facts *pf, long long *n, struct errbuf *e)
{
	struct purge_walk pw = { w, hb };
	char prefix[STORAGE_KEY_MAX];
	long long deleted;
	enum result rc;
	size_t i;

	*n = 0;
	if (pf->upload_id[0] != '\0') {
		rc = s3mp_abort(&w->s3, pf->audio_key, pf->upload_id, e);
		if (rc == ERR_NOT_FOUND) /* completed or aborted already */
			err_clear(e);
		else if (rc != OK)
			return rc;
		else
			log_info("purge of track %s: multipart upload aborted", id);
	}
	for (i = 0; i < STORAGE_TRACK_PREFIXES; i++) {
		if (storage_track_prefix(prefix, sizeof(prefix), id, i) == NULL) {
			err_set(e, "no storage prefix %zu for track %s", i, id);
			return ERR_PERMANENT;
		}
		deleted = 0;
		rc = s3_delete_prefix(&w->s3, prefix, NULL, false, purge_key, &pw, &deleted, e);
		*n += deleted;
		if (rc != OK)
			return rc;
	}
	return OK;
}

enum result
purge_run(struct worker *w, struct job *j, struct heartbeat *hb, struct errbuf *e)
{
	double wait_s = (double)w->cfg->job_lease_s / 3.0;
	struct purge_facts pf;
	char id[37], why[160];
	long long n = 0;
	enum result rc;

	if (!purge_payload_track(j->payload, id)) {
		err_set(e, "purge job %lld has no track_id in its payload", j->id);
		return ERR_PERMANENT;
	}
	if ((rc = purge_facts_get(&w->db, id, w->cfg->upload_url_expires_s, &pf, e)) != OK)
		return rc;
	if (pf.found && !pf.deleted) {
		err_set(e, "track %s is not deleted; its objects are not purged", id);
		return ERR_PERMANENT;
	}
	if (pf.found && pf.transcoding)
		return purge_defer(w, j, hb, wait_s < 1 ? 1 : wait_s, "the track's transcode job "
		    "is still running; its runner was asked to stop", e);
	if ((rc = purge_storage(w, hb, id, &pf, &n, e)) != OK)
		return rc;
	log_info("job %lld purge of track %s: %lld objects deleted", j->id, id, n);
	if (pf.found && pf.forms_open_s > 0) {
		snprintf(why, sizeof(why), "%lld objects deleted; the track's upload forms are valid "
		    "for %.0f s more, then storage is looked at again", n, pf.forms_open_s);
		return purge_defer(w, j, hb, pf.forms_open_s + 1, why, e);
	}
	heartbeat_stop(hb); /* the finish checks the lease itself */
	snprintf(why, sizeof(why), "%lld objects deleted, then the track's row", n);
	if ((rc = purge_finish(&w->db, j, w->owner, id, why, e)) != OK)
		return rc;
	log_info("job %lld purge of track %s: running -> succeeded (the track is gone)", j->id,
	    id);
	return OK;
}
