#!/usr/bin/env bash
# A presigned POST can be used again until it expires, also after complete.
# complete records the ETag of the original it checked; the runner reads
# the original with If-Match on it, so other bytes of the same size posted
# with the same form after complete are refused (412): the job fails once,
# with a sentence, and nothing is published. An original left alone passes.
. "$(dirname "$0")/../lib/flow.sh"
R=t45
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
TOK=$(token)
make_audio "$TMP/a.mp3" 6
make_audio "$TMP/b.mp3" 6 "sine=frequency=880:sample_rate=44100"
is "$(stat -c %s "$TMP/b.mp3")" "$(stat -c %s "$TMP/a.mp3")" "the other file has the same size"
ok "and other bytes" bash -c "! cmp -s '$TMP/a.mp3' '$TMP/b.mp3'"

# No runner yet: the swap happens between complete and the download.
init_upload "$TOK" "$TMP/a.mp3" mp3
is "$STATUS" 201 "init"
INIT=$BODY
ID=$(jq -r .track_id <<<"$INIT")
URL=$(jq -r .audio_upload_url <<<"$INIT")
FIELDS=$(jq -c .audio_upload_fields <<<"$INIT")
post_form "$URL" "$FIELDS" "$TMP/a.mp3"
is "$STATUS" 204 "the original POSTed"
complete "$TOK" "$ID"
is "$STATUS" 202 "complete accepted"
is "$(psql_q "select original_etag from tracks where id = '$ID'")" "\"$(md5sum "$TMP/a.mp3" | cut -d' ' -f1)\"" \
	"complete recorded the original's ETag"
post_form "$URL" "$FIELDS" "$TMP/b.mp3"
is "$STATUS" 204 "the same form takes other bytes of the same size after complete"

"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
wait_status "$TOK" "$ID" failed 60
is "$(jget .status)" failed "the track failed"
is "$(jget .error)" "the file changed after the upload was completed; please upload it again" \
	"the error says the file changed"
JOB=$(psql_q "select id from jobs where track_id = '$ID'")
sleep 3 # a retry would have happened by now (backoff 1-4 s)
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "failed 1" \
	"failed after one attempt (permanent)"
like "$(psql_q "select message from job_runs where job_id = $JOB")" "412 PreconditionFailed" \
	"job_runs.message says storage refused the read (412)"
is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$ID" 2>/dev/null | wc -l)" 0 "nothing published"
api GET "/tracks/$ID" "" "$TOK"
is "$(jget .hls_url)" null "no hls_url"

# The same runner reads an original that was left alone (If-Match holds).
ok "upload another" upload "$TOK" "$TMP/a.mp3" mp3
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 60
is "$(jget .status)" completed "an unchanged original completes"
done_testing
