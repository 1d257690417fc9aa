#include "playlist.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool pl_plain_name(const char *s, size_t len);
static char *pl_strndup(const char *s, size_t n);
static enum result pl_read_capped(const char *path, char **buf, size_t *len,
    struct errbuf *e);
static long long pl_ceil_bps(double bits, double secs);

/* A file name we made: [A-Za-z0-9._-], not starting with '.', no '/'. */
static bool
pl_plain_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 128 || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static char *
pl_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
playlist_media_free(struct media_playlist *pl)
{
	size_t i;

	for (i = 0; i < pl->nseg; i++)
		free(pl->seg[i].uri);
	free(pl->seg);
	free(pl->map_uri);
	memset(pl, 0, sizeof(*pl));
}

enum result
playlist_parse_media(const char *text, size_t len, struct media_playlist *pl,
    struct errbuf *e)
{
	const char *p = text, *end = text + len, *nl;
	double pending = -1;
	size_t cap = 0, lineno = 0;
	char line[1024];
	enum result rc = ERR_INVALID;

	memset(pl, 0, sizeof(*pl));
	if (len > PLAYLIST_MAX_BYTES) {
		err_set(e, "media playlist is larger than %d bytes", PLAYLIST_MAX_BYTES);
		goto out;
	}
	for (; p < end; p = nl + 1) {
		size_t l;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		l = (size_t)(nl - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		lineno++;
		if (l >= sizeof(line)) {
			err_set(e, "media playlist line %zu is too long", lineno);
			goto out;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		if (lineno == 1) {
			if (strcmp(line, "#EXTM3U") != 0) {
				err_set(e, "media playlist does not start with #EXTM3U");
				goto out;
			}
			continue;
		}
		if (l == 0)
			continue;
		if (strncmp(line, "#EXT-X-TARGETDURATION:", 22) == 0) {
			char *ep;
			errno = 0;
			pl->target_duration = strtod(line + 22, &ep);
			if (errno != 0 || ep == line + 22 || *ep != '\0' ||
			    !isfinite(pl->target_duration) || pl->target_duration <= 0) {
				err_set(e, "media playlist line %zu: bad EXT-X-TARGETDURATION", lineno);
				goto out;
			}
		} else if (strncmp(line, "#EXT-X-MAP:URI=\"", 16) == 0) {
			const char *u = line + 16, *q = strchr(u, '"');
			if (q == NULL || !pl_plain_name(u, (size_t)(q - u)) || pl->map_uri != NULL) {
				err_set(e, "media playlist line %zu: bad EXT-X-MAP", lineno);
				goto out;
			}
			if ((pl->map_uri = pl_strndup(u, (size_t)(q - u))) == NULL)
				goto nomem;
		} else if (strncmp(line, "#EXTINF:", 8) == 0) {
			char *ep;
			errno = 0;
			pending = strtod(line + 8, &ep);
			if (errno != 0 || ep == line + 8 || !isfinite(pending) || pending < 0 ||
			    (*ep != ',' && *ep != '\0')) {
				err_set(e, "media playlist line %zu: bad EXTINF", lineno);
				goto out;
			}
		} else if (strcmp(line, "#EXT-X-ENDLIST") == 0) {
			pl->endlist = true;
		} else if (strcmp(line, "#EXT-X-PLAYLIST-TYPE:VOD") == 0) {
			pl->vod = true;
		} else if (line[0] == '#') {
			continue; /* other tags and comments */
		} else {
			struct pl_segment *ns;

			if (pending < 0 || !pl_plain_name(line, l)) {
				err_set(e, "media playlist line %zu: unexpected URI", lineno);
				goto out;
			}
			if (pl->nseg >= PLAYLIST_MAX_SEGMENTS) {
				err_set(e, "media playlist has more than %d segments",
				    PLAYLIST_MAX_SEGMENTS);
				goto out;
			}
			if (pl->nseg == cap) {
				cap = cap ? cap * 2 : 64;
				if ((ns = realloc(pl->seg, cap * sizeof(*ns))) == NULL)
					goto nomem;
				pl->seg = ns;
			}
			pl->seg[pl->nseg].duration = pending;
			pl->seg[pl->nseg].bytes = 0;
			if ((pl->seg[pl->nseg].uri = pl_strndup(line, l)) == NULL)
				goto nomem;
			pl->nseg++;
			pending = -1;
		}
		if (nl == end)
			break;
	}
	if (lineno == 0) {
		err_set(e, "media playlist is empty");
		goto out;
	}
	if (pl->nseg == 0 || pl->target_duration <= 0 || !pl->endlist) {
		err_set(e, "media playlist is incomplete (segments, target duration or ENDLIST missing)");
		goto out;
	}
	return OK;
nomem:
	err_set(e, "out of memory");
	rc = ERR_NOMEM;
out:
	playlist_media_free(pl);
	return rc;
}

double
playlist_duration(const struct media_playlist *pl)
{
	double t = 0;
	size_t i;

	for (i = 0; i < pl->nseg; i++)
		t += pl->seg[i].duration;
	return t;
}

static long long
pl_ceil_bps(double bits, double secs)
{
	double r;

	if (secs <= 0)
		return 0;
	r = ceil(bits / secs - 1e-9);
	/* Tiny durations make huge rates; converting one past the range is UB. */
	return r < (double)LLONG_MAX ? (long long)r : LLONG_MAX;
}

void
playlist_measure(const struct media_playlist *pl, long long *peak_bps, long long *avg_bps)
{
	double lo = 0.5 * pl->target_duration, hi = 1.5 * pl->target_duration;
	double total_s = 0, total_b = 0;
	long long peak = 0, r;
	size_t i, j;

	for (i = 0; i < pl->nseg; i++) {
		double s = 0, b = 0;

		total_s += pl->seg[i].duration;
		total_b += (double)pl->seg[i].bytes * 8;
		for (j = i; j < pl->nseg; j++) {
			s += pl->seg[j].duration;
			b += (double)pl->seg[j].bytes * 8;
			if (s > hi)
				break;
			if (s >= lo && (r = pl_ceil_bps(b, s)) > peak)
				peak = r;
		}
	}
	*avg_bps = pl_ceil_bps(total_b, total_s);
	/* Shorter than half a target (no run fits): the whole is the peak. */
	if (peak < *avg_bps)
		peak = *avg_bps;
	*peak_bps = peak;
}

/* Read a whole small file with a cap: *buf malloc'd, NUL-terminated. */
static enum result
pl_read_capped(const char *path, char **buf, size_t *len, struct errbuf *e)
{
	char *b = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;
	enum result rc = ERR_IO;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(e, "cannot open %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	if ((b = malloc(PLAYLIST_MAX_BYTES + 1)) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (n <= PLAYLIST_MAX_BYTES &&
	    (r = read(fd, b + n, PLAYLIST_MAX_BYTES + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
		if (n > PLAYLIST_MAX_BYTES) {
			err_set(e, "%s is larger than %d bytes", path, PLAYLIST_MAX_BYTES);
			goto out;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	rc = OK;
out:
	free(b);
	close(fd);
	return rc;
}

enum result
playlist_load_dir(const char *dir, const char *name, struct media_playlist *pl,
    struct errbuf *e)
{
	char *text = NULL, path[4096];
	size_t len, i;
	struct stat st;
	enum result rc;

	memset(pl, 0, sizeof(*pl));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((rc = pl_read_capped(path, &text, &len, e)) != OK)
		goto out;
	if ((rc = playlist_parse_media(text, len, pl, e)) != OK)
		goto out;
	for (i = 0; i < pl->nseg; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pl->seg[i].uri);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			err_set(e, "segment %s is missing", pl->seg[i].uri);
			rc = ERR_IO;
			goto out;
		}
		pl->seg[i].bytes = (long long)st.st_size;
	}
	if (pl->map_uri != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, pl->map_uri);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			err_set(e, "init segment %s is missing", pl->map_uri);
			rc = ERR_IO;
			goto out;
		}
	}
	rc = OK;
out:
	if (rc != OK)
		playlist_media_free(pl);
	free(text);
	return rc;
}

char *
playlist_master(const struct pl_variant *v, size_t n)
{
	static const char head[] = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
	size_t cap = sizeof(head), off, i;
	char *s;
	int w;

	for (i = 0; i < n; i++)
		cap += 128 + strlen(v[i].uri);
	if ((s = malloc(cap)) == NULL)
		return NULL;
	off = (size_t)snprintf(s, cap, "%s", head);
	for (i = 0; i < n; i++) {
		w = snprintf(s + off, cap - off,
		    "#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,"
		    "CODECS=\"mp4a.40.2\"\n%s\n", v[i].peak_bps, v[i].avg_bps, v[i].uri);
		if (w < 0 || (size_t)w >= cap - off) {
			free(s);
			return NULL;
		}
		off += (size_t)w;
	}
	return s;
}
