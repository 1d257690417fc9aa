#!/usr/bin/env bash
# A JPEG renamed .mp3 fails once, clearly, with no retries; an operator's
# --retry puts the failed job back in the queue.
. "$(dirname "$0")/../lib/flow.sh"
R=t32
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=320x240:rate=1" -frames:v 1 "$TMP/photo.jpg"
cp "$TMP/photo.jpg" "$TMP/photo.mp3"
ok "upload" upload "$TOK" "$TMP/photo.mp3" mp3
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .status)" failed "track failed"
is "$(jget .error)" "the file is not audio: it looks like a JPEG image" "the error says what the file is"
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jget .hls_url)" null "no hls_url"
sleep 3 # a retry would have happened by now (backoff 1-4 s)
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "failed 1" "failed after one attempt"
is "$(psql_q "select string_agg(outcome, ',') from job_runs where job_id = $JOB")" failed "one run, failed"
is "$(psql_q "select processing_status from tracks where id = '$TRACK_ID'")" FAILED "track row FAILED"
is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID" 2>/dev/null | wc -l)" 0 "nothing published"

# The operator's retry: queued again, attempts 0, track PROCESSING, error cleared.
"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
OUT=$(. "$STACK_DIR/env"; "$BIN/mustory-runner" --retry "$JOB" 2>&1); rc=$?
is "$rc" 0 "--retry exits 0"
like "$OUT" "job $JOB queued again" "--retry says what it did"
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "queued 0" "job queued with attempts 0"
is "$(psql_q "select processing_status || ' ' || coalesce(processing_error, '-') from tracks where id = '$TRACK_ID'")" \
	"PROCESSING -" "track PROCESSING again, error cleared"
OUT=$(. "$STACK_DIR/env"; "$BIN/mustory-runner" --retry "$JOB" 2>&1); rc=$?
isnt=$([ "$rc" != 0 ] && echo yes)
is "$isnt" yes "--retry of a job that is not failed is refused"
like "$OUT" "only a failed job can be retried" "and says why"
# Put it through again so the stack is left clean: it fails the same way.
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .error)" "the file is not audio: it looks like a JPEG image" "fails again the same way"
done_testing
