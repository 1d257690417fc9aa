/*
 * config.h: the service's configuration, from the environment (and an
 * optional env file like the seed's apps/api/.env). One table in config.c
 * names every variable, its type, default and range; a bad value stops
 * start-up with the variable's name in the message.
 */
#ifndef MUSTORY_CONFIG_H
#define MUSTORY_CONFIG_H

#include <stdbool.h>

#include "ipallow.h"
#include "result.h"

struct config {
	/* shared */
	char *database_url;       /* DATABASE_URL */
	char *log_level;          /* LOG_LEVEL */
	char *log_format;         /* LOG_FORMAT: "text" or "json" (log.h) */
	char *storage_endpoint;   /* STORAGE_ENDPOINT, e.g. https://s3.eu-west-1.amazonaws.com */
	char *storage_access_key; /* STORAGE_ACCESS_KEY */
	char *storage_secret_key; /* STORAGE_SECRET_KEY */
	char *storage_bucket;     /* STORAGE_BUCKET */
	char *storage_region;     /* STORAGE_REGION */
	char *storage_public_url; /* STORAGE_PUBLIC_URL; "" = the bucket URL
	                             (storage_url_public, storage_layout.h) */
	bool storage_path_style;  /* STORAGE_PATH_STYLE */
	long long storage_timeout_s; /* STORAGE_TIMEOUT_SECONDS */
	long long storage_api_timeout_s; /* STORAGE_API_TIMEOUT_SECONDS: the API's own calls */
	long long storage_api_concurrency; /* STORAGE_API_CONCURRENCY: workers in a storage
	                                      call at once; 0 in the table = FCGI_WORKERS/2,
	                                      resolved by config_load (>= 1) */

	/* API (fcgi/) */
	char *jwt_secret;            /* JWT_SECRET */
	char *jwt_issuer;            /* JWT_ISSUER: required "iss" when not "" */
	char *jwt_audience;          /* JWT_AUDIENCE: required in "aud" when not "" */
	long long jwt_max_ttl_s;     /* JWT_MAX_TTL_SECONDS: exp at most this far ahead */
	long long max_upload_bytes;  /* MAX_UPLOAD_BYTES */
	long long max_artwork_bytes; /* MAX_ARTWORK_BYTES */
	long long upload_url_expires_s; /* UPLOAD_URL_EXPIRES_SECONDS */
	long long download_url_expires_s; /* DOWNLOAD_URL_EXPIRES_SECONDS: GET .../original */
	long long max_pending_uploads; /* MAX_PENDING_UPLOADS_PER_USER */
	long long upload_ttl_s;      /* UPLOAD_TTL_SECONDS: a PENDING track expires after
	                                this (>= UPLOAD_URL_EXPIRES_SECONDS); an expired
	                                one is removed this long after (lib/janitor.h) */
	long long multipart_part_bytes; /* MULTIPART_PART_BYTES: multipart init's part size
	                                   (5 MiB..5 GiB, S3's limits for a part) */
	char *fcgi_socket;           /* FCGI_SOCKET: a path, or 127.0.0.1:PORT */
	long long fcgi_workers;      /* FCGI_WORKERS */
	long long db_timeout_s;      /* DB_CONNECT_TIMEOUT_SECONDS */
	char *metrics_allow_list;    /* METRICS_ALLOW: who may GET /metrics besides loopback */
	struct ipallow metrics_allow; /* the same, parsed by config_load */

	/* runner (jobs/) */
	long long job_lease_s;       /* JOB_LEASE_SECONDS */
	long long job_max_attempts;  /* JOB_MAX_ATTEMPTS */
	long long job_poll_s;        /* JOB_POLL_SECONDS */
	long long job_backoff_base_s;/* JOB_BACKOFF_BASE_SECONDS */
	long long job_backoff_max_s; /* JOB_BACKOFF_MAX_SECONDS */
	long long runner_concurrency;/* RUNNER_CONCURRENCY */
	long long job_parallelism;   /* JOB_PARALLELISM: encoders per job, 0 = cores */
	long long max_duration_s;    /* MAX_DURATION_SECONDS */
	char *hls_ladder;            /* HLS_LADDER, kbit/s list: "64,128,160" */
	long long hls_segment_s;     /* HLS_SEGMENT_SECONDS */
	char *ffmpeg_path;           /* FFMPEG_PATH */
	char *ffprobe_path;          /* FFPROBE_PATH */
	long long ffmpeg_timeout_s;  /* FFMPEG_TIMEOUT_SECONDS */
	long long ffmpeg_mem_mb;     /* FFMPEG_MEMORY_MB: RLIMIT_AS of ffmpeg */
	long long loudness_target_lufs; /* LOUDNESS_TARGET_LUFS: what gain_db aims at */
	long long waveform_points;   /* WAVEFORM_POINTS: pixels of a waveform */
	bool loudness_normalize;     /* LOUDNESS_NORMALIZE: encode with the gain applied */
	char *work_dir;              /* WORK_DIR: temp files */

	/* the janitor (lib/janitor.h): the runner's and mustory-admin janitor's */
	long long job_history_days;  /* JOB_HISTORY_DAYS: runs of finished jobs kept */
	long long janitor_interval_s;/* JANITOR_INTERVAL_SECONDS: a runner's pass; 0: none */

	/* webhooks (webhook.h): read by every program that makes or sends events */
	char *webhook_urls;          /* WEBHOOK_URLS: comma list of http(s) URLs; "": off */
	char *webhook_secret;        /* WEBHOOK_SECRET: whsec_ + base64; never logged */
	long long webhook_timeout_s; /* WEBHOOK_TIMEOUT_SECONDS: one delivery's limit */
	long long webhook_max_attempts; /* WEBHOOK_MAX_ATTEMPTS: tries of one delivery */
};

/* The release, from the VERSION file at the top of the tree (the Makefile). */
#ifndef MUSTORY_VERSION
#define MUSTORY_VERSION "unknown"
#endif

/*
 * The env file an installed build reads when nothing names one: set at
 * build time (make install / the Debian package: /etc/mustory/env); empty
 * in dev and test builds, so a machine's /etc/mustory/env never leaks in.
 */
#ifndef MUSTORY_DEFAULT_ENV_FILE
#define MUSTORY_DEFAULT_ENV_FILE ""
#endif

/*
 * Fill cfg from the environment. envfile, when not NULL, is read first for
 * variables the environment does not set (KEY=VALUE lines, # comments,
 * optional quotes). When envfile is NULL, $ENV_FILE is used if set, else
 * MUSTORY_DEFAULT_ENV_FILE when the build names one and it exists.
 * On error, e names the variable and the problem.
 */
enum result config_load(struct config *cfg, const char *envfile, struct errbuf *e);

/* Borrowed: the env file config_load reads for envfile (NULL: none). */
const char *config_env_file(const char *envfile);
void config_free(struct config *cfg);

/*
 * One variable, for tools that need only it: the environment's value, else
 * the env file's (envfile, or $ENV_FILE). *out is malloc'd, or NULL when the
 * variable is set nowhere. ERR_INVALID when the env file cannot be read.
 */
enum result config_lookup(const char *envfile, const char *name, char **out,
    struct errbuf *e);

#endif
