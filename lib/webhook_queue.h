/*
 * webhook_queue.h: the statements of the webhooks: queueing an event in
 * the transaction of its change (one job of kind "webhook" per URL), and
 * the endpoints a 410 turned off (table webhook_endpoints). The formats
 * are in webhook.h.
 */
#ifndef MUSTORY_WEBHOOK_QUEUE_H
#define MUSTORY_WEBHOOK_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "result.h"
#include "webhook.h"

/*
 * Queue the event `type` (WEBHOOK_TRACK_*) about track_id for every URL of
 * cfg->webhook_urls that webhook_endpoints has not disabled: one job of
 * kind "webhook" each (track_id NULL: the track may be purged before the
 * delivery; the id is in the payload), all with one new webhook-id and the
 * body built now. Contract:
 * - Call it inside the caller's open transaction (db_begin), after the
 *   change is written and before the commit: the event is then made
 *   exactly when the change commits. It reads the track's row as that
 *   transaction sees it (so the track must still exist: for a deletion,
 *   call it before the row goes), and stamps the body with now(), the
 *   transaction's time, which is the change's updated_at.
 * - No URL configured: nothing is read or written, OK.
 * - On an error (ERR_DB, ERR_NOMEM, ERR_NOT_FOUND for a missing track,
 *   ERR_INVALID for an unknown type) nothing is queued and the caller must
 *   roll back: the change and its event go together or not at all.
 * The jobs' insert trigger wakes the runners at commit.
 */
enum result webhook_enqueue(struct db *db, const struct config *cfg, const char *track_id,
    const char *type, struct errbuf *e);

/*
 * Turn url off after its 410 (reason: the operator's sentence). Later
 * events are not queued for it; re-enabling is deleting its row.
 */
enum result webhook_disable(struct db *db, const char *url, const char *reason,
    struct errbuf *e);

/*
 * Is url turned off? *disabled, and when so *since ("YYYY-MM-DDTHH:MM:SSZ")
 * and the reason into why (may be truncated).
 */
enum result webhook_disabled(struct db *db, const char *url, bool *disabled, char since[32],
    char *why, size_t why_len, struct errbuf *e);

#endif
