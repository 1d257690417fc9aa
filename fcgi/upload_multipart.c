/*
 * upload_multipart.c: resumable uploads in the API (see upload_multipart.h).
 * Storage does the byte work: the app PUTs each part to its presigned URL;
 * the API creates the upload, re-signs parts, and at complete checks the
 * stored parts and completes the upload, under the track row's lock so
 * concurrent completes never complete it twice.
 */
#include "upload_multipart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "track.h"
#include "track_view.h"

#define MP_LIST_MAX 12 /* part numbers named in one sentence */

static const struct s3mp_part *parts_find(const struct s3mp_parts *ps, int number);
static void numbers_append(char *buf, size_t len, const int *v, size_t n);
static bool plan_from_row(struct req *r, const PGresult *row, struct s3mp_plan *plan);
static bool parts_check(struct req *r, const struct s3mp_plan *plan,
    const struct s3mp_parts *stored, struct s3mp_parts *use);
static void storage_unavailable(struct req *r, const char *track_id, const struct errbuf *e);

static const struct s3mp_part *
parts_find(const struct s3mp_parts *ps, int number)
{
	size_t i;

	for (i = 0; ps != NULL && i < ps->n; i++)
		if (ps->v[i].number == number)
			return &ps->v[i];
	return NULL;
}

enum result
upload_mp_part_urls(const struct config *cfg, const char *key, const char *upload_id,
    const struct s3mp_plan *plan, const struct s3mp_parts *done, time_t now,
    json_object **arr, struct errbuf *e)
{
	enum result rc = OK;
	int n;

	*arr = json_object_new_array();
	for (n = 1; n <= plan->count && rc == OK; n++) {
		long long size = s3mp_plan_part_size(plan, n);
		const struct s3mp_part *p = parts_find(done, n);
		json_object *o;
		char *url = NULL;

		if (p != NULL && p->size == size)
			continue;
		if ((rc = s3mp_presign_part(cfg, key, upload_id, n, size, cfg->upload_url_expires_s,
		    now, &url, e)) != OK)
			break;
		o = json_object_new_object();
		json_object_object_add(o, "part_number", json_object_new_int(n));
		json_object_object_add(o, "size", json_object_new_int64(size));
		json_object_object_add(o, "url", json_object_new_string(url));
		json_object_array_add(*arr, o);
		free(url);
	}
	if (rc != OK) {
		json_object_put(*arr);
		*arr = NULL;
	}
	return rc;
}

bool
upload_mp_init(struct req *r, const char *key, const char *content_type, long long file_size,
    char upload_id[S3MP_UPLOAD_ID_MAX], long long *part_size, json_object **o)
{
	const struct config *cfg = r->w->cfg;
	struct s3mp_plan plan;
	json_object *parts = NULL;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	*o = NULL;
	if (s3mp_plan_make(file_size, cfg->multipart_part_bytes, &plan) != OK) {
		http_error(r, 500, "internal", "Could not plan the parts (request %s).",
		    r->request_id);
		return false;
	}
	if ((rc = s3mp_create(&r->w->s3, key, content_type, upload_id, &e)) != OK) {
		log_warnx("init %s: %s", key, err_msg(&e));
		http_error(r, 503, "storage_unavailable",
		    "Storage could not start the multipart upload right now. Retry in a few seconds.");
		return false;
	}
	if (upload_mp_part_urls(cfg, key, upload_id, &plan, NULL, time(NULL), &parts, &e) != OK) {
		log_errx("presign parts of %s: %s", key, err_msg(&e));
		upload_mp_init_undo(r, key, upload_id);
		http_error(r, 500, "internal", "Could not sign the upload (request %s).", r->request_id);
		return false;
	}
	*part_size = plan.part_size;
	*o = json_object_new_object();
	json_object_object_add(*o, "upload_id", json_object_new_string(upload_id));
	json_object_object_add(*o, "part_size", json_object_new_int64(plan.part_size));
	json_object_object_add(*o, "part_count", json_object_new_int(plan.count));
	json_object_object_add(*o, "parts", parts);
	json_object_object_add(*o, "expires_in", json_object_new_int64(cfg->upload_url_expires_s));
	return true;
}

void
upload_mp_init_undo(struct req *r, const char *key, const char *upload_id)
{
	struct errbuf e;

	err_clear(&e);
	if (s3mp_abort(&r->w->s3, key, upload_id, &e) != OK)
		log_warnx("abort the multipart upload of %s: %s", key, err_msg(&e));
}

/* ", 3, 4, 7" (at most MP_LIST_MAX numbers, then " and N more") appended to buf. */
static void
numbers_append(char *buf, size_t len, const int *v, size_t n)
{
	size_t i, o = strlen(buf);

	for (i = 0; i < n && i < MP_LIST_MAX && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%d", i ? ", " : "", v[i]);
	if (n > MP_LIST_MAX && o < len)
		snprintf(buf + o, len - o, " and %zu more", n - MP_LIST_MAX);
}

static bool
plan_from_row(struct req *r, const PGresult *row, struct s3mp_plan *plan)
{
	long long size = strtoll(PQgetvalue(row, 0, TC_SIZE), NULL, 10);
	long long part = strtoll(PQgetvalue(row, 0, TC_MP_PART_SIZE), NULL, 10);

	if (s3mp_plan_make(size, part, plan) != OK || plan->part_size != part) {
		log_errx("track %s: file_size %lld with part size %lld makes no plan",
		    PQgetvalue(row, 0, TC_ID), size, part);
		http_error(r, 500, "internal", "Internal error (request %s). It has been logged.",
		    r->request_id);
		return false;
	}
	return true;
}

/*
 * Every planned part stored with its planned size? Then use gets them in
 * order and true; else the 409 upload_incomplete naming the missing and
 * wrong-size part numbers is sent.
 */
static bool
parts_check(struct req *r, const struct s3mp_plan *plan, const struct s3mp_parts *stored,
    struct s3mp_parts *use)
{
	int *missing, *wrong;
	size_t nm = 0, nw = 0;
	char msg[512] = "";
	int n;

	memset(use, 0, sizeof(*use));
	missing = calloc((size_t)plan->count, sizeof(int));
	wrong = calloc((size_t)plan->count, sizeof(int));
	use->v = calloc((size_t)plan->count, sizeof(*use->v));
	if (missing == NULL || wrong == NULL || use->v == NULL) {
		http_error(r, 503, "overloaded", "Out of memory; retry shortly.");
		goto fail;
	}
	use->cap = (size_t)plan->count;
	for (n = 1; n <= plan->count; n++) {
		const struct s3mp_part *p = parts_find(stored, n);

		if (p == NULL)
			missing[nm++] = n;
		else if (p->size != s3mp_plan_part_size(plan, n))
			wrong[nw++] = n;
		else
			use->v[use->n++] = *p;
	}
	if (nm == 0 && nw == 0) {
		free(missing);
		free(wrong);
		return true;
	}
	if (nm > 0) {
		snprintf(msg, sizeof(msg), "%s ", nm == 1 ? "Part" : "Parts");
		numbers_append(msg, sizeof(msg), missing, nm);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " of %d %s not in storage",
		    plan->count, nm == 1 ? "is" : "are");
	}
	if (nw > 0) {
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s ",
		    nm > 0 ? "; " : "", nw == 1 ? "part" : "parts");
		numbers_append(msg, sizeof(msg), wrong, nw);
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " %s the wrong size",
		    nw == 1 ? "has" : "have");
	}
	http_error(r, 409, "upload_incomplete", "%s. Upload %s with the URLs from "
	    "/tracks/upload/parts, then call complete again.", msg, nm + nw == 1 ? "it" : "them");
fail:
	free(missing);
	free(wrong);
	s3mp_parts_free(use);
	return false;
}

static void
storage_unavailable(struct req *r, const char *track_id, const struct errbuf *e)
{
	log_warnx("complete %s: %s", track_id, err_msg(e));
	http_error(r, 503, "storage_unavailable",
	    "Storage is not reachable right now, so the upload cannot be checked. "
	    "Retry in a few seconds.");
}

bool
upload_mp_complete(struct req *r, const char *track_id, const PGresult *row)
{
	const char *key = PQgetvalue(row, 0, TC_AUDIO_KEY);
	const char *upload_id = PQgetvalue(row, 0, TC_MP_UPLOAD_ID);
	struct s3mp_parts stored = { 0 }, use = { 0 };
	enum track_status st;
	struct s3mp_plan plan;
	PGresult *now_row = NULL;
	json_object *o = NULL;
	struct errbuf e;
	enum result rc;
	bool go = false;

	err_clear(&e);
	if (!plan_from_row(r, row, &plan))
		return false;
	/* Concurrent completes wait here; the first one does the storage work. */
	if ((rc = db_begin(&r->w->db, &e)) != OK ||
	    (rc = track_lock(&r->w->db, track_id, r->user, &st, &e)) != OK) {
		upload_mp_release(r);
		if (rc == ERR_NOT_FOUND)
			track_not_found(r, track_id);
		else
			http_error_db(r, rc, &e);
		return false;
	}
	if (st != TRACK_PENDING) {
		/* Another complete got there first: answer the current status. */
		upload_mp_release(r);
		if ((rc = track_load(r, track_id, &now_row, &e)) != OK) {
			http_error_db(r, rc, &e);
			return false;
		}
		o = track_status_json(now_row);
		http_send_json(r, 200, o);
		goto out;
	}
	rc = s3mp_list_parts(&r->w->s3, key, upload_id, &stored, &e);
	if (rc == ERR_NOT_FOUND) {
		/* Completed by an earlier call whose transaction did not commit (or
		 * aborted): the HEAD that follows decides. */
		log_info("track %s: the multipart upload is gone from storage; checking the object",
		    track_id);
		go = true;
		goto out;
	}
	if (rc != OK) {
		storage_unavailable(r, track_id, &e);
		goto out;
	}
	if (!parts_check(r, &plan, &stored, &use))
		goto out;
	rc = s3mp_complete(&r->w->s3, key, upload_id, &use, &e);
	if (rc == OK || rc == ERR_NOT_FOUND) {
		go = true;
	} else if (rc == ERR_CONFLICT) {
		log_warnx("complete %s: %s", track_id, err_msg(&e));
		http_error(r, 409, "upload_incomplete", "Storage refused the parts (%s). Upload them "
		    "again with the URLs from /tracks/upload/parts, then call complete again.",
		    err_msg(&e));
	} else {
		storage_unavailable(r, track_id, &e);
	}
out:
	if (!go)
		upload_mp_release(r);
	s3mp_parts_free(&stored);
	s3mp_parts_free(&use);
	json_object_put(o);
	PQclear(now_row);
	return go;
}

enum result
upload_mp_commit(struct req *r, struct errbuf *e)
{
	return r->w->db.in_tx ? db_commit(&r->w->db, e) : OK;
}

void
upload_mp_release(struct req *r)
{
	if (r->w->db.in_tx)
		db_rollback(&r->w->db);
}
