#!/usr/bin/env bash
# mustory-admin job cancel: a queued job is cancelled at once (its track
# FAILED with a sentence the app reads), a running one's runner is asked to
# stop and ends it cancelled; nothing left to cancel (or a purge) exits 1.
# mustory-admin track delete: anyone's track, as DELETE /tracks/{id} does
# (gone from the API, its purge queued). Tables for a person, --json for
# scripts; usage errors exit 2.
. "$(dirname "$0")/../lib/flow.sh"
park_queued_jobs
R=t78
ADMIN=$BIN/mustory-admin
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
TOK=$(token)
make_audio "$TMP/a.mp3" 2

# 1. a queued job (no runner yet)
upload "$TOK" "$TMP/a.mp3" mp3 && complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "a job queued"
A=$TRACK_ID
JA=$(psql_q "select id from jobs where track_id = '$A'")
out=$("$ADMIN" --json job cancel "$JA")
is "$?" 0 "job cancel of a queued job: exit 0"
is "$(jq -c . <<<"$out")" "{\"id\":$JA,\"track_id\":\"$A\",\"state\":\"cancelled\",\"cancel_requested\":true}" \
	"job cancel --json"
is "$(psql_q "select state || ' ' || coalesce(last_error, '-') from jobs where id = $JA")" \
	"cancelled cancelled before it ran (an operator cancelled it)" "the job is cancelled, and says why"
track_status "$TOK" "$A"
is "$(jget .status)|$(jget .error)" \
	"failed|Processing was cancelled; upload the track again to have it processed." \
	"the app sees the track failed, with a sentence"
out=$("$ADMIN" job cancel "$JA" 2>&1)
is "$?" 1 "a second cancel: exit 1"
like "$out" "job $JA is cancelled: there is nothing to cancel" "  says why"
is "$("$ADMIN" --json jobs --state cancelled --limit 1000 | jq --argjson j "$JA" '[.[] | select(.id == $j)] | length')" 1 \
	"jobs --state cancelled lists it"
out=$("$ADMIN" --json job retry "$JA")
is "$?:$(jq -r .state <<<"$out")" "0:queued" "a cancelled job can be retried"
like "$("$ADMIN" job cancel "$JA")" "^job $JA track $A: queued -> cancelled\$" "job cancel: a line for a person"

# 2. a running job
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=300" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/long.mp3"
upload "$TOK" "$TMP/long.mp3" mp3 && complete "$TOK" "$TRACK_ID"
B=$TRACK_ID
JB=$(psql_q "select id from jobs where track_id = '$B'")
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
wait_progress "$TOK" "$B" 10 120
cmp_ok "$PROGRESS" -ge 10 "transcoding (progress $PROGRESS)"
like "$("$ADMIN" job cancel "$JB")" "^job $JB track $B: running, its runner is asked to stop" \
	"job cancel of a running job: its runner is asked"
like "$(psql_q "select last_error from jobs where id = $JB")" \
	"^cancel requested \\(an operator cancelled it\\): the runner .*:$R stops at its next heartbeat\$" \
	"  last_error says so"
for ((i = 0; i < 240; i++)); do
	[ "$(psql_q "select state from jobs where id = $JB")" = cancelled ] && break
	sleep 0.25
done
is "$(psql_q "select state from jobs where id = $JB")" cancelled "the runner stopped it: cancelled"
is "$(psql_q "select outcome from job_runs where job_id = $JB order by id desc limit 1")" cancelled \
	"  its run 'cancelled'"
is "$(find "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$B" -type f 2>/dev/null | wc -l)" 0 "  nothing of it left under hls/"
track_status "$TOK" "$B"
is "$(jget .status)" failed "  the track failed"
SUCC=$(psql_q "select id from jobs where state = 'succeeded' and kind = 'transcode_hls' order by id desc limit 1")
if [ -n "$SUCC" ]; then
	"$ADMIN" job cancel "$SUCC" >/dev/null 2>"$TMP/err"
	is "$?" 1 "cancel of a succeeded job: exit 1"
	like "$(cat "$TMP/err")" "is succeeded: there is nothing to cancel" "  says why"
fi

# 3. track delete, anyone's
out=$("$ADMIN" track delete "$A")
is "$?" 0 "track delete: exit 0"
like "$out" "^track $A deleted; purge job [0-9]+ removes its objects\$" "track delete: a line for a person"
track_status "$TOK" "$A"
is "$STATUS" 404 "the owner's status: 404"
api DELETE "/tracks/$A" "" "$TOK"
is "$STATUS" 404 "the owner's DELETE: 404"
"$ADMIN" track delete "$A" >/dev/null 2>"$TMP/err"
is "$?" 1 "a second track delete: exit 1"
like "$(cat "$TMP/err")" "cannot delete track $A: there is no track $A" "  says why"
out=$("$ADMIN" --json track show "$A")
like "$(jq -r .deleted_at <<<"$out")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "track show: deleted_at"
PA=$(jq -r '.jobs[] | select(.kind == "purge") | .id' <<<"$out")
ok "track show: its purge among its jobs" test -n "$PA"
"$ADMIN" job cancel "${PA:-0}" >/dev/null 2>"$TMP/err"
is "$?" 1 "cancel of a purge: exit 1"
like "$(cat "$TMP/err")" "is the purge of a deleted track" "  says why"
"$ADMIN" job retry "$JA" >/dev/null 2>"$TMP/err"
is "$?" 1 "retry of a deleted track's job: exit 1"
like "$(cat "$TMP/err")" "belongs to a deleted track" "  says why"

TOK2=$(token)
upload "$TOK2" "$TMP/a.mp3" mp3
C=$TRACK_ID
out=$("$ADMIN" --json track delete "${C^^}")
is "$?" 0 "track delete --json (an upper-case id): exit 0"
is "$(jq -c '{track_id, deleted, job_id, job_cancelled, cancel_requested}' <<<"$out")" \
	"{\"track_id\":\"$C\",\"deleted\":true,\"job_id\":null,\"job_cancelled\":false,\"cancel_requested\":false}" \
	"track delete --json: a pending track, no job"
is "$(jq -r .purge_job_id <<<"$out")" "$(psql_q "select id from jobs where kind = 'purge' and payload->>'track_id' = '$C'")" \
	"  its purge job"
track_status "$TOK2" "$C"
is "$STATUS" 404 "the owner's status: 404"

for bad in "job cancel x" "job cancel 0" "track delete nope" "track delete" "job cancel 1 2"; do
	# shellcheck disable=SC2086
	"$ADMIN" $bad >/dev/null 2>&1
	is "$?" 2 "usage error: $bad"
done
"$ADMIN" job cancel 999999999 >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:mustory-admin: cannot cancel job 999999999: there is no job 999999999" \
	"cancel of no job: exit 1"
like "$("$ADMIN" --help)" "job cancel ID" "--help names job cancel"
like "$("$ADMIN" --help)" "track delete ID" "--help names track delete"

# The purges finish once the upload forms have expired (backdated here).
psql_q "update tracks set created_at = now() - interval '1 hour' where id in ('$A', '$C');
	update jobs set run_at = now() where kind = 'purge' and payload->>'track_id' in ('$A', '$C')" >/dev/null
for ((i = 0; i < 240; i++)); do
	[ "$(psql_q "select count(*) from tracks where id in ('$A', '$C')")" = 0 ] && break
	sleep 0.25
done
is "$(psql_q "select count(*) from tracks where id in ('$A', '$C')")" 0 "the purges removed both rows"
done_testing
