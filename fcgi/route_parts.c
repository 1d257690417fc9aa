/*
 * POST /tracks/upload/parts: where a multipart upload stands. Lists the
 * parts storage holds (ListParts, every page) and re-signs a URL for each
 * part still to upload, so an app that was killed, or whose URLs expired,
 * resumes from here.
 */
#include "routes.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "track_view.h"
#include "upload_multipart.h"
#include "validate.h"

static json_object *parts_done_json(const struct s3mp_plan *plan,
    const struct s3mp_parts *stored);
static bool parts_track(struct req *r, const char *id, PGresult **res);

/* Load the caller's track id; true when it is a PENDING multipart upload,
 * else the 404/409/503 is sent. */
static bool
parts_track(struct req *r, const char *id, PGresult **res)
{
	if (!track_load_or_answer(r, id, res))
		return false;
	if (!track_row_multipart(*res)) {
		http_error(r, 409, "not_multipart",
		    "Track %s is uploaded with one presigned POST (upload_mode \"post\"), so it has "
		    "no parts to resume; start a new upload with \"upload_mode\": \"multipart\" to "
		    "upload in parts.", id);
		return false;
	}
	if (track_row_status(*res) != TRACK_PENDING) {
		http_error(r, 409, "upload_not_pending",
		    "Track %s is %s: its upload is complete, there are no parts left to upload.",
		    id, track_status_str(track_row_status(*res)));
		return false;
	}
	return true;
}

/* {"part_number","size","etag"} of each stored part that has its planned size. */
static json_object *
parts_done_json(const struct s3mp_plan *plan, const struct s3mp_parts *stored)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < stored->n; i++) {
		const struct s3mp_part *p = &stored->v[i];
		json_object *o;

		if (p->size != s3mp_plan_part_size(plan, p->number))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "part_number", json_object_new_int(p->number));
		json_object_object_add(o, "size", json_object_new_int64(p->size));
		json_object_object_add(o, "etag", json_object_new_string(p->etag));
		json_object_array_add(a, o);
	}
	return a;
}

void
route_parts(struct req *r, const char *unused)
{
	const struct config *cfg = r->w->cfg;
	struct parts_body b;
	struct field_error fe;
	struct s3mp_parts stored = { 0 };
	struct s3mp_plan plan;
	struct errbuf e;
	json_object *body = NULL, *o = NULL, *urls = NULL;
	PGresult *res = NULL;
	const char *key, *upload_id;
	enum result rc;

	(void)unused;
	err_clear(&e);
	memset(&b, 0, sizeof(b));
	if ((body = http_read_json(r)) == NULL)
		goto out;
	if (validate_fields(body, parts_fields, parts_nfields, &b, &fe) != OK) {
		http_error_field(r, fe.field, fe.detail);
		goto out;
	}
	if (!parts_track(r, b.track_id, &res))
		goto out;
	key = PQgetvalue(res, 0, TC_AUDIO_KEY);
	upload_id = PQgetvalue(res, 0, TC_MP_UPLOAD_ID);
	if (s3mp_plan_make(strtoll(PQgetvalue(res, 0, TC_SIZE), NULL, 10),
	    strtoll(PQgetvalue(res, 0, TC_MP_PART_SIZE), NULL, 10), &plan) != OK) {
		log_errx("parts %s: no plan for the stored sizes", b.track_id);
		http_error(r, 500, "internal", "Internal error (request %s). It has been logged.",
		    r->request_id);
		goto out;
	}
	rc = s3mp_list_parts(&r->w->s3, key, upload_id, &stored, &e);
	if (rc == ERR_NOT_FOUND) {
		log_warnx("parts %s: %s", b.track_id, err_msg(&e));
		http_error(r, 409, "upload_not_pending",
		    "Storage no longer has the multipart upload of track %s (it was completed or "
		    "aborted); call complete, or start a new upload.", b.track_id);
		goto out;
	}
	if (rc != OK) {
		log_warnx("parts %s: %s", b.track_id, err_msg(&e));
		http_error(r, 503, "storage_unavailable",
		    "Storage is not reachable right now, so the parts cannot be listed. "
		    "Retry in a few seconds.");
		goto out;
	}
	if (upload_mp_part_urls(cfg, key, upload_id, &plan, &stored, time(NULL), &urls,
	    &e) != OK) {
		log_errx("parts %s: %s", b.track_id, err_msg(&e));
		http_error(r, 500, "internal", "Could not sign the upload (request %s).",
		    r->request_id);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "track_id", json_object_new_string(b.track_id));
	json_object_object_add(o, "upload_id", json_object_new_string(upload_id));
	json_object_object_add(o, "part_size", json_object_new_int64(plan.part_size));
	json_object_object_add(o, "part_count", json_object_new_int(plan.count));
	json_object_object_add(o, "parts_done", parts_done_json(&plan, &stored));
	json_object_object_add(o, "parts", urls);
	json_object_object_add(o, "expires_in", json_object_new_int64(cfg->upload_url_expires_s));
	http_send_json(r, 200, o);
out:
	s3mp_parts_free(&stored);
	json_object_put(o);
	json_object_put(body);
	PQclear(res);
}
