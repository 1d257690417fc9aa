#!/usr/bin/env bash
# Artwork: a real JPEG is published (artwork_url), as a copy under the
# public art/<track>/<attempt>/ prefix (the upload under tracks/ stays
# private); a "png" that is really text is not (artwork_url stays null) and
# the track still completes.
. "$(dirname "$0")/../lib/flow.sh"
R=t31
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
make_audio "$TMP/a.mp3" 8
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=64x64:rate=1" -frames:v 1 "$TMP/cover.jpg"
printf 'this is not an image\n' > "$TMP/cover.png"

# upload_with_art FILE ART EXT: init with artwork, POST both; sets TRACK_ID
upload_with_art() {
	local size asize
	size=$(stat -c %s "$1"); asize=$(stat -c %s "$2")
	api POST /tracks/upload/init "$(jq -nc --argjson s "$size" --arg e "$3" \
		'{title:"Art", artist_name:"A", file_extension:"mp3", file_size:$s, artwork_extension:$e}')" "$TOK"
	TRACK_ID=$(jget .track_id)
	local init=$BODY
	post_form "$(jq -r .audio_upload_url <<<"$init")" "$(jq -c .audio_upload_fields <<<"$init")" "$1"
	post_form "$(jq -r .artwork_upload_url <<<"$init")" "$(jq -c .artwork_upload_fields <<<"$init")" "$2"
	case "$STATUS" in 2??) ;; *) diag "artwork POST: $STATUS $BODY"; return 1 ;; esac
}

ok "upload with a JPEG cover" upload_with_art "$TMP/a.mp3" "$TMP/cover.jpg" jpg
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 60
is "$(jget .status)" completed "completed"
api GET "/tracks/$TRACK_ID" "" "$TOK"
ART=$(jget .artwork_url)
like "$ART" "^$STORAGE_PUBLIC_URL/" "artwork_url set for a real image"
HLS=$(jget .hls_url)
ATTEMPT=$(sed -E "s|^$STORAGE_PUBLIC_URL/hls/$TRACK_ID/([0-9a-f]{16})/master.m3u8\$|\1|" <<<"$HLS")
is "$ART" "$STORAGE_PUBLIC_URL/art/$TRACK_ID/$ATTEMPT/artwork.jpg" \
	"artwork_url is under art/, with the HLS prefix's attempt id"
is "$(curl -s -o "$TMP/got.jpg" -w '%{http_code} %{content_type}' --max-time 10 "$ART")" "200 image/jpeg" \
	"an anonymous GET of artwork_url: 200, image/jpeg"
ok "and it serves the very bytes uploaded" cmp -s "$TMP/got.jpg" "$TMP/cover.jpg"

# Storage takes the text: the POST policy pins the key, the content type and
# the size, never the bytes (neither devs3 nor real S3 looks inside). The
# runner sniffs the first bytes, publishes no artwork, and still completes.
ok "upload with text named .png" upload_with_art "$TMP/a.mp3" "$TMP/cover.png" png
is "$STATUS" 204 "storage stored the fake png (204, like S3)"
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_status "$TOK" "$TRACK_ID" completed 60
is "$(jget .status)" completed "a bad cover does not fail the track"
is "$(jget .error)" null "and leaves no error"
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jget .artwork_url)" null "artwork_url stays null for text named .png"
is "$(psql_q "select artwork_key || ' ' || coalesce(artwork_url, 'null') from tracks where id = '$TRACK_ID'")" \
	"tracks/$TRACK_ID/artwork.png null" "the key is kept, no URL is stored"
is "$(grep -c "warn: artwork tracks/$TRACK_ID/artwork.png is not a JPEG, PNG or WebP image; artwork_url stays empty\$" \
	"$STACK_DIR/logs/runner-$R.log")" 1 "the runner logs why, once"
done_testing
