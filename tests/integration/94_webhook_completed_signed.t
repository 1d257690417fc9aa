#!/usr/bin/env bash
# A completed track sends exactly one track.completed to the configured URL,
# signed as Standard Webhooks sign (checked by the standardwebhooks package
# and again with openssl), its data the very object GET /tracks/{id} answers,
# its timestamp the change's. A runner with WEBHOOK_URLS but no usable
# WEBHOOK_SECRET refuses to start, and never prints the secret.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/webhook.sh"
R=t94
PORT=$((HTTP_PORT + 200))
URL="http://127.0.0.1:$PORT/hooks/mustory"
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; receivers_stop; rm -rf "$TMP"; }
trap cleanup EXIT

# Start-up refuses bad settings, naming the variable.
OUT=$(WEBHOOK_URLS=$URL WEBHOOK_SECRET= "$BIN/mustory-runner" --once 2>&1); rc=$?
is "$rc" 1 "URLs without a secret: the runner does not start"
like "$OUT" "WEBHOOK_SECRET is required when WEBHOOK_URLS is set" "and says why"
BAD="whsec_c2hvcnQtc2VjcmV0LW5vdC0yNA=="
OUT=$(WEBHOOK_URLS=$URL WEBHOOK_SECRET=$BAD "$BIN/mustory-runner" --once 2>&1); rc=$?
is "$rc" 1 "a secret under 24 bytes: refused"
like "$OUT" "WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes" \
	"the message says what a secret is"
is "$(grep -c -- "${BAD#whsec_}" <<<"$OUT")" 0 "the message does not repeat the secret"
OUT=$(WEBHOOK_URLS="$URL,ftp://127.0.0.1/x" WEBHOOK_SECRET=$(webhook_secret) "$BIN/mustory-api" 2>&1 </dev/null); rc=$?
is "$rc" 1 "the API refuses a bad URL list too"
like "$OUT" "WEBHOOK_URLS: entry 2 is not an http:// or https:// URL" "naming the entry"

SECRET=$(webhook_secret)
receiver_start r94 "$PORT" "$SECRET" || bail "no receiver"
WEBHOOK_URLS=$URL WEBHOOK_SECRET=$SECRET "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
make_audio "$TMP/a.wav" 2
ok "upload" upload "$TOK" "$TMP/a.wav" wav
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
ok "track completed" wait_status "$TOK" "$TRACK_ID" completed 120
ok "its webhook job settled" webhook_jobs_settled "$TRACK_ID" 1 60
is "$(webhook_job_field "$TRACK_ID" "$URL" "state || ' ' || attempts || ' ' || (track_id is null)")" \
	"succeeded 1 true" "one job, delivered at the first attempt, not tied to the track row"
like "$(psql_q "select message from job_runs r join jobs j on j.id = r.job_id where j.kind = 'webhook'
	and j.payload->>'track_id' = '$TRACK_ID'")" \
	"^track.completed msg_[A-Za-z0-9_-]{22} delivered to $URL: HTTP 204 in [0-9.]+ s$" \
	"the attempt is recorded with the status and its time"

H=$(hooks r94 "$TRACK_ID")
is "$(grep -c . <<<"$H")" 1 "exactly one delivery about the track"
is "$(jq -r .verified <<<"$H")" true "verified by the standardwebhooks package"
is "$(jq -r .event.type <<<"$H")" track.completed "type track.completed"
is "$(jq -r '.method + " " + .path' <<<"$H")" "POST /hooks/mustory" "POSTed to the URL's path"
is "$(jq -r .content_type <<<"$H")" application/json "Content-Type application/json"
like "$(jq -r .user_agent <<<"$H")" "^Mustory-Webhooks/[0-9]" "User-Agent names us and our version"
like "$(jq -r .id <<<"$H")" "^msg_[A-Za-z0-9_-]{22}$" "webhook-id msg_..."
is "$(jq -r .id <<<"$H")" "$(webhook_job_field "$TRACK_ID" "$URL" "payload->>'webhook_id'")" \
	"the id is the job's"
TS=$(jq -r .timestamp <<<"$H")
like "$TS" "^[0-9]{10}$" "webhook-timestamp in unix seconds"
jq -j .body <<<"$H" > "$TMP/body"
is "$(jq -r .signature <<<"$H")" "$(signature_of "$SECRET" "$(jq -r .id <<<"$H")" "$TS" "$TMP/body")" \
	"the signature is HMAC-SHA256 of id.timestamp.body (openssl)"
like "$(cat "$TMP/body")" '^\{"type":"track.completed","timestamp":"[^"]+","data":\{' \
	"body: type, timestamp, data in that order"

api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jq -S -c .event.data <<<"$H")" "$(jq -S -c . <<<"$BODY")" "data is what GET /tracks/{id} answers"
ETS=$(jq -r .event.timestamp <<<"$H")
like "$ETS" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$' "timestamp in RFC 3339"
is "${ETS:0:19}Z" "$(jget .updated_at)" "the event's time is the change's (updated_at)"
is "$(jq -r .event.data.hls_url <<<"$H")" "$(jget .hls_url)" "it carries the hls_url"
is "$(node "$ROOT/tests/openapi/webhooks.js" "$ROOT/docs/openapi.yaml" "$TMP/r94.jsonl" 2>&1)" \
	"webhooks: 1 deliveries match $ROOT/docs/openapi.yaml" "the body and headers match docs/openapi.yaml (webhooks)"
done_testing
