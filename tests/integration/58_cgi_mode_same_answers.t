#!/usr/bin/env bash
# Plain CGI (RFC 3875, as Apache mod_cgi runs it): mustory-api started with
# GATEWAY_INTERFACE set serves one request from the environment and standard
# input with the same handlers, writes one response on standard output and
# exits. Same status and body as through nginx for healthz, init, status,
# 401, 404, 405, 415, 422; configuration from ENV_FILE (as Apache's SetEnv
# passes it). The path comes from SCRIPT_NAME + PATH_INFO, else REQUEST_URI
# (decoded), never DOCUMENT_URI.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"

gw_envfile "$TMP/api.env"
GW_ENV=(ENV_FILE="$TMP/api.env")
user=$(new_user)
tok=$(token "$user")

# same NAME METHOD PATH [BODY] [TOKEN]: nginx and CGI answer the same
same() {
	local name=$1 m=$2 p=$3 b=${4:-} t=${5:-} ns nb
	api "$m" "$p" "$b" "$t"
	ns=$STATUS nb=$BODY
	cgi_call "$m" "$p" "$b" "$t"
	is "$STATUS" "$ns" "$name: same status ($ns)"
	is "$BODY" "$nb" "$name: same body"
}

cgi_call GET /healthz
is "$STATUS $(gw_header Content-Type)" "200 application/json" "CGI healthz: 200 JSON"
is "$CGI_RC" 0 "the program exits 0 after its one request"
like "$(jget .version)" '^[0-9]+\.[0-9]+' "healthz names the version"
same "healthz" GET /healthz

cgi_call POST /tracks/upload/init \
	'{"title":"CGI Song","artist_name":"Me","file_extension":"mp3","file_size":1000}' "$tok"
is "$STATUS" 201 "CGI init: 201 (the body read from standard input, the token from HTTP_AUTHORIZATION)"
id=$(jget .track_id)
cgi_keys=$(jq -c 'keys' <<<"$BODY")
init_upload "$tok" /etc/hostname mp3
is "$cgi_keys" "$(jq -c 'keys' <<<"$BODY")" "init: the same fields as through nginx"
same "status of the CGI-made track" GET "/tracks/upload/status/$id" "" "$tok"
same "track" GET "/tracks/$id" "" "$tok"
body='{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}'
same "401 no token" POST /tracks/upload/init "$body" ""
same "401 bad token" POST /tracks/upload/init "$body" "not.a.token"
same "404 unknown track" GET "/tracks/upload/status/$(new_user)" "" "$tok"
same "404 someone else's track" GET "/tracks/$id" "" "$(token "$(new_user)")"
same "404 no such route" GET /tracks/a/b "" "$tok"
same "405 GET on init" GET /tracks/upload/init "" "$tok"
cgi_call GET /tracks/upload/init "" "$tok"
is "$(gw_header Allow)" POST "405: Allow: POST"
same "422 invalid field" POST /tracks/upload/init \
	'{"title":"t","artist_name":"a","file_extension":"exe","file_size":10}' "$tok"
same "422 non-UUID track id" GET /tracks/upload/status/nope "" "$tok"
same "400 malformed JSON" POST /tracks/upload/init '{"title":' "$tok"
CT=text/plain same "415 not JSON" POST /tracks/upload/init "$body" "$tok"
cgi_call POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS $(jget .code)" "409 upload_missing" "complete before the upload: 409 upload_missing (storage checked from CGI)"

# Where the path comes from: the variables every gateway sets.
cgi_call GET "/tracks/upload/status/$id" "" "$tok" SCRIPT_NAME=/tracks PATH_INFO="/upload/status/$id"
is "$STATUS $(jget .status)" "200 pending" "SCRIPT_NAME=/tracks + PATH_INFO=/upload/status/ID (ScriptAlias /tracks)"
enc=$(sed 's/-/%2D/g' <<<"$id")
cgi_call GET "/x" "" "$tok" PATH_INFO= REQUEST_URI="/tracks/upload/status/$enc?x=1"
is "$STATUS $(jget .status)" "200 pending" "no SCRIPT_NAME/PATH_INFO: REQUEST_URI, decoded, without the query"
cgi_call GET "/x" "" "$tok" PATH_INFO= REQUEST_URI= DOCUMENT_URI="/tracks/upload/status/$id"
is "$STATUS $(jget .detail)" "404 There is no API endpoint at /." "DOCUMENT_URI (nginx's own) is never used"

# A query string without '=' becomes the program's arguments (RFC 3875 4.4): ignored.
gw_vars GET /healthz "" ""
printf '' | env -i GATEWAY_INTERFACE=CGI/1.1 "${GW_ENV[@]}" "${GW_VARS[@]}" "$BIN/mustory-api" --bogus x > "$TMP/cgi.out" 2>"$TMP/cgi.err"
gw_parse "$TMP/cgi.out"
is "$STATUS" 200 "CGI arguments from a search query are ignored"

# Configuration missing: a message on stderr (the web server's log), no answer made up.
printf '' | env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=/healthz "$BIN/mustory-api" > "$TMP/cgi.out" 2>"$TMP/cgi.err"
rc=$?
cmp_ok "$rc" -ne 0 "no configuration: exits non-zero"
like "$(cat "$TMP/cgi.err")" "configuration: DATABASE_URL is not set" "and says what is missing on stderr"

ok "no sanitizer reports from the CGI runs" bash -c "! grep -q -E 'Sanitizer|runtime error' '$TMP/cgi.all.err'"

done_testing
