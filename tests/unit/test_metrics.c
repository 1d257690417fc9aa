/*
 * The allow list of /metrics (lib/ipallow.c) and the API's counters and
 * their text (lib/metrics.c): loopback always, addresses and CIDR blocks
 * of both families, bad entries refused with a reason; counters shared
 * across fork, a histogram that is cumulative with +Inf equal to the count,
 * label values escaped, and without a table only the gauge that says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "ipallow.h"
#include "metrics.h"

static void
allow_matches(void **state)
{
	static const struct {
		const char *list, *addr;
		bool want;
	} cases[] = {
		{ "", "127.0.0.1", true },
		{ NULL, "::1", true },
		{ "", "127.0.0.2", false }, /* loopback is the two addresses, not 127/8 */
		{ "", "::ffff:127.0.0.1", true },
		{ "", "10.0.0.1", false },
		{ "", "", false },
		{ "", "not an address", false },
		{ "127.0.0.2", "127.0.0.2", true },
		{ " 10.0.0.5 , 192.168.0.0/16 ", "192.168.200.7", true },
		{ "10.0.0.5,192.168.0.0/16", "192.169.0.1", false },
		{ "10.0.0.5,192.168.0.0/16", "10.0.0.5", true },
		{ "10.0.0.5,192.168.0.0/16", "10.0.0.6", false },
		{ "10.1.2.3/8", "10.200.0.1", true },       /* host bits ignored */
		{ "10.0.0.0/9", "10.127.255.255", true },
		{ "10.0.0.0/9", "10.128.0.0", false },
		{ "0.0.0.0/0", "203.0.113.9", true },
		{ "0.0.0.0/0", "2001:db8::1", false },    /* families apart */
		{ "::/0", "2001:db8::1", true },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::1", false },
		{ "2001:db8::/33", "2001:db8:8000::1", false },
		{ "fd00::1", "FD00:0:0::1", true },
		{ "10.0.0.5", "::ffff:10.0.0.5", true },   /* a dual-stack socket's spelling */
		{ "::ffff:10.0.0.0/104", "10.9.9.9", true },
		{ "::ffff:10.0.0.0/104", "11.0.0.1", false },
		{ "192.168.1.7/32", "192.168.1.7", true },
		{ "192.168.1.7/32", "192.168.1.8", false },
	};
	struct ipallow a;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		assert_int_equal(ipallow_parse(&a, cases[i].list, &e), OK);
		if (ipallow_match(&a, cases[i].addr) != cases[i].want)
			fail_msg("\"%s\" in \"%s\": want %d", cases[i].addr,
			    cases[i].list != NULL ? cases[i].list : "(null)", cases[i].want);
	}
	assert_int_equal(ipallow_parse(&a, "", &e), OK);
	assert_false(ipallow_match(&a, NULL));
}

static void
allow_refuses(void **state)
{
	static const struct {
		const char *list, *says;
	} cases[] = {
		{ "10.0.0.1,", "empty" },
		{ ",10.0.0.1", "empty" },
		{ "10.0.0.1,,10.0.0.2", "empty" },
		{ " , ", "empty" },
		{ "10.0.0", "not an IPv4 or IPv6 address" },
		{ "localhost", "not an IPv4 or IPv6 address" },
		{ "10.0.0.1 10.0.0.2", "not an IPv4 or IPv6 address" },
		{ "010.0.0.1", "not an IPv4 or IPv6 address" },
		{ "fe80::1%eth0", "not an IPv4 or IPv6 address" },
		{ "10.0.0.0/33", "prefix" },
		{ "10.0.0.0/", "prefix" },
		{ "10.0.0.0/-1", "prefix" },
		{ "10.0.0.0/+8", "prefix" },
		{ "10.0.0.0/08", "prefix" },
		{ "10.0.0.0/8/8", "prefix" },
		{ "::/129", "prefix" },
		{ "::ffff:10.0.0.0/95", "prefix" },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001:0000:0000:0000:0000", "too long" },
	};
	struct ipallow a;
	struct errbuf e;
	char many[1024] = "";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		if (ipallow_parse(&a, cases[i].list, &e) != ERR_INVALID ||
		    strstr(err_msg(&e), cases[i].says) == NULL)
			fail_msg("\"%s\": want a refusal saying \"%s\", got \"%s\"", cases[i].list,
			    cases[i].says, err_msg(&e));
	}
	for (i = 0; i < IPALLOW_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s10.0.0.%zu",
		    i > 0 ? "," : "", i);
	err_clear(&e);
	assert_int_equal(ipallow_parse(&a, many, &e), OK);
	assert_true(ipallow_match(&a, "10.0.0.31"));
	strcat(many, ",10.0.1.1");
	assert_int_equal(ipallow_parse(&a, many, &e), ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "more than"));
}

/* A bad METRICS_ALLOW stops start-up with the variable's name. */
static void
allow_in_config(void **state)
{
	struct config cfg;
	struct errbuf e;

	(void)state;
	setenv("DATABASE_URL", "postgresql://x@127.0.0.1/x", 1);
	setenv("JWT_SECRET", "0123456789abcdef0123", 1);
	setenv("STORAGE_ENDPOINT", "http://127.0.0.1:9", 1);
	setenv("STORAGE_ACCESS_KEY", "k", 1);
	setenv("STORAGE_SECRET_KEY", "s", 1);
	setenv("METRICS_ALLOW", "10.0.0.0/8,2001:db8::/32", 1);
	err_clear(&e);
	assert_int_equal(config_load(&cfg, NULL, &e), OK);
	assert_true(ipallow_match(&cfg.metrics_allow, "10.1.1.1"));
	assert_true(ipallow_match(&cfg.metrics_allow, "127.0.0.1"));
	assert_false(ipallow_match(&cfg.metrics_allow, "192.168.0.1"));
	config_free(&cfg);
	setenv("METRICS_ALLOW", "10.0.0.0/8,example.org", 1);
	err_clear(&e);
	assert_int_equal(config_load(&cfg, NULL, &e), ERR_INVALID);
	assert_non_null(strstr(err_msg(&e), "METRICS_ALLOW"));
	assert_non_null(strstr(err_msg(&e), "example.org"));
	unsetenv("METRICS_ALLOW");
}

static const struct metrics_route test_routes[] = {
	{ "GET", "/healthz" },
	{ "GET", "/tracks/{track_id}" },
};

/* The line that starts with prefix (up to its end), or fail. */
static unsigned long long
value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", prefix, text);
	return 0;
}

static void
render_counts(void **state)
{
	struct metrics m;
	struct metrics_text t;
	struct errbuf e;
	const char *h = "mustory_api_request_duration_seconds";
	char line[200];
	unsigned long long prev = 0, v;
	static const char *const le[] = { "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
		"0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" };
	size_t i;
	pid_t pid;
	int st;

	(void)state;
	err_clear(&e);
	assert_int_equal(metrics_open(&m, &e), OK);
	metrics_request(&m, 0, 200, 0.0004);   /* 0.001 */
	metrics_request(&m, 0, 200, 0.001);    /* 0.001: le is "less or equal" */
	metrics_request(&m, 0, 503, 0.3);      /* 0.5 */
	metrics_request(&m, 1, 404, 42.0);     /* +Inf */
	metrics_request(&m, -1, 404, 0.002);   /* unmatched */
	metrics_request(&m, 99, 405, -1.0);    /* unmatched, a negative time is 0 */
	metrics_request(&m, 0, 7, 0.0 / 0.0);  /* NaN: 0 s; a status out of range is 500 */
	metrics_error(&m, METRICS_ERR_STORAGE);
	metrics_error(&m, METRICS_ERR_DATABASE);
	metrics_error(&m, METRICS_ERR_DATABASE);
	/* a worker's counts are the supervisor's too */
	if ((pid = fork()) == 0) {
		metrics_request(&m, 1, 200, 0.02);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	metrics_text_init(&t);
	metrics_render_api(&t, &m, test_routes, 2, 4);
	assert_false(t.failed);
	assert_int_equal(strlen(t.s), t.len);
	assert_int_equal(t.s[t.len - 1], '\n');
	assert_non_null(strstr(t.s, "# TYPE mustory_api_requests_total counter\n"));
	assert_non_null(strstr(t.s, "# TYPE mustory_api_request_duration_seconds histogram\n"));
	assert_int_equal(value_of(t.s, "mustory_metrics_process_counters"), 1);
	assert_int_equal(value_of(t.s, "mustory_api_workers"), 4);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{method=\"GET\",route=\"/healthz\",code=\"200\"}"), 2);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{method=\"GET\",route=\"/healthz\",code=\"503\"}"), 1);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{method=\"GET\",route=\"/healthz\",code=\"500\"}"), 1);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{method=\"GET\",route=\"/tracks/{track_id}\",code=\"200\"}"), 1);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{route=\"unmatched\",code=\"404\"}"), 1);
	assert_int_equal(value_of(t.s,
	    "mustory_api_requests_total{route=\"unmatched\",code=\"405\"}"), 1);
	assert_null(strstr(t.s, "code=\"7\""));
	/* /healthz: cumulative, monotone, +Inf == count */
	for (i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/healthz\",le=\"%s\"}", h,
		    le[i]);
		v = value_of(t.s, line);
		assert_true(v >= prev);
		prev = v;
	}
	assert_int_equal(value_of(t.s, "mustory_api_request_duration_seconds_bucket{method=\"GET\","
	    "route=\"/healthz\",le=\"0.001\"}"), 3);
	assert_int_equal(value_of(t.s, "mustory_api_request_duration_seconds_bucket{method=\"GET\","
	    "route=\"/healthz\",le=\"0.25\"}"), 3);
	assert_int_equal(prev, 4);
	assert_int_equal(value_of(t.s, "mustory_api_request_duration_seconds_count{method=\"GET\","
	    "route=\"/healthz\"}"), 4);
	assert_non_null(strstr(t.s, "mustory_api_request_duration_seconds_sum{method=\"GET\","
	    "route=\"/healthz\"} 0.301400\n"));
	assert_int_equal(value_of(t.s, "mustory_api_request_duration_seconds_bucket{method=\"GET\","
	    "route=\"/tracks/{track_id}\",le=\"10\"}"), 1);
	assert_int_equal(value_of(t.s, "mustory_api_request_duration_seconds_bucket{method=\"GET\","
	    "route=\"/tracks/{track_id}\",le=\"+Inf\"}"), 2);
	assert_int_equal(value_of(t.s,
	    "mustory_api_request_duration_seconds_count{route=\"unmatched\"}"), 2);
	assert_int_equal(value_of(t.s, "mustory_api_database_errors_total"), 2);
	assert_int_equal(value_of(t.s, "mustory_api_storage_errors_total"), 1);
	metrics_text_free(&t);
	metrics_close(&m);
	metrics_request(&m, 0, 200, 1); /* closed: a no-op */
	metrics_request(NULL, 0, 200, 1);
	metrics_error(NULL, METRICS_ERR_DATABASE);
}

/* No supervisor: the gauge says 0, a comment says why, and no counter is there. */
static void
render_without_table(void **state)
{
	struct metrics m = { NULL };
	struct metrics_text t;

	(void)state;
	metrics_text_init(&t);
	metrics_render_api(&t, &m, test_routes, 2, 4);
	metrics_render_api(&t, NULL, test_routes, 2, 4);
	assert_false(t.failed);
	assert_int_equal(value_of(t.s, "mustory_metrics_process_counters"), 0);
	assert_non_null(strstr(t.s, "\n# This API process has no supervisor"));
	assert_null(strstr(t.s, "mustory_api_requests_total"));
	assert_null(strstr(t.s, "mustory_api_workers"));
	metrics_text_free(&t);
}

static void
text_helpers(void **state)
{
	struct metrics_text t;
	char out[16], big[5000];

	(void)state;
	assert_string_equal(metrics_escape(out, sizeof(out), "a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
	assert_string_equal(metrics_escape(out, 4, "ab\"c"), "ab"); /* never half an escape */
	assert_string_equal(metrics_escape(out, sizeof(out), ""), "");
	metrics_text_init(&t);
	metrics_family(&t, "x_total", "counter", "Things.");
	metrics_sample(&t, "x_total", "", 3);
	metrics_sample(&t, "y", "a=\"b\"", 0.25);
	metrics_sample(&t, "y", "", 1.0 / 0.0);
	metrics_sample(&t, "y", NULL, -1.0 / 0.0);
	metrics_sample(&t, "y", "", 0.0 / 0.0);
	metrics_sample(&t, "y", "", 1796164210);
	assert_string_equal(t.s, "# HELP x_total Things.\n# TYPE x_total counter\nx_total 3\n"
	    "y{a=\"b\"} 0.25\ny +Inf\ny -Inf\ny NaN\ny 1796164210\n");
	/* growing past the first allocation */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	metrics_printf(&t, "%s\n", big);
	assert_false(t.failed);
	assert_int_equal(strlen(t.s), t.len);
	metrics_text_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allow_matches),
		cmocka_unit_test(allow_refuses),
		cmocka_unit_test(allow_in_config),
		cmocka_unit_test(render_counts),
		cmocka_unit_test(render_without_table),
		cmocka_unit_test(text_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
