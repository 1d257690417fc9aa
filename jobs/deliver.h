/*
 * deliver.h: the handler of job kind "webhook" (its row in kinds.c): one
 * attempt to POST one event to one URL, as Standard Webhooks sign it
 * (formats: lib/webhook.h). Every attempt is a job_runs row whose message
 * says what the endpoint answered and how long it took.
 *
 *   2xx                             the job succeeds
 *   no answer in WEBHOOK_TIMEOUT_SECONDS, connection refused or reset,
 *   408, 425, 429, 5xx              transient: retried with JOB_BACKOFF_*,
 *                                   up to the job's max_attempts
 *                                   (WEBHOOK_MAX_ATTEMPTS when queued)
 *   410 Gone                        the URL is disabled (webhook_endpoints)
 *                                   and the job fails: no retry, and no
 *                                   later event is queued for that URL
 *   3xx (never followed), other 4xx the job fails: no retry
 * A job whose URL was disabled after it was queued fails at its next
 * attempt without sending anything.
 */
#ifndef MUSTORY_JOBS_DELIVER_H
#define MUSTORY_JOBS_DELIVER_H

#include <stdbool.h>

#include "config.h"
#include "heartbeat.h"
#include "jobstore.h"
#include "result.h"
#include "worker.h"

enum result deliver_run(struct worker *w, struct job *j, struct heartbeat *hb,
    struct errbuf *e);

/* Can this configuration deliver (WEBHOOK_SECRET is set: it signs)? */
bool deliver_usable(const struct config *cfg);

#endif
