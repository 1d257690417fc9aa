/*
 * upload_state.c: the resume state of mustory-upload (see upload_state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "encode.h"
#include "ids.h"
#include "upload_state.h"

#define STATE_MAX 4096

static int state_dir(char *out, size_t n);
static int mkdirs(char *dir);
static void load(struct ustate *s);
static void token_sub(const char *token, char sub[37]);

/* $XDG_STATE_HOME/mustory-upload, else $HOME/.local/state/mustory-upload. */
static int
state_dir(char *out, size_t n)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int w;

	if (x != NULL && x[0] == '/')
		w = snprintf(out, n, "%s/mustory-upload", x);
	else if (home != NULL && home[0] == '/')
		w = snprintf(out, n, "%s/.local/state/mustory-upload", home);
	else
		return -1;
	return w > 0 && (size_t)w < n ? 0 : -1;
}

/* mkdir -p, the last level 0700. */
static int
mkdirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static void
load(struct ustate *s)
{
	struct json_object *root, *id, *art;
	char buf[STATE_MAX + 1], norm[37];
	ssize_t n;
	int fd;

	if ((fd = open(s->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return;
	n = read(fd, buf, STATE_MAX);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((root = json_tokener_parse(buf)) == NULL)
		return;
	if (json_object_object_get_ex(root, "track_id", &id) &&
	    json_object_is_type(id, json_type_string) &&
	    id_uuid_normalize(json_object_get_string(id), norm)) {
		snprintf(s->track_id, sizeof(s->track_id), "%s", norm);
		s->artwork_done = json_object_object_get_ex(root, "artwork_done", &art) &&
		    json_object_get_boolean(art);
	}
	json_object_put(root);
}

/* The token's "sub" (the user), unverified: only to tell users' uploads apart. */
static void
token_sub(const char *token, char sub[37])
{
	const char *a = strchr(token, '.'), *b = a != NULL ? strchr(a + 1, '.') : NULL;
	struct json_object *root, *v;
	unsigned char *payload;
	size_t n;

	sub[0] = '\0';
	if (b == NULL || enc_base64url_decode(a + 1, (size_t)(b - a - 1), &payload, &n) != OK)
		return;
	if ((root = json_tokener_parse((const char *)payload)) != NULL &&
	    json_object_object_get_ex(root, "sub", &v) && json_object_is_type(v, json_type_string) &&
	    !id_uuid_normalize(json_object_get_string(v), sub))
		sub[0] = '\0';
	if (root != NULL)
		json_object_put(root);
	free(payload);
}

enum result
ustate_open(struct ustate *s, const char *api, const char *token, const char *path,
    const struct stat *st)
{
	char dir[PATH_MAX], *abs, *key = NULL, hex[ENC_SHA256_HEX_LEN + 1], sub[37];
	int w;

	memset(s, 0, sizeof(*s));
	if (state_dir(dir, sizeof(dir)) != 0)
		return ERR_IO;
	if ((abs = realpath(path, NULL)) == NULL)
		return ERR_IO;
	token_sub(token, sub);
	w = asprintf(&key, "%s\n%s\n%s\n%lld\n%lld.%09ld", api, sub, abs, (long long)st->st_size,
	    (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	free(abs);
	if (w < 0)
		return ERR_NOMEM;
	enc_sha256_hex(key, strlen(key), hex);
	free(key);
	if (mkdirs(dir) != 0)
		return ERR_IO;
	w = snprintf(s->file, sizeof(s->file), "%s/%.32s.json", dir, hex);
	if (w < 0 || (size_t)w >= sizeof(s->file))
		return ERR_IO;
	load(s);
	return OK;
}

enum result
ustate_save(const struct ustate *s)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd;

	if (s->file[0] == '\0')
		return ERR_IO;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->file);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return ERR_IO;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return ERR_IO;
	}
	fprintf(f, "{\"track_id\":\"%s\",\"artwork_done\":%s}\n", s->track_id,
	    s->artwork_done ? "true" : "false");
	if (fclose(f) != 0 || rename(tmp, s->file) != 0) {
		unlink(tmp);
		return ERR_IO;
	}
	return OK;
}

void
ustate_remove(struct ustate *s)
{
	if (s->file[0] != '\0')
		unlink(s->file);
	s->track_id[0] = '\0';
	s->artwork_done = false;
}
