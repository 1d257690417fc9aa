/*
 * probe.h: is the original really audio we accept? Two steps:
 *   1. probe_sniff(): magic bytes pick the one demuxer ffprobe/ffmpeg may
 *      use (never auto-detection, so a playlist or concat script can never
 *      reach a demuxer that opens other files), or say what the file looks
 *      like ("a JPEG image", "a text file") for the error sentence.
 *   2. probe_file(): ffprobe (argv, no shell, -f <that demuxer>,
 *      -protocol_whitelist file, rlimits, timeout, capped stdout) and
 *      probe_parse() of its JSON: an audio stream, an allowed codec, a
 *      duration in (0, MAX_DURATION_SECONDS].
 */
#ifndef MUSTORY_JOBS_PROBE_H
#define MUSTORY_JOBS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "result.h"

/* Bytes of the file's head probe_sniff() wants (fewer is fine). */
#define PROBE_SNIFF_BYTES 4096

struct sniff {
	const char *demuxer;  /* static: ffmpeg demuxer name ("mp3", "mov"...), NULL if not accepted */
	const char *looks;    /* static: what it looks like, "an MP3 file", "a JPEG image" */
};

/* Pure. Never fails: unknown bytes give demuxer NULL, looks "an unknown binary file". */
void probe_sniff(const unsigned char *buf, size_t len, struct sniff *out);

struct probe_info {
	char format_name[64]; /* ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
	char codec[32];       /* codec_name of the first audio stream */
	double duration_s;    /* from format (or the stream when format has none) */
	int channels;
	int sample_rate;
	long long bit_rate;   /* 0 when unknown */
	/*
	 * The container's header states the length exactly (FLAC STREAMINFO,
	 * WAV PCM, MP4/M4A, Ogg): false for MP3 and ADTS AAC, whose length
	 * ffprobe estimates from the bit rate.
	 */
	bool duration_exact;
	/*
	 * The longest the decode may run, in seconds: the stated length plus
	 * a small tolerance when it is exact, else MAX_DURATION_SECONDS; never
	 * more than MAX_DURATION_SECONDS. A decode past it is a lying header
	 * (a decompression bomb) and fails the job.
	 */
	double decode_limit_s;
	/*
	 * Owned (probe_info_free): the file's tags as the track's `tags` JSON
	 * (jobs/tags.h), set by probe_file(); NULL from probe_parse() alone.
	 */
	char *tags_json;
	/*
	 * An embedded cover: a video stream with disposition attached_pic (the
	 * front cover preferred, by its comment tag), JPEG or PNG.
	 */
	bool has_cover;
	int cover_index;      /* its stream index, for ffmpeg's -map 0:N */
	char cover_codec[16]; /* "mjpeg" or "png" */
	/*
	 * Not probe's: the gain the ladder applies to every rung (dB, 0 =
	 * none), set by the runner when LOUDNESS_NORMALIZE measured first.
	 */
	double gain_db;
};

/* Free what probe_file() allocated in pi (safe on a zeroed one). */
void probe_info_free(struct probe_info *pi);

/*
 * Pure: parse ffprobe's -print_format json output (len bytes, need not be
 * NUL-terminated) and check it against the demuxer that was forced and
 * max_duration_s. ERR_PERMANENT with a sentence in e for content that is
 * not acceptable; ERR_IO when the JSON itself is unreadable.
 */
enum result probe_parse(const char *json, size_t len, const char *demuxer,
    double max_duration_s, struct probe_info *out, struct errbuf *e);

/*
 * Sniff path, then run ffprobe on it. *demuxer gets the static demuxer name
 * ffmpeg must be given with -f. ERR_PERMANENT (not audio, too long, took
 * too long to check...), ERR_IO (could not run ffprobe).
 */
enum result probe_file(const struct config *cfg, const char *path,
    const char **demuxer, struct probe_info *out, struct errbuf *e);

#ifdef UNITTEST
/* The argv probe_file() runs (NULL-terminated, static strings and path). */
void probe_argv(const struct config *cfg, const char *demuxer, const char *path,
    const char *argv[], size_t max);
/* probe_sniff() on bytes that follow an ID3 tag (after_id3) or not. */
void probe_sniff_at(const unsigned char *b, size_t len, bool after_id3, struct sniff *out);
#endif

#endif
