/* Configuration: defaults, env file, environment precedence, bad values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "storage_layout.h"

static void
set_required(void)
{
	setenv("DATABASE_URL", "postgresql://x@127.0.0.1/db", 1);
	setenv("STORAGE_ENDPOINT", "http://127.0.0.1:9000/", 1);
	setenv("STORAGE_ACCESS_KEY", "ak", 1);
	setenv("STORAGE_SECRET_KEY", "sk", 1);
	setenv("JWT_SECRET", "0123456789abcdef0123", 1);
	unsetenv("MAX_UPLOAD_BYTES");
	unsetenv("ENV_FILE");
	unsetenv("STORAGE_BUCKET");
}

static void
defaults_and_trailing_slash(void **state)
{
	struct config c;
	struct errbuf e;
	char *u;

	(void)state;
	set_required();
	err_clear(&e);
	assert_int_equal(config_load(&c, NULL, &e), OK);
	assert_int_equal(c.max_upload_bytes, 200LL * 1024 * 1024);
	assert_int_equal(c.upload_url_expires_s, 900);
	assert_int_equal(c.download_url_expires_s, 300);
	assert_string_equal(c.log_format, "text");
	assert_int_equal(c.multipart_part_bytes, 8LL * 1024 * 1024);
	assert_string_equal(c.storage_endpoint, "http://127.0.0.1:9000");
	assert_string_equal(c.storage_bucket, "mustory-audio");
	u = storage_url_public(&c, "a/b.m3u8");
	assert_string_equal(u, "http://127.0.0.1:9000/mustory-audio/a/b.m3u8");
	free(u);
	config_free(&c);
}

static void
bad_values_name_the_variable(void **state)
{
	static const struct { const char *var, *val, *msg; } c[] = {
		{ "MAX_UPLOAD_BYTES", "lots", "MAX_UPLOAD_BYTES must be a whole number" },
		{ "MAX_UPLOAD_BYTES", "0", "MAX_UPLOAD_BYTES must be a whole number from 1" },
		{ "STORAGE_ENDPOINT", "ftp://x", "STORAGE_ENDPOINT must be an http" },
		{ "JWT_SECRET", "short", "JWT_SECRET must be 16 to" },
		{ "STORAGE_PATH_STYLE", "maybe", "STORAGE_PATH_STYLE must be true or false" },
		{ "LOG_LEVEL", "loud", "LOG_LEVEL must be" },
		{ "LOG_FORMAT", "yaml", "LOG_FORMAT must be text or json" },
		{ "DOWNLOAD_URL_EXPIRES_SECONDS", "5", "DOWNLOAD_URL_EXPIRES_SECONDS must be a whole number from 10" },
		{ "MULTIPART_PART_BYTES", "5242879", "MULTIPART_PART_BYTES must be a whole number from 5242880 to 5368709120" },
		{ "UPLOAD_URL_EXPIRES_SECONDS", "0", "UPLOAD_URL_EXPIRES_SECONDS must be a whole number from 1 to 604800" },
		{ "WEBHOOK_URLS", "http://127.0.0.1:1/hook", "WEBHOOK_SECRET is required when WEBHOOK_URLS is set" },
		{ "WEBHOOK_URLS", "ftp://127.0.0.1/x", "WEBHOOK_URLS: entry 1 is not an http:// or https:// URL" },
		{ "WEBHOOK_SECRET", "whsec_c2hvcnQ=", "WEBHOOK_SECRET must be whsec_ followed by the base64" },
		{ "WEBHOOK_TIMEOUT_SECONDS", "0", "WEBHOOK_TIMEOUT_SECONDS must be a whole number from 1 to 120" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct config cfg;
		struct errbuf e;

		set_required();
		setenv(c[i].var, c[i].val, 1);
		err_clear(&e);
		assert_int_equal(config_load(&cfg, NULL, &e), ERR_INVALID);
		if (strstr(e.msg, c[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, c[i].msg);
		unsetenv(c[i].var);
	}
	set_required();
	unsetenv("DATABASE_URL");
	{
		struct config cfg;
		struct errbuf e;

		err_clear(&e);
		assert_int_equal(config_load(&cfg, NULL, &e), ERR_INVALID);
		assert_string_equal(e.msg, "DATABASE_URL is not set (required)");
	}
	unsetenv("LOG_LEVEL");
	unsetenv("STORAGE_PATH_STYLE");
}

/* The janitor's settings; an upload URL may never outlive its track's expiry. */
static void
janitor_settings(void **state)
{
	static const struct {
		const char *ttl, *url; /* UPLOAD_TTL_SECONDS, UPLOAD_URL_EXPIRES_SECONDS */
		enum result rc;
	} c[] = {
		{ NULL, NULL, OK },
		{ "900", NULL, OK },       /* equal to the URL's default lifetime */
		{ "899", NULL, ERR_INVALID },
		{ "60", "60", OK },
		{ "59", "60", ERR_INVALID },
		{ "604800", "604800", OK },
		{ NULL, "604800", ERR_INVALID }, /* the default TTL is a day */
	};
	struct config cfg;
	struct errbuf e;
	size_t i;

	(void)state;
	set_required();
	err_clear(&e);
	assert_int_equal(config_load(&cfg, NULL, &e), OK);
	assert_int_equal(cfg.upload_ttl_s, 86400);
	assert_int_equal(cfg.job_history_days, 30);
	assert_int_equal(cfg.janitor_interval_s, 300);
	config_free(&cfg);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		set_required();
		if (c[i].ttl != NULL)
			setenv("UPLOAD_TTL_SECONDS", c[i].ttl, 1);
		if (c[i].url != NULL)
			setenv("UPLOAD_URL_EXPIRES_SECONDS", c[i].url, 1);
		err_clear(&e);
		if (config_load(&cfg, NULL, &e) != c[i].rc)
			fail_msg("case %zu: %s", i, e.msg);
		if (c[i].rc == OK)
			config_free(&cfg);
		else if (strstr(e.msg, "UPLOAD_TTL_SECONDS (") == NULL ||
		    strstr(e.msg, "must be at least UPLOAD_URL_EXPIRES_SECONDS") == NULL)
			fail_msg("case %zu: \"%s\" does not name both variables", i, e.msg);
		unsetenv("UPLOAD_TTL_SECONDS");
		unsetenv("UPLOAD_URL_EXPIRES_SECONDS");
	}
	set_required();
	setenv("JANITOR_INTERVAL_SECONDS", "0", 1); /* 0: no pass in the runner */
	err_clear(&e);
	assert_int_equal(config_load(&cfg, NULL, &e), OK);
	assert_int_equal(cfg.janitor_interval_s, 0);
	config_free(&cfg);
	setenv("JOB_HISTORY_DAYS", "0", 1);
	err_clear(&e);
	assert_int_equal(config_load(&cfg, NULL, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "JOB_HISTORY_DAYS must be a whole number from 1"));
	unsetenv("JOB_HISTORY_DAYS");
	unsetenv("JANITOR_INTERVAL_SECONDS");
}

static void
env_file_fills_gaps_environment_wins(void **state)
{
	char path[] = "/tmp/mustory-env-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct config c;
	struct errbuf e;

	(void)state;
	set_required();
	fprintf(f, "# comment\n\nexport STORAGE_BUCKET=\"from-file\"\nMAX_UPLOAD_BYTES = 1234\n"
	    "JWT_SECRET='file-secret-file-secret'\n");
	fclose(f);
	err_clear(&e);
	assert_int_equal(config_load(&c, path, &e), OK);
	assert_string_equal(c.storage_bucket, "from-file");
	assert_int_equal(c.max_upload_bytes, 1234);
	assert_string_equal(c.jwt_secret, "0123456789abcdef0123"); /* environment wins */
	config_free(&c);
	unlink(path);
}

/* The storage cap: half the workers by default, at least 1, always below FCGI_WORKERS. */
static void
storage_api_settings(void **state)
{
	static const struct { const char *workers, *conc; enum result rc; long long want; } c[] = {
		{ "4", NULL, OK, 2 },
		{ "1", NULL, OK, 1 },
		{ "5", NULL, OK, 2 },
		{ "8", "7", OK, 7 },
		{ "4", "4", ERR_INVALID, 0 },
		{ "4", "9", ERR_INVALID, 0 },
		{ "1", "3", OK, 1 },
	};
	struct config cfg;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		set_required();
		setenv("FCGI_WORKERS", c[i].workers, 1);
		if (c[i].conc != NULL)
			setenv("STORAGE_API_CONCURRENCY", c[i].conc, 1);
		else
			unsetenv("STORAGE_API_CONCURRENCY");
		err_clear(&e);
		if (config_load(&cfg, NULL, &e) != c[i].rc)
			fail_msg("case %zu: %s", i, e.msg);
		if (c[i].rc == OK) {
			assert_int_equal(cfg.storage_api_concurrency, c[i].want);
			assert_int_equal(cfg.storage_api_timeout_s, 3);
			config_free(&cfg);
		} else
			assert_non_null(strstr(e.msg, "STORAGE_API_CONCURRENCY must be below FCGI_WORKERS"));
	}
	unsetenv("FCGI_WORKERS");
	unsetenv("STORAGE_API_CONCURRENCY");
}

/* Which env file is read: the argument, else $ENV_FILE, else (dev builds) none. */
static void
env_file_choice(void **state)
{
	(void)state;
	unsetenv("ENV_FILE");
	assert_string_equal(config_env_file("/a"), "/a");
	assert_null(config_env_file(NULL)); /* MUSTORY_DEFAULT_ENV_FILE is "" in test builds */
	setenv("ENV_FILE", "/b", 1);
	assert_string_equal(config_env_file(NULL), "/b");
	assert_string_equal(config_env_file("/a"), "/a");
	setenv("ENV_FILE", "", 1);
	assert_null(config_env_file(NULL));
	unsetenv("ENV_FILE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_trailing_slash),
		cmocka_unit_test(bad_values_name_the_variable),
		cmocka_unit_test(janitor_settings),
		cmocka_unit_test(env_file_fills_gaps_environment_wins),
		cmocka_unit_test(storage_api_settings),
		cmocka_unit_test(env_file_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
