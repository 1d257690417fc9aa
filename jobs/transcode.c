#include "transcode.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "proc.h"
#include "loudness.h"
#include "waveform.h"

#define TRANSCODE_ARGV_MAX 256
#define TRANSCODE_STORE 4096

struct tc_state {
	const struct transcode_hooks *hooks;
	const char *demuxer;                /* static, from probe */
	double duration_us;
	double limit_us;                    /* decode past this: the header lied */
	bool overrun;                       /* some process decoded past limit_us */
	double frac[TRANSCODE_MAX_RUNGS];   /* per process */
	double weight[TRANSCODE_MAX_RUNGS]; /* per process: its share of the cost */
	size_t nproc;
	double last;           /* clock_now_s() of the last progress report */
	const struct proc *procs;               /* borrowed: the running processes */
	size_t rung_proc[TRANSCODE_MAX_RUNGS];  /* which process encodes rung k */
	size_t nrungs;
	double last_tick;      /* clock_now_s() of the last hooks->tick */
	enum result tick_rc;   /* what stopped the processes from the tick, or OK */
	struct errbuf tick_err;
};

static void tc_on_progress(void *arg, size_t idx, const char *line);
static bool tc_should_abort(void *arg);
static bool tc_tick(struct tc_state *s);
static double tc_cost(int kbps);
static void tc_first_line(const char *s, char *out, size_t len);
static void tc_overrun_sentence(const struct probe_info *pi, struct errbuf *e);
static int tc_lightest(const struct ladder *l, const int *group, int parallel);
static enum result tc_failure(const struct config *cfg, const struct proc *p, struct errbuf *e);
static enum result tc_spawn_all(const struct config *cfg, const char *url,
    const struct probe_info *pi, const char *outdir, const struct ladder *l, int parallel,
    struct proc *procs, struct tc_state *st, size_t *started, struct errbuf *e);
static enum result tc_mkdirs(const char *outdir, const struct ladder *l, struct errbuf *e);
static void tc_length(double secs, char *out, size_t len);

enum result
transcode_ladder_parse(const char *s, struct ladder *l, struct errbuf *e)
{
	const char *p = s;
	char *end;
	long v;
	size_t i;

	memset(l, 0, sizeof(*l));
	for (;;) {
		while (*p == ' ')
			p++;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno != 0 || end == p || v < 16 || v > 512) {
			err_set(e, "HLS_LADDER must list bit rates from 16 to 512 kbit/s, "
			    "like \"64,128,160\", not \"%.64s\"", s);
			return ERR_INVALID;
		}
		for (i = 0; i < l->n; i++)
			if (l->kbps[i] == (int)v) {
				err_set(e, "HLS_LADDER lists %ld twice", v);
				return ERR_INVALID;
			}
		if (l->n == TRANSCODE_MAX_RUNGS) {
			err_set(e, "HLS_LADDER has more than %d bit rates", TRANSCODE_MAX_RUNGS);
			return ERR_INVALID;
		}
		l->kbps[l->n++] = (int)v;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return OK;
		if (*p != ',') {
			err_set(e, "HLS_LADDER must be numbers separated by commas, not \"%.64s\"", s);
			return ERR_INVALID;
		}
		p++;
	}
}

long
transcode_cores(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && (n = CPU_COUNT(&set)) > 0)
		return n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

int
transcode_parallelism(long long job_parallelism, size_t rungs)
{
	long long p = job_parallelism > 0 ? job_parallelism : (long long)rungs;

	if (p < 1)
		p = 1;
	if ((size_t)p > rungs)
		p = (long long)rungs;
	return (int)p;
}

int
transcode_encoder_cap(long long job_parallelism, long long concurrency, long cores,
    int parallel)
{
	long long cap;

	if (concurrency < 1)
		concurrency = 1;
	if (job_parallelism > 0)
		cap = concurrency * parallel;
	else
		cap = cores > parallel ? cores : parallel;
	if (cap < parallel)
		cap = parallel;
	if (cap > 64)
		cap = 64;
	return (int)cap;
}

/* Measured (ffmpeg 5.1 native AAC, 3 min stereo): 64k 2.2 s, 128k 3.4 s, 160k 3.5 s. */
static double
tc_cost(int kbps)
{
	return (double)kbps + 64.0;
}

void
transcode_plan(const struct ladder *l, int parallel, int group[TRANSCODE_MAX_RUNGS])
{
	double load[TRANSCODE_MAX_RUNGS] = { 0 };
	bool done[TRANSCODE_MAX_RUNGS] = { false };
	size_t k, i;
	int g, best;

	if (parallel < 1)
		parallel = 1;
	if (parallel > TRANSCODE_MAX_RUNGS)
		parallel = TRANSCODE_MAX_RUNGS;
	for (k = 0; k < l->n; k++) {
		size_t pick = l->n;

		/* the costliest rung not placed yet ... */
		for (i = 0; i < l->n; i++)
			if (!done[i] && (pick == l->n || l->kbps[i] > l->kbps[pick]))
				pick = i;
		/* ... onto the least loaded process */
		best = 0;
		for (g = 1; g < parallel; g++)
			if (load[g] < load[best])
				best = g;
		group[pick] = best;
		load[best] += tc_cost(l->kbps[pick]);
		done[pick] = true;
	}
}

int
transcode_rate(int src_rate)
{
	if (src_rate == 44100 || src_rate == 48000)
		return src_rate;
	if (src_rate > 0 && src_rate % 48000 == 0)
		return 48000;
	return 44100;
}


size_t
transcode_argv(const struct config *cfg, const char *demuxer, const char *input_url,
    int out_rate, double decode_limit_s, double gain_db, const struct ladder *l, const int *idx,
    size_t nidx, const char **argv, size_t maxargv, char *store, size_t storelen)
{
	char *st = store;
	size_t left = storelen;
	const char *head[] = { cfg->ffmpeg_path, "-nostdin", "-hide_banner",
		"-loglevel", "error", "-y", "-progress", "pipe:3", "-stats_period", "1",
		/*
		 * the input: one local file, read by the demuxer probe chose, and
		 * never decoded past the limit (a header that lies about the
		 * length cannot make us decode hours); a second over it tells a
		 * decode that ran into the limit from one that ended by itself
		 */
		"-threads", "1", "-t", proc_argf(&st, &left, "%.3f", decode_limit_s + TRANSCODE_OVERRUN_S),
		"-protocol_whitelist", "file", "-f", demuxer, "-i", input_url };
	size_t argc = 0, i, k;

#define ARG(x) do { if (argc + 1 >= maxargv || (x) == NULL) return 0; argv[argc++] = (x); } while (0)
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		ARG(head[i]);
	for (k = 0; k < nidx; k++) {
		int b = l->kbps[idx[k]];

		ARG("-map");
		ARG("0:a:0");
		ARG("-map_metadata");
		ARG("-1");
		ARG("-map_chapters");
		ARG("-1");
		ARG("-c:a");
		ARG("aac");
		ARG("-profile:a");
		ARG("aac_low");
		ARG("-b:a");
		ARG(proc_argf(&st, &left, "%dk", b));
		ARG("-ac");
		ARG("2");
		ARG("-ar");
		ARG(proc_argf(&st, &left, "%d", out_rate));
		if (gain_db != 0) {
			/* LOUDNESS_NORMALIZE: a linear gain, never compression */
			ARG("-filter:a");
			ARG(proc_argf(&st, &left, "volume=%.2fdB", gain_db));
		}
		ARG("-f");
		ARG("hls");
		ARG("-hls_time");
		ARG(proc_argf(&st, &left, "%lld", cfg->hls_segment_s));
		ARG("-hls_playlist_type");
		ARG("vod");
		ARG("-hls_segment_type");
		ARG("fmp4");
		ARG("-hls_fmp4_init_filename");
		ARG("init.mp4");
		ARG("-hls_flags");
		ARG("independent_segments");
		ARG("-hls_segment_filename");
		ARG(proc_argf(&st, &left, "a%d/%s", b, TRANSCODE_SEGMENT_NAME));
		ARG(proc_argf(&st, &left, "a%d/index.m3u8", b));
	}
#undef ARG
	argv[argc] = NULL;
	return argc;
}

static void
tc_on_progress(void *arg, size_t idx, const char *line)
{
	struct tc_state *s = arg;
	double now;
	double f, total = 0;
	size_t i;

	if (idx >= s->nproc)
		return;
	if (strncmp(line, "out_time_us=", 12) == 0) {
		double us = strtod(line + 12, NULL);

		if (us > s->limit_us)
			s->overrun = true; /* tc_should_abort() stops every process */
		f = us / s->duration_us;
		if (f > 0)
			s->frac[idx] = f > 1 ? 1 : f;
	} else if (strcmp(line, "progress=end") == 0)
		s->frac[idx] = 1;
	else
		return;
	now = clock_now_s();
	if (now - s->last < 1 && s->frac[idx] < 1)
		return;
	s->last = now;
	for (i = 0; i < s->nproc; i++)
		total += s->frac[i] * s->weight[i];
	if (s->hooks != NULL && s->hooks->progress != NULL)
		s->hooks->progress(s->hooks->arg, total);
}

/* The caller's turn between pumps (publish finished segments); false: go on. */
static bool
tc_tick(struct tc_state *s)
{
	bool done[TRANSCODE_MAX_RUNGS] = { false };
	double now = clock_now_s();
	size_t k;

	if (s->hooks == NULL || s->hooks->tick == NULL || now - s->last_tick < TRANSCODE_TICK_S)
		return false;
	s->last_tick = now;
	for (k = 0; k < s->nrungs; k++)
		done[k] = proc_ok(&s->procs[s->rung_proc[k]]);
	s->tick_rc = s->hooks->tick(s->hooks->arg, done, &s->tick_err);
	return s->tick_rc != OK;
}

static bool
tc_should_abort(void *arg)
{
	struct tc_state *s = arg;

	return s->overrun || (s->hooks != NULL && s->hooks->should_abort != NULL &&
	    s->hooks->should_abort(s->hooks->arg)) || tc_tick(s);
}

/* The first line of s, printable ASCII only, into out. */
static void
tc_first_line(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && *s != '\n' && o + 1 < len; s++)
		out[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	out[o] = '\0';
}

/* "45 s", "3 min", "3 min 20 s": a length for a sentence. */
static void
tc_length(double secs, char *out, size_t len)
{
	double m = floor(secs / 60), s = fmod(floor(secs), 60);

	if (m < 1)
		snprintf(out, len, "%.0f s", floor(secs));
	else if (s == 0)
		snprintf(out, len, "%.0f min", m);
	else
		snprintf(out, len, "%.0f min %.0f s", m, s);
}

/* Why a decode that ran past its limit fails, for the artist. */
static void
tc_overrun_sentence(const struct probe_info *pi, struct errbuf *e)
{
	char len[32];

	if (!pi->duration_exact) {
		tc_length(pi->decode_limit_s, len, sizeof(len));
		err_set(e, "the file decodes to more than %s of audio, the longest track accepted",
		    len);
		return;
	}
	tc_length(pi->duration_s, len, sizeof(len));
	err_set(e, "the file claims to be %s long but decodes to much longer; it may be damaged "
	    "or made to look shorter than it is", len);
}

/* Why process p failed, as a result and a sentence for the artist. */
static enum result
tc_failure(const struct config *cfg, const struct proc *p, struct errbuf *e)
{
	const char *err = p->err.buf != NULL ? p->err.buf : "";
	char stat_s[96], line[256];
	int sig = WIFSIGNALED(p->status) ? WTERMSIG(p->status) : 0;

	tc_first_line(err, line, sizeof(line));
	/* ffmpeg's own words go to the log, never to the artist (they name our paths) */
	log_warnx("ffmpeg %s: %s", proc_status_str(p, stat_s, sizeof(stat_s)), line);
	if (strstr(err, "No space left on device") != NULL) {
		err_set(e, "the runner's disk is full");
		return ERR_IO;
	}
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 127) {
		err_set(e, "could not run %s", cfg->ffmpeg_path);
		return ERR_IO;
	}
	/* the detail (job_runs, the operator) keeps ffmpeg's line; the artist gets a sentence */
	err_set(e, "ffmpeg %s: %s", stat_s, line);
	if (sig == SIGXCPU)
		err_public(e, "the file took too long to process (more than %lld seconds of work); "
		    "it may be damaged or unusually complex", cfg->ffmpeg_timeout_s);
	else if (sig == SIGXFSZ)
		err_public(e, "the file converts to more data than allowed; it may be damaged");
	else if (strstr(err, "Cannot allocate memory") != NULL || sig == SIGKILL)
		err_public(e, "the file needs more memory to process than allowed; it may be "
		    "damaged or unusually complex");
	else
		err_public(e, "the audio could not be converted; the file may be damaged");
	return ERR_PERMANENT;
}

/* The group of the plan with the least encoding to do (the first of equals). */
static int
tc_lightest(const struct ladder *l, const int *group, int parallel)
{
	double load[TRANSCODE_MAX_RUNGS] = { 0 };
	size_t k;
	int g, best = 0;

	for (k = 0; k < l->n; k++)
		load[group[k]] += tc_cost(l->kbps[k]);
	for (g = 1; g < parallel; g++)
		if (load[g] > 0 && load[g] < load[best])
			best = g;
	return best;
}

size_t
transcode_analysis_args(const char **argv, size_t argc, size_t maxargv)
{
	static const char *const extra[] = {
		/* one decode: a branch for EBU R128 (frame metadata to a file, which
		 * survives -loglevel error), one for low-rate mono PCM */
		"-filter_complex",
		"[0:a:0]asplit=2[r][w];"
		"[r]ebur128=metadata=1:peak=true,ametadata=mode=print:file=../" TRANSCODE_R128_FILE
		",anullsink;"
		"[w]aresample=" WAVEFORM_RATE_S ",aformat=sample_fmts=s16:channel_layouts=mono[wv]",
		"-map", "[wv]", "-c:a", "pcm_s16le", "-f", "s16le", "../" TRANSCODE_WAVE_FILE,
	};
	size_t i, n = sizeof(extra) / sizeof(extra[0]);

	if (argc == 0 || argc + n + 1 > maxargv)
		return 0;
	for (i = 0; i < n; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	return argc;
}

/* Start one process per group of the plan; *started counts them. */
static enum result
tc_spawn_all(const struct config *cfg, const char *url, const struct probe_info *pi,
    const char *outdir, const struct ladder *l, int parallel, struct proc *procs,
    struct tc_state *st, size_t *started, struct errbuf *e)
{
	struct proc_limits lim;
	int group[TRANSCODE_MAX_RUNGS], idx[TRANSCODE_MAX_RUNGS];
	const char *argv[TRANSCODE_ARGV_MAX];
	char store[TRANSCODE_STORE];
	double total_cost = 0, wsum;
	size_t g, k, nidx, argc;
	enum result rc;

	/* Each process gets the CPU time the wall clock allows, and memory. */
	lim.cpu_s = cfg->ffmpeg_timeout_s;
	lim.as_bytes = cfg->ffmpeg_mem_mb * 1024LL * 1024;
	lim.fsize_bytes = 256LL * 1024 * 1024; /* any one file: a segment or a playlist */
	lim.nofile = 64;
	for (k = 0; k < l->n; k++)
		total_cost += tc_cost(l->kbps[k]);
	transcode_plan(l, parallel, group);
	for (g = 0; g < (size_t)parallel; g++) {
		nidx = 0;
		wsum = 0;
		for (k = 0; k < l->n; k++)
			if (group[k] == (int)g) {
				idx[nidx++] = (int)k;
				wsum += tc_cost(l->kbps[k]);
			}
		if (nidx == 0)
			continue;
		argc = transcode_argv(cfg, st->demuxer, url, transcode_rate(pi->sample_rate),
		    pi->decode_limit_s, pi->gain_db, l, idx, nidx, argv, TRANSCODE_ARGV_MAX, store, sizeof(store));
		/* the least loaded process also measures loudness and writes the waveform's PCM */
		if (argc > 0 && g == (size_t)tc_lightest(l, group, parallel))
			argc = transcode_analysis_args(argv, argc, TRANSCODE_ARGV_MAX);
		if (argc == 0) {
			err_set(e, "ffmpeg command line too long");
			return ERR_IO;
		}
		if ((rc = proc_spawn(&procs[*started], argv, outdir, &lim, 0, TRANSCODE_ERR_CAP,
		    true, e)) != OK)
			return rc;
		for (k = 0; k < nidx; k++)
			st->rung_proc[idx[k]] = *started;
		st->weight[*started] = wsum / total_cost;
		(*started)++;
		st->nproc = *started;
	}
	return OK;
}

/* One directory per rung: outdir/a<kbps>. */
static enum result
tc_mkdirs(const char *outdir, const struct ladder *l, struct errbuf *e)
{
	char path[4096];
	size_t k;

	for (k = 0; k < l->n; k++) {
		snprintf(path, sizeof(path), "%s/a%d", outdir, l->kbps[k]);
		if (mkdir(path, 0700) < 0) {
			err_set(e, "cannot make %s: %s", path, strerror(errno));
			return ERR_IO;
		}
	}
	return OK;
}

enum result
transcode_run(const struct config *cfg, const char *input, const char *demuxer,
    const struct probe_info *pi, const char *outdir, const struct ladder *l, int parallel,
    const struct transcode_hooks *hooks, struct errbuf *e)
{
	struct proc procs[TRANSCODE_MAX_RUNGS];
	struct tc_state st;
	struct proc_hooks ph = { tc_on_progress, tc_should_abort, &st };
	char *url = NULL;
	size_t started = 0, g;
	enum proc_end end;
	enum result rc = ERR_IO;

	memset(procs, 0, sizeof(procs));
	memset(&st, 0, sizeof(st));
	st.hooks = hooks;
	st.demuxer = demuxer;
	st.duration_us = pi->duration_s * 1e6;
	st.limit_us = pi->decode_limit_s * 1e6;
	st.last = st.last_tick = clock_now_s();
	st.procs = procs;
	st.nrungs = l->n;
	st.tick_rc = OK;
	err_clear(&st.tick_err);
	if (parallel < 1)
		parallel = 1;
	if ((size_t)parallel > l->n)
		parallel = (int)l->n;
	if (asprintf(&url, "file:%s", input) < 0) {
		url = NULL;
		rc = ERR_NOMEM;
		goto out;
	}
	if ((rc = tc_mkdirs(outdir, l, e)) != OK ||
	    (rc = tc_spawn_all(cfg, url, pi, outdir, l, parallel, procs, &st, &started, e)) != OK)
		goto out;
	end = proc_wait(procs, started, cfg->ffmpeg_timeout_s, &ph);
	if (st.tick_rc != OK) {
		err_set(e, "%s", err_msg(&st.tick_err));
		rc = st.tick_rc;
		goto out;
	}
	if (st.overrun) {
		tc_overrun_sentence(pi, e);
		rc = ERR_PERMANENT;
		goto out;
	}
	if (end == PROC_TIMEOUT) {
		/* no retry can make the same file faster: permanent */
		err_set(e, "the file took too long to process (more than %lld seconds); it may be "
		    "damaged or unusually complex", cfg->ffmpeg_timeout_s);
		rc = ERR_PERMANENT;
		goto out;
	}
	if (end == PROC_ABORTED) {
		err_set(e, "conversion stopped: the job was handed back or its lease was lost");
		rc = ERR_ABORTED;
		goto out;
	}
	for (g = 0; g < started; g++)
		if (!proc_ok(&procs[g])) {
			rc = tc_failure(cfg, &procs[g], e);
			goto out;
		}
	if (hooks != NULL && hooks->progress != NULL)
		hooks->progress(hooks->arg, 1.0);
	rc = OK;
out:
	for (g = 0; g < started; g++)
		proc_free(&procs[g]);
	free(url);
	return rc;
}

enum result
transcode_measure(const struct config *cfg, const char *input, const char *demuxer,
    const struct probe_info *pi, const char *dir, struct loudness *out, struct errbuf *e)
{
	struct proc_limits lim = { cfg->ffmpeg_timeout_s, cfg->ffmpeg_mem_mb * 1024LL * 1024,
		256LL * 1024 * 1024, 64 };
	char url[4200], t[32], path[4200], *text = NULL;
	const char *argv[] = { cfg->ffmpeg_path, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-threads", "1", "-t", t, "-protocol_whitelist", "file", "-f", demuxer, "-i", url,
		"-map", "0:a:0", "-filter:a",
		"ebur128=metadata=1:peak=true,ametadata=mode=print:file=" TRANSCODE_R128_PRE_FILE,
		"-f", "null", "-", NULL };
	struct proc p;
	FILE *f;
	long n;
	enum result rc;

	snprintf(url, sizeof(url), "file:%s", input);
	snprintf(t, sizeof(t), "%.3f", pi->decode_limit_s + TRANSCODE_OVERRUN_S);
	if ((rc = proc_spawn(&p, argv, dir, &lim, 0, TRANSCODE_ERR_CAP, false, e)) != OK)
		return rc;
	if (proc_wait(&p, 1, cfg->ffmpeg_timeout_s, NULL) != PROC_DONE || !proc_ok(&p)) {
		proc_free(&p);
		err_set(e, "measuring the loudness failed");
		return ERR_IO;
	}
	proc_free(&p);
	snprintf(path, sizeof(path), "%s/" TRANSCODE_R128_PRE_FILE, dir);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (text = malloc((size_t)n + 1)) == NULL ||
	    fread(text, 1, (size_t)n, f) != (size_t)n || !loudness_parse(text, (size_t)n, out)) {
		err_set(e, "the loudness measurement could not be read");
		rc = ERR_IO;
	}
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}
