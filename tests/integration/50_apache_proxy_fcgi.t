#!/usr/bin/env bash
# Apache 2.4 with apache/mustory-proxy-fcgi.conf in front of the same API
# socket as nginx: the app's flow works through it (bearer token included:
# Apache withholds Authorization unless CGIPassAuth On), and every answer the
# contract fixes is the same, byte for byte, as nginx's: the API's errors and
# the web server's own (404, 413, 405, 503 with the API down). The fcgid and
# cgi sites are checked with a stand-in program until mustory-api serves
# those modes (then they get tests of their own, like this one).
. "$(dirname "$0")/../lib/flow.sh"
R=t50
NGINX_URL=$API_URL
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-apache >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
if ! APACHE_MODE=proxy-fcgi "$ROOT/scripts/stack.sh" start-apache >"$TMP/start.log" 2>&1; then
	cat "$TMP/start.log" >&2
	bail "apache did not start"
fi
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

# same NAME METHOD PATH [BODY] [TOKEN] [curl args...]: ask nginx and Apache
# the same thing; the status, the body and the Content-Type must be equal.
same() {
	local name=$1 m=$2 p=$3 b=${4:-} t=${5:-} ns nb nct
	shift $(($# < 5 ? $# : 5))
	API_URL=$NGINX_URL api "$m" "$p" "$b" "$t" -D "$TMP/h" "$@"
	ns=$STATUS nb=$BODY nct=$(hdr Content-Type)
	API_URL=$APACHE_URL api "$m" "$p" "$b" "$t" -D "$TMP/h" "$@"
	is "$STATUS $(hdr Content-Type)" "$ns $nct" "$name: same status and type ($ns $nct)"
	is "$BODY" "$nb" "$name: same body"
}
hdr() { tr -d '\r' < "$TMP/h" | sed -n "s/^$1: //Ip" | tail -n 1; }

API_URL=$APACHE_URL

# --- the app's flow, through Apache
user=$(new_user)
tok=$(token "$user")
make_audio "$TMP/song.mp3" 8
ok "init + the app's POST to storage" upload "$tok" "$TMP/song.mp3" mp3
like "$TRACK_ID" '^[0-9a-f-]{36}$' "init answered a track_id (the bearer token got through)"
track_status "$tok" "$TRACK_ID"
is "$STATUS $(jget .status)" "200 pending" "status: pending"
complete "$tok" "$TRACK_ID"
is "$STATUS" 202 "complete: 202"
complete "$tok" "$TRACK_ID"
is "$STATUS" 200 "complete again: 200"
ok "the runner completes the track" wait_status "$tok" "$TRACK_ID" completed 120
api GET "/tracks/$TRACK_ID" "" "$tok" -D "$TMP/h"
is "$STATUS $(jget .title)" "200 Test Track" "track: 200 with its title"
is "$(hdr X-Content-Type-Options) $(hdr Cache-Control)" "nosniff no-store" "the site's headers"
hls=$(jget .hls_url)
like "$(curl -s --max-time 10 "$hls")" '^#EXTM3U' "playback: the master playlist is served"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$hls")
ok "playback: ffprobe reads the HLS, 8 s of it ($dur)" awk -v d="$dur" 'BEGIN { exit !(d > 7 && d < 9) }'
same "track" GET "/tracks/$TRACK_ID" "" "$tok"
same "healthz" GET /healthz

# --- errors: the same answers as through nginx
body='{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}'
same "401 no token" POST /tracks/upload/init "$body" ""
same "401 expired token" GET "/tracks/upload/status/$(new_user)" "" \
	"$(jwt_make "$JWT_SECRET" "{\"sub\":\"$user\",\"exp\":$(( $(date +%s) - 60 ))}")"
same "404 unknown track" GET "/tracks/upload/status/$(new_user)" "" "$tok"
same "404 someone else's track" GET "/tracks/$TRACK_ID" "" "$(token "$(new_user)")"
same "404 outside the API" GET / ""
same "404 unknown path" GET /nope ""
API_URL=$APACHE_URL api GET /index.html "" "" -D "$TMP/h"
is "$STATUS $(hdr Content-Type)" "404 application/json" "404 of a .html path is JSON too"
same "404 near the API" GET /healthz/x ""
same "404 the error files themselves" GET /.mustory-errors/404.json ""
same "404 path traversal" GET /tracks/../etc/passwd "" "" --path-as-is
API_URL=$APACHE_URL api GET /tracks/upload%2Fstatus/x "" "$tok"
is "$STATUS $(jget .code)" "404 not_found" "an encoded slash is Apache's JSON 404"
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
same "405 TRACE (the web server's own)" TRACE /tracks/upload/init ""
same "404 DELETE of someone else's track" DELETE "/tracks/$TRACK_ID" "" "$(token "$(new_user)")"
API_URL=$APACHE_URL api DELETE "/tracks/$TRACK_ID" "" "$tok" -D "$TMP/h"
is "$STATUS:$BODY:$(hdr Content-Type)" "204::" "DELETE through Apache: 204, no body, no Content-Type"
same "404 a deleted track" GET "/tracks/$TRACK_ID" "" "$tok"
API_URL=$APACHE_URL api GET "/tracks/upload/status/$(new_user)" "" "$tok" -H "X-Other: 1"
is "$(jget .code)" track_not_found "a bearer token gets through Apache"

# A chunked body (no Content-Length) still reaches the API whole.
API_URL=$APACHE_URL api POST /tracks/upload/complete "{\"track_id\":\"$(new_user)\"}" "$tok" \
	-H 'Transfer-Encoding: chunked'
is "$STATUS $(jget .code)" "404 track_not_found" "a chunked body reaches the API"

# The API gone: both answer 503 api_unavailable.
"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
same "503 API stopped" GET /healthz
"$ROOT/scripts/stack.sh" start-api >/dev/null 2>&1
API_URL=$APACHE_URL api GET /healthz
is "$STATUS" 200 "API back: Apache serves at once"

# The fcgid and cgi sites give the program the environment nginx gives the
# API (SCRIPT_NAME empty, PATH_INFO the whole path, the bearer token,
# CONTENT_LENGTH) and ENV_FILE in its own environment at start (with mod_fcgid
# it is not among a request's parameters), shown with a stand-in program
# (libfcgi's stdio layer serves both FastCGI on standard input and CGI), and
# answer their own errors as nginx does.
P=$TMP/bin
mkdir -p "$P"; chmod 0755 "$TMP" "$P"
cat > "$TMP/echo.c" <<'C'
#include <fcgi_stdio.h>
#include <stdlib.h>
static const char *v(const char *n) { const char *s = getenv(n); return s != NULL ? s : "(unset)"; }
int main(void) {
	/* the program's own environment: mod_fcgid's FcgidInitialEnv, mod_cgi's SetEnv */
	const char *envfile = v("ENV_FILE");
	while (FCGI_Accept() >= 0) {
		long n = 0, len = atol(v("CONTENT_LENGTH"));
		while (n < len && getchar() != EOF) n++;
		printf("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n");
		printf("SCRIPT_NAME=%s\nPATH_INFO=%s\nHTTP_AUTHORIZATION=%s\nENV_FILE=%s\nCONTENT_LENGTH=%s\nbody=%ld\n",
		    v("SCRIPT_NAME"), v("PATH_INFO"), v("HTTP_AUTHORIZATION"), envfile, v("CONTENT_LENGTH"), n);
	}
	return 0;
}
C
ok "a stand-in program builds" cc -o "$P/mustory-api" "$TMP/echo.c" -lfcgi
want=$(printf '%s\n' "SCRIPT_NAME=" "PATH_INFO=/tracks/upload/init" "HTTP_AUTHORIZATION=Bearer abc.def.ghi" \
	"ENV_FILE=$STACK_DIR/apache/api.env" "CONTENT_LENGTH=7" "body=7")
for mode in fcgid cgi; do
	"$ROOT/scripts/stack.sh" stop-apache >/dev/null 2>&1
	if ! APACHE_MODE=$mode APACHE_BINDIR=$P "$ROOT/scripts/stack.sh" start-apache >"$TMP/start.log" 2>&1; then
		diag "$(cat "$TMP/start.log")"
	fi
	API_RECORD=0 API_URL=$APACHE_URL api POST /tracks/upload/init '{"a":1}' abc.def.ghi
	is "$STATUS $BODY" "200 $want" "$mode: the program's environment (token, path, ENV_FILE, body)"
	API_RECORD=0 API_URL=$APACHE_URL api GET /healthz
	like "$BODY" $'PATH_INFO=/healthz\n' "$mode: /healthz reaches the program"
	if [ "$mode" = fcgid ]; then
		API_RECORD=0 API_URL=$APACHE_URL api POST /tracks/upload/init '{"a":1}' abc.def.ghi -H 'Transfer-Encoding: chunked'
		is "$STATUS $BODY" "200 $want" "fcgid: a chunked body arrives with its CONTENT_LENGTH"
	fi
	same "$mode: 404 outside the API" GET /nope ""
	same "$mode: 413 body over 64 KiB" POST /tracks/upload/init "" "$tok" \
		-H 'Content-Type: application/json' --data-binary "@$TMP/big"
done
API_URL=$APACHE_URL api POST /tracks/upload/init '{"a":1}' "" -H 'Transfer-Encoding: chunked'
is "$STATUS $(jget .code)" "411 length_required" "cgi: a chunked body is asked for a Content-Length"

# The part the three sites share is the same text in all three.
common() { sed -n '/# BEGIN common/,/# END common/p' "$ROOT/apache/mustory-$1.conf"; }
ok "the common block is the same in the three sites" \
	test "$(common proxy-fcgi)" = "$(common fcgid)" -a "$(common proxy-fcgi)" = "$(common cgi)"
ok "every error status has its JSON body" \
	bash -c 'for s in $(grep -o "ErrorDocument [0-9]*" "$1" | cut -d" " -f2); do jq -e .code "$2/$s.json" >/dev/null || exit 1; done' \
	_ "$ROOT/apache/mustory-proxy-fcgi.conf" "$ROOT/apache/errors"

done_testing
