/*
 * stages.h: one attempt at a job, as a table of stages (nginx's phase
 * array): download -> probe -> transcode (finished segments uploaded
 * while ffmpeg encodes) -> artwork -> publish (the rest) -> master, then
 * the success is recorded. Each row has a name, a progress band and whether it
 * is past the point of no return; one loop times each stage, reports the
 * band's end as progress, checks for an abort between stages, and logs the
 * stage times once on success. A new stage (analysis, artwork
 * derivatives, a waveform) is a new row and its function.
 */
#ifndef MUSTORY_JOBS_STAGES_H
#define MUSTORY_JOBS_STAGES_H

#include "jobstore.h"
#include "heartbeat.h"
#include "result.h"
#include "worker.h"

/*
 * Run every stage of j's attempt in WORK_DIR/mustory-<pid>-XXXXXX (removed
 * afterwards), then record success (job succeeded, track completed). hb is
 * the attempt's running heartbeat (stopped here before the success is
 * recorded). On failure, what this attempt uploaded is removed and the
 * caller moves the job by the result: ERR_ABORTED when the lease was lost
 * or a stop was asked before the point of no return.
 */
enum result stages_run(struct worker *w, struct job *j, struct heartbeat *hb,
    struct errbuf *e);

/*
 * Remove WORK_DIR/mustory-<pid>-* directories whose process is gone, and
 * first the objects its attempt uploaded (its journal, publish.h) unless
 * they are a track's published output; a directory whose objects cannot
 * be removed yet (storage or database down) stays for the next sweep.
 * Run when a worker starts and before each attempt.
 */
void stages_clean_stale(struct worker *w);

#ifdef UNITTEST
/* Row i of the stage table; false past the last row. */
bool stages_row(size_t i, const char **name, int *lo, int *hi, bool *committed);
#endif

#endif
