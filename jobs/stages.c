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
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "artwork.h"
#include "loudness.h"
#include "waveform.h"
#include "clock.h"
#include "encslots.h"
#include "log.h"
#include "probe.h"
#include "publish.h"

#define DOWNLOAD_SLACK (64 * 1024) /* the stored object may differ a little from file_size */
#define JOURNAL "uploaded-keys"    /* in the work directory: publish.h */
#define UNSWEPT "unswept-"         /* WORK_DIR/unswept-*: journals whose keys storage kept */
#define SLOT_WAIT_S 0.1            /* how often a job waiting for an encoder slot looks again */
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
	char journal[2200];    /* the keys this attempt uploads, for a sweep after a kill -9 */
	long long got;         /* download: bytes */
	const char *demuxer;   /* probe: static, the demuxer ffmpeg must use */
	struct probe_info pi;  /* probe */
	struct publish pub;    /* publish: owned; its keys are removed on failure */
	bool uploaded;         /* pub's objects are this attempt's to remove on failure */
	struct artwork art;    /* artwork: the checked cover (art.ok: one to publish) */
	char *artwork_url;     /* publish: owned, the published cover's URL; NULL: none */
	char *thumbs_json;     /* publish: owned, {"600": url, "300": url}; NULL: none */
	char *loudness_json;   /* analyse: owned, the loudness object; NULL: not measured */
	char wave_path[2200];  /* analyse: the waveform's JSON file; "": none */
	char *waveform_url;    /* publish: owned; NULL: none */
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
static enum result stage_analyse(struct run *r, struct errbuf *e);
static char *analyse_loudness(const struct config *cfg, const char *text, size_t len,
    double applied);
static void run_normalize(struct run *r);
static char *analyse_read(const char *path, size_t cap, size_t *len);
static enum result stage_artwork(struct run *r, struct errbuf *e);
static enum result publish_cover(struct run *r, struct errbuf *e);
static enum result stage_publish(struct run *r, struct errbuf *e);
static enum result stage_master(struct run *r, struct errbuf *e);
static enum result run_take_slots(struct run *r, int *got, struct errbuf *e);
static enum result run_tick(void *arg, const bool done[TRANSCODE_MAX_RUNGS], struct errbuf *e);
static enum result run_stages(struct run *r, struct stage_times *st, struct errbuf *e);
static enum result run_succeed(struct run *r, char **hls_url, struct errbuf *e);
static void run_keep_journal(const struct run *r);
static void run_log_times(const struct run *r, const struct stage_times *st, double total);
static void run_progress(void *arg, double f);
static bool run_should_abort(void *arg);
static bool run_still_ours(void *arg);
static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static void rm_tree(const char *dir);
static enum result sweep_published(void *arg, const char *track, const char *prefix,
    bool *yes);

/*
 * Segments go up while ffmpeg encodes (transcode), the rest after it
 * (publish); until the master goes up nothing is visible, so a stop before
 * it hands the job back and removes what the attempt uploaded: the master
 * is the point of no return.
 */
static const struct stage stages[] = {
	{ "download", 0, 2, false, stage_download },
	{ "probe", 2, 5, false, stage_probe },
	{ "transcode", 5, 90, false, stage_transcode },
	{ "analyse", 90, 90, false, stage_analyse },
	{ "artwork", 90, 90, false, stage_artwork },
	{ "publish", 90, 98, false, stage_publish },
	{ "master", 98, 99, true, stage_master },
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

/* Is prefix track's published output? (Then a sweep must leave it.) */
static enum result
sweep_published(void *arg, const char *track, const char *prefix, bool *yes)
{
	struct worker *w = arg;
	const char *params[2] = { track, prefix };
	PGresult *res = NULL;
	struct errbuf e;
	enum result rc;

	err_clear(&e);
	rc = db_exec(&w->db, &res, "SELECT 1 FROM tracks WHERE id = $1::uuid AND hls_prefix = $2",
	    2, params, &e);
	if (rc == OK)
		*yes = PQntuples(res) > 0;
	else
		log_warnx("cannot tell whether %s is published: %s", prefix, err_msg(&e));
	PQclear(res);
	return rc;
}

void
stages_clean_stale(struct worker *w)
{
	const char *work_dir = w->cfg->work_dir;
	DIR *d;
	struct dirent *de;
	char path[4096], journal[4200];
	long pid;

	if ((d = opendir(work_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, UNSWEPT, strlen(UNSWEPT)) == 0) {
			snprintf(path, sizeof(path), "%s/%s", work_dir, de->d_name);
			if (publish_sweep(path, &w->s3, sweep_published, w) == OK)
				(void)unlink(path);
			continue;
		}
		if (sscanf(de->d_name, "mustory-%ld-", &pid) != 1 || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", work_dir, de->d_name);
		snprintf(journal, sizeof(journal), "%s/%s", path, JOURNAL);
		/* what it uploaded first: the directory stays until that is gone */
		if (publish_sweep(journal, &w->s3, sweep_published, w) != OK)
			continue;
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

	return heartbeat_lost(r->hb) || heartbeat_cancelled(r->hb) ||
	    (!r->finishing && *r->w->stop);
}

/* Before the master goes up: ours, and not cancelled (a cancel stops even a finishing job). */
static bool
run_still_ours(void *arg)
{
	struct run *r = arg;

	return !heartbeat_lost(r->hb) && !heartbeat_cancelled(r->hb);
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

/*
 * Up to w->parallel of the runner's shared encoder slots, waiting (abortably)
 * while none is free: a job never oversubscribes the cores it shares.
 */
static enum result
run_take_slots(struct run *r, int *got, struct errbuf *e)
{
	struct worker *w = r->w;
	struct timespec ts = { 0, (long)(SLOT_WAIT_S * 1e9) };
	double t0 = clock_now_s();
	bool said = false;

	*got = w->parallel;
	if (w->slots == NULL)
		return OK;
	while ((*got = encslots_take(w->slots, w->parallel, getpid(), NULL)) == 0) {
		if (run_should_abort(r)) {
			err_set(e, "stopped while waiting for an encoder slot");
			return ERR_ABORTED;
		}
		if (!said)
			log_info("job %lld: waiting for an encoder slot (all %d in use)", r->job->id,
			    w->slots->cap);
		said = true;
		nanosleep(&ts, NULL);
	}
	if (said)
		log_info("job %lld: got %d encoder slots after %.2f s", r->job->id, *got,
		    clock_now_s() - t0);
	return OK;
}

/* Between ffmpeg's pumps: the finished segments go up. */
static enum result
run_tick(void *arg, const bool done[TRANSCODE_MAX_RUNGS], struct errbuf *e)
{
	struct run *r = arg;

	return publish_segments(&r->pub, &r->w->s3, r->out, &r->w->ladder, done, e);
}

/* The ladder, parallel ffmpeg processes; finished segments are uploaded meanwhile. */
static enum result
stage_transcode(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	struct transcode_hooks th = { run_progress, run_should_abort, run_tick, r };
	enum result rc;
	int n;

	snprintf(r->out, sizeof(r->out), "%s/hls", r->dir);
	if (mkdir(r->out, 0700) < 0) {
		err_set(e, "cannot make %s: %s", r->out, strerror(errno));
		return ERR_IO;
	}
	snprintf(r->journal, sizeof(r->journal), "%s/%s", r->dir, JOURNAL);
	if ((rc = publish_init(&r->pub, r->job->track_id, r->journal, e)) != OK)
		return rc;
	r->uploaded = true;
	if (w->cfg->loudness_normalize)
		run_normalize(r);
	if ((rc = run_take_slots(r, &n, e)) != OK)
		return rc;
	snprintf(r->note, sizeof(r->note), " (%d processes)", n);
	rc = transcode_run(w->cfg, r->input, r->demuxer, &r->pi, r->out, &w->ladder, n, &th, e);
	if (w->slots != NULL)
		(void)encslots_give(w->slots, getpid());
	/* transcode words its permanent failures for the artist (ffmpeg's own: detail only) */
	if (job_is_permanent(rc))
		err_public(e, "%s", err_msg(e));
	return rc;
}

/*
 * LOUDNESS_NORMALIZE: measure first (a decode-only pass), so the ladder can
 * encode with the gain applied. Without a measurement it encodes unchanged.
 */
static void
run_normalize(struct run *r)
{
	struct loudness l;
	struct errbuf ne;

	err_clear(&ne);
	if (transcode_measure(r->w->cfg, r->input, r->demuxer, &r->pi, r->dir, &l, &ne) != OK) {
		log_warnx("job %lld: not normalized: %s", r->job->id, err_msg(&ne));
		return;
	}
	r->pi.gain_db = loudness_gain(&l, (double)r->w->cfg->loudness_target_lufs);
	log_info("job %lld: %.1f LUFS, %.1f dBTP: renditions get %+.2f dB", r->job->id,
	    l.integrated_lufs, l.true_peak_dbtp, r->pi.gain_db);
}

/*
 * The loudness figures of r128 (a file's bytes, measured on the original), as
 * the track's JSON; NULL: none. With a gain applied to the renditions
 * (LOUDNESS_NORMALIZE) the figures are the renditions' and gain_db what is
 * left to apply; normalized_gain_db says what was applied.
 */
static char *
analyse_loudness(const struct config *cfg, const char *text, size_t len, double applied)
{
	struct loudness l;
	char buf[320];
	int n;

	if (!loudness_parse(text, len, &l))
		return NULL;
	l.integrated_lufs += applied;
	l.true_peak_dbtp += applied;
	n = snprintf(buf, sizeof(buf), "{\"integrated_lufs\":%.1f,\"range_lu\":%.1f,"
	    "\"true_peak_dbtp\":%.1f,\"gain_db\":%.2f", l.integrated_lufs, l.range_lu,
	    l.true_peak_dbtp, loudness_gain(&l, (double)cfg->loudness_target_lufs));
	if (applied != 0)
		snprintf(buf + n, sizeof(buf) - (size_t)n, ",\"normalized_gain_db\":%.2f}", applied);
	else
		snprintf(buf + n, sizeof(buf) - (size_t)n, "}");
	return strdup(buf);
}

/* Read all of path (at most cap bytes) into a malloc'd buffer; NULL when it cannot. */
static char *
analyse_read(const char *path, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && (size_t)n <= cap &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * What the ladder measured beside the encode: loudness (EBU R128) and the
 * waveform. Never fails the job: a part that did not come out is left out
 * (and logged).
 */
static enum result
stage_analyse(struct run *r, struct errbuf *e)
{
	char path[2300], *text, *json;
	struct waveform wf;
	struct errbuf we;
	size_t len = 0;
	FILE *f;

	(void)e;
	snprintf(path, sizeof(path), "%s/" TRANSCODE_R128_FILE, r->dir);
	if ((text = analyse_read(path, 256u << 20, &len)) == NULL ||
	    (r->loudness_json = analyse_loudness(r->w->cfg, text, len, r->pi.gain_db)) == NULL)
		log_warnx("job %lld: no loudness measured", r->job->id);
	free(text);
	snprintf(path, sizeof(path), "%s/" TRANSCODE_WAVE_FILE, r->dir);
	err_clear(&we);
	if (waveform_from_file(path, (size_t)r->w->cfg->waveform_points, &wf, &we) != OK) {
		log_warnx("job %lld: no waveform: %s", r->job->id, err_msg(&we));
		return OK;
	}
	json = waveform_json(&wf, WAVEFORM_RATE);
	waveform_free(&wf);
	snprintf(r->wave_path, sizeof(r->wave_path), "%s/waveform.json", r->dir);
	if (json == NULL || (f = fopen(r->wave_path, "wb")) == NULL ||
	    fputs(json, f) == EOF || fclose(f) != 0) {
		log_warnx("job %lld: no waveform: cannot write %s", r->job->id, r->wave_path);
		r->wave_path[0] = '\0';
	}
	free(json);
	return OK;
}

/*
 * The cover: the uploaded one, else the one embedded in the file; checked
 * and made into its derivatives (jobs/artwork.h). Without one, or when it
 * is refused, the track completes without artwork (r->art.why says why).
 */
static enum result
stage_artwork(struct run *r, struct errbuf *e)
{
	if (r->job->artwork_key != NULL)
		return artwork_from_upload(&r->w->s3, r->w->cfg, r->job->artwork_key, r->dir,
		    &r->art, e);
	if (r->pi.has_cover)
		return artwork_from_embedded(r->w->cfg, r->input, r->demuxer, r->pi.cover_index,
		    r->dir, &r->art, e);
	return OK;
}

/* Upload the cover's derivatives; artwork_url and artwork_thumbnails. */
static enum result
publish_cover(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	char key[STORAGE_KEY_MAX], *url;
	json_object *thumbs;
	enum result rc;
	size_t i;

	if ((thumbs = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < ARTWORK_NSIZES; i++) {
		if ((rc = publish_artwork(&r->pub, &w->s3, r->art.deriv[i], "image/jpeg",
		    artwork_sizes[i].name, key, e)) != OK)
			goto out;
		if ((url = storage_url_public(w->cfg, key)) == NULL) {
			rc = ERR_NOMEM;
			goto out;
		}
		if (artwork_sizes[i].label == NULL) {
			free(r->artwork_url);
			r->artwork_url = url;
		} else {
			json_object_object_add(thumbs, artwork_sizes[i].label, json_object_new_string(url));
			free(url);
		}
	}
	free(r->thumbs_json);
	rc = (r->thumbs_json = strdup(json_object_to_json_string_ext(thumbs,
	    JSON_C_TO_STRING_PLAIN))) != NULL ? OK : ERR_NOMEM;
out:
	json_object_put(thumbs);
	return rc;
}

/*
 * What is not up yet: the checked cover under art/, then under hls/ the
 * tail, init files and media playlists (the master is the next stage).
 */
static enum result
stage_publish(struct run *r, struct errbuf *e)
{
	struct worker *w = r->w;
	enum result rc;

	if (r->art.ok && (rc = publish_cover(r, e)) != OK)
		return rc;
	if (r->wave_path[0] != '\0') {
		char key[STORAGE_KEY_MAX];

		if ((rc = publish_waveform(&r->pub, &w->s3, r->wave_path, key, e)) != OK)
			return rc;
		if ((r->waveform_url = storage_url_public(w->cfg, key)) == NULL)
			return ERR_NOMEM;
	}
	if ((rc = publish_upload(&r->pub, &w->s3, r->out, &w->ladder, run_progress, r,
	    e)) != OK) {
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

/* The master playlist, last: from here on the attempt finishes. */
static enum result
stage_master(struct run *r, struct errbuf *e)
{
	return publish_master(&r->pub, &r->w->s3, run_still_ours, r, e);
}

/*
 * The loop: each stage in its band, timed into st; its band's end is
 * reported when it is done. After a stage before the point of no return, a
 * lost lease or a stop ends the attempt (past it, publish_master and the
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
	ok.tags_json = r->pi.tags_json;
	ok.artwork_thumbnails_json = r->thumbs_json;
	ok.loudness_json = r->loudness_json;
	ok.waveform_url = r->waveform_url;
	ok.artwork_error = r->art.ok ? NULL : r->art.why[0] != '\0' ? r->art.why : NULL;
	/* The transaction re-checks the lease; renewing during it would race. */
	heartbeat_stop(r->hb);
	if ((rc = job_succeed(&r->w->db, r->w->cfg, j, r->w->owner, &ok, e)) != OK)
		return rc;
	r->uploaded = false; /* published: keep it */
	publish_forget(&r->pub, r->journal);
	log_info("job %lld track %s: running -> succeeded (attempt %d): %s", j->id, j->track_id,
	    j->attempts, *hls_url);
	return OK;
}

/* Storage kept what the attempt uploaded: its journal waits for a later sweep. */
static void
run_keep_journal(const struct run *r)
{
	char dst[4096];

	snprintf(dst, sizeof(dst), "%s/" UNSWEPT "%lld-%d-%ld", r->w->cfg->work_dir, r->job->id,
	    r->job->attempts, (long)getpid());
	if (rename(r->journal, dst) < 0)
		log_warn("cannot keep %s as %s", r->journal, dst);
	else
		log_info("job %lld: %s lists what is left under %s, removed later", r->job->id, dst,
		    r->pub.prefix);
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
	bool keep = false;
	enum result rc;

	stages_clean_stale(w); /* a killed attempt's uploads first */
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
		keep = publish_remove(&r.pub, &w->s3) != OK;
	}
	publish_free(&r.pub);
	probe_info_free(&r.pi);
	if (keep)
		run_keep_journal(&r);
	rm_tree(r.dir);
	free(r.artwork_url);
	free(r.thumbs_json);
	free(r.loudness_json);
	free(r.waveform_url);
	free(hls_url);
	return rc;
}
