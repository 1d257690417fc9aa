#!/usr/bin/env bash
# What a multipart upload refuses: storage refuses a part of another size
# than its URL signed; complete with a part missing is 409 upload_incomplete
# naming it; part URLs that expired are refused by storage and re-signed by
# /tracks/upload/parts; a file under 5 MiB is one part; a file over
# MAX_UPLOAD_BYTES is 413 as today; a bad upload_mode is 422; /parts is 409
# for a POST-mode or finished track and 404 for someone else's. The POST
# mode's answer keeps exactly its fields.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
PS=5242880
cleanup() { restart_api; rm -rf "$TMP"; }
trap cleanup EXIT
restart_api MULTIPART_PART_BYTES=$PS
U=$(new_user)
TOK=$(token "$U")

# -- a part of the wrong size
head -c $((PS + 1000)) /dev/urandom >"$TMP/a.wav"
mp_init "$TOK" $((PS + 1000))
is "$STATUS" 201 "init: 201"
is "$(jq -c '[.audio_multipart.parts[] | [.part_number, .size]]' <<<"$INIT")" "[[1,$PS],[2,1000]]" "2 parts"
ID=$TRACK_ID
mp_split "$TMP/a.wav" $PS
head -c $((PS + 1)) /dev/urandom >"$TMP/wrong"
mp_put "$(mp_url "$INIT" 1)" "$TMP/wrong"
is "$STATUS" 403 "a part one byte too long: storage refuses it (403)"
like "$BODY" "<Code>SignatureDoesNotMatch</Code>" "  SignatureDoesNotMatch: the URL signed content-length"
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.1"
is "$STATUS" 403 "part 1's bytes to part 2's URL: refused"
mp_parts "$TOK" "$ID"
is "$(jq -c '[(.parts_done | length), [.parts[].part_number]]' <<<"$BODY")" "[0,[1,2]]" "nothing was stored"

# -- complete with a part missing
mp_put "$(mp_url "$INIT" 1)" "$TMP/part.1"
is "$STATUS" 200 "part 1 stored"
complete "$TOK" "$ID"
is "$STATUS" 409 "complete with part 2 missing: 409"
is "$(jget .code)" upload_incomplete "  upload_incomplete"
is "$(jget .detail)" "Part 2 of 2 is not in storage. Upload it with the URLs from /tracks/upload/parts, then call complete again." \
	"  names the missing part"
is "$(psql_q "select processing_status || ' ' || (select count(*) from jobs where track_id = '$ID') from tracks where id = '$ID'")" \
	"PENDING 0" "  the track stays pending, no job"
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.2"
complete "$TOK" "$ID"
is "$STATUS" 202 "with both parts: 202"
mp_parts "$TOK" "$ID"
is "$STATUS" 409 "/parts once complete: 409"
is "$(jget .code)" upload_not_pending "  upload_not_pending"

# -- /parts for a POST-mode track, for someone else's track, a bad mode
make_audio "$TMP/p.mp3" 1
init_upload "$TOK" "$TMP/p.mp3" mp3
is "$STATUS" 201 "a POST-mode init: 201"
is "$(jq -c 'keys_unsorted' <<<"$BODY")" \
	'["track_id","audio_upload_url","audio_upload_fields","artwork_upload_url","artwork_upload_fields","expires_in"]' \
	"  exactly today's fields (no audio_multipart)"
mp_parts "$TOK" "$(jget .track_id)"
is "$STATUS" 409 "/parts for a POST-mode track: 409"
is "$(jget .code)" not_multipart "  not_multipart"
mp_parts "$(token)" "$ID"
is "$STATUS" 404 "/parts for someone else's track: 404"
is "$(jget .code)" track_not_found "  track_not_found"
api POST /tracks/upload/init '{"title":"t","artist_name":"a","file_extension":"wav","file_size":10,"upload_mode":"tus"}' "$TOK"
is "$STATUS" 422 "upload_mode \"tus\": 422"
is "$(jget .field)" upload_mode "  names upload_mode"

# -- sizes: under 5 MiB one part; over MAX_UPLOAD_BYTES 413
mp_init "$TOK" 12345
is "$(jq -c '[.audio_multipart.part_count, [.audio_multipart.parts[] | [.part_number, .size]]]' <<<"$INIT")" \
	'[1,[[1,12345]]]' "file_size 12345: one part of 12345 bytes"
mp_init "$TOK" $((MAX_UPLOAD_BYTES + 1))
is "$STATUS" 413 "file_size over MAX_UPLOAD_BYTES: 413"
is "$(jget .code)" file_too_large "  file_too_large"

# -- expired part URLs, re-signed by /parts
restart_api MULTIPART_PART_BYTES=$PS UPLOAD_URL_EXPIRES_SECONDS=5
mp_init "$TOK" $((PS + 1000))
is "$(jq .audio_multipart.expires_in <<<"$INIT")" 5 "URLs for 5 seconds"
ID=$TRACK_ID
mp_put "$(mp_url "$INIT" 1)" "$TMP/part.1"
is "$STATUS" 200 "part 1 within the 5 seconds"
sleep 6
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.2"
is "$STATUS" 403 "part 2 after 6 seconds: refused"
like "$BODY" "Request has expired" "  the URL expired"
mp_parts "$TOK" "$ID"
is "$(jq -c '[[.parts_done[].part_number], [.parts[].part_number]]' <<<"$BODY")" "[[1],[2]]" \
	"/parts: part 1 done, a fresh URL for part 2"
mp_put "$(mp_url "$BODY" 2)" "$TMP/part.2"
is "$STATUS" 200 "part 2 with the fresh URL"
complete "$TOK" "$ID"
is "$STATUS" 202 "complete: 202"

done_testing
