#!/usr/bin/env bash
# DELETE while storage is down: 204 at once and the track is gone from the
# API (404); the purge cannot delete yet and retries with backoff, past the
# runner's JOB_MAX_ATTEMPTS (a purge never gives up while anything is
# left); once storage is back it deletes every object of the track.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/purge.sh"
park_queued_jobs
R=t77
PID_B=
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	[ -n "$PID_B" ] && kill "$PID_B" 2>/dev/null && wait "$PID_B" 2>/dev/null
	"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
TOK=$(token)
S3=$STACK_DIR/s3/$STORAGE_BUCKET
objects() { find "$S3/tracks/$1" "$S3/hls/$1" "$S3/art/$1" -type f -name '*._S3rver_object' 2>/dev/null | wc -l; }
make_audio "$TMP/a.mp3" 6
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
ID=$TRACK_ID
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
complete "$TOK" "$ID"
wait_status "$TOK" "$ID" completed 120
is "$(jget .status)" completed "completed"
"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
N=$(objects "$ID")
cmp_ok "$N" -ge 5 "its objects are in storage ($N)"

"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS" 204 "DELETE with storage down: 204"
track_status "$TOK" "$ID"
is "$STATUS:$(jget .code)" "404:track_not_found" "status: 404 at once"
api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS" 404 "a second DELETE: 404"
PURGE=$(psql_q "select id from jobs where kind = 'purge' and payload->>'track_id' = '$ID'")
ok "a purge job was queued" test -n "$PURGE"

# A runner allowed 2 attempts: the purge goes on past them.
(export JOB_MAX_ATTEMPTS=2; exec "$BIN/mustory-runner" --name ${R}b) >>"$STACK_DIR/logs/runner-${R}b.log" 2>&1 &
PID_B=$!
for ((i = 0; i < 480; i++)); do
	n=$(psql_q "select count(*) from job_runs where job_id = ${PURGE:-0} and outcome = 'retry'")
	[ "$n" -ge 3 ] && break
	sleep 0.25
done
cmp_ok "$n" -ge 3 "the purge retried $n times while storage was down"
like "$(psql_q "select state from jobs where id = ${PURGE:-0}")" '^(queued|running)$' \
	"  and has not given up (max_attempts $(psql_q "select max_attempts from jobs where id = ${PURGE:-0}"))"
EP=${STORAGE_ENDPOINT//./\\.}
like "$(psql_q "select last_error from jobs where id = ${PURGE:-0}")" "^storage at $EP refused the connection" \
	"  last_error says why"
is "$(objects "$ID")" "$N" "nothing was deleted yet"

"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
for ((i = 0; i < 240; i++)); do
	[ "$(objects "$ID")" = 0 ] && break
	sleep 0.25
done
is "$(objects "$ID")" 0 "storage back: every object of the track is gone"
for ((i = 0; i < 120; i++)); do
	[ "$(psql_q "select outcome from job_runs where job_id = ${PURGE:-0} order by id desc limit 1")" = deferred ] && break
	sleep 0.25
done
like "$(psql_q "select message from job_runs where job_id = ${PURGE:-0} order by id desc limit 1")" \
	"^deferred for [0-9]+ s: $N objects deleted; the track's upload forms are valid" \
	"the purge deleted them all ($N), and looks again when the upload forms expire"
ok "then it succeeds" purge_after_forms "$ID" "${PURGE:-0}"
is "$(psql_q "select count(*) from tracks where id = '$ID'")" 0 "and the row is gone"
done_testing
