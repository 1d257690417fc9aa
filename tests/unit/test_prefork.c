/* The prefork supervisor both programs use: replace, pass SIGTERM on, wait. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "prefork.h"

static volatile sig_atomic_t stop;
static char dir[64];

static void
on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

static int
exit_with_idx(const void *arg, int idx)
{
	(void)arg;
	return idx;
}

/* Fails the first time it runs as worker idx, then succeeds. */
static int
fail_once(const void *arg, int idx)
{
	char path[128];
	int fd;

	(void)arg;
	snprintf(path, sizeof(path), "%s/ran-%d", dir, idx);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0) {
		close(fd);
		return 7;
	}
	return 0;
}

static int
wait_for_sigterm(const void *arg, int idx)
{
	(void)arg;
	(void)idx;
	signal(SIGTERM, SIG_DFL);
	for (;;)
		pause();
	return 0;
}

static int reaped_count[4];

static void
count_reaped(const void *arg, int idx)
{
	(void)arg;
	reaped_count[idx]++;
}

static void
returns_the_worst_exit_status(void **state)
{
	struct prefork p = { .n = 4, .child = exit_with_idx, .stop = &stop,
	    .reaped = count_reaped };
	int i;

	(void)state;
	stop = 0;
	memset(reaped_count, 0, sizeof(reaped_count));
	assert_int_equal(prefork_run(&p), 3);
	for (i = 0; i < 4; i++)
		assert_int_equal(reaped_count[i], 1); /* each ended worker reported once, by index */
}

static void
a_failed_worker_is_started_again(void **state)
{
	struct prefork p = { .n = 2, .child = fail_once, .stop = &stop, .restart = true };
	char path[128];

	(void)state;
	stop = 0;
	snprintf(dir, sizeof(dir), "/tmp/test_prefork-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(prefork_run(&p), 7); /* each failed once, then ended cleanly */
	snprintf(path, sizeof(path), "%s/ran-0", dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/ran-1", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void
stop_passes_sigterm_on_and_waits(void **state)
{
	struct prefork p = { .n = 3, .child = wait_for_sigterm, .stop = &stop, .restart = true,
	    .restart_clean = true };
	struct sigaction sa;

	(void)state;
	stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: waitpid wakes */
	alarm(1);
	assert_int_equal(prefork_run(&p), 1); /* killed by the SIGTERM passed on, not restarted */
	assert_int_equal(stop, 1);
	signal(SIGALRM, SIG_DFL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(returns_the_worst_exit_status),
		cmocka_unit_test(a_failed_worker_is_started_again),
		cmocka_unit_test(stop_passes_sigterm_on_and_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
