#include "worker.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "clock.h"
#include "heartbeat.h"
#include "janitor.h"
#include "kinds.h"
#include "stages.h"
#include "log.h"

static void run_end(struct worker *w, struct job *j, enum result rc, const char *msg,
    const char *pub);
static void run_attempt(struct worker *w, struct job *j);
static void wait_for_work(struct worker *w, double timeout_s);
static double unit_random(void);

static double
unit_random(void)
{
	unsigned int u;

	if (RAND_bytes((unsigned char *)&u, sizeof(u)) != 1)
		return 0.5;
	return (double)u / 4294967296.0;
}

enum result
worker_open(struct worker *w, const struct config *cfg, const char *name,
    int lanes, const struct ladder *l, int parallel, struct encslots *slots,
    const volatile sig_atomic_t *stop, int wake_fd, struct errbuf *e)
{
	char host[128] = "localhost", app[64];
	struct errbuf ie;
	enum result rc;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->ladder = *l;
	w->parallel = parallel;
	w->slots = slots;
	w->stop = stop;
	w->wake_fd = wake_fd;
	w->lanes = lanes;
	(void)kinds_select(cfg, lanes, w->kinds);
	w->max_attempts = (int)(lanes == KIND_LANE_QUICK ? cfg->webhook_max_attempts :
	    cfg->job_max_attempts);
	(void)gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(w->owner, sizeof(w->owner), "%s:%ld:%s", host, (long)getpid(), name);
	snprintf(app, sizeof(app), "mustory-runner %.40s", name);
	if ((rc = s3_init(&w->s3, cfg, e)) != OK)
		return rc;
	w->s3_ok = true;
	err_clear(&ie);
	rc = db_open(&w->db, cfg->database_url, (int)cfg->db_timeout_s, app, "LISTEN jobs", &ie);
	if (rc == ERR_NOMEM) {
		err_set(e, "%s", err_msg(&ie));
		return rc;
	}
	if (rc != OK)
		log_warnx("%s (will retry)", err_msg(&ie));
	err_clear(&ie);
	rc = db_open(&w->hb_db, cfg->database_url, (int)cfg->db_timeout_s, app, NULL, &ie);
	if (rc == ERR_NOMEM) {
		err_set(e, "%s", err_msg(&ie));
		return rc;
	}
	return OK;
}

void
worker_close(struct worker *w)
{
	db_close(&w->db);
	db_close(&w->hb_db);
	if (w->s3_ok)
		s3_cleanup(&w->s3);
	w->s3_ok = false;
}

/*
 * Wait until a notification, a signal, or timeout_s. A lost connection is
 * not handled here: the next db_exec reconnects and LISTENs again.
 */
static void
wait_for_work(struct worker *w, double timeout_s)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	int sock = w->db.conn != NULL ? PQsocket(w->db.conn) : -1;
	PGnotify *nt;
	char buf[64];

	if (sock >= 0) {
		pfd[n].fd = sock;
		pfd[n].events = POLLIN;
		n++;
	}
	if (w->wake_fd >= 0) {
		pfd[n].fd = w->wake_fd;
		pfd[n].events = POLLIN;
		n++;
	}
	if (*w->stop)
		return;
	if (poll(pfd, n, (int)ceil(timeout_s * 1000)) <= 0)
		return;
	if (w->wake_fd >= 0)
		while (read(w->wake_fd, buf, sizeof(buf)) > 0)
			;
	if (sock >= 0 && PQconsumeInput(w->db.conn) == 1) {
		while ((nt = PQnotifies(w->db.conn)) != NULL) {
			log_debug("notified: job %s", nt->extra);
			PQfreemem(nt);
		}
	}
}

/*
 * Move the job after a failed attempt (or abandon it when it is not ours):
 * msg is the detail (the operator's), pub the artist's sentence when the
 * failing code gave one ("" otherwise).
 */
static void
run_end(struct worker *w, struct job *j, enum result rc, const char *msg, const char *pub)
{
	const struct config *cfg = w->cfg;
	struct job_facts f;
	struct job_move m;
	enum job_event ev;
	struct errbuf e;

	if (rc == ERR_LEASE_LOST) {
		log_warnx("job %lld track %s: lease lost during attempt %d; abandoned, nothing "
		    "published", j->id, j->track_id, j->attempts);
		return;
	}
	if (rc == ERR_CANCELLED)
		ev = JEV_CANCEL; /* asked, and now stopped: the attempt's uploads are removed */
	else if (rc == ERR_ABORTED)
		ev = JEV_HAND_BACK;
	else if (job_is_permanent(rc))
		ev = JEV_FAIL_PERMANENT;
	else
		ev = JEV_FAIL_TRANSIENT;
	memset(&f, 0, sizeof(f));
	f.id = j->id;
	f.attempts = j->attempts;
	f.max_attempts = j->max_attempts;
	f.owner = w->owner;
	f.cause = rc;
	f.detail = msg;
	f.public_msg = pub;
	f.backoff_base_s = cfg->job_backoff_base_s;
	f.backoff_max_s = cfg->job_backoff_max_s;
	f.jitter = unit_random();
	f.detached = !job_kind_sets_track(j->kind);
	f.persistent = job_kind_persistent(j->kind);
	f.cancel_requested = ev == JEV_CANCEL;
	if (job_next(j->state, ev, &f, &m) != OK)
		return;
	err_clear(&e);
	rc = job_apply(&w->db, w->cfg, j, w->owner, &m, &e);
	if (rc == ERR_CANCELLED) {
		/* A cancel was asked after the attempt stopped: it ends the job instead. */
		f.cancel_requested = true;
		err_clear(&e);
		if ((rc = job_next(j->state, JEV_CANCEL, &f, &m)) == OK)
			rc = job_apply(&w->db, w->cfg, j, w->owner, &m, &e);
	}
	if (rc != OK) {
		log_warnx("job %lld track %s: could not record the end of attempt %d (%s); "
		    "the lease will lapse and the job be taken back", j->id, j->track_id,
		    j->attempts, err_msg(&e));
		return;
	}
	if (m.to == JOB_QUEUED && !m.uncount)
		log_warnx("job %lld track %s: running -> queued (retry in %.1f s, attempt %d of %d): %s",
		    j->id, j->track_id, m.delay_s, j->attempts, j->max_attempts, msg);
	else if (m.to == JOB_QUEUED)
		log_info("job %lld track %s: running -> queued (%s)", j->id, j->track_id,
		    m.outcome);
	else if (m.to == JOB_CANCELLED)
		log_warnx("job %lld track %s: running -> cancelled: %s", j->id, j->track_id,
		    m.message);
	else
		log_warnx("job %lld track %s: running -> failed (attempt %d of %d): %s", j->id,
		    j->track_id, j->attempts, j->max_attempts, m.message);
}

/* One claimed job: heartbeat, its kind's run, then the move when it failed. */
static void
run_attempt(struct worker *w, struct job *j)
{
	kind_run_fn run = kinds_find(j->kind);
	struct heartbeat hb;
	struct errbuf e;
	enum result rc;

	log_context_set(NULL, j->track_id[0] != '\0' ? j->track_id : NULL, j->id);
	log_info("job %lld %s track %s: queued -> running (attempt %d of %d, %s)", j->id,
	    j->kind, j->track_id[0] != '\0' ? j->track_id : "-", j->attempts, j->max_attempts,
	    w->owner);
	memset(&hb, 0, sizeof(hb));
	err_clear(&e);
	if (run == NULL) {
		err_set(&e, "this runner does not know jobs of kind \"%s\"", j->kind);
		rc = ERR_PERMANENT;
	} else if ((rc = heartbeat_start(&hb, &w->hb_db, j, w->owner, w->cfg->job_lease_s,
	    &e)) == OK) {
		rc = run(w, j, &hb, &e);
		heartbeat_stop(&hb);
	}
	/* Whatever stopped an attempt whose lease is gone, the job is not ours; */
	if (rc != OK && heartbeat_lost(&hb))
		rc = ERR_LEASE_LOST;
	/* one that stopped after a cancel was asked is cancelled. */
	else if (rc != OK && heartbeat_cancelled(&hb))
		rc = ERR_CANCELLED;
	if (rc != OK)
		run_end(w, j, rc, err_msg(&e)[0] != '\0' ? err_msg(&e) : result_str(rc),
		    err_pub(&e));
	log_context_clear();
}

int
worker_loop(struct worker *w, bool once)
{
	const struct config *cfg = w->cfg;
	double next_rescue = 0, next_janitor = 0, now, wait, due, lease;
	struct errbuf e;
	struct job j;
	bool got, db_down = false;
	long long n;
	enum result rc;

	stages_clean_stale(w);
	while (!*w->stop) {
		now = clock_now_s();
		err_clear(&e);
		if (now >= next_rescue) {
			if (job_rescue(&w->db, cfg, &n, &e) == OK)
				next_rescue = now + (double)cfg->job_poll_s;
		}
		/* The janitor (lib/janitor.h): one runner at a time, by its lock; never
		 * the webhook worker, whose deliveries must not wait for a pass. */
		if (!once && cfg->janitor_interval_s > 0 && now >= next_janitor &&
		    (w->lanes & KIND_LANE_MAIN) != 0) {
			next_janitor = now + (double)cfg->janitor_interval_s;
			janitor_tick(&w->db, &w->s3, cfg, JANITOR_TICK_BUDGET_S, w->stop);
		}
		err_clear(&e);
		rc = job_claim(&w->db, w->owner, cfg->job_lease_s, w->max_attempts, w->kinds, &j,
		    &got, &e);
		if (rc != OK) {
			if (!db_down)
				log_warnx("cannot claim jobs: %s (retrying every %lld s)", err_msg(&e),
				    cfg->job_poll_s);
			db_down = true;
			if (once)
				return 1;
			wait_for_work(w, (double)cfg->job_poll_s);
			continue;
		}
		if (db_down)
			log_info("database is back");
		db_down = false;
		if (got) {
			run_attempt(w, &j);
			job_free(&j);
			continue;
		}
		if (once)
			break;
		/* Nothing due: sleep until notified, or the next run_at / lease expiry. */
		wait = (double)cfg->job_poll_s;
		err_clear(&e);
		if (job_next_due(&w->db, w->kinds, &due, &lease, &e) == OK) {
			if (due >= 0 && due < wait)
				wait = due + 0.01;
			if (lease >= 0 && lease + 0.05 < wait) {
				wait = lease + 0.05;
				next_rescue = clock_now_s() + wait;
			}
		}
		wait_for_work(w, wait);
	}
	return 0;
}
