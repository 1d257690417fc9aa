#!/usr/bin/env bash
# The two events not sent by a runner: DELETE /tracks/{id} (the API) and
# `mustory-admin track delete` queue track.deleted in the delete's own
# transaction, and the janitor's expiry of an upload never completed queues
# track.failed in the expiry's. Each is delivered once, verified by the
# standardwebhooks package, its data the track as that transaction saw it.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/webhook.sh"
. "$ROOT/tests/lib/janitor.sh"
R=t98
PORT=$((HTTP_PORT + 202))
URL="http://127.0.0.1:$PORT/hook"
stack() { "$ROOT/scripts/stack.sh" "$@" >/dev/null 2>&1; }
cleanup() {
	stack stop-runner $R
	stack stop-api
	stack start-api
	receivers_stop
	rm -rf "$TMP"
}
trap cleanup EXIT

SECRET=$(webhook_secret)
receiver_start r98 "$PORT" "$SECRET" || bail "no receiver"
export WEBHOOK_URLS=$URL WEBHOOK_SECRET=$SECRET
stack stop-api
stack start-api || bail "the API did not start with webhooks on"
stack start-runner $R
TOK=$(token)

# 1. DELETE through the API (the track is completed first).
make_audio "$TMP/a.wav" 1
ok "upload A" upload "$TOK" "$TMP/a.wav" wav
A=$TRACK_ID
complete "$TOK" "$A"
ok "A completed" wait_status "$TOK" "$A" completed 90
api GET "/tracks/$A" "" "$TOK"
BEFORE=$BODY
api DELETE "/tracks/$A" "" "$TOK"
is "$STATUS" 204 "DELETE A: 204"
ok "A's webhooks settled (completed, deleted)" webhook_jobs_settled "$A" 2 60
H=$(hooks r98 "$A")
is "$(jq -r '[.verified, .answered, .event.type] | @tsv' <<<"$H" | tr '\t' ' ' | sort | paste -sd,)" \
	"true 204 track.completed,true 204 track.deleted" "completed, then deleted: each once, verified"
D=$(jq -c 'select(.event.type == "track.deleted") | .event' <<<"$H")
is "$(jq -r .data.track_id <<<"$D")" "$A" "track.deleted names the track"
is "$(jq -S -c '.data | del(.updated_at)' <<<"$D")" "$(jq -S -c 'del(.updated_at)' <<<"$BEFORE")" \
	"its data is the track as it was when deleted"
is "$(jq -r .id <<<"$H" | sort -u | grep -c .)" 2 "one webhook-id per change"

# 2. The operator's delete (mustory-admin reads the same settings).
ok "upload B" upload "$TOK" "$TMP/a.wav" wav
B=$TRACK_ID
ok "mustory-admin track delete B" bash -c '"$1" track delete "$2" >/dev/null' _ "$ADMIN" "$B"
ok "B's webhook settled" webhook_jobs_settled "$B" 1 60
is "$(hooks r98 "$B" | jq -r '[.verified, .answered, .event.type, .event.data.status] | @tsv' | tr '\t' ' ')" \
	"true 204 track.deleted pending" "track.deleted for the pending track B"

# 3. The janitor's expiry of an upload never completed.
ok "upload C, never completed" upload "$TOK" "$TMP/a.wav" wav
C=$TRACK_ID
backdate "$C" created_at $((86400 + 5))
ok "mustory-admin janitor" bash -c '"$1" janitor >/dev/null' _ "$ADMIN"
ok "C's webhook settled" webhook_jobs_settled "$C" 1 60
F=$(hooks r98 "$C")
is "$(jq -r '[.verified, .answered, .event.type] | @tsv' <<<"$F" | tr '\t' ' ')" "true 204 track.failed" \
	"track.failed for the expired upload, verified"
is "$(jq -r .event.data.processing_error <<<"$F")" "the upload was never completed" \
	"with the sentence the app reads"
track_status "$TOK" "$C"
is "$(jget .status)" failed "C is failed in GET status too"
is "$(node "$ROOT/tests/openapi/webhooks.js" "$ROOT/docs/openapi.yaml" "$TMP/r98.jsonl" 2>&1)" \
	"webhooks: 4 deliveries match $ROOT/docs/openapi.yaml" "the deliveries match docs/openapi.yaml (webhooks)"
done_testing
