#!/usr/bin/env bash
# Bad input gets the contract's JSON error with the right status, and no row.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
rows_before=$(psql_q "select count(*) from tracks")

check() { # name want_status want_code body [curl args...]
	local name=$1 want=$2 code=$3 body=$4; shift 4
	api POST /tracks/upload/init "$body" "$tok" "$@"
	is "$STATUS" "$want" "$name: $want"
	is "$(jget .code 2>/dev/null)" "$code" "$name: code $code"
	ok "$name: detail is a sentence" test -n "$(jget .detail 2>/dev/null)"
}

check "malformed JSON" 400 malformed_json '{"title": "x",'
check "trailing garbage" 400 malformed_json '{"title":"x"} {}'
check "invalid UTF-8" 400 malformed_json "$(printf '{"title":"\xff\xfe","artist_name":"a","file_extension":"mp3","file_size":1}')"
STATUS=$(printf '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":1}\0\0' |
	curl -s -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' --data-binary @- "$API_URL/tracks/upload/init")
is "$STATUS" 400 "JSON followed by NUL bytes: 400"
is "$(jq -r .code "$TMP/b")" malformed_json "JSON followed by NUL bytes: malformed_json"
check "array body" 422 invalid_body '[1,2,3]'
check "missing title" 422 invalid_field '{"artist_name":"a","file_extension":"mp3","file_size":1}'
is "$(jget .field)" title "missing title: names the field"
check "wrong type" 422 invalid_field '{"title":["x"],"artist_name":"a","file_extension":"mp3","file_size":1}'
check "too long title" 422 invalid_field "$(jq -nc --arg t "$(printf 'x%.0s' {1..201})" '{title:$t,artist_name:"a",file_extension:"mp3",file_size:1}')"
check "unknown extension" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"exe","file_size":1}'
is "$(jget .field)" file_extension "unknown extension: names the field"
check "bad artwork extension" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":1,"artwork_extension":"svg"}'
check "zero size" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":0}'
check "negative size" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":-1}'
check "size as string" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":"1"}'
check "extra field" 422 invalid_field '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":1,"owner_id":"x"}'
check "over the size limit" 413 file_too_large "{\"title\":\"x\",\"artist_name\":\"a\",\"file_extension\":\"mp3\",\"file_size\":$((MAX_UPLOAD_BYTES + 1))}"
check "huge number" 413 file_too_large '{"title":"x","artist_name":"a","file_extension":"mp3","file_size":99999999999999999999999}'
CT=text/plain check "not JSON content type" 415 unsupported_media_type '{"title":"x"}'
check "body over 64 KiB" 413 body_too_large "{\"title\":\"$(head -c 70000 /dev/zero | tr '\0' x)\"}"

is "$(psql_q "select count(*) from tracks")" "$rows_before" "no row was written by any bad request"

# Path and method errors
api GET /tracks/upload/status/not-a-uuid "" "$tok"
is "$STATUS" 422 "non-UUID track id: 422"
is "$(jget .field)" track_id "non-UUID track id: names track_id"
api GET /tracks/upload/init "" "$tok"
is "$STATUS" 405 "GET on init: 405"
is "$(jget .code)" method_not_allowed "GET on init: code"
api PUT /tracks/$(new_user) "" "$tok"
is "$STATUS" 405 "PUT on a track: 405"
is "$(jget .code)" method_not_allowed "PUT on a track: code"
api DELETE /tracks/$(new_user) "" "$tok"
is "$STATUS:$(jget .code)" "404:track_not_found" "DELETE of an unknown track: 404 (DELETE is the delete, issue 15)"
api GET /tracks/upload/nothing "" "$tok"
is "$STATUS" 404 "unknown API path: 404"
is "$(jget .code)" not_found "unknown API path: JSON"
api GET /etc/passwd
is "$STATUS" 404 "path outside the API: 404 from nginx"
is "$(jget .code)" not_found "path outside the API: JSON from nginx"

api POST /tracks/upload/complete '{"track_id":"nope"}' "$tok"
is "$STATUS" 422 "complete with a non-UUID: 422"
api POST /tracks/upload/complete '{}' "$tok"
is "$STATUS" 422 "complete without track_id: 422"

done_testing
