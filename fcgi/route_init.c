/*
 * POST /tracks/upload/init: validate the track's metadata, make the object
 * keys, sign one presigned POST per file and insert the PENDING track.
 * With "upload_mode": "multipart" the audio is a storage multipart upload
 * instead (upload_multipart.h): audio_multipart holds its part URLs.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"
#include "log.h"
#include "media.h"
#include "s3_post.h"
#include "storage_layout.h"
#include "track.h"
#include "upload_multipart.h"
#include "validate.h"

static bool init_sign(struct req *r, const struct init_body *b, const char *id,
    bool multipart, char *audio_key, char *art_key, struct s3_post *audio, struct s3_post *art);
static bool init_insert(struct req *r, const struct track_new *t, bool multipart);
static json_object *init_answer(const struct config *cfg, const char *id,
    const struct s3_post *audio, const struct s3_post *art, json_object *mp);

/* The 201 body; audio_multipart only for a multipart upload (mp not NULL). */
static json_object *
init_answer(const struct config *cfg, const char *id, const struct s3_post *audio,
    const struct s3_post *art, json_object *mp)
{
	json_object *resp = json_object_new_object();

	json_object_object_add(resp, "track_id", json_object_new_string(id));
	json_object_object_add(resp, "audio_upload_url",
	    audio->url != NULL ? json_object_new_string(audio->url) : NULL);
	json_object_object_add(resp, "audio_upload_fields",
	    audio->fields != NULL ? json_object_get(audio->fields) : NULL);
	json_object_object_add(resp, "artwork_upload_url",
	    art->url != NULL ? json_object_new_string(art->url) : NULL);
	json_object_object_add(resp, "artwork_upload_fields",
	    art->fields != NULL ? json_object_get(art->fields) : NULL);
	json_object_object_add(resp, "expires_in", json_object_new_int64(cfg->upload_url_expires_s));
	if (mp != NULL)
		json_object_object_add(resp, "audio_multipart", json_object_get(mp));
	return resp;
}

/*
 * The object keys (ours: never built from user text) and the presigned POST
 * forms: the audio's unless multipart, the artwork's when asked for.
 */
static bool
init_sign(struct req *r, const struct init_body *b, const char *id, bool multipart,
    char *audio_key, char *art_key, struct s3_post *audio, struct s3_post *art)
{
	const struct config *cfg = r->w->cfg;
	const char *audio_type = NULL, *art_type = NULL;
	time_t now = time(NULL);
	struct errbuf e;

	err_clear(&e);
	media_audio_ext(b->file_extension, &audio_type);
	if (storage_key_original(audio_key, STORAGE_KEY_MAX, id, b->file_extension) == NULL ||
	    (!multipart && s3_presign_post(cfg, audio_key, audio_type, b->file_size, b->file_size,
	    cfg->upload_url_expires_s, now, audio, &e) != OK)) {
		log_errx("presign %s: %s", audio_key, err_msg(&e));
		http_error(r, 500, "internal", "Could not sign the upload (request %s).", r->request_id);
		return false;
	}
	if (b->artwork_extension == NULL)
		return true;
	media_image_ext(b->artwork_extension, &art_type);
	if (storage_key_artwork(art_key, STORAGE_KEY_MAX, id, b->artwork_extension) == NULL ||
	    s3_presign_post(cfg, art_key, art_type, 1, cfg->max_artwork_bytes,
	    cfg->upload_url_expires_s, now, art, &e) != OK) {
		log_errx("presign %s: %s", art_key, err_msg(&e));
		http_error(r, 500, "internal", "Could not sign the upload (request %s).", r->request_id);
		return false;
	}
	return true;
}

/* Insert the PENDING track within the per-user limit; the error answered when not. */
static bool
init_insert(struct req *r, const struct track_new *t, bool multipart)
{
	const struct config *cfg = r->w->cfg;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	rc = track_insert(&r->w->db, t, cfg->max_pending_uploads, &e);
	if (rc != OK && multipart)
		upload_mp_init_undo(r, t->audio_key, t->multipart_upload_id);
	if (rc == ERR_LIMIT) {
		http_error(r, 429, "too_many_pending_uploads",
		    "You have %lld uploads that were started but never completed; complete or "
		    "let them expire before starting another.", cfg->max_pending_uploads);
		return false;
	}
	if (rc != OK) {
		http_error_db(r, rc, &e);
		return false;
	}
	return true;
}

void
route_init(struct req *r, const char *unused)
{
	const struct config *cfg = r->w->cfg;
	struct init_body b = { 0 };
	struct field_error fe;
	struct s3_post audio = { 0 }, art = { 0 };
	json_object *body = NULL, *resp = NULL, *mp = NULL;
	char id[37], audio_key[STORAGE_KEY_MAX], art_key[STORAGE_KEY_MAX];
	char upload_id[S3MP_UPLOAD_ID_MAX] = "";
	long long part_size = 0;
	bool multipart;
	char *audio_url = NULL;
	const char *audio_type = NULL;

	(void)unused;
	if ((body = http_read_json(r)) == NULL)
		goto out;
	if (validate_fields(body, init_fields, init_nfields, &b, &fe) != OK) {
		http_error_field(r, fe.field, fe.detail);
		goto out;
	}
	if (b.file_size > cfg->max_upload_bytes) {
		http_error(r, 413, "file_too_large",
		    "file_size is %lld bytes; the largest track this service accepts is %lld bytes (%lld MiB).",
		    b.file_size, cfg->max_upload_bytes, cfg->max_upload_bytes / (1024 * 1024));
		goto out;
	}
	multipart = b.upload_mode != NULL && strcmp(b.upload_mode, "multipart") == 0;
	media_audio_ext(b.file_extension, &audio_type);
	if (id_uuid7(id) != OK) {
		http_error(r, 503, "overloaded", "Could not make a track id; retry shortly.");
		goto out;
	}
	if (!init_sign(r, &b, id, multipart, audio_key, art_key, &audio, &art))
		goto out;
	if ((audio_url = storage_url_public(cfg, audio_key)) == NULL) {
		http_error(r, 503, "overloaded", "Out of memory; retry shortly.");
		goto out;
	}
	if (multipart && !upload_mp_init(r, audio_key, audio_type, b.file_size, upload_id,
	    &part_size, &mp))
		goto out;
	{
		const struct track_new t = { id, r->user, b.title, b.artist_name, b.file_extension,
			b.file_size, audio_type, audio_key, audio_url, b.artwork_extension,
			b.artwork_extension != NULL ? art_key : NULL,
			multipart ? upload_id : NULL, part_size };

		if (!init_insert(r, &t, multipart))
			goto out;
	}
	resp = init_answer(cfg, id, &audio, &art, mp);
	log_info("track %s created by %s (%s, %lld bytes%s)", id, r->user, b.file_extension,
	    b.file_size, multipart ? ", multipart" : "");
	http_send_json(r, 201, resp);
out:
	free(audio_url);
	s3_post_free(&audio);
	s3_post_free(&art);
	json_object_put(mp);
	json_object_put(resp);
	json_object_put(body);
}
