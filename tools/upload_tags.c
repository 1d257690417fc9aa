/*
 * upload_tags.c: default title and artist from ffprobe's tags or the file
 * name (see upload_tags.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "upload_tags.h"
#include "upload_text.h"

#define PROBE_OUT_MAX (256 * 1024)
#define PROBE_TIMEOUT_MS 15000

extern char **environ;

static char *run_ffprobe(const char *path);
static enum result read_all(int fd, char **out);
static const char *tag_in(struct json_object *tags, const char *name);
static const char *find_tag(struct json_object *root, const char *name);

char *
utags_clean(const char *s)
{
	return utext_clean(s, strlen(s), UTAGS_TEXT_MAX);
}

/* stdout of the child into *out (malloc'd), bounded in size and time. */
static enum result
read_all(int fd, char **out)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec t0, t;
	char *buf = NULL, *nb;
	size_t len = 0;
	ssize_t n;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = PROBE_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || len >= PROBE_OUT_MAX)
			goto fail;
		if (poll(&pfd, 1, (int)left) < 0)
			goto fail; /* EINTR too: Ctrl-C */
		if ((nb = realloc(buf, len + 65536 + 1)) == NULL)
			goto fail;
		buf = nb;
		if ((n = read(fd, buf + len, 65536)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf == NULL)
		return ERR_IO;
	buf[len] = '\0';
	*out = buf;
	return OK;
fail:
	free(buf);
	return ERR_IO;
}

/* ffprobe's JSON of the format and stream tags, or NULL. */
static char *
run_ffprobe(const char *path)
{
	const char *ffprobe = getenv("FFPROBE_PATH");
	posix_spawn_file_actions_t fa;
	char *input = NULL, *out = NULL;
	int fds[2], status;
	pid_t pid;

	if (ffprobe == NULL || *ffprobe == '\0')
		ffprobe = "ffprobe";
	/* "file:" so a name with a ':' or a leading '-' is still a local file. */
	if (asprintf(&input, "file:%s", path) < 0)
		return NULL;
	char *argv[] = { (char *)ffprobe, "-v", "error", "-protocol_whitelist", "file", "-of",
		"json", "-show_entries", "format_tags:stream_tags", input, NULL };
	if (pipe2(fds, O_CLOEXEC) != 0) {
		free(input);
		return NULL;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, ffprobe, &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	free(input);
	if (pid < 0) {
		close(fds[0]);
		return NULL;
	}
	if (read_all(fds[0], &out) != OK)
		kill(pid, SIGKILL);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out != NULL && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		free(out);
		out = NULL;
	}
	return out;
}

/* Borrowed: tags[name], matched without regard to case (Vorbis: "TITLE"). */
static const char *
tag_in(struct json_object *tags, const char *name)
{
	if (tags == NULL || !json_object_is_type(tags, json_type_object))
		return NULL;
	json_object_object_foreach(tags, k, v) {
		if (strcasecmp(k, name) == 0 && json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	}
	return NULL;
}

/* Borrowed: the format's tag, else the first stream's that has it. */
static const char *
find_tag(struct json_object *root, const char *name)
{
	struct json_object *format, *tags, *streams, *s;
	const char *v;
	size_t i;

	if (json_object_object_get_ex(root, "format", &format) &&
	    json_object_object_get_ex(format, "tags", &tags) && (v = tag_in(tags, name)) != NULL)
		return v;
	if (!json_object_object_get_ex(root, "streams", &streams) ||
	    !json_object_is_type(streams, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(streams); i++) {
		s = json_object_array_get_idx(streams, i);
		if (json_object_object_get_ex(s, "tags", &tags) && (v = tag_in(tags, name)) != NULL)
			return v;
	}
	return NULL;
}

enum result
utags_parse(const char *json, char **title, char **artist)
{
	struct json_object *root;
	const char *t, *a;

	*title = *artist = NULL;
	if ((root = json_tokener_parse(json)) == NULL)
		return OK;
	if (json_object_is_type(root, json_type_object)) {
		t = find_tag(root, "title");
		if ((a = find_tag(root, "artist")) == NULL)
			a = find_tag(root, "album_artist");
		if (t != NULL)
			*title = utags_clean(t);
		if (a != NULL)
			*artist = utags_clean(a);
	}
	json_object_put(root);
	return OK;
}

enum result
utags_probe(const char *path, char **title, char **artist)
{
	enum result rc;
	char *out;

	*title = *artist = NULL;
	if ((out = run_ffprobe(path)) == NULL)
		return OK;
	rc = utags_parse(out, title, artist);
	free(out);
	return rc;
}

enum result
utags_from_name(const char *path, char **title, char **artist)
{
	const char *base = strrchr(path, '/'), *dot, *sep;
	char *stem;

	*title = *artist = NULL;
	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		dot = base + strlen(base);
	if ((stem = strndup(base, (size_t)(dot - base))) == NULL)
		return ERR_NOMEM;
	if ((sep = strstr(stem, " - ")) != NULL) {
		stem[sep - stem] = '\0';
		*artist = utags_clean(stem);
		*title = utags_clean(sep + 3);
	}
	if (*title == NULL || *artist == NULL) {
		free(*title);
		free(*artist);
		if (sep != NULL)
			stem[sep - stem] = ' '; /* the whole stem again */
		*title = utags_clean(stem);
		*artist = strdup(UTAGS_UNKNOWN_ARTIST);
	}
	free(stem);
	if (*title == NULL && (*title = strdup("Untitled")) == NULL)
		return ERR_NOMEM;
	return *artist != NULL ? OK : ERR_NOMEM;
}
