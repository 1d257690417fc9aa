#!/usr/bin/env bash
# kill -9 of the runner mid-job: its ffmpeg processes die with it, the job
# is taken back when the lease expires (job_runs 'lease_lost'), another
# runner completes it, and exactly one output (one HLS prefix) is published.
. "$(dirname "$0")/../lib/flow.sh"
cleanup() {
	"$ROOT/scripts/stack.sh" kill-runner t34a >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-runner t34b >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=360" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/long.mp3"
ok "upload" upload "$TOK" "$TMP/long.mp3" mp3
"$ROOT/scripts/stack.sh" start-runner t34a >/dev/null 2>&1
PID_A=$(cat "$STACK_DIR/runner-t34a.pid")
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_progress "$TOK" "$TRACK_ID" 10 60; p=$PROGRESS
cmp_ok "$p" -ge 10 "runner A is transcoding (progress $p)"
FF=$(pgrep -f "mustory-$PID_A-" | wc -l)
cmp_ok "$FF" -ge 1 "runner A has ffmpeg processes"
OWNER=$(psql_q "select lease_owner from jobs where track_id = '$TRACK_ID'")
like "$OWNER" ":$PID_A:t34a\$" "the lease is runner A's"

"$ROOT/scripts/stack.sh" kill-runner t34a >/dev/null 2>&1
sleep 0.5
is "$(pgrep -f "mustory-$PID_A-" | wc -l)" 0 "its ffmpeg processes died with it"
is "$(psql_q "select state from jobs where track_id = '$TRACK_ID'")" running "the job still looks running"

T0=$(date +%s)
"$ROOT/scripts/stack.sh" start-runner t34b >/dev/null 2>&1
wait_status "$TOK" "$TRACK_ID" completed 120
is "$(jget .status)" completed "completed by runner B"
diag "taken back and completed $(( $(date +%s) - T0 )) s after runner B started (lease ${JOB_LEASE_SECONDS} s)"
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select string_agg(outcome, ',' order by id) from job_runs where job_id = $JOB")" \
	"lease_lost,succeeded" "runs: lease_lost, then succeeded"
like "$(psql_q "select message from job_runs where job_id = $JOB order by id limit 1")" \
	"t34a stopped renewing its lease" "the lost run says what happened"
like "$(psql_q "select runner from job_runs where job_id = $JOB order by id desc limit 1")" ":t34b\$" \
	"runner B made the output"
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "succeeded 2" "succeeded on attempt 2"
is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID" | wc -l)" 1 "exactly one HLS prefix published"
PREFIX=$(psql_q "select hls_prefix from tracks where id = '$TRACK_ID'")
is "hls/$TRACK_ID/$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID")" "$PREFIX" "and it is the track's hls_prefix"
"$ROOT/scripts/stack.sh" stop-runner t34b >/dev/null 2>&1
is "$(ls "$WORK_DIR" | grep -c "^mustory-$PID_A-")" 0 "runner A's temp dir was cleaned up"
done_testing
