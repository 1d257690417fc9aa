/*
 * upload_flow.c: one file through mustory-upload (see upload_flow.h): the
 * API calls and the upload to storage, each failure reported once on
 * stderr with the sentence the API or storage gave, and mapped to an exit
 * code.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "upload_flow.h"
#include "upload_parts.h"
#include "upload_state.h"
#include "upload_tags.h"
#include "upload_text.h"

#define POLL_MS 500
#define POLL_ERRORS_MAX 20 /* consecutive failed polls before giving up */

static int api_exit(long status, const char *code);
static int report(struct ctx *c, const char *step, enum result rc, struct uresp *r);
static int file_ext(const char *path, char *ext, size_t n);
static int stat_file(struct ctx *c, const char *path, struct stat *st);
static void take(char **pick, char **a, char **b);
static int metadata(struct ctx *c, const char *path, char **title, char **artist);
static int do_init(struct ctx *c, const char *path, long long size, bool multipart,
    struct uresp *r);
static int track_id_of(struct ctx *c, struct uresp *init, char tid[40]);
static void on_bytes(void *arg, curl_off_t now, curl_off_t total);
static int post_form(struct ctx *c, struct json_object *init, const char *which,
    const char *path);
static int do_complete(struct ctx *c, const char *id);
static bool nap(int ms);
static int wait_done(struct ctx *c, const char *id);
static int print_track(struct ctx *c, const char *id);
static int send_post(struct ctx *c, const char *path, long long size, char tid[40]);
static int resume(struct ctx *c, struct ustate *s, struct uresp *r, struct umulti *m);
static int start_multipart(struct ctx *c, const char *path, long long size, struct ustate *s,
    struct uresp *r, struct umulti *m);
static int send_parts(struct ctx *c, const char *path, long long size, struct ustate *s,
    const struct umulti *m);
static int send_multipart(struct ctx *c, const char *path, const struct stat *st,
    char tid[40]);

/* do_init(): the API does not know upload_mode (no multipart uploads). */
#define NO_MULTIPART (-1)

static int
api_exit(long status, const char *code)
{
	if (status == 401)
		return EXIT_AUTH;
	if (status == 409 || strcmp(code, "storage_unavailable") == 0)
		return EXIT_STORAGE;
	if (status >= 400 && status < 500)
		return EXIT_REJECTED;
	return EXIT_UNAVAILABLE;
}

/* Says why step failed (rc, or r's error status) on stderr; the exit code. */
static int
report(struct ctx *c, const char *step, enum result rc, struct uresp *r)
{
	switch (rc) {
	case ERR_ABORTED:
		uprog_error(&c->p, "%s: interrupted", step);
		return EXIT_INTERRUPTED;
	case ERR_NOMEM:
		uprog_error(&c->p, "%s: out of memory", step);
		return EXIT_INTERNAL;
	case ERR_IO:
		uprog_error(&c->p, "%s: no answer: %s", step, r->error);
		return EXIT_UNAVAILABLE;
	default:
		break;
	}
	uprog_error(&c->p, "%s: %s (HTTP %ld%s%s)", step, uresp_detail(r), r->status,
	    *uresp_code(r) ? " " : "", uresp_code(r));
	return api_exit(r->status, uresp_code(r));
}

/* ext (lower case) from path's name; -1 when it has none that fits. */
static int
file_ext(const char *path, char *ext, size_t n)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t i;

	base = base != NULL ? base + 1 : path;
	if ((dot = strrchr(base, '.')) == NULL || dot == base || dot[1] == '\0' ||
	    strlen(dot + 1) >= n)
		return -1;
	for (i = 0; dot[1 + i] != '\0'; i++)
		ext[i] = (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
	ext[i] = '\0';
	return 0;
}

static int
stat_file(struct ctx *c, const char *path, struct stat *st)
{
	if (stat(path, st) != 0 || access(path, R_OK) != 0) {
		uprog_error(&c->p, "cannot read it: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISREG(st->st_mode) || st->st_size == 0) {
		uprog_error(&c->p, "not a regular, non-empty file");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* *pick = the first of a, b that is set; the one taken is no longer the caller's. */
static void
take(char **pick, char **a, char **b)
{
	char **from = *a != NULL ? a : b;

	*pick = *from;
	*from = NULL;
}

/* --title/--artist, else the tags, else the name. */
static int
metadata(struct ctx *c, const char *path, char **title, char **artist)
{
	char *tt = NULL, *ta = NULL, *nt = NULL, *na = NULL;

	*title = c->o.title != NULL ? strdup(c->o.title) : NULL;
	*artist = c->o.artist != NULL ? strdup(c->o.artist) : NULL;
	if (c->o.title == NULL || c->o.artist == NULL) {
		utags_probe(path, &tt, &ta);
		if (utags_from_name(path, &nt, &na) == OK) {
			if (c->o.title == NULL)
				take(title, &tt, &nt);
			if (c->o.artist == NULL)
				take(artist, &ta, &na);
		}
	}
	free(tt);
	free(ta);
	free(nt);
	free(na);
	if (*title == NULL || *artist == NULL) {
		free(*title);
		free(*artist);
		*title = *artist = NULL;
		uprog_error(&c->p, "out of memory");
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* POST /tracks/upload/init; NO_MULTIPART (nothing said) when the API does
 * not take upload_mode. */
static int
do_init(struct ctx *c, const char *path, long long size, bool multipart, struct uresp *r)
{
	struct json_object *b = json_object_new_object(), *f;
	char *title = NULL, *artist = NULL, ext[16], aext[16];
	enum result rc;
	int ex;

	if (b == NULL)
		return EXIT_INTERNAL;
	if (file_ext(path, ext, sizeof(ext)) != 0) {
		uprog_error(&c->p, "the file name has no extension (mp3, wav, flac, m4a, aac, ogg, opus)");
		json_object_put(b);
		return EXIT_USAGE;
	}
	if (c->o.artwork != NULL && file_ext(c->o.artwork, aext, sizeof(aext)) != 0) {
		uprog_error(&c->p, "the artwork's name has no extension (jpg, jpeg, png, webp)");
		json_object_put(b);
		return EXIT_USAGE;
	}
	if ((ex = metadata(c, path, &title, &artist)) != EXIT_OK)
		goto out;
	json_object_object_add(b, "title", json_object_new_string(title));
	json_object_object_add(b, "artist_name", json_object_new_string(artist));
	json_object_object_add(b, "file_extension", json_object_new_string(ext));
	json_object_object_add(b, "file_size", json_object_new_int64(size));
	if (c->o.artwork != NULL)
		json_object_object_add(b, "artwork_extension", json_object_new_string(aext));
	if (multipart)
		json_object_object_add(b, "upload_mode", json_object_new_string("multipart"));
	rc = uhttp_api(&c->h, "POST", "/tracks/upload/init", b, r);
	if (multipart && rc == OK && r->status == 422 && r->json != NULL &&
	    json_object_object_get_ex(r->json, "field", &f) &&
	    strcmp(json_object_get_string(f), "upload_mode") == 0) {
		ex = NO_MULTIPART;
		goto out;
	}
	if (rc != OK || r->status != 201 || r->json == NULL) {
		ex = rc == OK && r->status == 201 ? EXIT_INTERNAL : report(c, "init", rc, r);
		goto out;
	}
	uprog_step(&c->p, "init: \"%s\" by \"%s\", %lld bytes%s", title, artist, size,
	    multipart ? ", in parts" : "");
	ex = EXIT_OK;
out:
	free(title);
	free(artist);
	json_object_put(b);
	return ex;
}

static void
on_bytes(void *arg, curl_off_t now, curl_off_t total)
{
	uprog_bytes(arg, (long long)now, (long long)total);
}

/* The presigned form POST of which ("audio" or "artwork") from init's answer. */
static int
post_form(struct ctx *c, struct json_object *init, const char *which, const char *path)
{
	struct json_object *url, *fields;
	char kurl[32], kfields[32], sz[16], rate[16];
	curl_off_t sent = 0;
	struct uresp r;
	enum result rc;
	double el;
	int ex = EXIT_OK;

	snprintf(kurl, sizeof(kurl), "%s_upload_url", which);
	snprintf(kfields, sizeof(kfields), "%s_upload_fields", which);
	if (!json_object_object_get_ex(init, kurl, &url) ||
	    !json_object_is_type(url, json_type_string) ||
	    !json_object_object_get_ex(init, kfields, &fields) ||
	    !json_object_is_type(fields, json_type_object)) {
		uprog_error(&c->p, "init answered without %s and %s", kurl, kfields);
		return EXIT_INTERNAL;
	}
	uprog_transfer_start(&c->p);
	rc = uhttp_form(&c->h, json_object_get_string(url), fields, path, on_bytes, &c->p, &r);
	if (rc != OK || r.status / 100 != 2) {
		/* Whatever storage says (a refused policy, a 5xx, no answer), the
		 * file is not there: a storage failure. */
		ex = report(c, which[1] == 'u' ? "audio upload" : "artwork upload", rc, &r);
		if (ex != EXIT_INTERRUPTED && ex != EXIT_INTERNAL)
			ex = EXIT_STORAGE;
		goto out;
	}
	el = uprog_elapsed(&c->p);
	curl_easy_getinfo(c->h.curl, CURLINFO_SIZE_UPLOAD_T, &sent);
	uprog_step(&c->p, "%s uploaded: %s sent in %.1f s (%s/s)", which,
	    uprog_size(sz, sizeof(sz), (double)sent), el,
	    uprog_size(rate, sizeof(rate), el > 0 ? (double)sent / el : 0));
out:
	uresp_free(&r);
	return ex;
}

static int
do_complete(struct ctx *c, const char *id)
{
	struct json_object *b = json_object_new_object();
	struct uresp r;
	enum result rc;
	int ex = EXIT_OK;

	if (b == NULL)
		return EXIT_INTERNAL;
	json_object_object_add(b, "track_id", json_object_new_string(id));
	rc = uhttp_api(&c->h, "POST", "/tracks/upload/complete", b, &r);
	if (rc != OK || (r.status != 202 && r.status != 200))
		ex = report(c, "complete", rc, &r);
	else
		uprog_step(&c->p, "complete: track %s queued for processing", id);
	uresp_free(&r);
	json_object_put(b);
	return ex;
}

/* Sleep ms; false when interrupted. */
static bool
nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (uhttp_stop)
		return false;
	nanosleep(&ts, NULL);
	return !uhttp_stop;
}

static int
wait_done(struct ctx *c, const char *id)
{
	struct json_object *s, *p, *e;
	char path[96];
	struct uresp r;
	enum result rc;
	int errors = 0, ex;

	snprintf(path, sizeof(path), "/tracks/upload/status/%s", id);
	for (;;) {
		rc = uhttp_api(&c->h, "GET", path, NULL, &r);
		if (rc == OK && r.status == 200 && r.json != NULL &&
		    json_object_object_get_ex(r.json, "status", &s) &&
		    json_object_object_get_ex(r.json, "progress", &p)) {
			const char *st = json_object_get_string(s);

			errors = 0;
			uprog_processing(&c->p, st, json_object_get_int(p));
			if (strcmp(st, "completed") == 0) {
				uprog_close(&c->p);
				uresp_free(&r);
				return EXIT_OK;
			}
			if (strcmp(st, "failed") == 0) {
				char *why = NULL;

				if (json_object_object_get_ex(r.json, "error", &e) &&
				    json_object_is_type(e, json_type_string))
					why = utext_clean(json_object_get_string(e),
					    (size_t)json_object_get_string_len(e), 1000);
				uprog_error(&c->p, "processing failed: %s",
				    why != NULL ? why : "no reason given");
				free(why);
				uresp_free(&r);
				return EXIT_FAILED;
			}
		} else if (rc == ERR_ABORTED || rc == ERR_NOMEM ||
		    (rc == OK && r.status != 429 && r.status / 100 != 5) ||
		    ++errors >= POLL_ERRORS_MAX) {
			ex = report(c, "status", rc, &r);
			uresp_free(&r);
			return ex;
		}
		uresp_free(&r);
		if (!nap(POLL_MS)) {
			uprog_error(&c->p, "interrupted while waiting; track %s goes on processing", id);
			return EXIT_INTERRUPTED;
		}
	}
}

/* stdout: the hls_url, or with --json the track document; or the id (--no-wait). */
static int
print_track(struct ctx *c, const char *id)
{
	struct json_object *u;
	char path[64];
	struct uresp r;
	enum result rc;
	int ex = EXIT_OK;
	size_t n;

	if (c->o.no_wait && !c->o.json) {
		printf("%s\n", id);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
	}
	snprintf(path, sizeof(path), "/tracks/%s", id);
	rc = uhttp_api(&c->h, "GET", path, NULL, &r);
	if (rc != OK || r.status != 200 || r.json == NULL) {
		ex = report(c, "get track", rc, &r);
	} else if (c->o.json) {
		for (n = r.len; n > 0 && (r.body[n - 1] == '\n' || r.body[n - 1] == '\r'); n--)
			;
		printf("%.*s\n", (int)n, r.body);
	} else if (json_object_object_get_ex(r.json, "hls_url", &u) &&
	    json_object_is_type(u, json_type_string)) {
		printf("%s\n", json_object_get_string(u));
	} else {
		uprog_error(&c->p, "the completed track has no hls_url");
		ex = EXIT_INTERNAL;
	}
	uresp_free(&r);
	if (fflush(stdout) != 0)
		ex = EXIT_INTERNAL;
	return ex;
}

/* init's track_id into tid. */
static int
track_id_of(struct ctx *c, struct uresp *init, char tid[40])
{
	struct json_object *id;

	if (!json_object_object_get_ex(init->json, "track_id", &id) ||
	    !json_object_is_type(id, json_type_string) ||
	    snprintf(tid, 40, "%s", json_object_get_string(id)) >= 40) {
		uprog_error(&c->p, "init answered without a track_id");
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* One presigned POST form for the audio (and one for the artwork), then complete. */
static int
send_post(struct ctx *c, const char *path, long long size, char tid[40])
{
	struct uresp init;
	int ex;

	memset(&init, 0, sizeof(init));
	if ((ex = do_init(c, path, size, false, &init)) != EXIT_OK ||
	    (ex = track_id_of(c, &init, tid)) != EXIT_OK ||
	    (ex = post_form(c, init.json, "audio", path)) != EXIT_OK ||
	    (c->o.artwork != NULL && (ex = post_form(c, init.json, "artwork", c->o.artwork)) != EXIT_OK))
		goto out;
	ex = do_complete(c, tid);
out:
	uresp_free(&init);
	return ex;
}

/*
 * Where the upload of s->track_id stands (POST /tracks/upload/parts): OK
 * with m set (m->parts NULL: nothing left to send), or 1 when it cannot be
 * resumed (s is forgotten; start again), or an exit code.
 */
static int
resume(struct ctx *c, struct ustate *s, struct uresp *r, struct umulti *m)
{
	struct json_object *b = json_object_new_object();
	const char *code;
	enum result rc;

	memset(m, 0, sizeof(*m));
	if (b == NULL)
		return EXIT_INTERNAL;
	json_object_object_add(b, "track_id", json_object_new_string(s->track_id));
	rc = uhttp_api(&c->h, "POST", "/tracks/upload/parts", b, r);
	json_object_put(b);
	code = uresp_code(r);
	if (rc == OK && r->status == 200 && umulti_read(r->json, m) == OK) {
		uprog_step(&c->p, "resuming track %s: %d of %d parts already in storage",
		    s->track_id, m->done_count, m->part_count);
		return EXIT_OK;
	}
	if (rc == OK && r->status == 409 && strcmp(code, "upload_not_pending") == 0) {
		uprog_step(&c->p, "track %s: the upload is already complete", s->track_id);
		return EXIT_OK;
	}
	if (rc == OK && (r->status == 404 || r->status == 409 || r->status == 422)) {
		uprog_step(&c->p, "cannot resume track %s (%s); starting again", s->track_id,
		    uresp_detail(r));
		ustate_remove(s);
		return 1;
	}
	return report(c, "resume", rc, r);
}

/* init in parts (the artwork's form right away); s remembers the track. */
static int
start_multipart(struct ctx *c, const char *path, long long size, struct ustate *s,
    struct uresp *r, struct umulti *m)
{
	struct json_object *mp;
	int ex;

	if ((ex = do_init(c, path, size, true, r)) != EXIT_OK)
		return ex;
	if ((ex = track_id_of(c, r, s->track_id)) != EXIT_OK)
		return ex;
	if (!json_object_object_get_ex(r->json, "audio_multipart", &mp) ||
	    umulti_read(mp, m) != OK) {
		uprog_error(&c->p, "init answered without audio_multipart");
		return EXIT_INTERNAL;
	}
	if (c->o.resume && ustate_save(s) != OK)
		uprog_step(&c->p, "cannot write %s: this upload cannot be resumed", s->file);
	if (c->o.artwork != NULL) {
		if ((ex = post_form(c, r->json, "artwork", c->o.artwork)) != EXIT_OK)
			return ex;
		s->artwork_done = true;
		if (c->o.resume)
			ustate_save(s);
	}
	return EXIT_OK;
}

/* PUT the parts of m, saying how to resume when that stops. */
static int
send_parts(struct ctx *c, const char *path, long long size, struct ustate *s,
    const struct umulti *m)
{
	char why[256], step[48];
	struct uresp r;
	enum result rc;
	int failed, ex;

	rc = umulti_put(&c->h, &c->p, path, size, m, &r, &failed, why, sizeof(why));
	if (rc == OK) {
		uresp_free(&r);
		return EXIT_OK;
	}
	if (rc == ERR_IO) {
		uprog_error(&c->p, "%s", why);
		ex = EXIT_USAGE;
	} else {
		snprintf(step, sizeof(step), "part %d upload", failed);
		ex = report(c, step, rc, &r);
		if (ex != EXIT_INTERRUPTED && ex != EXIT_INTERNAL)
			ex = EXIT_STORAGE;
	}
	uresp_free(&r);
	if (c->o.resume && s->track_id[0] != '\0')
		uprog_step(&c->p, "the parts sent so far are kept: run the same command again "
		    "to resume track %s", s->track_id);
	return ex;
}

/*
 * A resumable upload in parts: resume the one an earlier run left for this
 * file (same path, size and mtime), or start one; then complete. NO_MULTIPART
 * when the API does not offer it.
 */
static int
send_multipart(struct ctx *c, const char *path, const struct stat *st, char tid[40])
{
	long long size = (long long)st->st_size;
	struct ustate s;
	struct umulti m;
	struct uresp r;
	int ex = 1;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	if (c->o.resume && ustate_open(&s, c->h.api, c->h.token, path, st) != OK)
		uprog_step(&c->p, "no state directory ($XDG_STATE_HOME or $HOME): this upload "
		    "cannot be resumed");
	if (c->o.resume && s.track_id[0] != '\0') {
		if ((ex = resume(c, &s, &r, &m)) == EXIT_OK && c->o.artwork != NULL && !s.artwork_done)
			uprog_step(&c->p, "the artwork was not sent before the interruption and "
			    "cannot be any more; the track goes on without it");
		if (ex == 1)
			uresp_free(&r);
	}
	if (ex == 1)
		ex = start_multipart(c, path, size, &s, &r, &m);
	if (ex != EXIT_OK)
		goto out;
	snprintf(tid, 40, "%s", s.track_id);
	if (m.parts != NULL && (ex = send_parts(c, path, size, &s, &m)) != EXIT_OK)
		goto out;
	if ((ex = do_complete(c, tid)) == EXIT_OK || ex == EXIT_REJECTED)
		ustate_remove(&s);
out:
	uresp_free(&r);
	return ex;
}

int
uflow_file(struct ctx *c, const char *path)
{
	struct stat st, ast;
	char tid[40];
	int ex = NO_MULTIPART;

	uprog_file(&c->p, path);
	if ((ex = stat_file(c, path, &st)) != EXIT_OK)
		return ex;
	if (c->o.artwork != NULL && (ex = stat_file(c, c->o.artwork, &ast)) != EXIT_OK)
		return ex;
	ex = NO_MULTIPART;
	if (c->o.multipart_over >= 0 && (long long)st.st_size > c->o.multipart_over &&
	    (ex = send_multipart(c, path, &st, tid)) == NO_MULTIPART)
		uprog_step(&c->p, "the API does not offer uploads in parts: one POST form");
	if (ex == NO_MULTIPART)
		ex = send_post(c, path, (long long)st.st_size, tid);
	if (ex != EXIT_OK)
		return ex;
	if (!c->o.no_wait && (ex = wait_done(c, tid)) != EXIT_OK)
		return ex;
	return print_track(c, tid);
}
