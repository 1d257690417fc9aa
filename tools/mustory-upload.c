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

#include "upload_flow.h"
#include "upload_tags.h"

#define DEFAULT_API "http://127.0.0.1:8080"

static void usage(FILE *f);
static int parse_bytes(const char *s, long long *out);
static int parse_args(int argc, char *argv[], struct opts *o);
static void on_signal(int sig);
static void watch_signals(void);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mustory-upload [--api URL] [--token T] [--title T] [--artist A]\n"
	    "                      [--artwork IMG] [--json] [--no-wait] [--limit-rate N]\n"
	    "                      [--multipart-over SIZE] [--no-resume] FILE...\n"
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
	    "  --multipart-over SIZE  upload files over SIZE (default 16M; \"never\") in parts,\n"
	    "                   resumable: after an interruption the same command goes on\n"
	    "                   from the parts already in storage (state in\n"
	    "                   $XDG_STATE_HOME/mustory-upload, default ~/.local/state/...)\n"
	    "  --no-resume      neither resume nor remember uploads in parts\n"
	    "  --help, --version  this text; the version\n"
	    "  Progress goes to stderr: a bar on a terminal, one line per step otherwise.\n"
	    "exit status:\n"
	    "  0    every FILE uploaded (and processed, unless --no-wait)\n"
	    "  1    internal error (out of memory, an answer that makes no sense)\n"
	    "  2    usage: a bad option, no token, a FILE that cannot be read\n"
	    "  3    auth: the API refused the token (401); nothing more is tried\n"
	    "  4    rejected input: the API refused the request (400, 404, 413, 415, 422, 429)\n"
	    "  5    storage: the upload to storage failed, or the API did not find it there\n"
	    "       (an upload in parts can then be resumed)\n"
	    "  6    processing failed: the track ended \"failed\" (the error is printed)\n"
	    "  7    the API is unreachable or failing (no answer, 5xx)\n"
	    "  130  interrupted (Ctrl-C or SIGTERM): an upload in parts resumes with the same\n"
	    "       command; any other unfinished upload stays pending and expires\n"
	    "  With several files the first failure's status is returned; the others are\n"
	    "  still tried unless it was 3 or 130.\n");
}

/* "1048576", "512K", "2M" -> bytes. */
static int
parse_bytes(const char *s, long long *out)
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
	*out = v;
	return 0;
}

/* Returns optind of the first FILE, or -1 (usage error, reported) or 0 (--help, --version). */
static int
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longs[] = {
		{ "api", required_argument, NULL, 'a' }, { "token", required_argument, NULL, 't' },
		{ "title", required_argument, NULL, 'T' }, { "artist", required_argument, NULL, 'A' },
		{ "artwork", required_argument, NULL, 'w' }, { "json", no_argument, NULL, 'j' },
		{ "no-wait", no_argument, NULL, 'n' }, { "limit-rate", required_argument, NULL, 'r' },
		{ "multipart-over", required_argument, NULL, 'm' },
		{ "no-resume", no_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	long long v;
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
			if (parse_bytes(optarg, &v) != 0) {
				fprintf(stderr, "mustory-upload: --limit-rate must be a number of "
				    "bytes per second, e.g. 500K or 2M\n");
				return -1;
			}
			o->rate = (curl_off_t)v;
			break;
		case 'm':
			if (strcmp(optarg, "never") == 0) {
				o->multipart_over = -1;
			} else if (parse_bytes(optarg, &o->multipart_over) != 0) {
				fprintf(stderr, "mustory-upload: --multipart-over must be a size in "
				    "bytes, e.g. 16M, or \"never\"\n");
				return -1;
			}
			break;
		case 'R': o->resume = false; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mustory-upload %s\n", MUSTORY_VERSION); return 0;
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
	c.o.multipart_over = UFLOW_MULTIPART_OVER;
	c.o.resume = true;
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
		ex = uflow_file(&c, argv[i]);
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
