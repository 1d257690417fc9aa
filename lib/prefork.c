#include "prefork.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static pid_t prefork_spawn(const struct prefork *p, int idx);
static void prefork_pause(void);
static void prefork_forward(const pid_t *pids, int n);
static int prefork_reaped(const struct prefork *p, pid_t *pids, int i, int status);

void
prefork_signals(void (*on_stop)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* A second, cut short by a signal. */
static void
prefork_pause(void)
{
	struct timespec ts = { 1, 0 };

	(void)nanosleep(&ts, NULL);
}

/* Fork worker idx (retrying each second while fork fails); -1 once stopping. */
static pid_t
prefork_spawn(const struct prefork *p, int idx)
{
	pid_t parent = getpid(), pid;

	while ((pid = fork()) < 0) {
		log_warn("fork");
		prefork_pause();
		if (*p->stop)
			return -1;
	}
	if (pid > 0)
		return pid;
	if (p->die_with_parent) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	_exit(p->child(p->arg, idx));
}

static void
prefork_forward(const pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)kill(pids[i], SIGTERM);
}

/* Worker i ended with status: log it, start another if wanted. Returns its exit status. */
static int
prefork_reaped(const struct prefork *p, pid_t *pids, int i, int status)
{
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	bool again = !*p->stop && (clean ? p->restart_clean : p->restart);
	pid_t pid = pids[i];

	pids[i] = -1;
	if (p->reaped != NULL)
		p->reaped(p->arg, i);
	if (!clean || again)
		log_warnx("worker %d (pid %ld) %s (%s %d)%s", i, (long)pid,
		    clean ? "exited" : "ended badly", WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    again ? "; starting another" : "");
	if (again) {
		prefork_pause();
		if (!*p->stop)
			pids[i] = prefork_spawn(p, i);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
prefork_run(const struct prefork *p)
{
	pid_t *pids, pid;
	int i, alive = 0, status, code, worst = 0;
	bool forwarded = false;

	if ((pids = calloc((size_t)p->n, sizeof(*pids))) == NULL) {
		log_errx("out of memory");
		return 1;
	}
	for (i = 0; i < p->n; i++)
		if ((pids[i] = prefork_spawn(p, i)) > 0)
			alive++;
	while (alive > 0) {
		if (*p->stop && !forwarded) {
			log_info("stopping: passing SIGTERM to %d workers and waiting for them", alive);
			prefork_forward(pids, p->n);
			forwarded = true;
		}
		if ((pid = waitpid(-1, &status, 0)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < p->n && pids[i] != pid; i++)
			;
		if (i == p->n)
			continue;
		alive--;
		if ((code = prefork_reaped(p, pids, i, status)) > worst)
			worst = code;
		if (pids[i] > 0)
			alive++;
	}
	free(pids);
	return worst;
}
