#include "artwork.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

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

enum result
artwork_check(struct s3 *s3, const struct config *cfg, const char *key, const char *dir,
    struct artwork *out, struct errbuf *e)
{
	struct errbuf se;
	unsigned char head[16];
	long long size = 0, got = 0;
	ssize_t n;
	int fd = -1;
	enum result rc;
	const char *type;

	memset(out, 0, sizeof(*out));
	err_clear(&se);
	if ((rc = s3_head(s3, key, &size, NULL, &se)) != OK)
		goto storage;
	if (size <= 0 || size > cfg->max_artwork_bytes) {
		log_warnx("artwork %s: %lld bytes (MAX_ARTWORK_BYTES %lld); not published", key,
		    size, cfg->max_artwork_bytes);
		return OK;
	}
	snprintf(out->path, sizeof(out->path), "%s/artwork-XXXXXX", dir);
	if ((fd = mkstemp(out->path)) < 0) {
		err_set(e, "cannot make a temp file in %s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	/* The cap is the size the HEAD saw: an object grown since is not read. */
	if ((rc = s3_get_to_fd(s3, key, NULL, fd, size, &got, &se)) != OK)
		goto storage;
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0) {
		err_set(e, "cannot read the artwork back: %s", strerror(errno));
		rc = ERR_IO;
		goto out;
	}
	if ((type = artwork_sniff(head, (size_t)n)) == NULL) {
		log_warnx("artwork %s is not a JPEG, PNG or WebP image; artwork_url stays empty", key);
		rc = OK;
		goto out;
	}
	out->type = type;
	out->ext = artwork_ext(type);
	out->ok = true;
	rc = OK;
	goto out;
storage:
	if (rc == ERR_NOT_FOUND || rc == ERR_TOO_LARGE || rc == ERR_INVALID) {
		log_warnx("artwork %s: %s; not published", key, err_msg(&se));
		rc = OK;
	} else
		err_set(e, "%s", err_msg(&se));
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
