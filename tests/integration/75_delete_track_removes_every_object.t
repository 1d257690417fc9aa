#!/usr/bin/env bash
# DELETE /tracks/{id}: 204 with no body, and every object of the track goes
# from storage (the original and the uploaded cover under tracks/<id>/, both
# HLS attempts under hls/<id>/, the cover derivatives under art/<id>/); the
# track is gone from the API at once (status, track, list, original,
# complete: 404), a second DELETE and someone else's DELETE are 404, and once
# nothing is left the purge deletes the row (its jobs and runs with it).
. "$(dirname "$0")/../lib/flow.sh"
R=t75
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
OTHER=$(token)
S3=$STACK_DIR/s3/$STORAGE_BUCKET
objects() { find "$S3/tracks/$1" "$S3/hls/$1" "$S3/art/$1" -type f -name '*._S3rver_object' 2>/dev/null | wc -l; }
make_audio "$TMP/a.mp3" 8
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=64x64:rate=1" -frames:v 1 "$TMP/cover.jpg"

size=$(stat -c %s "$TMP/a.mp3")
api POST /tracks/upload/init "$(jq -nc --argjson s "$size" \
	'{title:"Gone", artist_name:"A", file_extension:"mp3", file_size:$s, artwork_extension:"jpg"}')" "$TOK"
is "$STATUS" 201 "init with artwork"
ID=$(jget .track_id)
INIT=$BODY
post_form "$(jq -r .audio_upload_url <<<"$INIT")" "$(jq -c .audio_upload_fields <<<"$INIT")" "$TMP/a.mp3"
like "$STATUS" '^2' "audio uploaded"
post_form "$(jq -r .artwork_upload_url <<<"$INIT")" "$(jq -c .artwork_upload_fields <<<"$INIT")" "$TMP/cover.jpg"
like "$STATUS" '^2' "artwork uploaded"
complete "$TOK" "$ID"
wait_status "$TOK" "$ID" completed 120
is "$(jget .status)" completed "completed"

# A second attempt (an operator's retry), so two HLS prefixes are stored.
JOB=$(psql_q "select id from jobs where track_id = '$ID'")
psql_q "update jobs set state = 'failed' where id = $JOB" >/dev/null
"$BIN/mustory-admin" job retry "$JOB" >/dev/null
wait_status "$TOK" "$ID" completed 120
is "$(jget .status)" completed "completed again"
is "$(ls "$S3/hls/$ID" | wc -l)" 2 "two HLS attempts in storage"
cmp_ok "$(ls "$S3/art/$ID" 2>/dev/null | wc -l)" -ge 1 "cover derivatives under art/"
cmp_ok "$(objects "$ID")" -ge 20 "objects of the track in storage ($(objects "$ID"))"
# The upload forms handed out at init have expired (else the purge looks
# again once they have: test 77).
psql_q "update tracks set created_at = now() - interval '1 hour' where id = '$ID'" >/dev/null

api DELETE "/tracks/$ID" "" "$OTHER"
is "$STATUS:$(jget .code)" "404:track_not_found" "someone else's DELETE: 404"
curl -s -D "$TMP/h" -o "$TMP/b" -X DELETE -H "Authorization: Bearer $TOK" "$API_URL/tracks/$ID"
api_record DELETE "/tracks/$ID" "$(sed -n 's/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TMP/h" | head -1)" "" "$TMP/b"
is "$(head -1 "$TMP/h" | tr -d '\r')" "HTTP/1.1 204 No Content" "DELETE: 204"
is "$(stat -c %s "$TMP/b")" 0 "with an empty body"
ok "and no Content-Type" sh -c "! grep -qi '^content-type:' '$TMP/h'"
api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS:$(jget .code)" "404:track_not_found" "second DELETE: 404"
is "$(jget .detail)" "No track $ID among your tracks." "  with GET status's 404 body"

track_status "$TOK" "$ID"
is "$STATUS:$(jget .code)" "404:track_not_found" "status: 404 at once"
api GET "/tracks/$ID" "" "$TOK"
is "$STATUS" 404 "track: 404"
api GET "/tracks/$ID/original" "" "$TOK"
is "$STATUS" 404 "original: 404"
complete "$TOK" "$ID"
is "$STATUS" 404 "complete: 404"
api GET "/tracks?limit=100" "" "$TOK"
is "$STATUS:$(jq --arg id "$ID" '[.tracks[] | select(.track_id == $id)] | length' <<<"$BODY")" "200:0" \
	"list: not among my tracks"

PURGE=$(psql_q "select id from jobs where kind = 'purge' and payload->>'track_id' = '$ID'")
ok "a purge job was queued" test -n "$PURGE"
for ((i = 0; i < 240; i++)); do
	[ "$(psql_q "select state from jobs where id = ${PURGE:-0}")" = succeeded ] && break
	sleep 0.25
done
is "$(psql_q "select state from jobs where id = ${PURGE:-0}")" succeeded "the purge succeeded"
is "$(objects "$ID")" 0 "no object of the track is left under tracks/, hls/, art/"
is "$(psql_q "select count(*) from tracks where id = '$ID'")" 0 "the track's row is gone"
is "$(psql_q "select count(*) from jobs where id = $JOB")" 0 "its transcode job with it"
like "$(psql_q "select message from job_runs where job_id = ${PURGE:-0} and outcome = 'succeeded'")" \
	"^[0-9]+ objects deleted, then the track's row\$" "the purge's run says what it did"
like "$(cat "$STACK_DIR/logs/runner-$R.log")" "purge of track $ID: [0-9]+ objects deleted" "the runner logs it"
api DELETE "/tracks/$ID" "" "$TOK"
is "$STATUS" 404 "DELETE after the purge: 404"
done_testing
