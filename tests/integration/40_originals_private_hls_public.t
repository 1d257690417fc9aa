#!/usr/bin/env bash
# Storage is public-read only where the design says (hls/ and art/), as a
# bucket policy would be: once a track is completed its hls_url plays
# anonymously (with CORS for a browser player), while an anonymous GET or
# HEAD of its original (tracks/<id>/original.<ext>) or of the uploaded
# artwork (tracks/<id>/artwork.<ext>) is 403 AccessDenied.
. "$(dirname "$0")/../lib/flow.sh"
R=t40
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
make_audio "$TMP/a.mp3" 8
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=64x64:rate=1" -frames:v 1 "$TMP/cover.jpg"

api POST /tracks/upload/init "$(jq -nc --argjson s "$(stat -c %s "$TMP/a.mp3")" \
	'{title:"Private", artist_name:"A", file_extension:"mp3", file_size:$s, artwork_extension:"jpg"}')" "$TOK"
is "$STATUS" 201 "init"
INIT=$BODY
ID=$(jq -r .track_id <<<"$INIT")
post_form "$(jq -r .audio_upload_url <<<"$INIT")" "$(jq -c .audio_upload_fields <<<"$INIT")" "$TMP/a.mp3"
is "$STATUS" 204 "audio POST"
post_form "$(jq -r .artwork_upload_url <<<"$INIT")" "$(jq -c .artwork_upload_fields <<<"$INIT")" "$TMP/cover.jpg"
is "$STATUS" 204 "artwork POST"
complete "$TOK" "$ID"
is "$STATUS" 202 "complete"
ok "completed" wait_status "$TOK" "$ID" completed 90

api GET "/tracks/$ID" "" "$TOK"
HLS=$(jget .hls_url)
like "$HLS" "^$STORAGE_PUBLIC_URL/hls/$ID/" "hls_url under hls/"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$HLS")" 200 "anonymous GET of hls_url: 200"
GOT=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$HLS")
ok "hls_url plays anonymously (ffprobe reads ${GOT:-nothing} s)" awk -v d="$GOT" 'BEGIN { exit !(d > 6 && d < 10) }'

ORIG=$(psql_q "select original_audio_key from tracks where id = '$ID'")
ART=$(psql_q "select artwork_key from tracks where id = '$ID'")
is "$ORIG" "tracks/$ID/original.mp3" "the original's key"
for key in "$ORIG" "$ART"; do
	name=${key/$ID/<id>}
	code=$(curl -s -o "$TMP/denied" -w '%{http_code}' --max-time 10 "$STORAGE_PUBLIC_URL/$key")
	is "$code" 403 "anonymous GET of $name: 403"
	like "$(cat "$TMP/denied")" '<Error><Code>AccessDenied</Code><Message>Access Denied</Message>' "S3's AccessDenied XML"
	is "$(curl -s -I -o /dev/null -w '%{http_code}' --max-time 10 "$STORAGE_PUBLIC_URL/$key")" 403 "anonymous HEAD of $name: 403"
done
is "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' --max-time 10 "$STORAGE_PUBLIC_URL/hls/../$ORIG")" 403 \
	"hls/../ does not reach the original"
# the app's own reads are signed and still work: the runner read the original
is "$(psql_q "select state from jobs where track_id = '$ID'")" succeeded "the runner's signed read of the original worked"

H=$(curl -s -D - -o /dev/null --max-time 10 -H 'Origin: http://localhost:5173' "$HLS")
like "$H" $'[Aa]ccess-[Cc]ontrol-[Aa]llow-[Oo]rigin: \\*\r' "hls_url answers a browser's Origin with Access-Control-Allow-Origin"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X OPTIONS -H 'Origin: http://localhost:5173' \
	-H 'Access-Control-Request-Method: GET' "$HLS")" 200 "CORS preflight for hls_url: 200"
diag "artwork_url: $(jget .artwork_url)"
done_testing
