#!/usr/bin/env bash
# A resumable upload: init with "upload_mode": "multipart" answers presigned
# UploadPart URLs (each signing its part's content-length) instead of a POST
# form; the parts go to storage in parallel, complete completes the upload
# in storage and queues the one job, the stored original is byte for byte
# the local file (SHA-256, read with a signed GET: tracks/ is private), its
# ETag is the multipart one, and the track plays as HLS like any other.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
R=t65
PS=5242880
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	restart_api
	rm -rf "$TMP"
}
trap cleanup EXIT
restart_api MULTIPART_PART_BYTES=$PS
TOK=$(token)

# A real WAV of ~16 MiB: three 5 MiB parts and a tail.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=85" \
	-ac 2 "$TMP/a.wav"
SIZE=$(stat -c %s "$TMP/a.wav")
COUNT=$(((SIZE + PS - 1) / PS))
is "$COUNT" 4 "the file makes 4 parts of $PS bytes ($SIZE bytes)"

mp_init "$TOK" "$SIZE"
is "$STATUS" 201 "multipart init: 201"
is "$(jq -c '[.audio_upload_url, .audio_upload_fields, .artwork_upload_url, .artwork_upload_fields]' <<<"$INIT")" \
	'[null,null,null,null]' "no POST form for the audio"
is "$(jq -c '.audio_multipart | [.part_size, .part_count, .expires_in, (.upload_id | length > 0)]' <<<"$INIT")" \
	"[$PS,4,900,true]" "audio_multipart: part_size, part_count, expires_in, upload_id"
is "$(jq -c '[.audio_multipart.parts[] | [.part_number, .size]]' <<<"$INIT")" \
	"[[1,$PS],[2,$PS],[3,$PS],[4,$((SIZE - 3 * PS))]]" "every part numbered, the last one the tail"
is "$(jq -r '.audio_multipart.parts[] | .url' <<<"$INIT" | grep -c 'X-Amz-SignedHeaders=content-length%3Bhost&')" 4 \
	"every part URL signs content-length"
is "$(psql_q "select upload_mode || ' ' || multipart_part_size || ' ' || (multipart_upload_id = '$(jq -r .audio_multipart.upload_id <<<"$INIT")') from tracks where id = '$TRACK_ID'")" \
	"multipart $PS true" "the track records the upload id and part size"
ID=$TRACK_ID

# The parts, all at once (a phone on wifi).
mp_split "$TMP/a.wav" $PS
for n in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 120 -T "$TMP/part.$n" "$(mp_url "$INIT" $n)" >"$TMP/st.$n" &
done
wait
is "$(cat "$TMP"/st.* | sort | uniq -c | awk '{print $1 "x" $2}')" "4x200" "storage took the 4 parts in parallel"

mp_parts "$TOK" "$ID"
is "$STATUS" 200 "/parts: 200"
is "$(jq -c '[[.parts_done[].part_number], (.parts | length)]' <<<"$BODY")" "[[1,2,3,4],0]" "/parts: all 4 done, none to upload"

complete "$TOK" "$ID"
is "$STATUS" 202 "complete: 202"
is "$(jget .status)" processing "complete: processing"
is "$(psql_q "select count(*) from jobs where track_id = '$ID'")" 1 "one job"

KEY=$(psql_q "select original_audio_key from tracks where id = '$ID'")
is "$(curl -s -o "$TMP/stored" -D "$TMP/stored.h" -w '%{http_code}' --max-time 60 "$(storage_url "$KEY")")" 200 \
	"signed GET of the stored original"
is "$(sha256sum <"$TMP/stored" | cut -d' ' -f1)" "$(sha256sum <"$TMP/a.wav" | cut -d' ' -f1)" \
	"the stored original's SHA-256 is the local file's"
like "$(tr -d '\r' <"$TMP/stored.h" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')" '^"[0-9a-f]{32}-4"$' \
	"its ETag is the multipart one (md5 of the part md5s, -4)"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$STORAGE_PUBLIC_URL/$KEY")" 403 \
	"anonymous GET of the original: 403"

"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
ok "completed" wait_status "$TOK" "$ID" completed 180
api GET "/tracks/$ID" "" "$TOK"
HLS=$(jget .hls_url)
like "$HLS" "^$STORAGE_PUBLIC_URL/hls/$ID/" "hls_url under hls/"
GOT=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$HLS")
ok "hls_url plays (ffprobe reads ${GOT:-nothing} s of 85)" awk -v d="$GOT" 'BEGIN { exit !(d > 83 && d < 87) }'

done_testing
