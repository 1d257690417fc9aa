#!/usr/bin/env bash
# A file that is not audio fails its track, which sends track.failed. The
# receiver answers the first delivery 500: the job retries after its
# backoff, and the retry carries the same webhook-id with a fresh
# webhook-timestamp (and so a fresh signature); delivered once in the end,
# every attempt recorded in job_runs. A track that fails because its
# runner died in its last attempt (the rescue fails it) sends one too.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/webhook.sh"
R=t95
PORT=$((HTTP_PORT + 201))
URL="http://127.0.0.1:$PORT/hook"
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; receivers_stop; rm -rf "$TMP"; }
trap cleanup EXIT

SECRET=$(webhook_secret)
receiver_start r95 "$PORT" "$SECRET" --fail-first 1 || bail "no receiver"
# A backoff of 2 s (+-25%) puts the retry in another second than the first try.
JOB_BACKOFF_BASE_SECONDS=2 JOB_BACKOFF_MAX_SECONDS=4 WEBHOOK_URLS=$URL WEBHOOK_SECRET=$SECRET \
	"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=320x240:rate=1" -frames:v 1 "$TMP/photo.jpg"
cp "$TMP/photo.jpg" "$TMP/photo.mp3"
ok "upload" upload "$TOK" "$TMP/photo.mp3" mp3
complete "$TOK" "$TRACK_ID"
ok "track failed" wait_status "$TOK" "$TRACK_ID" failed 60
ok "its webhook job settled" webhook_jobs_settled "$TRACK_ID" 1 60
is "$(webhook_job_field "$TRACK_ID" "$URL" "state || ' ' || attempts")" "succeeded 2" \
	"delivered at the second attempt"
JOB=$(webhook_job_field "$TRACK_ID" "$URL" id)
RUNS=$(psql_q "select outcome || ' ' || message from job_runs where job_id = $JOB order by id")
like "$(sed -n 1p <<<"$RUNS")" "^retry HTTP 500 from $URL in [0-9.]+ s$" "attempt 1 recorded: HTTP 500, retry"
like "$(sed -n 2p <<<"$RUNS")" "^succeeded track.failed msg_[A-Za-z0-9_-]+ delivered to $URL: HTTP 204 in [0-9.]+ s$" \
	"attempt 2 recorded: delivered"

H=$(hooks r95 "$TRACK_ID")
is "$(grep -c . <<<"$H")" 2 "two deliveries about the track"
is "$(jq -r '[.verified, .answered] | @tsv' <<<"$H" | tr '\t\n' ' ,')" "true 500,true 204," \
	"both verified; answered 500, then 204"
is "$(jq -r .id <<<"$H" | sort -u | grep -c .)" 1 "the same webhook-id on the retry"
T1=$(jq -r .timestamp <<<"$H" | sed -n 1p); T2=$(jq -r .timestamp <<<"$H" | sed -n 2p)
cmp_ok "$T2" -gt "$T1" "a fresh webhook-timestamp on the retry ($T1, then $T2)"
is "$(jq -r .signature <<<"$H" | sort -u | grep -c .)" 2 "so a fresh signature"
is "$(jq -r .body <<<"$H" | sort -u | grep -c .)" 1 "the body is the same bytes both times"
is "$(jq -c 'select(.answered >= 200 and .answered < 300)' <<<"$H" | grep -c .)" 1 "delivered exactly once"
E=$(jq -c .event <<<"$H" | sed -n 2p)
is "$(jq -r .type <<<"$E")" track.failed "type track.failed"
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jq -S -c .data <<<"$E")" "$(jq -S -c . <<<"$BODY")" "data is what GET /tracks/{id} answers"
is "$(jq -r .data.processing_error <<<"$E")" "the file is not audio: it looks like a JPEG image" \
	"with the error the artist reads"
is "$(psql_q "select count(*) from jobs where kind = 'webhook' and payload->>'track_id' = '$TRACK_ID'")" 1 \
	"one job for one change"
is "$(node "$ROOT/tests/openapi/webhooks.js" "$ROOT/docs/openapi.yaml" "$TMP/r95.jsonl" 2>&1)" \
	"webhooks: 2 deliveries match $ROOT/docs/openapi.yaml" "the body and headers match docs/openapi.yaml (webhooks)"

# The rescue's failure: what a runner that died in the last attempt leaves
# behind (as test 43 makes it), taken back by a --once runner.
"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
make_audio "$TMP/b.wav" 1
ok "upload B" upload "$TOK" "$TMP/b.wav" wav
B=$TRACK_ID
complete "$TOK" "$B"
JOB=$(psql_q "select id from jobs where track_id = '$B'")
psql_q "update jobs set state = 'running', attempts = max_attempts, lease_owner = 'gone:1:t95x',
	lease_expires_at = now() - interval '1 second', started_at = now() where id = $JOB" >/dev/null
psql_q "insert into job_runs (job_id, attempt, runner) select id, attempts, lease_owner
	from jobs where id = $JOB" >/dev/null
WEBHOOK_URLS=$URL WEBHOOK_SECRET=$SECRET timeout 60 "$BIN/mustory-runner" --once --name t95once \
	>>"$STACK_DIR/logs/runner-t95once.log" 2>&1
is "$?" 0 "--once takes the job back and exits 0"
track_status "$TOK" "$B"
is "$(jget .status)" failed "B failed (lease lost in its last attempt)"
ok "its webhook job settled" webhook_jobs_settled "$B" 1 30
H=$(hooks r95 "$B")
is "$(jq -r '[.verified, .answered, .event.type] | @tsv' <<<"$H" | tr '\t' ' ')" "true 204 track.failed" \
	"one track.failed, verified and delivered (by the --once runner)"
like "$(jq -r .event.data.processing_error <<<"$H")" "^Processing was interrupted [0-9]+ times" \
	"with the sentence the artist reads"
done_testing
