/*
 * kinds.h: the kinds of job a runner knows, as a table (one row a kind:
 * its name in jobs.kind and the function that runs one attempt). The
 * worker claims any kind in the table and runs the row's function; a job
 * of a kind no row names fails permanently (a newer runner's kind met by an
 * older one is left to the newer: it is never claimed, see kinds_names).
 *
 * A run function gets the claimed job and its running heartbeat; it
 * records success itself (job_succeed for the transcode, job_done for a
 * kind that does not decide its track's status) and returns OK, or returns
 * the failure for the worker to move the job by (jobstate.h): ERR_ABORTED
 * when it stopped for a stop or a lost lease, a permanent result when no
 * retry can help, anything else to retry with backoff. e's message is the
 * operator's detail, err_pub the artist's sentence where there is one.
 */
#ifndef MUSTORY_JOBS_KINDS_H
#define MUSTORY_JOBS_KINDS_H

#include <stddef.h>

#include "config.h"
#include "heartbeat.h"
#include "jobstore.h"
#include "result.h"

struct worker; /* worker.h */

typedef enum result (*kind_run_fn)(struct worker *w, struct job *j, struct heartbeat *hb,
    struct errbuf *e);

/*
 * Which workers claim a kind. The main lane's jobs may run for minutes
 * (a transcode); the quick lane's are short calls to other services (a
 * webhook delivery) that must never wait behind them, so a runner that
 * can run quick jobs has one more worker process for that lane alone
 * (jobs/main.c). A --once runner claims both.
 */
enum kind_lane {
	KIND_LANE_MAIN = 1,  /* a row's 0 means this */
	KIND_LANE_QUICK = 2,
};

#define KINDS_MAX 16 /* rows the table may have */

/* The row for kind; NULL when the runner does not know it. */
kind_run_fn kinds_find(const char *kind);

/* Every kind's name, NULL-terminated (static). */
const char *const *kinds_names(void);

/*
 * The kinds of the lanes in `lanes` (a mask of enum kind_lane) that this
 * configuration can run (a delivery needs WEBHOOK_SECRET), NULL-terminated
 * into names (static strings): what a worker's job_claim asks for. Returns
 * how many.
 */
size_t kinds_select(const struct config *cfg, int lanes, const char *names[KINDS_MAX + 1]);

#endif
