/*
 * The cap on storage calls (lib/gate.c) and the own socket's safety
 * (fcgi/own_socket.c): places shared across fork, never more than the cap,
 * a dead worker's place given back; a live socket refused, a stale one
 * replaced, a replaced file left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "gate.h"
#include "own_socket.h"

static void
cap_holds(void **state)
{
	struct gate g;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(gate_open(&g, 4, 2, &e), OK);
	assert_true(gate_enter(&g, 0));
	assert_true(gate_enter(&g, 3));
	assert_false(gate_enter(&g, 1)); /* the cap is reached */
	assert_false(gate_enter_wait(&g, 1, 20)); /* and stays reached */
	assert_int_equal(gate_held(&g), 2);
	gate_leave(&g, 0);
	assert_true(gate_enter(&g, 1));
	assert_false(gate_enter(&g, 7)); /* no such slot */
	gate_leave(&g, 1);
	gate_leave(&g, 3);
	assert_int_equal(gate_held(&g), 0);
	gate_close(&g);
	/* no gate (CGI, an inherited socket): always let in */
	assert_true(gate_enter(NULL, 0));
	assert_true(gate_enter(&g, 0));
	err_clear(&e);
	assert_int_equal(gate_open(&g, 2, 3, &e), ERR_INVALID);
	assert_int_equal(gate_open(&g, 2, 0, &e), ERR_INVALID);
}

/* A worker killed with -9 while holding a place: the parent gives it back. */
static void
shared_across_fork_and_kill9(void **state)
{
	struct gate g;
	struct errbuf e;
	int st, p[2];
	pid_t pid;
	char c;

	(void)state;
	err_clear(&e);
	assert_int_equal(gate_open(&g, 2, 1, &e), OK);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (gate_enter(&g, 1))
			(void)write(p[1], "y", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(gate_held(&g), 1);
	assert_false(gate_enter(&g, 0)); /* the child's place is seen here */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(gate_held(&g), 1); /* a count would leak; the slot is still up */
	gate_leave(&g, 1);                  /* what the supervisor does for a reaped worker */
	assert_true(gate_enter(&g, 0));
	close(p[0]);
	gate_close(&g);
}

/* A listener on path that stays alive (a child) */
static pid_t
listener(const char *path)
{
	struct sockaddr_un sa;
	int p[2], fd;
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		strcpy(sa.sun_path, path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0)
			_exit(1);
		(void)write(p[1], "y", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void
own_socket_safety(void **state)
{
	char dir[] = "/tmp/mustory-sock-XXXXXX", path[128], other[128];
	struct own_socket s;
	struct errbuf e;
	struct stat st;
	pid_t pid;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/api.sock", dir);
	snprintf(other, sizeof(other), "%s/moved.sock", dir);

	/* live: refused, left alone */
	pid = listener(path);
	err_clear(&e);
	assert_int_equal(own_socket_open(&s, path, 8, &e), ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "another mustory-api is listening on"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(stat(path, &st), 0);

	/* stale (its listener gone): replaced */
	err_clear(&e);
	assert_int_equal(own_socket_open(&s, path, 8, &e), OK);
	assert_int_equal((int)(stat(path, &st) == 0 && S_ISSOCK(st.st_mode)), 1);
	assert_int_equal(st.st_mode & 0777, 0660);
	own_socket_close(&s);
	assert_int_not_equal(stat(path, &st), 0); /* its own: removed */

	/* replaced while it ran: the new file stays */
	err_clear(&e);
	assert_int_equal(own_socket_open(&s, path, 8, &e), OK);
	assert_int_equal(rename(path, other), 0);
	pid = listener(path);
	own_socket_close(&s);
	assert_int_equal(stat(path, &st), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	unlink(other);

	/* not a socket: refused, untouched */
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	err_clear(&e);
	assert_int_equal(own_socket_open(&s, path, 8, &e), ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "is not a socket"));
	assert_int_equal(stat(path, &st), 0);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cap_holds),
		cmocka_unit_test(shared_across_fork_and_kill9),
		cmocka_unit_test(own_socket_safety),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
