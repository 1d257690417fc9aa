#!/usr/bin/env bash
# Storage stopped while a job is being processed: the attempt ends 'retry'
# (backoff), and the job completes once storage is back, with one output.
# Storage gone for good: after JOB_MAX_ATTEMPTS the track is FAILED with a
# sentence.
. "$(dirname "$0")/../lib/flow.sh"
PID_B=
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner t35 >/dev/null 2>&1
	[ -n "$PID_B" ] && kill "$PID_B" 2>/dev/null && wait "$PID_B" 2>/dev/null
	"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=600:duration=300" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/a.mp3"
make_audio "$TMP/b.mp3" 10

# 1. storage goes away mid-job and comes back
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
"$ROOT/scripts/stack.sh" start-runner t35 >/dev/null 2>&1
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_progress "$TOK" "$TRACK_ID" 10 60; p=$PROGRESS
cmp_ok "$p" -ge 10 "transcoding (progress $p)"
"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
for ((i = 0; i < 240; i++)); do
	n=$(psql_q "select count(*) from job_runs where job_id = $JOB and outcome = 'retry'")
	[ "$n" -ge 1 ] && break
	sleep 0.25
done
cmp_ok "$n" -ge 1 "the attempt ended 'retry' while storage was down"
# Storage stopped during the transcode, so attempt 1 fails publishing its
# first files (each PUT tried 3 times, then the attempt ends). A later attempt
# may already have failed too, at the download, before storage is back.
EP=${STORAGE_ENDPOINT//./\\.}
like "$(psql_q "select message from job_runs where job_id = $JOB and attempt = 1")" \
	"^storage at $EP refused the connection while writing hls/$TRACK_ID/[0-9a-f]{16}/(a[0-9]+/(init\\.mp4|seg_[0-9]{5}\\.m4s)|waveform\\.json)\$" \
	"attempt 1 says which upload storage refused"
LAST=$(psql_q "select last_error from jobs where id = $JOB")
diag "last_error: $LAST"
like "$LAST" \
	"^storage at $EP refused the connection while (writing hls/$TRACK_ID/[0-9a-f]{16}/(a[0-9]+/(init\\.mp4|seg_[0-9]{5}\\.m4s)|waveform\\.json)|reading tracks/$TRACK_ID/original\\.mp3)\$" \
	"last_error says why: storage refused the connection"
track_status "$TOK" "$TRACK_ID"
is "$(jget .status)" processing "the track is still processing"
"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
wait_status "$TOK" "$TRACK_ID" completed 120
is "$(jget .status)" completed "completed once storage was back"
like "$(psql_q "select string_agg(outcome, ',' order by id) from job_runs where job_id = $JOB")" \
	"^(retry,)+succeeded\$" "runs: retry..., succeeded"
is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID" | wc -l)" 1 "one output published"
"$ROOT/scripts/stack.sh" stop-runner t35 >/dev/null 2>&1

# 2. storage gone for good: a runner allowed 2 attempts gives up with a sentence
ok "upload 2" upload "$TOK" "$TMP/b.mp3" mp3
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
(export JOB_MAX_ATTEMPTS=2; exec "$BIN/mustory-runner" --name t35b) >>"$STACK_DIR/logs/runner-t35b.log" 2>&1 &
PID_B=$!
wait_status "$TOK" "$TRACK_ID" failed 120
is "$(jget .status)" failed "track failed"
ERR=$(jget .error)
diag "error: $ERR"
is "$ERR" "Processing failed 2 times because our storage service was unreachable; this is usually temporary and nothing is wrong with your file. Try again later." \
	"the artist's error is a sentence about storage"
ok "the artist's error names no internal host" test "${ERR#*127.0.0.1}" = "$ERR"
like "$(psql_q "select last_error from jobs where track_id = '$TRACK_ID'")" \
	"^Processing failed 2 times, the last time because storage at http://127.0.0.1:[0-9]+ refused the connection" \
	"the operator's last_error keeps the details"
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select state || ' ' || attempts || ' ' || max_attempts from jobs where id = $JOB")" "failed 2 2" \
	"failed after 2 attempts"
is "$(psql_q "select string_agg(outcome, ',' order by id) from job_runs where job_id = $JOB")" "retry,failed" \
	"runs: retry, failed"
done_testing
