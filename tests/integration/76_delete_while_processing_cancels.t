#!/usr/bin/env bash
# DELETE while the track is being transcoded: its runner sees the cancel at
# its next heartbeat, stops ffmpeg, publishes nothing more, removes what it
# had uploaded and records the job cancelled (run outcome 'cancelled'). The
# purge waits until that runner has stopped, so nothing is uploaded after
# it: nothing is left under hls/<id>/ once it ran, nor later. While the
# upload forms of the track are still valid the purge looks again when they
# expire (deferred), then deletes the row.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/purge.sh"
park_queued_jobs
R=t76
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-runner ${R}b >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=660:duration=480" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/a.mp3"
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
ID=$TRACK_ID
S3=$STACK_DIR/s3/$STORAGE_BUCKET
HLS=$S3/hls/$ID
LOG=$STACK_DIR/logs/runner-$R.log
segs() { find "$HLS" -type f -name 'seg_*._S3rver_object' 2>/dev/null | wc -l; }
objects() { find "$S3/tracks/$ID" "$HLS" "$S3/art/$ID" -type f -name '*._S3rver_object' 2>/dev/null | wc -l; }
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
complete "$TOK" "$ID"
is "$STATUS" 202 "complete accepted"
for ((i = 0; i < 600; i++)); do [ "$(segs)" -ge 4 ] && break; sleep 0.1; done
N=$(segs)
cmp_ok "$N" -ge 4 "segments uploaded while encoding ($N)"
JOB=$(psql_q "select id from jobs where track_id = '$ID'")
is "$(psql_q "select state from jobs where id = $JOB")" running "the job is running"
# A second runner, idle: it may take the purge while the first still works.
"$ROOT/scripts/stack.sh" start-runner ${R}b >/dev/null 2>&1

api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS" 204 "DELETE while processing: 204"
track_status "$TOK" "$ID"
is "$STATUS" 404 "status: 404 at once"
for ((i = 0; i < 240; i++)); do
	[ "$(psql_q "select state from jobs where id = $JOB")" = cancelled ] && break
	sleep 0.25
done
is "$(psql_q "select state || ' ' || coalesce(lease_owner, '-') from jobs where id = $JOB")" "cancelled -" \
	"the job is cancelled, its lease released"
is "$(psql_q "select outcome from job_runs where job_id = $JOB order by id desc limit 1")" cancelled \
	"its run ends 'cancelled'"
like "$(psql_q "select message from job_runs where job_id = $JOB order by id desc limit 1")" \
	"^cancelled during attempt 1, on the runner .*:$R \\(as requested\\)\$" "  and says so"
like "$(cat "$LOG")" "job $JOB track $ID: cancel requested; stopping" "the runner logs the cancel"
like "$(cat "$LOG")" "job $JOB: removing the [0-9]+ objects this attempt uploaded" \
	"  and removes what the attempt uploaded"
like "$(cat "$LOG")" "job $JOB track $ID: running -> cancelled" "  and records the cancel"

PURGE=$(psql_q "select id from jobs where kind = 'purge' and payload->>'track_id' = '$ID'")
ok "a purge job was queued" test -n "$PURGE"
# The purge's pass that deletes (the first whose message says so) starts only
# after the transcode's run ended.
for ((i = 0; i < 240; i++)); do
	n=$(psql_q "select count(*) from job_runs where job_id = ${PURGE:-0} and message like '%objects deleted%'")
	[ "$n" -ge 1 ] && break
	sleep 0.25
done
cmp_ok "$n" -ge 1 "the purge deleted the track's objects"
is "$(psql_q "select bool_and(p.started_at >= t.finished_at) from job_runs p, job_runs t
	where p.job_id = ${PURGE:-0} and t.job_id = $JOB and p.message like '%objects deleted%'")" t \
	"it started after the transcode's runner had stopped"
is "$(psql_q "select coalesce(bool_and(p.outcome = 'deferred' and p.message like '%transcode job is still running%'), true)
	from job_runs p, job_runs t where p.job_id = ${PURGE:-0} and t.job_id = $JOB and p.started_at < t.finished_at")" t \
	"a purge run before that only waited for it (deferred)"
is "$(objects)" 0 "nothing is left of the track in storage"
is "$(psql_q "select state from jobs where id = ${PURGE:-0}")" queued \
	"the purge waits for the upload forms to expire"
like "$(psql_q "select message from job_runs where job_id = ${PURGE:-0} order by id desc limit 1")" \
	"objects deleted; the track's upload forms are valid for [0-9]+ s more, then storage is looked at again" \
	"  and says so (run 'deferred')"
sleep 3
is "$(objects)" 0 "nothing was uploaded after the purge"
# The forms expire (backdated): the purge looks again and deletes the row.
ok "then the purge succeeds" purge_after_forms "$ID" "${PURGE:-0}"
is "$(psql_q "select count(*) from tracks where id = '$ID'")" 0 "and the row is gone"
like "$(psql_q "select string_agg(outcome, ',' order by id) from job_runs where job_id = ${PURGE:-0}")" \
	"^(deferred,)+succeeded\$" "purge runs: deferred..., succeeded"
done_testing
