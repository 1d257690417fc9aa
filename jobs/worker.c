#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "artwork.h"
#include "clock.h"
#include "heartbeat.h"
#include "log.h"
#include "probe.h"
#include "publish.h"

#define DOWNLOAD_SLACK (64 * 1024) /* the stored object may differ a little from file_size */

/* One attempt in progress. */
struct run {
	struct worker *w;    /* borrowed */
	struct job *job;     /* borrowed */
	struct heartbeat hb;
	int lo, hi;          /* progress range of the current stage */
	bool finishing;      /* publishing: SIGTERM no longer hands back */
};

static enum result run_job(struct run *r, struct errbuf *e);
static void run_end(struct worker *w, struct job *j, enum result rc, const char *msg,
    bool lost);
static void run_progress(void *arg, double f);
static bool run_should_abort(void *arg);
static bool run_still_ours(void *arg);
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static void rm_tree(const char *dir);
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

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		log_warn("cannot remove %s", path);
	return 0;
}

static void
rm_tree(const char *dir)
{
	(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void
worker_clean_stale(const char *work_dir)
{
	DIR *d;
	struct dirent *de;
	char path[4096];
	long pid;

	if ((d = opendir(work_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "mustory-%ld-", &pid) != 1 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", work_dir, de->d_name);
		log_info("removing %s, left by process %ld that is gone", path, pid);
		rm_tree(path);
	}
	closedir(d);
}

enum result
worker_open(struct worker *w, const struct config *cfg, const char *name,
    const struct ladder *l, int parallel, const volatile sig_atomic_t *stop, int wake_fd,
    struct errbuf *e)
{
	char host[128] = "localhost", app[64];
	struct errbuf ie;
	enum result rc;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->ladder = *l;
	w->parallel = parallel;
	w->stop = stop;
	w->wake_fd = wake_fd;
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

static void
run_progress(void *arg, double f)
{
	struct run *r = arg;
	double pct = r->lo + (r->hi - r->lo) * (f < 0 ? 0 : f > 1 ? 1 : f);

	heartbeat_progress(&r->hb, (int)floor(pct));
}

static bool
run_should_abort(void *arg)
{
	struct run *r = arg;

	return heartbeat_lost(&r->hb) || (!r->finishing && *r->w->stop);
}

static bool
run_still_ours(void *arg)
{
	struct run *r = arg;

	return !heartbeat_lost(&r->hb);
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

/* The whole attempt; the caller moves the job by the result. */
static enum result
run_job(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	const struct config *cfg = w->cfg;
	struct job *j = r->job;
	struct probe_info pi;
	struct publish pub;
	struct transcode_hooks th = { run_progress, run_should_abort, r };
	struct job_success ok;
	char dir[2048], input[2200], out[2200], mkey[512];
	char *artwork_url = NULL, *hls_url = NULL;
	const char *demuxer;
	double t[5];
	long long cap, got = 0;
	bool have_dir = false, uploaded = false;
	int fd = -1;
	enum result rc;

	memset(&pub, 0, sizeof(pub));
	t[0] = clock_now_s();
	snprintf(dir, sizeof(dir), "%s/mustory-%ld-XXXXXX", cfg->work_dir, (long)getpid());
	if (mkdtemp(dir) == NULL) {
		err_set(e, "cannot make a work directory in %s: %s", cfg->work_dir, strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	have_dir = true;

	/* 1. download, streamed to a file, capped near the size the API saw */
	snprintf(input, sizeof(input), "%s/original-XXXXXX", dir);
	if ((fd = mkstemp(input)) < 0) {
		err_set(e, "cannot make a temp file in %s: %s", dir, strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	cap = j->file_size + DOWNLOAD_SLACK;
	if (cap > cfg->max_upload_bytes + DOWNLOAD_SLACK)
		cap = cfg->max_upload_bytes + DOWNLOAD_SLACK;
	if ((rc = s3_get_to_fd(&w->s3, j->audio_key, fd, cap, &got, e)) != OK) {
		if (rc == ERR_NOT_FOUND)
			err_set(e, "the uploaded file is no longer in storage; please upload it again");
		else if (rc == ERR_TOO_LARGE)
			err_set(e, "the file in storage is larger than the upload declared");
		goto out;
	}
	close(fd);
	fd = -1;
	t[1] = clock_now_s();
	heartbeat_progress(&r->hb, 2);
	if (run_should_abort(r)) {
		rc = ERR_CONFLICT;
		goto out;
	}

	/* 2. is it audio we accept? */
	if ((rc = probe_file(cfg, input, &demuxer, &pi, e)) != OK)
		goto out;
	log_info("job %lld track %s: %s, %s, %d Hz, %d ch, %.1f s", j->id, j->track_id,
	    pi.format_name, pi.codec, pi.sample_rate, pi.channels, pi.duration_s);
	heartbeat_progress(&r->hb, 5);
	t[2] = clock_now_s();

	/* 3. the ladder */
	snprintf(out, sizeof(out), "%s/hls", dir);
	if (mkdir(out, 0700) < 0) {
		err_set(e, "cannot make %s: %s", out, strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	r->lo = 5;
	r->hi = 90;
	if ((rc = transcode_run(cfg, input, demuxer, &pi, out, &w->ladder, w->parallel, &th, e)) != OK)
		goto out;
	if (run_should_abort(r)) {
		rc = ERR_CONFLICT;
		goto out;
	}

	/* 4. artwork, then publish: from here a SIGTERM lets the job finish */
	t[3] = clock_now_s();
	r->finishing = true;
	if (j->artwork_key != NULL &&
	    (rc = artwork_check(&w->s3, cfg, j->artwork_key, dir, &artwork_url, e)) != OK)
		goto out;
	if ((rc = publish_init(&pub, j->track_id, e)) != OK)
		goto out;
	r->lo = 90;
	r->hi = 99;
	uploaded = true;
	if ((rc = publish_upload(&pub, &w->s3, out, &w->ladder, run_still_ours, run_progress, r,
	    e)) != OK)
		goto out;
	if (fabs(pub.duration_s - pi.duration_s) > (double)cfg->hls_segment_s)
		log_warnx("job %lld: HLS lasts %.3f s, the original %.3f s", j->id, pub.duration_s,
		    pi.duration_s);

	t[4] = clock_now_s();

	/* 5. one transaction: lease still ours -> job succeeded, track COMPLETED */
	publish_master_key(&pub, mkey, sizeof(mkey));
	if ((hls_url = config_public_url(cfg, mkey)) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	ok.hls_prefix = pub.prefix;
	ok.hls_url = hls_url;
	ok.duration_s = pi.duration_s;
	ok.artwork_url = artwork_url;
	/* The transaction re-checks the lease; renewing during it would race. */
	heartbeat_stop(&r->hb);
	if ((rc = job_succeed(&w->db, j, w->owner, &ok, e)) != OK)
		goto out;
	uploaded = false; /* published: keep it */
	log_info("job %lld track %s: running -> succeeded (attempt %d): %s", j->id, j->track_id,
	    j->attempts, hls_url);
	log_info("job %lld: %lld bytes; download %.2f s, probe %.2f s, transcode %.2f s "
	    "(%d processes), publish %.2f s, total %.2f s", j->id, got, t[1] - t[0], t[2] - t[1],
	    t[3] - t[2], w->parallel, t[4] - t[3], clock_now_s() - t[0]);
out:
	if (uploaded && pub.nkeys > 0) {
		log_info("job %lld: removing the %zu objects this attempt uploaded under %s", j->id,
		    pub.nkeys, pub.prefix);
		publish_remove(&pub, &w->s3);
	}
	publish_free(&pub);
	if (fd >= 0)
		close(fd);
	if (have_dir)
		rm_tree(dir);
	free(artwork_url);
	free(hls_url);
	return rc;
}

/* Move the job after a failed attempt (or abandon it when it is not ours). */
static void
run_end(struct worker *w, struct job *j, enum result rc, const char *msg, bool lost)
{
	const struct config *cfg = w->cfg;
	struct job_move m;
	enum job_event ev;
	enum job_state to;
	struct errbuf e;
	char sentence[1024], public[512];
	const char *pub = NULL;
	double delay = 0;

	if (lost) {
		log_warnx("job %lld track %s: lease lost during attempt %d; abandoned, nothing "
		    "published", j->id, j->track_id, j->attempts);
		return;
	}
	if (rc == ERR_CONFLICT && *w->stop)
		ev = JEV_HAND_BACK;
	else if (job_is_permanent(rc))
		ev = JEV_FAIL_PERMANENT;
	else
		ev = JEV_FAIL_TRANSIENT;
	if (job_next(j->state, ev, j->attempts, j->max_attempts, &m) != OK)
		return;
	if (ev == JEV_HAND_BACK)
		snprintf(sentence, sizeof(sentence), "handed back: the runner %s is shutting down",
		    w->owner);
	else if (ev == JEV_FAIL_TRANSIENT && m.to == JOB_FAILED) {
		snprintf(sentence, sizeof(sentence), "Processing failed %d times, the last time "
		    "because %s; this is usually temporary, so retry later (an operator can run "
		    "mustory-runner --retry %lld).", j->attempts, msg, j->id);
		/* The artist gets the cause without our hosts and keys. */
		snprintf(public, sizeof(public), "Processing failed %d times because %s; this is "
		    "usually temporary and nothing is wrong with your file. Try again later.",
		    j->attempts, rc == ERR_STORAGE ? "our storage service was unreachable" :
		    rc == ERR_DB ? "our database was unreachable" :
		    rc == ERR_TIMEOUT ? "a step took too long" : "of a temporary problem on our side");
		pub = public;
	} else
		snprintf(sentence, sizeof(sentence), "%s", msg);
	if (m.backoff)
		delay = job_backoff_s(j->attempts, cfg->job_backoff_base_s, cfg->job_backoff_max_s,
		    unit_random());
	err_clear(&e);
	if (job_move_to(&w->db, j, w->owner, ev, sentence, pub, delay, &to, &e) != OK) {
		log_warnx("job %lld track %s: could not record the end of attempt %d (%s); "
		    "the lease will lapse and the job be taken back", j->id, j->track_id,
		    j->attempts, err_msg(&e));
		return;
	}
	if (to == JOB_QUEUED && m.backoff)
		log_warnx("job %lld track %s: running -> queued (retry in %.1f s, attempt %d of %d): %s",
		    j->id, j->track_id, delay, j->attempts, j->max_attempts, msg);
	else if (to == JOB_QUEUED)
		log_info("job %lld track %s: running -> queued (%s)", j->id, j->track_id,
		    m.outcome);
	else
		log_warnx("job %lld track %s: running -> failed (attempt %d of %d): %s", j->id,
		    j->track_id, j->attempts, j->max_attempts, sentence);
}

int
worker_loop(struct worker *w, bool once)
{
	const struct config *cfg = w->cfg;
	double next_rescue = 0, now, wait, due, lease;
	struct errbuf e;
	struct job j;
	struct run r;
	bool got, db_down = false;
	long long n;
	enum result rc;

	while (!*w->stop) {
		now = clock_now_s();
		err_clear(&e);
		if (now >= next_rescue) {
			if (job_rescue(&w->db, &n, &e) == OK)
				next_rescue = now + (double)cfg->job_poll_s;
		}
		err_clear(&e);
		rc = job_claim(&w->db, w->owner, cfg->job_lease_s, (int)cfg->job_max_attempts, &j, &got,
		    &e);
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
			log_info("job %lld track %s: queued -> running (attempt %d of %d, %s)", j.id,
			    j.track_id, j.attempts, j.max_attempts, w->owner);
			memset(&r, 0, sizeof(r));
			r.w = w;
			r.job = &j;
			err_clear(&e);
			if ((rc = heartbeat_start(&r.hb, &w->hb_db, &j, w->owner, cfg->job_lease_s,
			    &e)) == OK) {
				rc = run_job(&r, &e);
				heartbeat_stop(&r.hb);
			}
			if (rc != OK)
				run_end(w, &j, rc, err_msg(&e)[0] != '\0' ? err_msg(&e) :
				    result_str(rc), heartbeat_lost(&r.hb) ||
				    (rc == ERR_CONFLICT && !*w->stop));
			job_free(&j);
			continue;
		}
		if (once)
			break;
		/* Nothing due: sleep until notified, or the next run_at / lease expiry. */
		wait = (double)cfg->job_poll_s;
		err_clear(&e);
		if (job_next_due(&w->db, &due, &lease, &e) == OK) {
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
