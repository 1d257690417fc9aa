#include "artwork.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagesize.h"
#include "log.h"
#include "proc.h"

const char *
artwork_sniff(const unsigned char *b, size_t len)
{
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

const char *
artwork_ext(const char *type)
{
	if (type == NULL)
		return NULL;
	if (strcmp(type, "image/jpeg") == 0)
		return "jpg";
	if (strcmp(type, "image/png") == 0)
		return "png";
	if (strcmp(type, "image/webp") == 0)
		return "webp";
	return NULL;
}

const struct artwork_size artwork_sizes[ARTWORK_NSIZES] = {
	{ "cover-1200.jpg", NULL, ARTWORK_LARGE_PX, false },
	{ "thumb-600.jpg", "600", 600, true },
	{ "thumb-300.jpg", "300", 300, true },
};

static enum result aw_run(const struct config *cfg, const char *const *argv, const char *dir,
    char *line, size_t linelen, struct errbuf *e);
static enum result aw_check(const struct config *cfg, struct artwork *a, struct errbuf *e);


/* The one demuxer that may read a cover of this type. */
static const char *
aw_demuxer(const char *type)
{
	if (strcmp(type, "image/png") == 0)
		return "png_pipe";
	if (strcmp(type, "image/webp") == 0)
		return "webp_pipe";
	return "jpeg_pipe";
}

#ifndef UNITTEST
static
#endif
size_t
artwork_argv(const struct config *cfg, const struct artwork *a, const char **argv, size_t max,
    char *store, size_t storelen)
{
	char *st = store;
	size_t left = storelen, argc = 0, i;
	const char *head[] = { cfg->ffmpeg_path, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-y", "-threads", "1", "-protocol_whitelist", "file", "-f", aw_demuxer(a->type),
		"-i", proc_argf(&st, &left, "file:%s", a->src), "-filter_complex",
		/* one decode, three sizes: the large one fits its box, never upscaled;
		 * thumbnails are the centre square, scaled down */
		proc_argf(&st, &left, "[0:v]split=3[a][b][c];"
		    "[a]scale=w='min(%u,iw)':h='min(%u,ih)':force_original_aspect_ratio=decrease,"
		    "format=yuvj444p[o0];"
		    "[b]crop=w='min(iw,ih)':h='min(iw,ih)',scale=w='min(%u,iw)':h=-1,format=yuvj444p[o1];"
		    "[c]crop=w='min(iw,ih)':h='min(iw,ih)',scale=w='min(%u,iw)':h=-1,format=yuvj444p[o2]",
		    artwork_sizes[0].px, artwork_sizes[0].px, artwork_sizes[1].px, artwork_sizes[2].px) };

#define ARG(x) do { if (argc + 1 >= max || (x) == NULL) return 0; argv[argc++] = (x); } while (0)
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		ARG(head[i]);
	for (i = 0; i < ARTWORK_NSIZES; i++) {
		ARG("-map");
		ARG(proc_argf(&st, &left, "[o%zu]", i));
		ARG("-map_metadata");
		ARG("-1");
		ARG("-frames:v");
		ARG("1");
		ARG("-c:v");
		ARG("mjpeg");
		ARG("-q:v");
		ARG("3");
		ARG("-f");
		ARG("image2");
		ARG("-update");
		ARG("1");
		ARG(a->deriv[i]);
	}
#undef ARG
	argv[argc] = NULL;
	return argc;
}

/* Run ffmpeg (argv) in dir under the runner's limits; line gets its first error line. */
static enum result
aw_run(const struct config *cfg, const char *const *argv, const char *dir, char *line,
    size_t linelen, struct errbuf *e)
{
	struct proc_limits lim = { ARTWORK_TIMEOUT_S, cfg->ffmpeg_mem_mb * 1024LL * 1024,
		64LL * 1024 * 1024, 64 };
	struct proc p;
	char st[96];
	enum result rc;

	line[0] = '\0';
	if ((rc = proc_spawn(&p, argv, dir, &lim, 0, 4096, false, e)) != OK)
		return rc;
	if (proc_wait(&p, 1, ARTWORK_TIMEOUT_S, NULL) == PROC_TIMEOUT)
		snprintf(line, linelen, "took longer than %d s", ARTWORK_TIMEOUT_S);
	else if (!proc_ok(&p))
		snprintf(line, linelen, "%s: %.*s", proc_status_str(&p, st, sizeof(st)),
		    (int)strcspn(p.err.buf != NULL ? p.err.buf : "", "\n"),
		    p.err.buf != NULL ? p.err.buf : "");
	proc_free(&p);
	return OK;
}

/* The cover's bytes: an image we accept, within the caps? a->why when not. */
static enum result
aw_check(const struct config *cfg, struct artwork *a, struct errbuf *e)
{
	unsigned char *head;
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(a->src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		err_set(e, "cannot read the artwork back: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	if ((head = malloc(ARTWORK_HEAD_BYTES)) == NULL) {
		close(fd);
		return ERR_NOMEM;
	}
	n = pread(fd, head, ARTWORK_HEAD_BYTES, 0);
	close(fd);
	if (st.st_size <= 0 || st.st_size > cfg->max_artwork_bytes)
		snprintf(a->why, sizeof(a->why), "the artwork is %lld bytes; the largest accepted is "
		    "%lld bytes", (long long)st.st_size, cfg->max_artwork_bytes);
	else if (n <= 0 || (a->type = artwork_sniff(head, (size_t)n)) == NULL)
		snprintf(a->why, sizeof(a->why), "the artwork is not a JPEG, PNG or WebP image");
	else if (!imagesize_read(head, (size_t)n, &a->width, &a->height))
		snprintf(a->why, sizeof(a->why), "the artwork's size could not be read from its "
		    "header; it may be damaged");
	else if ((unsigned long long)a->width * a->height > ARTWORK_MAX_PIXELS)
		snprintf(a->why, sizeof(a->why), "the artwork is %u x %u pixels; the largest "
		    "accepted is %llu megapixels", a->width, a->height, ARTWORK_MAX_PIXELS / 1000000);
	free(head);
	return OK;
}

enum result
artwork_convert(const struct config *cfg, const char *dir, struct artwork *a, struct errbuf *e)
{
	const char *argv[96];
	char store[4096], line[256];
	size_t i;
	enum result rc;

	a->ok = false;
	if ((rc = aw_check(cfg, a, e)) != OK || a->why[0] != '\0') {
		if (a->why[0] != '\0')
			log_warnx("artwork not published: %s", a->why);
		return rc;
	}
	for (i = 0; i < ARTWORK_NSIZES; i++)
		snprintf(a->deriv[i], sizeof(a->deriv[i]), "%s/%s", dir, artwork_sizes[i].name);
	if (artwork_argv(cfg, a, argv, sizeof(argv) / sizeof(argv[0]), store, sizeof(store)) == 0) {
		err_set(e, "the artwork's ffmpeg command line is too long");
		return ERR_IO;
	}
	if ((rc = aw_run(cfg, argv, dir, line, sizeof(line), e)) != OK)
		return rc;
	if (line[0] != '\0') {
		log_warnx("artwork %u x %u not converted: ffmpeg %s", a->width, a->height, line);
		snprintf(a->why, sizeof(a->why), "the artwork could not be converted; it may be damaged");
		return OK;
	}
	a->ok = true;
	return OK;
}

enum result
artwork_from_upload(struct s3 *s3, const struct config *cfg, const char *key, const char *dir,
    struct artwork *out, struct errbuf *e)
{
	struct errbuf se;
	long long size = 0, got = 0;
	int fd;
	enum result rc;

	memset(out, 0, sizeof(*out));
	err_clear(&se);
	if ((rc = s3_head(s3, key, &size, NULL, &se)) == OK && (size <= 0 ||
	    size > cfg->max_artwork_bytes)) {
		log_warnx("artwork %s: %lld bytes (MAX_ARTWORK_BYTES %lld); not published", key,
		    size, cfg->max_artwork_bytes);
		snprintf(out->why, sizeof(out->why), "the artwork is %lld bytes; the largest "
		    "accepted is %lld bytes", size, cfg->max_artwork_bytes);
		return OK;
	}
	if (rc == OK) {
		snprintf(out->src, sizeof(out->src), "%s/artwork-upload", dir);
		if ((fd = open(out->src, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
			err_set(e, "cannot make %s: %s", out->src, strerror(errno));
			return ERR_IO;
		}
		/* The cap is the size the HEAD saw: an object grown since is not read. */
		rc = s3_get_to_fd(s3, key, NULL, fd, size, &got, &se);
		close(fd);
	}
	if (rc == ERR_NOT_FOUND || rc == ERR_TOO_LARGE || rc == ERR_INVALID) {
		log_warnx("artwork %s: %s; not published", key, err_msg(&se));
		snprintf(out->why, sizeof(out->why), "the artwork was not in storage");
		return OK;
	}
	if (rc != OK) {
		err_set(e, "%s", err_msg(&se));
		return rc;
	}
	return artwork_convert(cfg, dir, out, e);
}

enum result
artwork_from_embedded(const struct config *cfg, const char *input, const char *demuxer,
    int index, const char *dir, struct artwork *out, struct errbuf *e)
{
	char url[4200], map[32], line[256];
	const char *argv[] = { cfg->ffmpeg_path, "-nostdin", "-hide_banner", "-loglevel", "error",
		"-y", "-threads", "1", "-protocol_whitelist", "file", "-f", demuxer, "-i", url,
		"-map", map, "-c", "copy", "-frames:v", "1", "-f", "image2", "-update", "1",
		out->src, NULL };
	enum result rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "file:%s", input);
	snprintf(map, sizeof(map), "0:%d", index);
	snprintf(out->src, sizeof(out->src), "%s/artwork-embedded", dir);
	/* copied, not decoded: the bytes are then checked like an upload */
	if ((rc = aw_run(cfg, argv, dir, line, sizeof(line), e)) != OK)
		return rc;
	if (line[0] != '\0') {
		log_warnx("embedded cover (stream %d) not copied: ffmpeg %s", index, line);
		snprintf(out->why, sizeof(out->why), "the cover embedded in the file could not be read");
		return OK;
	}
	return artwork_convert(cfg, dir, out, e);
}
