#!/usr/bin/env bash
# SIGTERM mid-transcode: the runner stops its ffmpeg, hands the job back
# (queued, lease cleared, run 'handed_back', the attempt not counted) and
# exits 0 within a bounded time; another runner then completes the job.
. "$(dirname "$0")/../lib/flow.sh"
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner t37b >/dev/null 2>&1
	[ -n "${PID_A:-}" ] && kill "$PID_A" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=700:duration=360" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/a.mp3"
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
"$BIN/mustory-runner" --name t37a >>"$STACK_DIR/logs/runner-t37a.log" 2>&1 &
PID_A=$!
complete "$TOK" "$TRACK_ID"
wait_progress "$TOK" "$TRACK_ID" 10 60; p=$PROGRESS
cmp_ok "$p" -ge 10 "transcoding (progress $p)"
T0=$(date +%s%N)
kill -TERM "$PID_A"
wait "$PID_A"; rc=$?
PID_A=
MS=$(( ($(date +%s%N) - T0) / 1000000 ))
is "$rc" 0 "runner exits 0 on SIGTERM"
cmp_ok "$MS" -lt 5000 "within 5 s (took $MS ms)"
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select state || ' ' || attempts || ' ' || coalesce(lease_owner, '-') from jobs where id = $JOB")" \
	"queued 0 -" "job handed back: queued, attempt not counted, lease cleared"
is "$(psql_q "select outcome from job_runs where job_id = $JOB")" handed_back "run recorded as handed_back"
"$ROOT/scripts/stack.sh" start-runner t37b >/dev/null 2>&1
wait_status "$TOK" "$TRACK_ID" completed 120
is "$(jget .status)" completed "another runner completes it"
is "$(psql_q "select string_agg(outcome, ',' order by id) from job_runs where job_id = $JOB")" \
	"handed_back,succeeded" "runs: handed_back, succeeded"
done_testing
