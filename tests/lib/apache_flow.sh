# tests/lib/apache_flow.sh: the app's flow and the error cases through
# Apache (APACHE_MODE fcgid or cgi: Apache runs the real mustory-api
# itself), every answer the contract fixes compared byte for byte with
# nginx's. Source after flow.sh with MODE set; then add the mode's own checks.
R=t5x$MODE
NGINX_URL=$API_URL
apache_cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner "$R" >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-apache >/dev/null 2>&1
	rm -rf "$TMP"
}
trap apache_cleanup EXIT
"$ROOT/scripts/stack.sh" stop-apache >/dev/null 2>&1
if ! APACHE_MODE=$MODE "$ROOT/scripts/stack.sh" start-apache >"$TMP/start.log" 2>&1; then
	cat "$TMP/start.log" >&2
	bail "apache ($MODE) did not start"
fi
"$ROOT/scripts/stack.sh" start-runner "$R" >/dev/null 2>&1

hdr() { tr -d '\r' < "$TMP/h" | sed -n "s/^$1: //Ip" | tail -n 1; }
# same NAME METHOD PATH [BODY] [TOKEN] [curl args...]: nginx and Apache give
# the same status, Content-Type and body
same() {
	local name=$1 m=$2 p=$3 b=${4:-} t=${5:-} ns nb nct
	shift $(($# < 5 ? $# : 5))
	API_URL=$NGINX_URL api "$m" "$p" "$b" "$t" -D "$TMP/h" "$@"
	ns=$STATUS nb=$BODY nct=$(hdr Content-Type)
	API_URL=$APACHE_URL api "$m" "$p" "$b" "$t" -D "$TMP/h" "$@"
	is "$STATUS $(hdr Content-Type)" "$ns $nct" "$MODE: $name: same status and type ($ns $nct)"
	is "$BODY" "$nb" "$MODE: $name: same body"
}

API_URL=$APACHE_URL
user=$(new_user)
tok=$(token "$user")

# --- the app's flow, Apache running mustory-api
api GET /healthz
is "$STATUS $(jget .database)" "200 ok" "$MODE: healthz from the real program"
make_audio "$TMP/song.mp3" 6
ok "$MODE: init + the app's POST to storage" upload "$tok" "$TMP/song.mp3" mp3
like "$TRACK_ID" '^[0-9a-f-]{36}$' "$MODE: init answered a track_id (the bearer token got through: CGIPassAuth On)"
track_status "$tok" "$TRACK_ID"
is "$STATUS $(jget .status)" "200 pending" "$MODE: status: pending"
complete "$tok" "$TRACK_ID"
is "$STATUS $(jget .status)" "202 processing" "$MODE: complete: 202"
complete "$tok" "$TRACK_ID"
is "$STATUS" 200 "$MODE: complete again: 200, no second job"
is "$(psql_q "select count(*) from jobs where track_id = '$TRACK_ID'")" 1 "$MODE: one job"
ok "$MODE: the runner completes the track" wait_status "$tok" "$TRACK_ID" completed 120
api GET "/tracks/$TRACK_ID" "" "$tok" -D "$TMP/h"
is "$STATUS $(jget .title) $(jget .status)" "200 Test Track completed" "$MODE: track: 200, completed"
is "$(hdr X-Content-Type-Options) $(hdr Cache-Control)" "nosniff no-store" "$MODE: the site's headers"
hls=$(jget .hls_url)
like "$(curl -s --max-time 10 "$hls")" '^#EXTM3U' "$MODE: playback: the master playlist is served"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$hls")
ok "$MODE: playback: ffprobe reads the HLS, 6 s of it ($dur)" awk -v d="$dur" 'BEGIN { exit !(d > 5 && d < 7) }'
same "track" GET "/tracks/$TRACK_ID" "" "$tok"
same "status" GET "/tracks/upload/status/$TRACK_ID" "" "$tok"
same "healthz" GET /healthz

# --- the error cases
body='{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}'
same "401 no token" POST /tracks/upload/init "$body" ""
same "401 expired token" GET "/tracks/upload/status/$(new_user)" "" \
	"$(jwt_make "$JWT_SECRET" "{\"sub\":\"$user\",\"exp\":$(( $(date +%s) - 60 ))}")"
same "404 unknown track" GET "/tracks/upload/status/$(new_user)" "" "$tok"
same "404 someone else's track" GET "/tracks/$TRACK_ID" "" "$(token "$(new_user)")"
same "404 no such route" GET /tracks/a/b "" "$tok"
same "404 outside the API" GET /nope ""
head -c 200000 /dev/zero | tr '\0' ' ' > "$TMP/big"
same "413 body over 64 KiB" POST /tracks/upload/init "" "$tok" \
	-H 'Content-Type: application/json' --data-binary "@$TMP/big"
same "413 file_size over the limit" POST /tracks/upload/init \
	'{"title":"t","artist_name":"a","file_extension":"mp3","file_size":99999999999}' "$tok"
CT=text/plain same "415 not JSON" POST /tracks/upload/init "$body" "$tok"
same "422 invalid field" POST /tracks/upload/init \
	'{"title":"t","artist_name":"a","file_extension":"exe","file_size":10}' "$tok"
same "422 non-UUID track id" GET /tracks/upload/status/nope "" "$tok"
same "400 malformed JSON" POST /tracks/upload/init '{"title":' "$tok"
same "405 GET on init" GET /tracks/upload/init "" "$tok"
same "405 DELETE on a status" DELETE "/tracks/upload/status/$(new_user)" "" "$tok"
API_URL=$APACHE_URL api GET /tracks/upload/init "" "$tok" -D "$TMP/h"
is "$(hdr Allow)" POST "$MODE: 405 names the method: Allow: POST"
# DELETE reaches the API too (issue 15): someone else's is the same 404,
# the owner's a 204 with no body, then the track is gone. (A track of its
# own: TRACK_ID stays the completed one.)
api POST /tracks/upload/init '{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}' "$tok"
del=$(jget .track_id)
same "404 DELETE of someone else's track" DELETE "/tracks/$del" "" "$(token "$(new_user)")"
API_URL=$APACHE_URL api DELETE "/tracks/$del" "" "$tok" -D "$TMP/h"
is "$STATUS:$BODY:$(hdr Content-Type)" "204::" "$MODE: DELETE: 204, no body, no Content-Type"
same "404 a deleted track" GET "/tracks/upload/status/$del" "" "$tok"
