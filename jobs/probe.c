#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "media.h"
#include "proc.h"

#define PROBE_OUT_CAP (1024 * 1024) /* ffprobe JSON: tags can be long, not this long */
#define PROBE_ERR_CAP 4096
#define PROBE_TIMEOUT_S 60

static size_t probe_id3_len(const unsigned char *b, size_t len);
static bool probe_is_text(const unsigned char *b, size_t len);
static bool probe_has(const unsigned char *b, size_t len, size_t off, const char *s);
static const char *probe_jstr(json_object *o, const char *key);
static double probe_jnum(json_object *o, const char *key);
static enum result probe_sniff_file(const char *path, struct sniff *sn, struct errbuf *e);
static enum result probe_run(const struct config *cfg, const char *url, const struct sniff *sn,
    struct proc *p, struct errbuf *e);
static bool probe_duration_exact(const char *demuxer, const char *codec);
STATIC void probe_sniff_at(const unsigned char *b, size_t len, bool after_id3, struct sniff *out);
#ifndef UNITTEST
static void probe_argv(const struct config *cfg, const char *demuxer, const char *path,
    const char *argv[], size_t max);
#endif

static bool
probe_has(const unsigned char *b, size_t len, size_t off, const char *s)
{
	size_t n = strlen(s);

	return off + n <= len && memcmp(b + off, s, n) == 0;
}

/* Length of an ID3v2 tag at b (header, body, footer), 0 when there is none. */
static size_t
probe_id3_len(const unsigned char *b, size_t len)
{
	size_t body;

	if (len < 10 || !probe_has(b, len, 0, "ID3") || b[3] == 0xff || b[4] == 0xff ||
	    (b[6] | b[7] | b[8] | b[9]) & 0x80)
		return 0;
	body = ((size_t)b[6] << 21) | ((size_t)b[7] << 14) | ((size_t)b[8] << 7) | b[9];
	return 10 + body + ((b[5] & 0x10) ? 10 : 0);
}

/* Printable ASCII or UTF-8 and whitespace only (NUL means binary). */
static bool
probe_is_text(const unsigned char *b, size_t len)
{
	size_t i, ctl = 0;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (b[i] == 0)
			return false;
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' && b[i] != '\f')
			ctl++;
	}
	return ctl * 100 < len; /* a stray control byte still reads as text */
}

STATIC void
probe_sniff_at(const unsigned char *b, size_t len, bool after_id3, struct sniff *out)
{
	size_t i = 0;

	out->demuxer = NULL;
	out->looks = "an unknown binary file";
	if (len == 0) {
		out->looks = "an empty file";
		return;
	}
	if (probe_has(b, len, 0, "fLaC")) {
		out->demuxer = "flac";
		out->looks = "a FLAC file";
	} else if (probe_has(b, len, 0, "OggS")) {
		out->demuxer = "ogg";
		out->looks = "an Ogg file";
	} else if ((probe_has(b, len, 0, "RIFF") || probe_has(b, len, 0, "RF64")) &&
	    probe_has(b, len, 8, "WAVE")) {
		out->demuxer = "wav";
		out->looks = "a WAV file";
	} else if (probe_has(b, len, 4, "ftyp")) {
		if (probe_has(b, len, 8, "heic") || probe_has(b, len, 8, "heix") ||
		    probe_has(b, len, 8, "mif1") || probe_has(b, len, 8, "avif"))
			out->looks = "a HEIC/AVIF image";
		else {
			out->demuxer = "mov";
			out->looks = "an MP4/M4A file";
		}
	} else if (len >= 2 && b[0] == 0xff && (b[1] & 0xf6) == 0xf0) {
		out->demuxer = "aac";
		out->looks = "an AAC (ADTS) file";
	} else if (len >= 3 && b[0] == 0xff && (b[1] & 0xe0) == 0xe0 &&
	    ((b[1] >> 1) & 3) != 0 && (b[2] >> 4) != 0x0f && ((b[2] >> 2) & 3) != 3) {
		out->demuxer = "mp3";
		out->looks = "an MP3 file";
	} else if (after_id3) {
		/* ID3 tags are made for MP3; let ffprobe say if it is not. */
		out->demuxer = "mp3";
		out->looks = "an MP3 file";
	} else if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		out->looks = "a JPEG image";
	else if (probe_has(b, len, 0, "\x89PNG\r\n\x1a\n"))
		out->looks = "a PNG image";
	else if (probe_has(b, len, 0, "GIF87a") || probe_has(b, len, 0, "GIF89a"))
		out->looks = "a GIF image";
	else if (probe_has(b, len, 0, "RIFF") && probe_has(b, len, 8, "WEBP"))
		out->looks = "a WebP image";
	else if (probe_has(b, len, 0, "RIFF") && probe_has(b, len, 8, "AVI "))
		out->looks = "an AVI video";
	else if (probe_has(b, len, 0, "\x1a\x45\xdf\xa3"))
		out->looks = "a Matroska/WebM file";
	else if (probe_has(b, len, 0, "%PDF"))
		out->looks = "a PDF document";
	else if (probe_has(b, len, 0, "PK\x03\x04"))
		out->looks = "a ZIP archive (or an Office document)";
	else if (probe_has(b, len, 0, "\x1f\x8b"))
		out->looks = "a gzip archive";
	else if (probe_has(b, len, 0, "\x7f" "ELF"))
		out->looks = "a program (ELF executable)";
	else if (probe_is_text(b, len)) {
		/* Text is never audio; name the kinds ffmpeg would follow. */
		if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
			i = 3;
		while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
			i++;
		if (probe_has(b, len, i, "#EXTM3U"))
			out->looks = "a text file (an HLS playlist)";
		else if (probe_has(b, len, i, "ffconcat"))
			out->looks = "a text file (an ffconcat script)";
		else if (probe_has(b, len, i, "file ") || probe_has(b, len, i, "file\t"))
			out->looks = "a text file (a concat list)";
		else if (probe_has(b, len, i, "v=0"))
			out->looks = "a text file (an SDP description)";
		else if (probe_has(b, len, i, "<"))
			out->looks = "a text file (XML or HTML)";
		else if (probe_has(b, len, i, "{") || probe_has(b, len, i, "["))
			out->looks = "a text file (JSON)";
		else
			out->looks = "a text file";
	}
}

void
probe_sniff(const unsigned char *buf, size_t len, struct sniff *out)
{
	size_t id3 = probe_id3_len(buf, len);

	if (id3 > 0)
		probe_sniff_at(id3 < len ? buf + id3 : buf + len, id3 < len ? len - id3 : 0,
		    true, out);
	else
		probe_sniff_at(buf, len, false, out);
	if (id3 > 0 && id3 >= len) {
		out->demuxer = "mp3";
		out->looks = "an MP3 file";
	}
}

/* Borrowed from o: the string member key, or NULL. */
/*
 * Whether the demuxer reads the length from the header rather than
 * estimating it: FLAC's STREAMINFO sample count, WAV's data size for PCM,
 * MP4's mdhd/mvhd, Ogg's last granule position. MP3 without a Xing/VBRI
 * header and raw ADTS AAC are estimated from the bit rate (a 60 s VBR MP3
 * can probe as 29 s), and so is anything but PCM inside WAV.
 */
static bool
probe_duration_exact(const char *demuxer, const char *codec)
{
	if (strcmp(demuxer, "wav") == 0)
		return strncmp(codec, "pcm_", 4) == 0;
	return strcmp(demuxer, "flac") == 0 || strcmp(demuxer, "mov") == 0 ||
	    strcmp(demuxer, "ogg") == 0;
}

static const char *
probe_jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A number ffprobe prints as a string ("12.345") or number; NAN when absent. */
static double
probe_jnum(json_object *o, const char *key)
{
	json_object *v;
	const char *s;
	char *end;
	double d;

	if (!json_object_object_get_ex(o, key, &v))
		return NAN;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	if ((s = json_object_get_string(v)) == NULL)
		return NAN;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0')
		return NAN;
	return d;
}

enum result
probe_parse(const char *json, size_t len, const char *demuxer, double max_duration_s,
    struct probe_info *out, struct errbuf *e)
{
	json_tokener *tok = NULL;
	json_object *root = NULL, *format, *streams, *audio = NULL;
	const char *fname, *codec;
	size_t i, n, first;
	double d;
	enum result rc = ERR_IO;

	memset(out, 0, sizeof(*out));
	if ((tok = json_tokener_new()) == NULL) {
		err_set(e, "out of memory");
		rc = ERR_NOMEM;
		goto out;
	}
	if (len > INT32_MAX ||
	    (root = json_tokener_parse_ex(tok, json, (int)len)) == NULL ||
	    !json_object_is_type(root, json_type_object)) {
		err_set(e, "ffprobe printed something that is not JSON");
		goto out;
	}
	if (!json_object_object_get_ex(root, "format", &format) ||
	    !json_object_is_type(format, json_type_object) ||
	    (fname = probe_jstr(format, "format_name")) == NULL) {
		err_set(e, "ffprobe found no container format");
		goto out;
	}
	snprintf(out->format_name, sizeof(out->format_name), "%s", fname);
	/* The forced demuxer must be what ffprobe used ("mov,mp4,..." starts "mov"). */
	first = strcspn(fname, ",");
	if (strlen(demuxer) != first || strncmp(fname, demuxer, first) != 0) {
		err_set(e, "the file could not be read as %s audio", demuxer);
		rc = ERR_PERMANENT;
		goto out;
	}
	if (json_object_object_get_ex(root, "streams", &streams) &&
	    json_object_is_type(streams, json_type_array)) {
		n = json_object_array_length(streams);
		for (i = 0; i < n && audio == NULL; i++) {
			json_object *s = json_object_array_get_idx(streams, i);
			const char *type = probe_jstr(s, "codec_type");
			if (type != NULL && strcmp(type, "audio") == 0)
				audio = s;
		}
	}
	if (audio == NULL) {
		err_set(e, "the file has no audio stream");
		rc = ERR_PERMANENT;
		goto out;
	}
	if ((codec = probe_jstr(audio, "codec_name")) == NULL)
		codec = "unknown";
	snprintf(out->codec, sizeof(out->codec), "%s", codec);
	if (!media_codec_ok(demuxer, codec)) { /* lib/media.c: the accepted formats */
		err_set(e, "the audio is encoded as %.31s, which is not accepted "
		    "(use MP3, AAC, FLAC, WAV, Ogg Vorbis or Opus)", codec);
		rc = ERR_PERMANENT;
		goto out;
	}
	/* Out of int's range is as unusable as absent (and converting it is UB). */
	d = probe_jnum(audio, "channels");
	out->channels = d > 0 && d < INT_MAX ? (int)d : 0;
	d = probe_jnum(audio, "sample_rate");
	out->sample_rate = d > 0 && d < INT_MAX ? (int)d : 0;
	if (out->channels <= 0 || out->sample_rate <= 0) {
		err_set(e, "the audio stream has no channels or sample rate; the file may be damaged");
		rc = ERR_PERMANENT;
		goto out;
	}
	d = probe_jnum(format, "bit_rate");
	out->bit_rate = isfinite(d) && d > 0 && d < 1e12 ? (long long)d : 0;
	d = probe_jnum(format, "duration");
	if (!isfinite(d) || d <= 0)
		d = probe_jnum(audio, "duration");
	if (!isfinite(d) || d <= 0) {
		err_set(e, "the file has no playable audio (its length is zero or unknown); "
		    "it may be damaged or truncated");
		rc = ERR_PERMANENT;
		goto out;
	}
	out->duration_s = d;
	if (d > max_duration_s) {
		err_set(e, "the track is %.0f minutes %.0f seconds long; the longest accepted is "
		    "%.0f minutes", floor(d / 60), fmod(floor(d), 60), max_duration_s / 60);
		rc = ERR_PERMANENT;
		goto out;
	}
	out->duration_exact = probe_duration_exact(demuxer, codec);
	out->decode_limit_s = out->duration_exact ? fmin(d + fmax(1.0, d * 0.01), max_duration_s) :
	    max_duration_s;
	rc = OK;
out:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

#ifndef UNITTEST
static
#endif
void
probe_argv(const struct config *cfg, const char *demuxer, const char *path,
    const char *argv[], size_t max)
{
	const char *v[] = { cfg->ffprobe_path, "-hide_banner", "-v", "error",
		/* only the one local file, read by the one demuxer we chose */
		"-protocol_whitelist", "file", "-f", demuxer,
		"-print_format", "json", "-show_format", "-show_streams",
		"-i", path, NULL };
	size_t i;

	for (i = 0; i + 1 < max && v[i] != NULL; i++)
		argv[i] = v[i];
	argv[i] = NULL;
}

/* Sniff the file's head (past an ID3 tag) into sn. */
static enum result
probe_sniff_file(const char *path, struct sniff *sn, struct errbuf *e)
{
	unsigned char head[PROBE_SNIFF_BYTES];
	ssize_t n;
	size_t id3;
	int fd;
	enum result rc = ERR_IO;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (n = pread(fd, head, sizeof(head), 0)) < 0) {
		err_set(e, "cannot read the downloaded file: %s", strerror(errno));
		goto out;
	}
	/* Past an ID3 tag (cover art can make it large) the real format starts. */
	id3 = probe_id3_len(head, (size_t)n);
	if (id3 > 0 && id3 >= (size_t)n) {
		ssize_t m = pread(fd, head, sizeof(head), (off_t)id3);

		if (m < 0) {
			err_set(e, "cannot read the downloaded file: %s", strerror(errno));
			goto out;
		}
		probe_sniff_at(head, (size_t)m, true, sn);
	} else
		probe_sniff(head, (size_t)n, sn);
	rc = OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Run ffprobe on url with the sniffed demuxer; p holds its output on OK. */
static enum result
probe_run(const struct config *cfg, const char *url, const struct sniff *sn, struct proc *p,
    struct errbuf *e)
{
	struct proc_limits lim = { PROBE_TIMEOUT_S, cfg->ffmpeg_mem_mb * 1024LL * 1024, 1 << 20, 64 };
	const char *argv[24];
	char st[96];
	enum result rc;

	probe_argv(cfg, sn->demuxer, url, argv, sizeof(argv) / sizeof(argv[0]));
	if ((rc = proc_spawn(p, argv, NULL, &lim, PROBE_OUT_CAP, PROBE_ERR_CAP, false, e)) != OK)
		return rc;
	if (proc_wait(p, 1, PROBE_TIMEOUT_S, NULL) == PROC_TIMEOUT) {
		/* the same file would take as long again: permanent */
		err_set(e, "the file took too long to check (more than %d s); it may be damaged",
		    PROBE_TIMEOUT_S);
		return ERR_PERMANENT;
	}
	if (!proc_ok(p)) {
		const char *msg = p->err.buf != NULL ? p->err.buf : "";
		size_t ml = strcspn(msg, "\n");

		log_warnx("ffprobe %s: %.*s", proc_status_str(p, st, sizeof(st)), (int)ml, msg);
		if (WIFEXITED(p->status) && WEXITSTATUS(p->status) != 127) {
			err_set(e, "the file looks like %s but cannot be read as audio "
			    "(it may be damaged or truncated)", sn->looks);
			return ERR_PERMANENT;
		}
		err_set(e, "ffprobe failed: %s", proc_status_str(p, st, sizeof(st)));
		return ERR_IO;
	}
	if (p->out.truncated) {
		err_set(e, "the file's metadata is too large to check");
		return ERR_PERMANENT;
	}
	return OK;
}

enum result
probe_file(const struct config *cfg, const char *path, const char **demuxer,
    struct probe_info *out, struct errbuf *e)
{
	struct sniff sn;
	struct proc p;
	char *url = NULL;
	enum result rc;

	*demuxer = NULL;
	memset(&p, 0, sizeof(p));
	p.out_fd = p.err_fd = p.prog_fd = -1; /* proc_free() is safe before a spawn */
	if ((rc = probe_sniff_file(path, &sn, e)) != OK)
		return rc;
	if (sn.demuxer == NULL) {
		err_set(e, "the file is not audio: it looks like %s", sn.looks);
		return ERR_PERMANENT;
	}
	if (asprintf(&url, "file:%s", path) < 0)
		return ERR_NOMEM;
	if ((rc = probe_run(cfg, url, &sn, &p, e)) == OK &&
	    (rc = probe_parse(p.out.buf != NULL ? p.out.buf : "", p.out.len, sn.demuxer,
	    (double)cfg->max_duration_s, out, e)) == OK)
		*demuxer = sn.demuxer;
	proc_free(&p);
	free(url);
	return rc;
}
