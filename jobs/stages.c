#include "stages.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artwork.h"
#include "clock.h"
#include "log.h"
#include "probe.h"
#include "publish.h"

#define DOWNLOAD_SLACK (64 * 1024) /* the stored object may differ a little from file_size */
/* The artist's sentences for what a stage knows went wrong with the file. */
#define PUBLIC_GONE "the uploaded file is no longer in storage; please upload it again"
#define PUBLIC_GREW "the file in storage is larger than the upload declared; please upload it " \
	"again"
#define PUBLIC_CHANGED "the file changed after the upload was completed; please upload it again"
#define PUBLIC_UNCONVERTIBLE "the audio could not be converted; the file may be damaged"

/* One attempt in progress: what the stages hand each other. */
struct run {
	struct worker *w;      /* borrowed */
	struct job *job;       /* borrowed */
	struct heartbeat *hb;  /* borrowed: started and stopped by the caller */
	int lo, hi;            /* progress band of the current stage */
	bool finishing;        /* past the point of no return: SIGTERM no longer hands back */
	char dir[2048];        /* the attempt's work directory */
	char input[2200];      /* download: the original */
	char out[2200];        /* transcode: the ladder's output directory */
	long long got;         /* download: bytes */
	const char *demuxer;   /* probe: static, the demuxer ffmpeg must use */
	struct probe_info pi;  /* probe */
	struct publish pub;    /* publish: owned; its keys are removed on failure */
	bool uploaded;         /* pub's objects are this attempt's to remove on failure */
	struct artwork art;    /* artwork: the checked cover (art.ok: one to publish) */
	char *artwork_url;     /* publish: owned, the published cover's URL; NULL: none */
	char note[48];         /* the running stage's remark for the stage-times line */
};

typedef enum result (*stage_fn)(struct run *r, struct errbuf *e);

struct stage {
	const char *name;  /* in the stage-times log line (bench/runner.sh reads it) */
	int lo, hi;        /* progress band, percent: reported as hi when the stage ends */
	bool committed;    /* past the point of no return: a SIGTERM lets the job finish */
	stage_fn run;
};
struct stage_times; /* after the table, which sizes it */

static enum result stage_download(struct run *r, struct errbuf *e);
static enum result stage_probe(struct run *r, struct errbuf *e);
static enum result stage_transcode(struct run *r, struct errbuf *e);
static enum result stage_artwork(struct run *r, struct errbuf *e);
static enum result stage_publish(struct run *r, struct errbuf *e);
static enum result run_stages(struct run *r, struct stage_times *st, struct errbuf *e);
static enum result run_succeed(struct run *r, char **hls_url, struct errbuf *e);
static void run_log_times(const struct run *r, const struct stage_times *st, double total);
static void run_progress(void *arg, double f);
static bool run_should_abort(void *arg);
static bool run_still_ours(void *arg);
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static void rm_tree(const char *dir);

static const struct stage stages[] = {
	{ "download", 0, 2, false, stage_download },
	{ "probe", 2, 5, false, stage_probe },
	{ "transcode", 5, 90, false, stage_transcode },
	{ "artwork", 90, 90, true, stage_artwork },
	{ "publish", 90, 99, true, stage_publish },
};
#define NSTAGES (sizeof(stages) / sizeof(stages[0]))

/* What the stage-times line says of each stage. */
struct stage_times {
	double took[NSTAGES];   /* seconds */
	char note[NSTAGES][48]; /* e.g. " (2 processes)" */
};

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
stages_clean_stale(const char *work_dir)
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

#ifdef UNITTEST
bool
stages_row(size_t i, const char **name, int *lo, int *hi, bool *committed)
{
	if (i >= NSTAGES)
		return false;
	*name = stages[i].name;
	*lo = stages[i].lo;
	*hi = stages[i].hi;
	*committed = stages[i].committed;
	return true;
}
#endif

static void
run_progress(void *arg, double f)
{
	struct run *r = arg;
	double pct = r->lo + (r->hi - r->lo) * (f < 0 ? 0 : f > 1 ? 1 : f);

	heartbeat_progress(r->hb, (int)floor(pct));
}

static bool
run_should_abort(void *arg)
{
	struct run *r = arg;

	return heartbeat_lost(r->hb) || (!r->finishing && *r->w->stop);
}

static bool
run_still_ours(void *arg)
{
	struct run *r = arg;

	return !heartbeat_lost(r->hb);
}

/*
 * Streamed to a file, capped near the size the API saw, and only if it is
 * still the object complete checked (If-Match its ETag): a presigned POST
 * can be used again after complete, so the original may have been swapped.
 */
static enum result
stage_download(struct run *r, struct errbuf *e)
{
	const struct config *cfg = r->w->cfg;
	long long cap;
	enum result rc;
	int fd;

	snprintf(r->input, sizeof(r->input), "%s/original-XXXXXX", r->dir);
	if ((fd = mkstemp(r->input)) < 0) {
		err_set(e, "cannot make a temp file in %s: %s", r->dir, strerror(errno));
		return ERR_IO;
	}
	cap = r->job->file_size + DOWNLOAD_SLACK;
	if (cap > cfg->max_upload_bytes + DOWNLOAD_SLACK)
		cap = cfg->max_upload_bytes + DOWNLOAD_SLACK;
	rc = s3_get_to_fd(&r->w->s3, r->job->audio_key, r->job->audio_etag, fd, cap, &r->got, e);
	close(fd);
	if (rc == ERR_NOT_FOUND)
		err_public(e, PUBLIC_GONE);
	else if (rc == ERR_TOO_LARGE)
		err_public(e, PUBLIC_GREW);
	else if (rc == ERR_CONFLICT) {
		err_public(e, PUBLIC_CHANGED);
		rc = ERR_PERMANENT; /* the same object would be refused again */
	}
	return rc;
}

/* Is it audio we accept? */
static enum result
stage_probe(struct run *r, struct errbuf *e)
{
	const struct job *j = r->job;
	enum result rc;

	if ((rc = probe_file(r->w->cfg, r->input, &r->demuxer, &r->pi, e)) != OK) {
		/* probe words its permanent failures for the artist, about the file */
		if (job_is_permanent(rc))
			err_public(e, "%s", err_msg(e));
		return rc;
	}
	log_info("job %lld track %s: %s, %s, %d Hz, %d ch, %.1f s", j->id, j->track_id,
	    r->pi.format_name, r->pi.codec, r->pi.sample_rate, r->pi.channels, r->pi.duration_s);
	return OK;
}

/* The ladder, parallel ffmpeg processes. */
static enum result
stage_transcode(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	struct transcode_hooks th = { run_progress, run_should_abort, r };
	enum result rc;

	snprintf(r->out, sizeof(r->out), "%s/hls", r->dir);
	if (mkdir(r->out, 0700) < 0) {
		err_set(e, "cannot make %s: %s", r->out, strerror(errno));
		return ERR_IO;
	}
	snprintf(r->note, sizeof(r->note), " (%d processes)", w->parallel);
	rc = transcode_run(w->cfg, r->input, r->demuxer, &r->pi, r->out, &w->ladder,
	    w->parallel, &th, e);
	/* transcode words its permanent failures for the artist (ffmpeg's own: detail only) */
	if (job_is_permanent(rc))
		err_public(e, "%s", err_msg(e));
	return rc;
}

/* The cover, when one was uploaded: published only if it really is an image. */
static enum result
stage_artwork(struct run *r, struct errbuf *e)
{
	if (r->job->artwork_key == NULL)
		return OK;
	return artwork_check(&r->w->s3, r->w->cfg, r->job->artwork_key, r->dir, &r->art, e);
}

/*
 * Upload under a fresh attempt id: the checked cover under art/, then the
 * HLS under hls/, the master last.
 */
static enum result
stage_publish(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	char akey[STORAGE_KEY_MAX];
	enum result rc;

	if ((rc = publish_init(&r->pub, r->job->track_id, e)) != OK)
		return rc;
	r->uploaded = true;
	if (r->art.ok) {
		if ((rc = publish_artwork(&r->pub, &w->s3, r->art.path, r->art.type, r->art.ext,
		    akey, e)) != OK)
			return rc;
		if ((r->artwork_url = storage_url_public(w->cfg, akey)) == NULL)
			return ERR_NOMEM;
	}
	if ((rc = publish_upload(&r->pub, &w->s3, r->out, &w->ladder, run_still_ours,
	    run_progress, r, e)) != OK) {
		/* ffmpeg's playlists did not hold up (e.g. no decodable audio) */
		if (rc == ERR_INVALID)
			err_public(e, PUBLIC_UNCONVERTIBLE);
		return rc;
	}
	if (fabs(r->pub.duration_s - r->pi.duration_s) > (double)w->cfg->hls_segment_s)
		log_warnx("job %lld: HLS lasts %.3f s, the original %.3f s", r->job->id,
		    r->pub.duration_s, r->pi.duration_s);
	return OK;
}

/*
 * The loop: each stage in its band, timed into st; its band's end is
 * reported when it is done. After a stage before the point of no return, a
 * lost lease or a stop ends the attempt (past it, publish_upload and the
 * success transaction check the lease themselves).
 */
static enum result
run_stages(struct run *r, struct stage_times *st, struct errbuf *e)
{
	const struct stage *s;
	enum result rc;
	double t0;
	size_t i;

	for (i = 0; i < NSTAGES; i++) {
		s = &stages[i];
		if (s->committed)
			r->finishing = true;
		r->lo = s->lo;
		r->hi = s->hi;
		r->note[0] = '\0';
		t0 = clock_now_s();
		if ((rc = s->run(r, e)) != OK)
			return rc;
		st->took[i] = clock_now_s() - t0;
		snprintf(st->note[i], sizeof(st->note[i]), "%s", r->note);
		heartbeat_progress(r->hb, s->hi);
		if (!s->committed && run_should_abort(r))
			return ERR_ABORTED;
	}
	return OK;
}

/* One transaction: lease still ours -> job succeeded, track COMPLETED. */
static enum result
run_succeed(struct run *r, char **hls_url, struct errbuf *e)
{
	struct job *j = r->job;
	struct job_success ok;
	char mkey[STORAGE_KEY_MAX];
	enum result rc;

	publish_master_key(&r->pub, mkey, sizeof(mkey));
	if ((*hls_url = storage_url_public(r->w->cfg, mkey)) == NULL)
		return ERR_NOMEM;
	ok.hls_prefix = r->pub.prefix;
	ok.hls_url = *hls_url;
	ok.duration_s = r->pi.duration_s;
	ok.artwork_url = r->artwork_url;
	/* The transaction re-checks the lease; renewing during it would race. */
	heartbeat_stop(r->hb);
	if ((rc = job_succeed(&r->w->db, j, r->w->owner, &ok, e)) != OK)
		return rc;
	r->uploaded = false; /* published: keep it */
	log_info("job %lld track %s: running -> succeeded (attempt %d): %s", j->id, j->track_id,
	    j->attempts, *hls_url);
	return OK;
}

/* "job 7: 123 bytes; download 0.11 s, probe 0.12 s, ..., total 7.09 s" */
static void
run_log_times(const struct run *r, const struct stage_times *st, double total)
{
	char line[512];
	size_t i, len = 0;

	line[0] = '\0';
	for (i = 0; i < NSTAGES && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %.2f s%s, ",
		    stages[i].name, st->took[i], st->note[i]);
	log_info("job %lld: %lld bytes; %stotal %.2f s", r->job->id, r->got, line, total);
}

enum result
stages_run(struct worker *w, struct job *j, struct heartbeat *hb, struct errbuf *e)
{
	struct run r;
	struct stage_times st;
	double t0 = clock_now_s();
	char *hls_url = NULL;
	enum result rc;

	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	r.w = w;
	r.job = j;
	r.hb = hb;
	snprintf(r.dir, sizeof(r.dir), "%s/mustory-%ld-XXXXXX", w->cfg->work_dir, (long)getpid());
	if (mkdtemp(r.dir) == NULL) {
		err_set(e, "cannot make a work directory in %s: %s", w->cfg->work_dir,
		    strerror(errno));
		return ERR_IO;
	}
	if ((rc = run_stages(&r, &st, e)) == OK && (rc = run_succeed(&r, &hls_url, e)) == OK)
		run_log_times(&r, &st, clock_now_s() - t0);
	if (r.uploaded && r.pub.nkeys > 0) {
		log_info("job %lld: removing the %zu objects this attempt uploaded under %s", j->id,
		    r.pub.nkeys, r.pub.prefix);
		publish_remove(&r.pub, &w->s3);
	}
	publish_free(&r.pub);
	rm_tree(r.dir);
	free(r.artwork_url);
	free(hls_url);
	return rc;
}
