#include "config.h"
#include "ipallow.h"
#include "jwt.h"
#include "log.h"
#include "sigv4.h"
#include "webhook.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum cfg_type { CFG_STRING, CFG_URL, CFG_INT, CFG_BOOL };

struct cfg_var {
	const char *name;
	enum cfg_type type;
	size_t off;
	const char *def;      /* NULL: required */
	long long min, max;   /* ints: range; strings: length */
};

#define S(f) offsetof(struct config, f)
static const struct cfg_var cfg_vars[] = {
	{ "DATABASE_URL", CFG_STRING, S(database_url), NULL, 1, 4096 },
	{ "LOG_LEVEL", CFG_STRING, S(log_level), "info", 1, 16 },
	{ "LOG_FORMAT", CFG_STRING, S(log_format), "text", 1, 16 },
	{ "STORAGE_ENDPOINT", CFG_URL, S(storage_endpoint), NULL, 8, 1024 },
	{ "STORAGE_ACCESS_KEY", CFG_STRING, S(storage_access_key), NULL, 1, 256 },
	{ "STORAGE_SECRET_KEY", CFG_STRING, S(storage_secret_key), NULL, 1, 256 },
	{ "STORAGE_BUCKET", CFG_STRING, S(storage_bucket), "mustory-audio", 3, 63 },
	{ "STORAGE_REGION", CFG_STRING, S(storage_region), "us-east-1", 1, 64 },
	{ "STORAGE_PUBLIC_URL", CFG_STRING, S(storage_public_url), "", 0, 1024 },
	{ "STORAGE_PATH_STYLE", CFG_BOOL, S(storage_path_style), "true", 0, 1 },
	{ "STORAGE_TIMEOUT_SECONDS", CFG_INT, S(storage_timeout_s), "30", 1, 3600 },
	{ "STORAGE_API_TIMEOUT_SECONDS", CFG_INT, S(storage_api_timeout_s), "3", 1, 60 },
	{ "STORAGE_API_CONCURRENCY", CFG_INT, S(storage_api_concurrency), "0", 0, 256 },
	{ "JWT_SECRET", CFG_STRING, S(jwt_secret), NULL, JWT_SECRET_MIN, 1024 },
	{ "JWT_ISSUER", CFG_STRING, S(jwt_issuer), "", 0, 1024 },
	{ "JWT_AUDIENCE", CFG_STRING, S(jwt_audience), "", 0, 1024 },
	{ "JWT_MAX_TTL_SECONDS", CFG_INT, S(jwt_max_ttl_s), "2592000", 60, 31536000 },
	{ "MAX_UPLOAD_BYTES", CFG_INT, S(max_upload_bytes), "209715200", 1, 5368709120LL },
	{ "MAX_ARTWORK_BYTES", CFG_INT, S(max_artwork_bytes), "10485760", 1, 104857600 },
	{ "MULTIPART_PART_BYTES", CFG_INT, S(multipart_part_bytes), "8388608", 5242880,
	  5368709120LL },
	{ "MAX_PENDING_UPLOADS_PER_USER", CFG_INT, S(max_pending_uploads), "20", 1, 100000 },
	{ "UPLOAD_URL_EXPIRES_SECONDS", CFG_INT, S(upload_url_expires_s), "900", 1,
	  SIGV4_MAX_EXPIRES },
	{ "UPLOAD_TTL_SECONDS", CFG_INT, S(upload_ttl_s), "86400", 1, 31536000 },
	{ "DOWNLOAD_URL_EXPIRES_SECONDS", CFG_INT, S(download_url_expires_s), "300", 10, 86400 },
	{ "FCGI_SOCKET", CFG_STRING, S(fcgi_socket), "/run/mustory/api.sock", 1, 107 },
	{ "FCGI_WORKERS", CFG_INT, S(fcgi_workers), "4", 1, 256 },
	{ "DB_CONNECT_TIMEOUT_SECONDS", CFG_INT, S(db_timeout_s), "3", 1, 60 },
	{ "METRICS_ALLOW", CFG_STRING, S(metrics_allow_list), "", 0, 4096 },
	{ "JOB_LEASE_SECONDS", CFG_INT, S(job_lease_s), "30", 3, 3600 },
	{ "JOB_MAX_ATTEMPTS", CFG_INT, S(job_max_attempts), "5", 1, 100 },
	{ "JOB_POLL_SECONDS", CFG_INT, S(job_poll_s), "10", 1, 3600 },
	{ "JOB_BACKOFF_BASE_SECONDS", CFG_INT, S(job_backoff_base_s), "5", 0, 3600 },
	{ "JOB_BACKOFF_MAX_SECONDS", CFG_INT, S(job_backoff_max_s), "600", 0, 86400 },
	{ "RUNNER_CONCURRENCY", CFG_INT, S(runner_concurrency), "1", 1, 64 },
	{ "JOB_PARALLELISM", CFG_INT, S(job_parallelism), "0", 0, 64 },
	{ "MAX_DURATION_SECONDS", CFG_INT, S(max_duration_s), "3600", 1, 86400 },
	{ "HLS_LADDER", CFG_STRING, S(hls_ladder), "64,128,160", 1, 64 },
	{ "HLS_SEGMENT_SECONDS", CFG_INT, S(hls_segment_s), "6", 1, 60 },
	{ "FFMPEG_PATH", CFG_STRING, S(ffmpeg_path), "ffmpeg", 1, 1024 },
	{ "FFPROBE_PATH", CFG_STRING, S(ffprobe_path), "ffprobe", 1, 1024 },
	{ "FFMPEG_TIMEOUT_SECONDS", CFG_INT, S(ffmpeg_timeout_s), "1800", 5, 86400 },
	{ "LOUDNESS_TARGET_LUFS", CFG_INT, S(loudness_target_lufs), "-14", -40, -5 },
	{ "LOUDNESS_NORMALIZE", CFG_BOOL, S(loudness_normalize), "false", 0, 1 },
	{ "WAVEFORM_POINTS", CFG_INT, S(waveform_points), "1800", 10, 100000 },
	{ "FFMPEG_MEMORY_MB", CFG_INT, S(ffmpeg_mem_mb), "2048", 64, 65536 },
	{ "WORK_DIR", CFG_STRING, S(work_dir), "/var/tmp", 1, 1024 },
	{ "JOB_HISTORY_DAYS", CFG_INT, S(job_history_days), "30", 1, 36500 },
	{ "JANITOR_INTERVAL_SECONDS", CFG_INT, S(janitor_interval_s), "300", 0, 86400 },
	{ "WEBHOOK_URLS", CFG_STRING, S(webhook_urls), "", 0, 40000 },
	{ "WEBHOOK_SECRET", CFG_STRING, S(webhook_secret), "", 0, 256 },
	{ "WEBHOOK_TIMEOUT_SECONDS", CFG_INT, S(webhook_timeout_s), "10", 1, 120 },
	{ "WEBHOOK_MAX_ATTEMPTS", CFG_INT, S(webhook_max_attempts), "8", 1, 100 },
};
#undef S
#define CFG_NVARS (sizeof(cfg_vars) / sizeof(cfg_vars[0]))

struct kv {
	char *key, *val;
};

static enum result envfile_read(const char *path, struct kv **out, size_t *n, struct errbuf *e);
static const char *envfile_get(const struct kv *kv, size_t n, const char *key);
static enum result cfg_check(struct config *cfg, struct errbuf *e);
static enum result cfg_set(struct config *cfg, const struct cfg_var *v, const char *val, struct errbuf *e);

static enum result
envfile_read(const char *path, struct kv **out, size_t *n, struct errbuf *e)
{
	FILE *f;
	char line[4096];
	size_t lineno = 0;
	struct kv *kv = NULL, *tmp;

	*out = NULL;
	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		err_set(e, "env file %s: %s", path, strerror(errno));
		return ERR_INVALID;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *eq, *end, *val;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		if (strncmp(p, "export ", 7) == 0)
			p += 7;
		if ((eq = strchr(p, '=')) == NULL) {
			err_set(e, "env file %s:%zu: expected KEY=VALUE", path, lineno);
			goto fail;
		}
		*eq = '\0';
		for (end = eq; end > p && isspace((unsigned char)end[-1]); end--)
			end[-1] = '\0';
		val = eq + 1;
		while (isspace((unsigned char)*val))
			val++;
		end = val + strlen(val);
		while (end > val && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (end - val >= 2 && (*val == '"' || *val == '\'') && end[-1] == *val) {
			end[-1] = '\0';
			val++;
		}
		if ((tmp = realloc(kv, (*n + 1) * sizeof(*kv))) == NULL)
			goto nomem;
		kv = tmp;
		kv[*n].key = strdup(p);
		kv[*n].val = strdup(val);
		(*n)++;
		if (kv[*n - 1].key == NULL || kv[*n - 1].val == NULL)
			goto nomem;
	}
	fclose(f);
	*out = kv;
	return OK;
nomem:
	err_set(e, "env file %s: out of memory", path);
fail:
	fclose(f);
	*out = kv;
	return ERR_INVALID;
}

static const char *
envfile_get(const struct kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = n; i > 0; i--)
		if (strcmp(kv[i - 1].key, key) == 0)
			return kv[i - 1].val;
	return NULL;
}

static enum result
cfg_set(struct config *cfg, const struct cfg_var *v, const char *val, struct errbuf *e)
{
	void *field = (char *)cfg + v->off;
	size_t len = strlen(val);
	long long num;
	char *end;

	switch (v->type) {
	case CFG_URL:
		if (strncmp(val, "http://", 7) != 0 && strncmp(val, "https://", 8) != 0) {
			err_set(e, "%s must be an http:// or https:// URL", v->name);
			return ERR_INVALID;
		}
		/* FALLTHROUGH */
	case CFG_STRING:
		if ((long long)len < v->min || (long long)len > v->max) {
			err_set(e, "%s must be %lld to %lld characters long", v->name, v->min, v->max);
			return ERR_INVALID;
		}
		if ((*(char **)field = strdup(val)) == NULL) {
			err_set(e, "%s: out of memory", v->name);
			return ERR_NOMEM;
		}
		/* A trailing slash on a base URL would double up in keys. */
		if (v->type == CFG_URL || strcmp(v->name, "STORAGE_PUBLIC_URL") == 0) {
			char *s = *(char **)field;
			size_t l = strlen(s);
			while (l > 0 && s[l - 1] == '/')
				s[--l] = '\0';
		}
		return OK;
	case CFG_INT:
		errno = 0;
		num = strtoll(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || num < v->min || num > v->max) {
			err_set(e, "%s must be a whole number from %lld to %lld, not \"%.64s\"",
			    v->name, v->min, v->max, val);
			return ERR_INVALID;
		}
		*(long long *)field = num;
		return OK;
	case CFG_BOOL:
		if (strcasecmp(val, "true") == 0 || strcmp(val, "1") == 0 ||
		    strcasecmp(val, "yes") == 0)
			*(bool *)field = true;
		else if (strcasecmp(val, "false") == 0 || strcmp(val, "0") == 0 ||
		    strcasecmp(val, "no") == 0)
			*(bool *)field = false;
		else {
			err_set(e, "%s must be true or false, not \"%.64s\"", v->name, val);
			return ERR_INVALID;
		}
		return OK;
	}
	return ERR_INVALID;
}

const char *
config_env_file(const char *envfile)
{
	const char *def = MUSTORY_DEFAULT_ENV_FILE;

	if (envfile == NULL)
		envfile = getenv("ENV_FILE");
	if (envfile != NULL && *envfile != '\0')
		return envfile;
	/* An installed build's default is read when present: the environment may be all. */
	if (*def != '\0' && access(def, F_OK) == 0)
		return def;
	return NULL;
}

/* Checks across variables, after each one's own range. */
static enum result
cfg_check(struct config *cfg, struct errbuf *e)
{
	struct errbuf sub;

	err_clear(&sub);
	if (log_level_parse(cfg->log_level) < 0) {
		err_set(e, "LOG_LEVEL must be debug, info, warn or error");
		return ERR_INVALID;
	}
	if (log_format_parse(cfg->log_format) < 0) {
		err_set(e, "LOG_FORMAT must be text or json");
		return ERR_INVALID;
	}
	if (ipallow_parse(&cfg->metrics_allow, cfg->metrics_allow_list, &sub) != OK) {
		err_set(e, "METRICS_ALLOW: %s (a comma list of addresses and CIDR blocks, "
		    "e.g. 10.0.0.5,192.168.0.0/16)", err_msg(&sub));
		return ERR_INVALID;
	}
	/* An upload URL outliving its track's expiry would land an orphan. */
	if (cfg->upload_ttl_s < cfg->upload_url_expires_s) {
		err_set(e, "UPLOAD_TTL_SECONDS (%lld) must be at least UPLOAD_URL_EXPIRES_SECONDS "
		    "(%lld): an upload URL must not outlive the track it uploads to, or an upload "
		    "could land after the track expired", cfg->upload_ttl_s,
		    cfg->upload_url_expires_s);
		return ERR_INVALID;
	}
	/* Storage calls may never hold every worker: other routes must keep answering. */
	if (cfg->storage_api_concurrency == 0)
		cfg->storage_api_concurrency = cfg->fcgi_workers / 2 > 0 ? cfg->fcgi_workers / 2 : 1;
	else if (cfg->fcgi_workers > 1 && cfg->storage_api_concurrency >= cfg->fcgi_workers) {
		err_set(e, "STORAGE_API_CONCURRENCY must be below FCGI_WORKERS (%lld), so that "
		    "slow storage cannot hold every worker; not %lld", cfg->fcgi_workers,
		    cfg->storage_api_concurrency);
		return ERR_INVALID;
	} else if (cfg->storage_api_concurrency > cfg->fcgi_workers)
		cfg->storage_api_concurrency = cfg->fcgi_workers;
	return webhook_config_check(cfg->webhook_urls, cfg->webhook_secret, e);
}

enum result
config_load(struct config *cfg, const char *envfile, struct errbuf *e)
{
	struct kv *kv = NULL;
	size_t nkv = 0, i;
	enum result rc = OK;

	memset(cfg, 0, sizeof(*cfg));
	envfile = config_env_file(envfile);
	if (envfile != NULL &&
	    (rc = envfile_read(envfile, &kv, &nkv, e)) != OK)
		goto out;
	for (i = 0; i < CFG_NVARS; i++) {
		const struct cfg_var *v = &cfg_vars[i];
		const char *val = getenv(v->name);

		if (val == NULL)
			val = envfile_get(kv, nkv, v->name);
		if (val == NULL)
			val = v->def;
		if (val == NULL) {
			err_set(e, "%s is not set (required)", v->name);
			rc = ERR_INVALID;
			goto out;
		}
		if ((rc = cfg_set(cfg, v, val, e)) != OK)
			goto out;
	}
	rc = cfg_check(cfg, e);
out:
	for (i = 0; i < nkv; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
	if (rc != OK)
		config_free(cfg);
	return rc;
}

enum result
config_lookup(const char *envfile, const char *name, char **out, struct errbuf *e)
{
	struct kv *kv = NULL;
	size_t nkv = 0, i;
	const char *val = getenv(name);
	enum result rc = OK;

	*out = NULL;
	envfile = config_env_file(envfile);
	if ((val == NULL || *val == '\0') && envfile != NULL) {
		if ((rc = envfile_read(envfile, &kv, &nkv, e)) == OK)
			val = envfile_get(kv, nkv, name);
	}
	if (rc == OK && val != NULL && (*out = strdup(val)) == NULL)
		rc = ERR_NOMEM;
	for (i = 0; i < nkv; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
	return rc;
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < CFG_NVARS; i++) {
		if (cfg_vars[i].type == CFG_STRING || cfg_vars[i].type == CFG_URL) {
			char **p = (char **)((char *)cfg + cfg_vars[i].off);
			free(*p);
			*p = NULL;
		}
	}
}
