#!/usr/bin/env bash
# Segments go up while ffmpeg encodes. A SIGTERM then (before the master
# playlist, the point of no return) hands the job back, not counted as an
# attempt, and removes every object the attempt had uploaded; another runner
# publishes one complete output.
. "$(dirname "$0")/../lib/flow.sh"
park_queued_jobs
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner t61b >/dev/null 2>&1
	[ -n "${PID_A:-}" ] && kill "$PID_A" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=650:duration=480" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/a.mp3"
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
HLS=$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID
segs() { find "$HLS" -type f -name 'seg_*._S3rver_object' 2>/dev/null | wc -l; }
objects() { find "$HLS" -type f -name '*._S3rver_object' 2>/dev/null | wc -l; }
"$BIN/mustory-runner" --name t61a >>"$STACK_DIR/logs/runner-t61a.log" 2>&1 &
PID_A=$!
complete "$TOK" "$TRACK_ID"
for ((i = 0; i < 600; i++)); do [ "$(segs)" -ge 6 ] && break; sleep 0.1; done
track_status "$TOK" "$TRACK_ID"
P=$(jget .progress)
N=$(segs)
cmp_ok "$N" -ge 6 "segments uploaded while encoding ($N)"
cmp_ok "$P" -lt 90 "the transcode is still running (progress $P)"
is "$(find "$HLS" -name 'master.m3u8*' 2>/dev/null | wc -l)" 0 "no master playlist yet"
kill -TERM "$PID_A"
wait "$PID_A"; rc=$?
PID_A=
is "$rc" 0 "runner exits 0 on SIGTERM"
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select state || ' ' || attempts || ' ' || coalesce(lease_owner, '-') from jobs where id = $JOB")" \
	"queued 0 -" "handed back: queued, attempt not counted, lease cleared"
is "$(psql_q "select outcome from job_runs where job_id = $JOB")" handed_back "run recorded as handed_back"
is "$(objects)" 0 "every object the attempt uploaded was removed"
like "$(cat "$STACK_DIR/logs/runner-t61a.log")" "removing the [0-9]+ objects this attempt uploaded" \
	"the runner says it removed them"
"$ROOT/scripts/stack.sh" start-runner t61b >/dev/null 2>&1
wait_status "$TOK" "$TRACK_ID" completed 180
is "$(jget .status)" completed "another runner completes it"
is "$(ls "$HLS" | wc -l)" 1 "one HLS prefix in storage"
PREFIX=$(psql_q "select hls_prefix from tracks where id = '$TRACK_ID'")
is "hls/$TRACK_ID/$(ls "$HLS")" "$PREFIX" "and it is the track's"
done_testing
