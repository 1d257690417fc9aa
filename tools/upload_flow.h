/*
 * upload_flow.h: one file's way through mustory-upload: init, the upload to
 * storage (one presigned POST form, or a resumable multipart upload for big
 * files), complete, the wait for processing, and what is printed; with the
 * exit codes each failure maps to.
 */
#ifndef MUSTORY_UPLOAD_FLOW_H
#define MUSTORY_UPLOAD_FLOW_H

#include <stdbool.h>

#include <curl/curl.h>

#include "upload_http.h"
#include "upload_progress.h"

/* Exit codes (mustory-upload --help documents them). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_REJECTED = 4,
	EXIT_STORAGE = 5,
	EXIT_FAILED = 6,
	EXIT_UNAVAILABLE = 7,
	EXIT_INTERRUPTED = 130,
};

/* Files over this size go up in parts when the API offers it. */
#define UFLOW_MULTIPART_OVER (16LL * 1024 * 1024)

struct opts {
	const char *api, *token, *title, *artist, *artwork; /* borrowed (argv, environ) */
	bool json, no_wait, resume;
	curl_off_t rate;
	long long multipart_over; /* bytes; < 0: never */
};

struct ctx {
	struct opts o;
	struct uhttp h;
	struct uprog p;
};

/* Upload the file at path, wait for it and print it; an exit_code. */
int uflow_file(struct ctx *c, const char *path);

#endif
