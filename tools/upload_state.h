/*
 * upload_state.h: what mustory-upload remembers between runs so that an
 * interrupted multipart upload resumes with the same command: one small
 * JSON file per upload under $XDG_STATE_HOME/mustory-upload/ (default
 * ~/.local/state/mustory-upload/), named for the API, the user (the token's
 * sub), the file's absolute path, its size and its mtime, so a changed file
 * starts afresh and one user never resumes another's upload.
 */
#ifndef MUSTORY_UPLOAD_STATE_H
#define MUSTORY_UPLOAD_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "result.h"

struct ustate {
	char file[PATH_MAX];  /* the state file */
	char track_id[40];    /* "" when there is nothing to resume */
	bool artwork_done;    /* the artwork's form was posted */
};

/*
 * Find the state of (api, path with stat st): s->track_id is set when an
 * earlier run left one. ERR_IO when there is no state directory to use
 * (no $HOME): resuming is then off, uploads still work.
 */
enum result ustate_open(struct ustate *s, const char *api, const char *token,
    const char *path, const struct stat *st);
/* Write s (atomically, mode 0600). */
enum result ustate_save(const struct ustate *s);
/* The upload is done (or cannot be resumed): forget it. */
void ustate_remove(struct ustate *s);

#endif
