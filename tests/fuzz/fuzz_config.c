/*
 * fuzz_config: the env-file reader of lib/config.c on arbitrary file
 * content (written to a temp file), through config_lookup() of a few names
 * and config_load() of the whole table. The process environment is cleared
 * of every variable config.c reads, so the file is all there is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "jwt.h"
#include "storage_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const vars[] = { "ENV_FILE", "DATABASE_URL", "LOG_LEVEL",
		"STORAGE_ENDPOINT", "STORAGE_ACCESS_KEY", "STORAGE_SECRET_KEY", "STORAGE_BUCKET",
		"STORAGE_REGION", "STORAGE_PUBLIC_URL", "STORAGE_PATH_STYLE",
		"STORAGE_TIMEOUT_SECONDS", "JWT_SECRET", "JWT_ISSUER", "JWT_AUDIENCE",
		"JWT_MAX_TTL_SECONDS", "MAX_UPLOAD_BYTES", "MAX_ARTWORK_BYTES",
		"UPLOAD_URL_EXPIRES_SECONDS", "MULTIPART_PART_BYTES", "FCGI_SOCKET", "FCGI_WORKERS",
		"METRICS_ALLOW",
		"DB_CONNECT_TIMEOUT_SECONDS", "JOB_LEASE_SECONDS", "JOB_MAX_ATTEMPTS",
		"JOB_POLL_SECONDS", "JOB_BACKOFF_BASE_SECONDS", "JOB_BACKOFF_MAX_SECONDS",
		"RUNNER_CONCURRENCY", "JOB_PARALLELISM", "MAX_DURATION_SECONDS", "HLS_LADDER",
		"HLS_SEGMENT_SECONDS", "FFMPEG_PATH", "FFPROBE_PATH", "FFMPEG_TIMEOUT_SECONDS",
		"FFMPEG_MEMORY_MB", "WORK_DIR", "UPLOAD_TTL_SECONDS", "JOB_HISTORY_DAYS",
		"JANITOR_INTERVAL_SECONDS", "WEBHOOK_URLS", "WEBHOOK_SECRET",
		"WEBHOOK_TIMEOUT_SECONDS", "WEBHOOK_MAX_ATTEMPTS" };
	size_t i;
	int fd;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(path, sizeof(path), "/tmp/fuzz_config.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		abort();
	close(fd);
	return 0;
}

static void
cleanup(void) __attribute__((destructor));
static void
cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "JWT_SECRET", "DATABASE_URL", "", "A" };
	struct config cfg;
	struct errbuf e;
	char *val;
	size_t i;
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err_clear(&e);
		if (config_lookup(path, names[i], &val, &e) == OK)
			free(val);
		else if (err_msg(&e)[0] == '\0' || val != NULL)
			abort();
	}
	err_clear(&e);
	if (config_load(&cfg, path, &e) == OK) {
		char *u = storage_url_public(&cfg, "hls/x/master.m3u8");

		if (u == NULL || cfg.jwt_secret == NULL || strlen(cfg.jwt_secret) < JWT_SECRET_MIN)
			abort();
		free(u);
		config_free(&cfg);
	} else if (err_msg(&e)[0] == '\0') {
		abort();
	}
	return 0;
}
