/*
 * transcode.h: the HLS ladder with ffmpeg. Each rendition is one AAC-LC
 * stereo fMP4 HLS output (-hls_segment_type fmp4, init.mp4, VOD, ENDLIST)
 * in its own directory "a<kbps>/". Renditions are spread over `parallel`
 * ffmpeg processes (longest first onto the least loaded process; a process
 * given several encodes them from one decode): ffmpeg 5.1 runs all of a
 * process's encoders on one thread, so processes, not outputs, use cores.
 */
#ifndef MUSTORY_JOBS_TRANSCODE_H
#define MUSTORY_JOBS_TRANSCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "probe.h"
#include "result.h"

#define TRANSCODE_MAX_RUNGS 8
#define TRANSCODE_ERR_CAP 8192 /* bytes of ffmpeg stderr kept per process */
/* A rendition's segment files in its directory, numbered from 0. */
#define TRANSCODE_SEGMENT_NAME "seg_%05d.m4s"
/* ffmpeg's -t is the decode limit plus this; output past the limit fails. */
#define TRANSCODE_OVERRUN_S 1.0

struct ladder {
	int kbps[TRANSCODE_MAX_RUNGS];
	size_t n;
};

/* Pure: "64,128,160" -> ladder; each 16..512 kbit/s, no repeats, 1..8 rungs. */
enum result transcode_ladder_parse(const char *s, struct ladder *l, struct errbuf *e);

/* Usable cores (affinity mask, else sysconf), at least 1. */
long transcode_cores(void);

/*
 * Pure: encoder processes per job: JOB_PARALLELISM > 0 as is (the
 * operator's explicit choice), else one per rung (measured fastest even
 * when rungs outnumber cores: the kernel shares them). Never more than the
 * rungs.
 */
int transcode_parallelism(long long job_parallelism, size_t rungs);

/*
 * Pure: the encoder processes all of a runner's jobs may have at once
 * (encslots.h): max(cores, parallel), so one job alone always gets its
 * schedule and concurrent jobs share the cores instead of oversubscribing
 * them. With JOB_PARALLELISM set, concurrency x parallel: no job waits.
 */
int transcode_encoder_cap(long long job_parallelism, long long concurrency, long cores,
    int parallel);

/*
 * Pure: which process (0..parallel-1) encodes each rung, longest processing
 * time first by an AAC cost model fitted to measurements (cost ~ kbps + 64).
 */
void transcode_plan(const struct ladder *l, int parallel, int group[TRANSCODE_MAX_RUNGS]);

/* Pure: the output sample rate for a source rate (44100/48000 kept). */
int transcode_rate(int src_rate);

/*
 * Pure: the argv for one process encoding rungs idx[0..nidx) of l. Strings
 * are written into store (size storelen); argv gets pointers into it and
 * into the arguments (input_url borrowed). Returns argc, or 0 when argv/store
 * are too small. ffmpeg stops reading the input decode_limit_s +
 * TRANSCODE_OVERRUN_S seconds in (input -t): transcode_run() fails the job
 * when any output passes decode_limit_s.
 */
size_t transcode_argv(const struct config *cfg, const char *demuxer, const char *input_url,
    int out_rate, double decode_limit_s, double gain_db, const struct ladder *l, const int *idx, size_t nidx,
    const char **argv, size_t maxargv, char *store, size_t storelen);

/*
 * Beside the ladder, one process (the least loaded) measures EBU R128
 * loudness and writes mono PCM for the waveform, from the same decode, into
 * the directory above outdir (the attempt's work directory).
 */
#define TRANSCODE_R128_FILE "r128.txt"   /* ametadata's print of ebur128 (jobs/loudness.h) */
#define TRANSCODE_WAVE_FILE "wave.pcm"   /* s16le mono at WAVEFORM_RATE (jobs/waveform.h) */
#define TRANSCODE_R128_PRE_FILE "r128-pre.txt" /* transcode_measure()'s */

/*
 * Pure: append the analysis outputs to argv[0..argc) (NULL-terminated
 * again). Returns the new argc, 0 when maxargv is too small.
 */
size_t transcode_analysis_args(const char **argv, size_t argc, size_t maxargv);

struct loudness;

/*
 * LOUDNESS_NORMALIZE's first pass: decode only, ebur128 into
 * dir/TRANSCODE_R128_PRE_FILE, read into *out. ERR_IO when it did not work
 * (the caller then encodes without a gain).
 */
enum result transcode_measure(const struct config *cfg, const char *input, const char *demuxer,
    const struct probe_info *pi, const char *dir, struct loudness *out, struct errbuf *e);

/* How a transcode reports and is stopped; all optional. */
struct transcode_hooks {
	void (*progress)(void *arg, double fraction); /* 0..1, at most a few times a second */
	bool (*should_abort)(void *arg);               /* lease lost or shutting down */
	/*
	 * While the processes run, about every TRANSCODE_TICK_S: done[k] is
	 * true once rung k's process has exited cleanly (publish_segments()).
	 * Anything but OK stops every process; transcode_run() returns it with
	 * the hook's message.
	 */
	enum result (*tick)(void *arg, const bool done[TRANSCODE_MAX_RUNGS], struct errbuf *e);
	void *arg;
};
#define TRANSCODE_TICK_S 0.25

/*
 * Encode input (sniffed demuxer, probed info) into outdir/a<kbps>/index.m3u8
 * (+ init.mp4, seg_NNNNN.m4s) for every rung, parallel processes at once.
 * ERR_PERMANENT when the content cannot be converted within the limits (e
 * says why in a sentence for the artist: damaged, decodes past its stated
 * length, took longer than FFMPEG_TIMEOUT_SECONDS, blew a resource limit),
 * ERR_IO (could not run, disk full), ERR_ABORTED when aborted by the hook.
 */
enum result transcode_run(const struct config *cfg, const char *input, const char *demuxer,
    const struct probe_info *pi, const char *outdir, const struct ladder *l, int parallel,
    const struct transcode_hooks *hooks, struct errbuf *e);

#endif
