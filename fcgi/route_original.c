/*
 * GET /tracks/{id}/original: 302 to a presigned GET of the uploaded
 * original, valid DOWNLOAD_URL_EXPIRES_SECONDS, that makes storage answer
 * with a Content-Disposition naming the download after the title (a header
 * on the 302 itself would not be kept by clients). Owner only: anyone
 * else's track is 404 like a missing one. A PENDING track is 404 too:
 * its upload was never confirmed (complete), so there is no original to
 * give back, even if a file may be in storage already.
 */
#include "routes.h"
#include "log.h"
#include "s3_presign.h"
#include "track_view.h"

#include <stdlib.h>
#include <time.h>

static void original_send(struct req *r, const PGresult *res);

static void
original_send(struct req *r, const PGresult *res)
{
	const struct config *cfg = r->w->cfg;
	char *disp = NULL, *url = NULL;
	json_object *o = NULL;
	struct errbuf e;

	err_clear(&e);
	if ((disp = s3_attachment_disposition(PQgetvalue(res, 0, TC_TITLE),
	    PQgetvalue(res, 0, TC_EXT))) == NULL ||
	    s3_presign_get(cfg, PQgetvalue(res, 0, TC_AUDIO_KEY), disp,
	    cfg->download_url_expires_s, time(NULL), &url, &e) != OK) {
		log_errx("GET %s: cannot presign the download: %s", r->path,
		    err_msg(&e)[0] != '\0' ? err_msg(&e) : "out of memory");
		http_error(r, 500, "internal", "Internal error (request %s). It has been logged.",
		    r->request_id);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "expires_in", json_object_new_int64(cfg->download_url_expires_s));
	http_redirect(r, url, o);
out:
	json_object_put(o);
	free(url);
	free(disp);
}

void
route_original(struct req *r, const char *id)
{
	PGresult *res = NULL;

	if (!track_load_or_answer(r, id, &res))
		goto out;
	if (track_row_status(res) == TRACK_PENDING) {
		http_error(r, 404, "original_not_found", "Track %s has no original yet: its upload "
		    "was never completed (POST /tracks/upload/complete).", id);
		goto out;
	}
	original_send(r, res);
out:
	PQclear(res);
}
