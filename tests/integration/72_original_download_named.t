#!/usr/bin/env bash
# GET /tracks/{id}/original: a 302 to a short-lived presigned GET of the
# uploaded file, which storage answers with the very bytes uploaded and a
# Content-Disposition naming the download after the title. Owner only; a
# track whose upload was never completed has no original (404).
. "$(dirname "$0")/../lib/flow.sh"

user=$(new_user)
tok=$(token "$user")
make_audio "$TMP/song.mp3" 2
title='Été "Mix" / 2'
upload "$tok" "$TMP/song.mp3" mp3 || bail "upload failed"
id=$TRACK_ID
psql_q "update tracks set title = \$\$$title\$\$ where id = '$id'" >/dev/null

api GET "/tracks/$id/original" "" "$tok"
is "$STATUS:$(jget .code)" "404:original_not_found" "before complete: 404 original_not_found"

complete "$tok" "$id"
is "$STATUS" 202 "complete: 202"

hdrs=$TMP/hdrs
STATUS=$(curl -s -D "$hdrs" -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $tok" \
	"$API_URL/tracks/$id/original")
BODY=$(cat "$TMP/body")
is "$STATUS" 302 "original: 302"
loc=$(grep -i '^location:' "$hdrs" | cut -d' ' -f2- | tr -d '\r')
like "$loc" "^$STORAGE_ENDPOINT/$STORAGE_BUCKET/tracks/$id/original.mp3\\?" "Location: the original's key"
like "$loc" 'X-Amz-Expires=300&' "Location: valid 300 s"
like "$loc" 'response-content-disposition=' "Location: the disposition is signed"
is "$(jget .url)" "$loc" "body: the same url"
is "$(jget .expires_in)" 300 "body: expires_in"

STATUS=$(curl -s -D "$TMP/s3hdrs" -o "$TMP/got.mp3" -w '%{http_code}' "$loc")
is "$STATUS" 200 "the presigned GET: 200"
is "$(sha256sum < "$TMP/got.mp3")" "$(sha256sum < "$TMP/song.mp3")" "the bytes are the original's"
disp=$(grep -i '^content-disposition:' "$TMP/s3hdrs" | cut -d' ' -f2- | tr -d '\r')
is "$disp" "attachment; filename=\"_t_ _Mix_ _ 2.mp3\"; filename*=UTF-8''%C3%89t%C3%A9%20%22Mix%22%20_%202.mp3" \
	"Content-Disposition: ASCII fallback and the UTF-8 title"
# The name decodes back to the title (with '/' made '_') plus the extension.
name=$(node -e 'const v=process.argv[1]; console.log(decodeURIComponent(v.split("UTF-8'"''"'")[1]))' "$disp")
is "$name" 'Été "Mix" _ 2.mp3' "filename* decodes to the title"

# curl following the redirect gets the same file.
STATUS=$(curl -s -L -o "$TMP/follow.mp3" -w '%{http_code}' -H "Authorization: Bearer $tok" \
	"$API_URL/tracks/$id/original")
is "$STATUS:$(sha256sum < "$TMP/follow.mp3")" "200:$(sha256sum < "$TMP/song.mp3")" "following the 302 downloads the original"

# The signature covers the disposition and the expiry.
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "${loc/attachment/inline}")
is "$STATUS" 403 "a changed disposition is refused by storage"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "${loc/X-Amz-Expires=300/X-Amz-Expires=900}")
is "$STATUS" 403 "a longer expiry is refused by storage"

api GET "/tracks/$id/original" "" "$(token "$(new_user)")"
is "$STATUS:$(jget .code)" "404:track_not_found" "someone else's track: 404"
api GET "/tracks/$(new_user)/original" "" "$tok"
is "$STATUS:$(jget .code)" "404:track_not_found" "an unknown track: 404"
api GET "/tracks/nope/original" "" "$tok"
is "$STATUS:$(jget .field)" "422:track_id" "not a UUID: 422 track_id"
api GET "/tracks/upload/original" "" "$tok"
is "$STATUS" 404 "/tracks/upload/original is not a track's"
api GET "/tracks/$id/original" "" ""
is "$STATUS" 401 "no token: 401"
api POST "/tracks/$id/original" '{}' "$tok"
is "$STATUS" 405 "POST: 405"

done_testing
