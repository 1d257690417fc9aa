#!/usr/bin/env bash
# Resume: a phone uploads 2 of 4 parts, loses the connection in the middle of
# a third (storage keeps nothing of a part cut off), and is killed. A fresh
# client knows only the track id: /tracks/upload/parts tells it the 2 parts
# storage holds (with their ETags) and hands it URLs for the 2 others; it
# uploads those, completes, and the one job is queued.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
PS=5242880
cleanup() { restart_api; rm -rf "$TMP"; }
trap cleanup EXIT
restart_api MULTIPART_PART_BYTES=$PS
TOK=$(token)

# 3 parts of 5 MiB and a tail; no playback here, so any bytes do.
head -c $((3 * PS + 4321)) /dev/urandom >"$TMP/a.wav"
SIZE=$(stat -c %s "$TMP/a.wav")
mp_init "$TOK" "$SIZE"
is "$STATUS" 201 "multipart init"
is "$(jq .audio_multipart.part_count <<<"$INIT")" 4 "4 parts"
ID=$TRACK_ID
mp_split "$TMP/a.wav" $PS

# The first client: parts 1 and 3, then part 2 cut off half-way.
declare -A SENT
for n in 1 3; do
	mp_put "$(mp_url "$INIT" $n)" "$TMP/part.$n"
	is "$STATUS" 200 "part $n stored"
	SENT[$n]=$ETAG
done
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.2" --limit-rate 1M --max-time 1
ok "part 2 cut off after a second (curl: $STATUS)" test "$STATUS" != 200

# A fresh client, with nothing but the track id.
mp_parts "$TOK" "$ID"
is "$STATUS" 200 "/parts: 200"
PARTS=$BODY
is "$(jq -c '[.parts_done[] | [.part_number, .size]]' <<<"$PARTS")" "[[1,$PS],[3,$PS]]" \
	"/parts: parts 1 and 3 are done (part 2, cut off, is not)"
is "$(jq -r '.parts_done[] | .etag' <<<"$PARTS" | tr '\n' ' ')" "${SENT[1]} ${SENT[3]} " \
	"/parts: with the ETags storage gave the first client"
is "$(jq -c '[.parts[] | [.part_number, .size]]' <<<"$PARTS")" "[[2,$PS],[4,4321]]" \
	"/parts: fresh URLs for parts 2 and 4 only"
is "$(jq -c '[.upload_id == $i, .part_size, .part_count, .expires_in]' --arg i "$(jq -r .audio_multipart.upload_id <<<"$INIT")" <<<"$PARTS")" \
	"[true,$PS,4,900]" "/parts: the same upload, its part size and count"

for n in 2 4; do
	mp_put "$(mp_url "$PARTS" $n)" "$TMP/part.$n"
	is "$STATUS" 200 "part $n stored by the fresh client"
done
mp_parts "$TOK" "$ID"
is "$(jq -c '[[.parts_done[].part_number], (.parts | length)]' <<<"$BODY")" "[[1,2,3,4],0]" "/parts: all done"

complete "$TOK" "$ID"
is "$STATUS" 202 "complete: 202"
is "$(jget .status)" processing "processing"
is "$(psql_q "select count(*) from jobs where track_id = '$ID'")" 1 "one job"
KEY=$(psql_q "select original_audio_key from tracks where id = '$ID'")
curl -s -o "$TMP/stored" --max-time 60 "$(storage_url "$KEY")"
is "$(sha256sum <"$TMP/stored" | cut -d' ' -f1)" "$(sha256sum <"$TMP/a.wav" | cut -d' ' -f1)" \
	"the stored original is the whole file"

done_testing
