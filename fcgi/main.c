/*
 * mustory-api: one binary for every gateway (fcgi/gateway.h decides which,
 * from how the process was started):
 *   - its own FCGI_SOCKET, or the socket systemd passes (LISTEN_FDS): the
 *     prefork supervisor forks FCGI_WORKERS workers on it and replaces any
 *     that die; a socket it was handed is never unlinked, its own only
 *     while it is still the one it made (fcgi/own_socket.h);
 *   - a listening socket on standard input (Apache mod_fcgid, spawn-fcgi):
 *     one worker, no supervisor: the web server manages the processes;
 *   - plain CGI (Apache mod_cgi): one request from the environment and
 *     standard input, the same handlers, then exit.
 * A worker owns one database connection and one storage handle and serves
 * one request at a time. SIGTERM/SIGINT: it finishes the request in hand.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cgi.h"
#include "clock.h"
#include "config.h"
#include "fcgi_serve.h"
#include "gate.h"
#include "gateway.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "own_socket.h"
#include "prefork.h"
#include "routes.h"

extern char **environ;

static volatile sig_atomic_t stopping;

/* What every worker process is given. */
struct api_workers {
	const struct config *cfg; /* borrowed */
	int sock;                 /* the listening FastCGI socket */
	struct gate *gate;        /* borrowed: shared with every worker */
	struct metrics *metrics;  /* borrowed: the request counters, shared too */
};

static void on_stop(int sig);
static void usage(FILE *f, int code) __attribute__((noreturn));
static void serve_one(struct worker *w, struct req *r);
static enum result worker_open(struct worker *w, const struct config *cfg, struct errbuf *e);
static void worker_close(struct worker *w);
static int worker_main(const struct config *cfg, int sock, struct gate *g, int slot,
    struct metrics *m);
static int worker_child(const void *arg, int idx);
static void worker_reaped(const void *arg, int idx);
static int serve_prefork(const struct config *cfg, int sock, const char *where);
static int serve_cgi(const struct config *cfg);
static int serve_own_socket(const struct config *cfg);
static int serve_activated(const struct config *cfg);

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(FILE *f, int code)
{
	const char *def = MUSTORY_DEFAULT_ENV_FILE;

	fprintf(f, "usage: mustory-api [--env-file PATH]\n"
	    "       mustory-api --help | --version\n"
	    "The Mustory upload API (FastCGI, or CGI). How it serves follows from how it\n"
	    "was started, in this order:\n"
	    "  LISTEN_FDS/LISTEN_PID set for it (systemd socket activation): FastCGI on\n"
	    "    the passed socket, FCGI_WORKERS worker processes;\n"
	    "  a listening socket as standard input (Apache mod_fcgid, spawn-fcgi): one\n"
	    "    FastCGI worker, the web server manages the processes;\n"
	    "  GATEWAY_INTERFACE set (Apache mod_cgi): one CGI request, then exit;\n"
	    "  otherwise: FastCGI on FCGI_SOCKET, FCGI_WORKERS worker processes.\n"
	    "Configuration: the environment, then --env-file PATH or $ENV_FILE%s%s%s.\n"
	    "Every variable: docs/configuration.md.\n",
	    *def != '\0' ? ", else " : "", def, *def != '\0' ? " if present" : "");
	exit(code);
}

/* One request through the route table (r filled by http_req_init), and its log line. */
static void
serve_one(struct worker *w, struct req *r)
{
	double t0 = clock_now_s(), ms;

	log_context_set(r->request_id, NULL, 0);
	routes_dispatch(r);
	if (r->status == 0)
		http_error(r, 500, "internal", "No answer was produced (request %s).",
		    r->request_id);
	ms = (clock_now_s() - t0) * 1e3;
	metrics_request(w->metrics, r->route, r->status, ms / 1e3);
	if (r->status >= 500)
		log_warnx("%s %s -> %d %s (%.1f ms, request %s)", r->method, r->path, r->status,
		    r->code != NULL ? r->code : "", ms, r->request_id);
	else
		log_debug("%s %s -> %d (%.1f ms, user %s, request %s)", r->method, r->path,
		    r->status, ms, r->user[0] ? r->user : "-", r->request_id);
	log_context_clear();
}

/* The database connection (retried per request when down) and the storage handle. */
static enum result
worker_open(struct worker *w, const struct config *cfg, struct errbuf *e)
{
	struct errbuf dbe;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	err_clear(&dbe);
	if (db_open(&w->db, cfg->database_url, (int)cfg->db_timeout_s, "mustory-api", NULL,
	    &dbe) != OK)
		log_warnx("%s (will retry per request)", err_msg(&dbe));
	if (s3_init(&w->s3, cfg, e) != OK) {
		db_close(&w->db);
		return ERR_STORAGE;
	}
	/* A request waiting on storage holds this worker: give up sooner than the runner. */
	s3_set_timeout(&w->s3, (long)cfg->storage_api_timeout_s);
	return OK;
}

static void
worker_close(struct worker *w)
{
	s3_cleanup(&w->s3);
	db_close(&w->db);
}

static int
worker_main(const struct config *cfg, int sock, struct gate *g, int slot, struct metrics *m)
{
	struct worker w;
	struct errbuf e;
	struct fcgi_serve *fs;
	struct fcgi_conn *c;
	struct req r;
	const char *answer;
	size_t len;

	prefork_signals(on_stop); /* no SA_RESTART: poll() must wake */
	err_clear(&e);
	if ((fs = malloc(sizeof(*fs))) == NULL) {
		log_errx("out of memory");
		return 1;
	}
	if (worker_open(&w, cfg, &e) != OK) {
		log_errx("storage client: %s", err_msg(&e));
		free(fs);
		return 1;
	}
	w.storage_gate = g;
	w.slot = slot;
	w.metrics = m;
	fcgi_serve_init(fs, sock);
	while ((c = fcgi_serve_next(fs, &stopping)) != NULL) {
		/* a worker can sit idle while others serve: its connection may have died meanwhile */
		db_check_idle(&w.db);
		http_req_init(&r, c->envp, c->body, c->body_len, c->body_over, &w);
		serve_one(&w, &r);
		answer = http_answer(&r, &len);
		(void)fcgi_conn_respond(c, answer, len);
		http_req_free(&r);
		fcgi_serve_flush(fs, c);
	}
	fcgi_serve_close(fs);
	free(fs);
	worker_close(&w);
	return 0;
}

/* prefork's child: one worker process (it _exits with the result). */
static int
worker_child(const void *arg, int idx)
{
	const struct api_workers *aw = arg;
	int rc;

	rc = worker_main(aw->cfg, aw->sock, aw->gate, idx, aw->metrics);
	curl_global_cleanup();
	return rc;
}

/* In the supervisor: a dead worker (even one killed with -9) holds no place in the gate. */
static void
worker_reaped(const void *arg, int idx)
{
	const struct api_workers *aw = arg;

	gate_leave(aw->gate, idx);
}

/* The supervisor on a listening socket, with the gate its workers share. */
static int
serve_prefork(const struct config *cfg, int sock, const char *where)
{
	struct api_workers aw;
	struct prefork pf;
	struct gate gate;
	struct metrics metrics;
	struct errbuf e;

	err_clear(&e);
	if (gate_open(&gate, (int)cfg->fcgi_workers, (int)cfg->storage_api_concurrency, &e) != OK) {
		log_errx("%s", err_msg(&e));
		return 1;
	}
	if (metrics_open(&metrics, &e) != OK) {
		log_errx("%s", err_msg(&e));
		gate_close(&gate);
		return 1;
	}
	/* Replace a worker that dies, whatever its status; on SIGTERM pass it on and wait. */
	prefork_signals(on_stop);
	aw.cfg = cfg;
	aw.sock = sock;
	aw.gate = &gate;
	aw.metrics = &metrics;
	memset(&pf, 0, sizeof(pf));
	pf.n = (int)cfg->fcgi_workers;
	pf.child = worker_child;
	pf.arg = &aw;
	pf.stop = &stopping;
	pf.restart = true;
	pf.restart_clean = true;
	pf.reaped = worker_reaped;
	log_info("mustory-api %s listening on %s with %d workers (at most %d in a storage call)",
	    MUSTORY_VERSION, where, pf.n, gate.cap);
	(void)prefork_run(&pf);
	metrics_close(&metrics);
	gate_close(&gate);
	return 0;
}

/* Its own FCGI_SOCKET: refused when another instance listens there. */
static int
serve_own_socket(const struct config *cfg)
{
	struct own_socket s;
	struct errbuf e;
	int rc;

	err_clear(&e);
	if (own_socket_open(&s, cfg->fcgi_socket, 128, &e) != OK) {
		log_errx("%s", err_msg(&e));
		return 1;
	}
	rc = serve_prefork(cfg, s.fd, cfg->fcgi_socket);
	own_socket_close(&s);
	return rc;
}

/* systemd's socket (fd 3): served, never unlinked (a restart must not drop it). */
static int
serve_activated(const struct config *cfg)
{
	const char *n = getenv("LISTEN_FDS");

	if (n != NULL && strcmp(n, "1") != 0)
		log_warnx("LISTEN_FDS=%s: serving only the first socket (fd %d)", n,
		    GATEWAY_LISTEN_FDS_START);
	/* sd_listen_fds(3): the variables are for this process, not its workers */
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	if (!gateway_fd_listening(GATEWAY_LISTEN_FDS_START)) {
		log_errx("LISTEN_FDS is set but fd %d is not a listening socket",
		    GATEWAY_LISTEN_FDS_START);
		return 1;
	}
	return serve_prefork(cfg, GATEWAY_LISTEN_FDS_START, "the socket systemd passed (fd 3)");
}

/* Plain CGI: one request, a database connection of its own, then exit. */
static int
serve_cgi(const struct config *cfg)
{
	struct cgi_body b;
	struct worker w;
	struct errbuf e;
	struct req *r;
	const char *answer;
	size_t len;
	int rc;

	prefork_signals(on_stop);
	err_clear(&e);
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_errx("out of memory");
		return 1;
	}
	if (worker_open(&w, cfg, &e) != OK) {
		log_errx("storage client: %s", err_msg(&e));
		free(r);
		return 1;
	}
	cgi_read_body(environ, 0, HTTP_MAX_BODY, &b);
	http_req_init(r, environ, b.p != NULL ? b.p : "", b.len, b.over, &w);
	serve_one(&w, r);
	answer = http_answer(r, &len);
	rc = cgi_write(1, answer, len);
	http_req_free(r);
	free(b.p);
	worker_close(&w);
	free(r);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct gateway_env genv;
	enum gateway_mode mode;
	struct config cfg;
	struct errbuf e;
	const char *envfile = NULL;
	int i, rc = 1;

	gateway_probe(&genv);
	mode = gateway_decide(&genv);
	/* A CGI program's arguments come from a query string without '=' (RFC 3875 4.4): ignored. */
	for (i = 1; mode != GATEWAY_CGI && i < argc; i++) {
		if (strcmp(argv[i], "--env-file") == 0 && i + 1 < argc)
			envfile = argv[++i];
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			usage(stdout, 0);
		else if (strcmp(argv[i], "--version") == 0) {
			printf("mustory-api %s\n", MUSTORY_VERSION);
			return 0;
		} else
			usage(stderr, 2);
	}
	err_clear(&e);
	if (config_load(&cfg, envfile, &e) != OK) {
		fprintf(stderr, "mustory-api: configuration: %s\n", err_msg(&e));
		return 1;
	}
	log_init("mustory-api", (enum log_level)log_level_parse(cfg.log_level));
	log_set_format((enum log_format)log_format_parse(cfg.log_format));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_errx("library initialisation failed");
		config_free(&cfg);
		return 1;
	}
	switch (mode) {
	case GATEWAY_CGI:
		rc = serve_cgi(&cfg);
		break;
	case GATEWAY_INHERITED:
		log_info("mustory-api %s: one FastCGI worker on the socket on standard input",
		    MUSTORY_VERSION);
		rc = worker_main(&cfg, 0, NULL, 0, NULL);
		break;
	case GATEWAY_SOCKET_ACTIVATION:
		rc = serve_activated(&cfg);
		break;
	case GATEWAY_OWN_SOCKET:
	case GATEWAY__MAX:
		rc = serve_own_socket(&cfg);
		break;
	}
	config_free(&cfg);
	curl_global_cleanup();
	if (mode != GATEWAY_CGI)
		log_info("stopped");
	return rc;
}
