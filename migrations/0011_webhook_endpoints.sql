-- Webhooks (issue 15, section 3): the endpoints a receiver turned off. A
-- URL of WEBHOOK_URLS that answered 410 Gone gets a row here; no event is
-- queued for it any more, and a delivery already queued for it is dropped.
-- The operator turns it on again by deleting its row (docs/webhooks.md).
-- The deliveries themselves are jobs of kind 'webhook' (payload: url,
-- webhook_id, type, track_id, body), made in the transaction of the change.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    url         text PRIMARY KEY,
    disabled_at timestamptz NOT NULL DEFAULT now(),
    reason      text NOT NULL
);
