/*
 * upload_multipart.c: PUT the parts of a multipart upload (see
 * upload_multipart.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "upload_parts.h"

/* The bar over the whole file while one part goes. */
struct bar {
	struct uprog *p;
	long long base, total;
};

static void on_part_bytes(void *arg, curl_off_t now, curl_off_t total);
static bool int_member(struct json_object *o, const char *k, long long *v);
static enum result put_one(struct uhttp *h, struct bar *b, int fd, const char *url, int n,
    long long off, long long size, struct uresp *r);

static void
on_part_bytes(void *arg, curl_off_t now, curl_off_t total)
{
	struct bar *b = arg;

	(void)total;
	uprog_bytes(b->p, b->base + (long long)now, b->total);
}

static bool
int_member(struct json_object *o, const char *k, long long *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, k, &x) || !json_object_is_type(x, json_type_int))
		return false;
	*v = (long long)json_object_get_int64(x);
	return true;
}

enum result
umulti_read(struct json_object *o, struct umulti *m)
{
	struct json_object *done, *d;
	long long count, sz;
	size_t i;

	memset(m, 0, sizeof(*m));
	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !int_member(o, "part_size", &m->part_size) || !int_member(o, "part_count", &count) ||
	    !json_object_object_get_ex(o, "parts", &m->parts) ||
	    !json_object_is_type(m->parts, json_type_array) || m->part_size <= 0 || count <= 0 ||
	    count > 10000)
		return ERR_INVALID;
	m->part_count = (int)count;
	if (json_object_object_get_ex(o, "parts_done", &done) &&
	    json_object_is_type(done, json_type_array)) {
		for (i = 0; i < json_object_array_length(done); i++) {
			d = json_object_array_get_idx(done, i);
			if (int_member(d, "size", &sz)) {
				m->done_bytes += sz;
				m->done_count++;
			}
		}
	}
	return OK;
}

/* One part, tried up to UMULTI_TRIES times on transient failures. */
static enum result
put_one(struct uhttp *h, struct bar *b, int fd, const char *url, int n, long long off,
    long long size, struct uresp *r)
{
	struct timespec pause = { 1, 0 };
	enum result rc = ERR_STORAGE;
	int t;

	(void)n;
	for (t = 0; t < UMULTI_TRIES; t++) {
		if (t > 0) {
			uresp_free(r);
			nanosleep(&pause, NULL);
			if (uhttp_stop)
				return ERR_ABORTED;
		}
		rc = uhttp_put_range(h, url, fd, (off_t)off, (curl_off_t)size, on_part_bytes, b, r);
		if (rc == ERR_ABORTED || rc == ERR_NOMEM)
			return rc;
		if (rc == OK && r->status / 100 == 2)
			return OK;
		/* A 4xx (an expired or refused URL) does not pass by retrying. */
		if (rc == OK && r->status / 100 == 4)
			return ERR_STORAGE;
	}
	return ERR_STORAGE;
}

enum result
umulti_put(struct uhttp *h, struct uprog *p, const char *path, long long file_size,
    const struct umulti *m, struct uresp *r, int *failed, char *why, size_t whyn)
{
	struct bar b = { p, m->done_bytes, file_size };
	char sz[16];
	long long num, size, off;
	struct json_object *part, *url;
	enum result rc = OK;
	size_t i;
	int fd;

	memset(r, 0, sizeof(*r));
	*failed = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(why, whyn, "cannot open it: %s", strerror(errno));
		return ERR_IO;
	}
	uprog_transfer_from(p, m->done_bytes);
	for (i = 0; i < json_object_array_length(m->parts); i++) {
		part = json_object_array_get_idx(m->parts, i);
		if (!int_member(part, "part_number", &num) || !int_member(part, "size", &size) ||
		    !json_object_object_get_ex(part, "url", &url) ||
		    !json_object_is_type(url, json_type_string) || num < 1 || size < 0 ||
		    (off = (num - 1) * m->part_size) + size > file_size) {
			snprintf(why, whyn, "the API listed a part that does not fit the file");
			rc = ERR_IO;
			break;
		}
		uresp_free(r);
		if ((rc = put_one(h, &b, fd, json_object_get_string(url), (int)num, off, size, r)) != OK) {
			*failed = (int)num;
			break;
		}
		b.base += size;
		/* On a terminal the bar goes on across the parts. */
		if (!p->tty)
			uprog_step(p, "part %lld of %d uploaded (%s)", num, m->part_count,
			    uprog_size(sz, sizeof(sz), (double)size));
	}
	close(fd);
	return rc;
}
