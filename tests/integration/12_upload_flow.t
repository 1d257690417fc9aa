#!/usr/bin/env bash
# The mobile app's flow: init -> multipart POST to storage -> complete -> status.
. "$(dirname "$0")/../lib/flow.sh"

user=$(new_user)
tok=$(token "$user")
make_audio "$TMP/song.mp3" 8
size=$(stat -c %s "$TMP/song.mp3")

api POST /tracks/upload/init "$(jq -nc --argjson s "$size" \
	'{title:"My Song",artist_name:"Artist Name",file_extension:"mp3",file_size:$s,artwork_extension:"jpg"}')" "$tok"
is "$STATUS" 201 "init: 201"
id=$(jget .track_id)
like "$id" '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "init: track_id is a v7 UUID"
# its first 48 bits: the Unix time in ms when init made it (this machine's clock)
id_ms=$((16#${id:0:8}${id:9:4})) now_ms=$(date +%s%3N)
ok "init: track_id's time is now" test $((now_ms - id_ms)) -ge 0 -a $((now_ms - id_ms)) -lt 60000
is "$(jget .audio_upload_url)" "$STORAGE_ENDPOINT/$STORAGE_BUCKET" "init: audio_upload_url is the bucket"
is "$(jq -r '.audio_upload_fields|keys|sort|join(",")' <<<"$BODY")" \
	"Content-Type,key,policy,x-amz-algorithm,x-amz-credential,x-amz-date,x-amz-signature" "init: boto3's field set"
is "$(jget .audio_upload_fields.key)" "tracks/$id/original.mp3" "init: key made by the server"
is "$(jget '.audio_upload_fields["Content-Type"]')" "audio/mpeg" "init: content type pinned"
policy=$(jget .audio_upload_fields.policy | base64 -d)
is "$(jq -c '.conditions[]|select(type=="array" and .[0]=="content-length-range")' <<<"$policy")" \
	"[\"content-length-range\",$size,$size]" "policy: length pinned to the declared size"
is "$(jq -r '.conditions[]|objects|.key // empty' <<<"$policy")" "tracks/$id/original.mp3" "policy: exact key"
ok "policy: expires" test -n "$(jq -r .expiration <<<"$policy")"
is "$(jget .artwork_upload_fields.key)" "tracks/$id/artwork.jpg" "init: artwork key"
init_body=$BODY

api GET /tracks/upload/status/$id "" "$tok"
is "$STATUS" 200 "status before upload: 200"
is "$(jq -c . <<<"$BODY")" "{\"track_id\":\"$id\",\"status\":\"pending\",\"progress\":0,\"error\":null}" "status: pending"

api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS" 409 "complete before the upload: 409"
is "$(jget .code)" upload_missing "complete before the upload: upload_missing"

# A file bigger than declared is refused by storage (policy), and so is one smaller.
head -c $((size + 1000)) /dev/urandom > "$TMP/big.mp3"
post_form "$(jq -r .audio_upload_url <<<"$init_body")" "$(jq -c .audio_upload_fields <<<"$init_body")" "$TMP/big.mp3"
is "$STATUS" 400 "storage refuses a file larger than declared"
like "$BODY" "EntityTooLarge" "storage says EntityTooLarge"

post_form "$(jq -r .audio_upload_url <<<"$init_body")" "$(jq -c .audio_upload_fields <<<"$init_body")" "$TMP/song.mp3"
like "$STATUS" '^20[014]$' "the app's multipart POST to storage succeeds"

# Tampering with the key makes storage refuse the form.
fields=$(jq -c '.audio_upload_fields|.key="tracks/someone-else/original.mp3"' <<<"$init_body")
post_form "$(jq -r .audio_upload_url <<<"$init_body")" "$fields" "$TMP/song.mp3"
is "$STATUS" 403 "storage refuses a form whose key differs from the policy"

api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS" 202 "complete: 202"
is "$(jget .status)" processing "complete: processing"
is "$(psql_q "select count(*) from jobs where track_id = '$id'")" 1 "complete: one job"
is "$(psql_q "select processing_status from tracks where id = '$id'")" PROCESSING "track is PROCESSING"

api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS" 200 "complete again: 200"
is "$(psql_q "select count(*) from jobs where track_id = '$id'")" 1 "complete again: still one job"

api GET /tracks/upload/status/$id "" "$tok"
is "$(jget .status)" processing "status: processing"

api GET /tracks/$id "" "$tok"
is "$STATUS" 200 "track: 200"
is "$(jget .title)" "My Song" "track: title"
is "$(jget .artist_name)" "Artist Name" "track: artist_name"
is "$(jget .hls_url)" null "track: no hls_url before completion"

# Another user sees nothing.
other=$(token "$(new_user)")
api GET /tracks/$id "" "$other"
is "$STATUS" 404 "another user's track: 404"
api GET /tracks/upload/status/$id "" "$other"
is "$STATUS" 404 "another user's status: 404"
api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$other"
is "$STATUS" 404 "another user's complete: 404"

done_testing
