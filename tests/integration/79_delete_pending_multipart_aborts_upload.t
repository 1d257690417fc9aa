#!/usr/bin/env bash
# DELETE of a track whose multipart upload is unfinished (PENDING, some parts
# stored): the purge aborts the upload in storage, so its parts are gone and
# the part URLs the phone still holds stop working (NoSuchUpload), and
# nothing is left under tracks/<id>/.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/purge.sh"
. "$ROOT/tests/lib/multipart.sh"
park_queued_jobs
PS=5242880
R=t79
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; restart_api; rm -rf "$TMP"; }
trap cleanup EXIT
restart_api MULTIPART_PART_BYTES=$PS
TOK=$(token)
head -c $((2 * PS + 1000)) /dev/urandom >"$TMP/a.wav"
mp_init "$TOK" "$(stat -c %s "$TMP/a.wav")"
is "$STATUS" 201 "multipart init"
ID=$TRACK_ID
mp_split "$TMP/a.wav" $PS
mp_put "$(mp_url "$INIT" 1)" "$TMP/part.1"
is "$STATUS" 200 "part 1 stored"
mp_parts "$TOK" "$ID"
is "$(jq -c '[.parts_done[].part_number]' <<<"$BODY")" "[1]" "storage holds part 1"

api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS" 204 "DELETE of the pending upload: 204"
mp_parts "$TOK" "$ID"
is "$STATUS:$(jget .code)" "404:track_not_found" "/parts: 404 at once"
complete "$TOK" "$ID"
is "$STATUS" 404 "complete: 404"

PURGE=$(psql_q "select id from jobs where kind = 'purge' and payload->>'track_id' = '$ID'")
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
for ((i = 0; i < 240; i++)); do
	n=$(psql_q "select count(*) from job_runs where job_id = ${PURGE:-0} and message like '%objects deleted%'")
	[ "$n" -ge 1 ] && break
	sleep 0.25
done
cmp_ok "$n" -ge 1 "the purge ran"
like "$(cat "$STACK_DIR/logs/runner-$R.log")" "purge of track $ID: multipart upload aborted" \
	"the runner aborted the multipart upload"
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.2"
is "$STATUS" 404 "a part URL the phone still holds no longer works"
like "$BODY" "NoSuchUpload" "  NoSuchUpload"
is "$(find "$STACK_DIR/s3/$STORAGE_BUCKET/tracks/$ID" -type f 2>/dev/null | wc -l)" 0 \
	"nothing is left under tracks/<id>/"
ok "the purge succeeds" purge_after_forms "$ID" "${PURGE:-0}"
is "$(psql_q "select count(*) from tracks where id = '$ID'")" 0 "and the row is gone"
done_testing
