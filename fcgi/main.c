/*
 * mustory-api: the FastCGI program behind nginx. The parent opens the
 * socket, forks FCGI_WORKERS workers and replaces any that die; each worker
 * owns one database connection and one storage handle and serves one request
 * at a time. SIGTERM/SIGINT: workers finish the request in hand and exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "clock.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "prefork.h"
#include "routes.h"

static volatile sig_atomic_t stopping;

/* What every worker process is given. */
struct api_workers {
	const struct config *cfg; /* borrowed */
	int sock;                 /* the listening FastCGI socket */
};

static void on_stop(int sig);
static int worker_main(const struct config *cfg, int sock);
static int worker_child(const void *arg, int idx);
static void usage(void);

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
usage(void)
{
	fprintf(stderr, "usage: mustory-api [--env-file PATH]\n"
	    "Configuration comes from the environment; see README.md.\n");
	exit(2);
}

static int
worker_main(const struct config *cfg, int sock)
{
	struct worker w;
	struct errbuf e;
	FCGX_Request fr;
	struct req r;
	double t0, ms;

	prefork_signals(on_stop); /* no SA_RESTART: accept() must wake */

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	err_clear(&e);
	if (db_open(&w.db, cfg->database_url, (int)cfg->db_timeout_s, "mustory-api", NULL,
	    &e) != OK)
		log_warnx("%s (will retry per request)", err_msg(&e));
	err_clear(&e);
	if (s3_init(&w.s3, cfg, &e) != OK) {
		log_errx("storage client: %s", err_msg(&e));
		db_close(&w.db);
		return 1;
	}
	if (FCGX_InitRequest(&fr, sock, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_errx("FCGX_InitRequest failed");
		s3_cleanup(&w.s3);
		db_close(&w.db);
		return 1;
	}
	while (!stopping && FCGX_Accept_r(&fr) == 0) {
		t0 = clock_now_s();
		http_req_init(&r, &fr, &w);
		log_context_set(r.request_id, NULL, 0);
		routes_dispatch(&r);
		if (r.status == 0)
			http_error(&r, 500, "internal", "No answer was produced (request %s).",
			    r.request_id);
		ms = (clock_now_s() - t0) * 1e3;
		if (r.status >= 500)
			log_warnx("%s %s -> %d %s (%.1f ms, request %s)", r.method, r.path, r.status,
			    r.code != NULL ? r.code : "", ms, r.request_id);
		else
			log_debug("%s %s -> %d (%.1f ms, user %s, request %s)", r.method, r.path,
			    r.status, ms, r.user[0] ? r.user : "-", r.request_id);
		FCGX_Finish_r(&fr);
		log_context_clear();
	}
	FCGX_Free(&fr, 1);
	s3_cleanup(&w.s3);
	db_close(&w.db);
	return 0;
}

/* prefork's child: one worker process (it _exits with the result). */
static int
worker_child(const void *arg, int idx)
{
	const struct api_workers *aw = arg;
	int rc;

	(void)idx;
	rc = worker_main(aw->cfg, aw->sock);
	curl_global_cleanup();
	return rc;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct errbuf e;
	const char *envfile = NULL;
	struct api_workers aw;
	struct prefork pf;
	int sock, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--env-file") == 0 && i + 1 < argc)
			envfile = argv[++i];
		else
			usage();
	}
	err_clear(&e);
	if (config_load(&cfg, envfile, &e) != OK) {
		fprintf(stderr, "mustory-api: configuration: %s\n", err_msg(&e));
		return 1;
	}
	log_init("mustory-api", (enum log_level)log_level_parse(cfg.log_level));
	log_set_format((enum log_format)log_format_parse(cfg.log_format));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || FCGX_Init() != 0) {
		log_errx("library initialisation failed");
		config_free(&cfg);
		return 1;
	}
	if (strchr(cfg.fcgi_socket, '/') != NULL)
		unlink(cfg.fcgi_socket);
	if ((sock = FCGX_OpenSocket(cfg.fcgi_socket, 128)) < 0) {
		log_errx("cannot listen on FCGI_SOCKET %s: %s", cfg.fcgi_socket, strerror(errno));
		config_free(&cfg);
		return 1;
	}
	if (strchr(cfg.fcgi_socket, '/') != NULL && chmod(cfg.fcgi_socket, 0660) != 0)
		log_warn("chmod %s", cfg.fcgi_socket);

	/* Replace a worker that dies, whatever its status; on SIGTERM pass it on and wait. */
	prefork_signals(on_stop);
	aw.cfg = &cfg;
	aw.sock = sock;
	memset(&pf, 0, sizeof(pf));
	pf.n = (int)cfg.fcgi_workers;
	pf.child = worker_child;
	pf.arg = &aw;
	pf.stop = &stopping;
	pf.restart = true;
	pf.restart_clean = true;
	log_info("listening on %s with %d workers", cfg.fcgi_socket, pf.n);
	(void)prefork_run(&pf);
	close(sock);
	if (strchr(cfg.fcgi_socket, '/') != NULL)
		unlink(cfg.fcgi_socket);
	config_free(&cfg);
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}
