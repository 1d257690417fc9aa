/*
 * mustory-upload: upload audio files the way the app does, from a shell.
 *
 *   mustory-upload [--api URL] [--token T] [--title T] [--artist A]
 *                  [--artwork IMG] [--json] [--no-wait] [--limit-rate N] FILE...
 *
 * For each FILE, in turn: POST /tracks/upload/init, the presigned form POST
 * straight to storage (audio_upload_fields, then the file as "file"), the
 * artwork's form if asked for, POST /tracks/upload/complete, then poll
 * /tracks/upload/status/{id} until completed or failed and print the
 * hls_url (or with --json the final GET /tracks/{id} document) on stdout.
 * Progress goes to stderr: a bar on a terminal, one line per step otherwise.
 * Modules: upload_http.c (curl), upload_progress.c (the bar),
 * upload_tags.c (default title and artist).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "upload_http.h"
#include "upload_progress.h"
#include "upload_tags.h"
#include "upload_text.h"

#define DEFAULT_API "http://127.0.0.1:8080"
#define POLL_MS 500
#define POLL_ERRORS_MAX 20 /* consecutive failed polls before giving up */

/* Exit codes (documented in usage()). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_REJECTED = 4,
	EXIT_STORAGE = 5,
	EXIT_FAILED = 6,
	EXIT_UNAVAILABLE = 7,
	EXIT_INTERRUPTED = 130,
};

struct opts {
	const char *api, *token, *title, *artist, *artwork;
	bool json, no_wait;
	curl_off_t rate;
};

struct ctx {
	struct opts o;
	struct uhttp h;
	struct uprog p;
};

static void usage(FILE *f);
static int parse_rate(const char *s, curl_off_t *out);
static int parse_args(int argc, char *argv[], struct opts *o);
static void on_signal(int sig);
static void watch_signals(void);
static int api_exit(long status, const char *code);
static int report(struct ctx *c, const char *step, enum result rc, struct uresp *r);
static int file_ext(const char *path, char *ext, size_t n);
static int stat_file(struct ctx *c, const char *path, long long *size);
static void take(char **pick, char **a, char **b);
static int metadata(struct ctx *c, const char *path, char **title, char **artist);
static int do_init(struct ctx *c, const char *path, long long size, struct uresp *r);
static void on_bytes(void *arg, curl_off_t now, curl_off_t total);
static int post_form(struct ctx *c, struct json_object *init, const char *which,
    const char *path);
static int do_complete(struct ctx *c, const char *id);
static bool nap(int ms);
static int wait_done(struct ctx *c, const char *id);
static int print_track(struct ctx *c, const char *id);
static int upload_one(struct ctx *c, const char *path);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mustory-upload [--api URL] [--token T] [--title T] [--artist A]\n"
	    "                      [--artwork IMG] [--json] [--no-wait] [--limit-rate N] FILE...\n"
	    "  Uploads each audio FILE to the Mustory API, one after another, waits until\n"
	    "  it is processed and prints its hls_url on stdout.\n"
	    "  --api URL        the API (default: $MUSTORY_API, else " DEFAULT_API ")\n"
	    "  --token T        the bearer token (default: $MUSTORY_TOKEN; prefer the\n"
	    "                   variable: arguments are visible to other local users)\n"
	    "  --title T        the title (default: the file's title tag, else its name)\n"
	    "  --artist A       the artist (default: the artist tag, else \"Artist - Title.ext\"\n"
	    "                   in the name, else \"" UTAGS_UNKNOWN_ARTIST "\")\n"
	    "  --artwork IMG    upload IMG (jpg, jpeg, png, webp) as the artwork of each FILE\n"
	    "  --json           print the final GET /tracks/{id} JSON instead, one per line\n"
	    "  --no-wait        stop after complete: print the track id (or its JSON)\n"
	    "  --limit-rate N   send at most N bytes/s to storage (suffix K or M)\n"
	    "  Progress goes to stderr: a bar on a terminal, one line per step otherwise.\n"
	    "exit status:\n"
	    "  0    every FILE uploaded (and processed, unless --no-wait)\n"
	    "  1    internal error (out of memory, an answer that makes no sense)\n"
	    "  2    usage: a bad option, no token, a FILE that cannot be read\n"
	    "  3    auth: the API refused the token (401); nothing more is tried\n"
	    "  4    rejected input: the API refused the request (400, 404, 413, 415, 422, 429)\n"
	    "  5    storage: the upload to storage failed, or the API did not find it there\n"
	    "  6    processing failed: the track ended \"failed\" (the error is printed)\n"
	    "  7    the API is unreachable or failing (no answer, 5xx)\n"
	    "  130  interrupted (Ctrl-C or SIGTERM); nothing is left half-done on our side:\n"
	    "       an unfinished upload stays pending and expires\n"
	    "  With several files the first failure's status is returned; the others are\n"
	    "  still tried unless it was 3 or 130.\n");
}

/* "1048576", "512K", "2M" -> bytes/s. */
static int
parse_rate(const char *s, curl_off_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v > (1LL << 40))
		return -1;
	*out = (curl_off_t)v;
	return 0;
}

/* Returns optind of the first FILE, or -1 (usage error, reported) or 0 (--help). */
static int
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longs[] = {
		{ "api", required_argument, NULL, 'a' }, { "token", required_argument, NULL, 't' },
		{ "title", required_argument, NULL, 'T' }, { "artist", required_argument, NULL, 'A' },
		{ "artwork", required_argument, NULL, 'w' }, { "json", no_argument, NULL, 'j' },
		{ "no-wait", no_argument, NULL, 'n' }, { "limit-rate", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (ch) {
		case 'a': o->api = optarg; break;
		case 't': o->token = optarg; break;
		case 'T': o->title = optarg; break;
		case 'A': o->artist = optarg; break;
		case 'w': o->artwork = optarg; break;
		case 'j': o->json = true; break;
		case 'n': o->no_wait = true; break;
		case 'r':
			if (parse_rate(optarg, &o->rate) != 0) {
				fprintf(stderr, "mustory-upload: --limit-rate must be a number of "
				    "bytes per second, e.g. 500K or 2M\n");
				return -1;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mustory-upload: no FILE given\n");
		usage(stderr);
		return -1;
	}
	if (o->token == NULL || *o->token == '\0') {
		fprintf(stderr, "mustory-upload: no token: pass --token or set MUSTORY_TOKEN "
		    "(`mustory-token` mints a development one)\n");
		return -1;
	}
	return optind;
}

static void
on_signal(int sig)
{
	(void)sig;
	uhttp_stop = 1;
}

/* No SA_RESTART: a sleep or a poll() returns at once with EINTR. */
static void
watch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

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
stat_file(struct ctx *c, const char *path, long long *size)
{
	struct stat st;

	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		uprog_error(&c->p, "cannot read it: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		uprog_error(&c->p, "not a regular, non-empty file");
		return EXIT_USAGE;
	}
	*size = (long long)st.st_size;
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

static int
do_init(struct ctx *c, const char *path, long long size, struct uresp *r)
{
	struct json_object *b = json_object_new_object();
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
	rc = uhttp_api(&c->h, "POST", "/tracks/upload/init", b, r);
	if (rc != OK || r->status != 201 || r->json == NULL) {
		ex = rc == OK && r->status == 201 ? EXIT_INTERNAL : report(c, "init", rc, r);
		goto out;
	}
	uprog_step(&c->p, "init: \"%s\" by \"%s\", %lld bytes", title, artist, size);
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

static int
upload_one(struct ctx *c, const char *path)
{
	struct json_object *id;
	struct uresp init;
	long long size, asize;
	char tid[40];
	int ex;

	memset(&init, 0, sizeof(init));
	uprog_file(&c->p, path);
	if ((ex = stat_file(c, path, &size)) != EXIT_OK)
		return ex;
	if (c->o.artwork != NULL && (ex = stat_file(c, c->o.artwork, &asize)) != EXIT_OK)
		return ex;
	if ((ex = do_init(c, path, size, &init)) != EXIT_OK)
		goto out;
	if (!json_object_object_get_ex(init.json, "track_id", &id) ||
	    !json_object_is_type(id, json_type_string) ||
	    snprintf(tid, sizeof(tid), "%s", json_object_get_string(id)) >= (int)sizeof(tid)) {
		uprog_error(&c->p, "init answered without a track_id");
		ex = EXIT_INTERNAL;
		goto out;
	}
	if ((ex = post_form(c, init.json, "audio", path)) != EXIT_OK)
		goto out;
	if (c->o.artwork != NULL && (ex = post_form(c, init.json, "artwork", c->o.artwork)) != EXIT_OK)
		goto out;
	if ((ex = do_complete(c, tid)) != EXIT_OK)
		goto out;
	if (!c->o.no_wait && (ex = wait_done(c, tid)) != EXIT_OK)
		goto out;
	ex = print_track(c, tid);
out:
	uresp_free(&init);
	return ex;
}

int
main(int argc, char *argv[])
{
	struct ctx c;
	int first, i, ex, worst = EXIT_OK;

	memset(&c, 0, sizeof(c));
	c.o.api = getenv("MUSTORY_API");
	if (c.o.api == NULL || *c.o.api == '\0')
		c.o.api = DEFAULT_API;
	c.o.token = getenv("MUSTORY_TOKEN");
	if ((first = parse_args(argc, argv, &c.o)) <= 0)
		return first == 0 ? EXIT_OK : EXIT_USAGE;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return EXIT_INTERNAL;
	if (uhttp_init(&c.h, c.o.api, c.o.token) != OK) {
		curl_global_cleanup();
		return EXIT_INTERNAL;
	}
	c.h.max_send = c.o.rate;
	uprog_init(&c.p, stderr, isatty(STDERR_FILENO) == 1);
	watch_signals();
	for (i = first; i < argc; i++) {
		ex = upload_one(&c, argv[i]);
		if (ex != EXIT_OK && worst == EXIT_OK)
			worst = ex;
		if (ex == EXIT_AUTH || ex == EXIT_INTERRUPTED || uhttp_stop) {
			if (uhttp_stop)
				worst = EXIT_INTERRUPTED;
			break;
		}
	}
	uprog_close(&c.p);
	uhttp_free(&c.h);
	curl_global_cleanup();
	return worst;
}
