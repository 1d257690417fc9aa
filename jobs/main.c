/*
 * mustory-runner: the job runner. See jobs/worker.h for one worker's loop.
 *
 *   mustory-runner [--once] [--concurrency N] [--name NAME] [--env-file PATH]
 *                  [--retry JOB_ID]
 *
 * Process model: with concurrency 1 the process is the worker. With N > 1
 * it forks N worker processes (each with its own database connections and
 * storage handle, killed if this process dies) and supervises them:
 * SIGTERM/SIGINT is passed on, a worker that crashes is started again.
 * Each job runs parallel = JOB_PARALLELISM, or one per rung, ffmpeg
 * processes; all the workers' encoders together are capped (encslots.h,
 * made here before the fork) at max(cores, parallel): a job that finds no
 * free slot waits for one, and one that finds fewer runs fewer processes.
 * When it can deliver webhooks (WEBHOOK_SECRET set), it always supervises
 * one worker more, which claims only the quick lane (kinds.h: deliveries),
 * so an event is sent while the others transcode; the N workers claim only
 * the main lane. --once runs every lane in its workers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "jobstore.h"
#include "config.h"
#include "encslots.h"
#include "kinds.h"
#include "log.h"
#include "prefork.h"
#include "stages.h"
#include "transcode.h"
#include "worker.h"

#define MAX_CONCURRENCY 64

/* What every worker process is given. */
struct runner_workers {
	const struct config *cfg;    /* borrowed */
	const char *name;            /* borrowed: the runner's --name */
	const struct ladder *ladder; /* borrowed */
	int parallel;
	struct encslots *slots;      /* shared by every worker */
	bool once;
	int n_main;                  /* workers 0..n_main-1 claim the main lane (kinds.h);
	                                worker n_main, when there is one, the quick lane */
};

/* The command line. */
struct runner_args {
	const char *envfile;    /* NULL: the environment only */
	const char *name;       /* borrowed from argv, or "runner" */
	long long concurrency;  /* 0: RUNNER_CONCURRENCY */
	long long retry_id;     /* > 0: --retry, then exit */
	bool once;
};

static volatile sig_atomic_t stopping;
static int wake_pipe[2] = { -1, -1 };

static void on_signal(int sig);
static int wake_setup(void);
static void usage(FILE *f, int code) __attribute__((noreturn));
static void parse_args(int argc, char **argv, struct runner_args *a);
static int operator_retry(const struct config *cfg, long long id);
static int run_worker(const struct runner_workers *rw, const char *name, int lanes);
static int supervise(const struct runner_workers *rw, int n);
static int worker_child(const void *arg, int idx);

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	stopping = 1;
	/* a full pipe already wakes the loop: the result does not matter */
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0)
		stopping = 1;
	errno = saved;
}

/* A fresh self-pipe the signal handler writes to (each process its own). */
static int
wake_setup(void)
{
	int i, fl;

	for (i = 0; i < 2; i++)
		if (wake_pipe[i] >= 0)
			close(wake_pipe[i]);
	if (pipe2(wake_pipe, O_CLOEXEC) < 0) {
		wake_pipe[0] = wake_pipe[1] = -1;
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fl = fcntl(wake_pipe[i], F_GETFL);
		(void)fcntl(wake_pipe[i], F_SETFL, fl | O_NONBLOCK);
	}
	return 0;
}

static void
usage(FILE *f, int code)
{
	const char *def = MUSTORY_DEFAULT_ENV_FILE;

	fprintf(f, "usage: mustory-runner [--once] [--concurrency N] [--name NAME] "
	    "[--env-file PATH] [--retry JOB_ID]\n"
	    "       mustory-runner --help | --version\n"
	    "The Mustory job runner: claims upload jobs from PostgreSQL, checks and transcodes\n"
	    "the audio with ffprobe/ffmpeg into HLS and publishes it to storage.\n"
	    "  --once           work off the jobs that are due, then exit (cron)\n"
	    "  --concurrency N  N worker processes (default RUNNER_CONCURRENCY)\n"
	    "  --name NAME      this runner's name in the jobs' records\n"
	    "  --env-file PATH  read settings not in the environment from PATH\n"
	    "  --retry JOB_ID   queue a failed job once more, then exit\n"
	    "Configuration: the environment, then --env-file PATH or $ENV_FILE%s%s%s.\n"
	    "Every variable: docs/configuration.md.\n",
	    *def != '\0' ? ", else " : "", def, *def != '\0' ? " if present" : "");
	exit(code);
}

static int
operator_retry(const struct config *cfg, long long id)
{
	struct db db;
	struct errbuf e;
	enum job_state was = JOB_FAILED;
	char track[37] = "";
	int status = 1;

	err_clear(&e);
	if (db_open(&db, cfg->database_url, (int)cfg->db_timeout_s, "mustory-runner --retry",
	    NULL, &e) != OK) {
		log_errx("%s", err_msg(&e));
		goto out;
	}
	if (job_operator_retry(&db, id, track, &was, &e) != OK) {
		log_errx("cannot retry job %lld: %s", id, err_msg(&e));
		goto out;
	}
	log_info("job %lld track %s: %s -> queued (operator retry)", id, track,
	    job_state_str(was));
	printf("job %lld queued again (track %s)\n", id, track);
	status = 0;
out:
	db_close(&db);
	return status;
}

static int
run_worker(const struct runner_workers *rw, const char *name, int lanes)
{
	struct worker w;
	struct errbuf e;
	int status;

	err_clear(&e);
	if (worker_open(&w, rw->cfg, name, lanes, rw->ladder, rw->parallel, rw->slots, &stopping,
	    wake_pipe[0], &e) != OK) {
		log_errx("cannot start: %s", err_msg(&e));
		worker_close(&w);
		return 1;
	}
	if (lanes == KIND_LANE_QUICK)
		log_info("worker %s up (webhook deliveries)", w.owner);
	else
		log_info("worker %s up (%d ffmpeg processes per job%s)", w.owner, rw->parallel,
		    rw->once ? ", --once" : "");
	status = worker_loop(&w, rw->once);
	worker_close(&w);
	log_info("worker %s exits (%s)", name, stopping ? "signal" : "done");
	return status;
}

/* prefork's child: worker idx, with its own self-pipe (it _exits with the result). */
static int
worker_child(const void *arg, int idx)
{
	const struct runner_workers *rw = arg;
	char wname[128];

	if (wake_setup() < 0)
		return 1;
	if (idx >= rw->n_main) {
		snprintf(wname, sizeof(wname), "%s/webhooks", rw->name);
		return run_worker(rw, wname, KIND_LANE_QUICK);
	}
	snprintf(wname, sizeof(wname), "%s/%d", rw->name, idx);
	return run_worker(rw, wname, rw->once ? KIND_LANE_MAIN | KIND_LANE_QUICK : KIND_LANE_MAIN);
}

/*
 * n worker processes: one that fails is started again (not with --once),
 * one that is done (exit 0) is not; a worker never outlives the runner, so
 * a kill -9 of it frees every lease.
 */
static int
supervise(const struct runner_workers *rw, int n)
{
	struct prefork pf;

	memset(&pf, 0, sizeof(pf));
	pf.n = n;
	pf.child = worker_child;
	pf.arg = rw;
	pf.stop = &stopping;
	pf.restart = !rw->once;
	pf.restart_clean = false;
	pf.die_with_parent = true;
	return prefork_run(&pf);
}

/* The command line; a bad one exits 2 with a message. */
static void
parse_args(int argc, char **argv, struct runner_args *a)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "env-file", required_argument, NULL, 'e' },
		{ "retry", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->name = "runner";
	while ((c = getopt_long(argc, argv, "oc:n:e:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->once = true;
			break;
		case 'c':
			a->concurrency = strtoll(optarg, &end, 10);
			if (*end != '\0' || a->concurrency < 1 || a->concurrency > MAX_CONCURRENCY) {
				fprintf(stderr, "mustory-runner: --concurrency must be 1 to %d\n",
				    MAX_CONCURRENCY);
				exit(2);
			}
			break;
		case 'n':
			if (strlen(optarg) == 0 || strlen(optarg) > 64) {
				fprintf(stderr, "mustory-runner: --name must be 1 to 64 characters\n");
				exit(2);
			}
			a->name = optarg;
			break;
		case 'e':
			a->envfile = optarg;
			break;
		case 'r':
			a->retry_id = strtoll(optarg, &end, 10);
			if (*end != '\0' || a->retry_id < 1) {
				fprintf(stderr, "mustory-runner: --retry needs a job id\n");
				exit(2);
			}
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("mustory-runner %s\n", MUSTORY_VERSION);
			exit(0);
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
}

int
main(int argc, char **argv)
{
	struct runner_args a;
	struct config cfg;
	struct errbuf e;
	struct ladder ladder;
	struct runner_workers rw;
	const char *names[KINDS_MAX + 1];
	long long concurrency;
	long cores;
	int cap, status = 1;
	bool quick;

	memset(&rw, 0, sizeof(rw));
	parse_args(argc, argv, &a);
	log_init("mustory-runner", LOG_LEVEL_INFO);
	err_clear(&e);
	if (config_load(&cfg, a.envfile, &e) != OK) {
		log_errx("configuration: %s", err_msg(&e));
		return 1;
	}
	log_init("mustory-runner", (enum log_level)log_level_parse(cfg.log_level));
	log_set_format((enum log_format)log_format_parse(cfg.log_format));
	if (a.retry_id > 0) {
		status = operator_retry(&cfg, a.retry_id);
		goto out;
	}
	if (transcode_ladder_parse(cfg.hls_ladder, &ladder, &e) != OK) {
		log_errx("configuration: %s", err_msg(&e));
		goto out;
	}
	concurrency = a.concurrency != 0 ? a.concurrency : cfg.runner_concurrency;
	cores = transcode_cores();
	rw.cfg = &cfg;
	rw.name = a.name;
	rw.ladder = &ladder;
	rw.parallel = transcode_parallelism(cfg.job_parallelism, ladder.n);
	cap = transcode_encoder_cap(cfg.job_parallelism, concurrency, cores, rw.parallel);
	rw.once = a.once;
	if ((rw.slots = encslots_create(cap)) == NULL) {
		log_errx("cannot map the encoder slots: %s", strerror(errno));
		goto out;
	}
	if (mkdir(cfg.work_dir, 0700) < 0 && errno != EEXIST) {
		log_errx("WORK_DIR %s: %s", cfg.work_dir, strerror(errno));
		goto out;
	}

	if (wake_setup() < 0) {
		log_errx("pipe: %s", strerror(errno));
		goto out;
	}
	prefork_signals(on_signal);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* Deliveries get a worker of their own: they never wait behind a transcode. */
	quick = !a.once && kinds_select(&cfg, KIND_LANE_QUICK, names) > 0;
	rw.n_main = (int)concurrency;
	log_info("runner %s: concurrency %lld%s, %d ffmpeg processes per job, %d encoder slots, "
	    "%ld cores, ladder %s kbit/s%s", a.name, concurrency,
	    quick ? " and a webhook worker" : "", rw.parallel, cap, cores, cfg.hls_ladder,
	    a.once ? ", --once" : "");
	if (concurrency == 1 && !quick)
		status = run_worker(&rw, a.name, a.once ? KIND_LANE_MAIN | KIND_LANE_QUICK :
		    KIND_LANE_MAIN);
	else
		status = supervise(&rw, (int)concurrency + (quick ? 1 : 0));
	curl_global_cleanup();
out:
	encslots_destroy(rw.slots);
	if (wake_pipe[0] >= 0)
		close(wake_pipe[0]);
	if (wake_pipe[1] >= 0)
		close(wake_pipe[1]);
	config_free(&cfg);
	return status;
}
