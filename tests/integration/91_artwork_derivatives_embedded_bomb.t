#!/usr/bin/env bash
# Cover art: an uploaded cover becomes a large JPEG (at most 1200 px on its
# longer side, never upscaled) and square 600/300 thumbnails under art/,
# re-encoded without its EXIF; a cover embedded in the file is used when none
# was uploaded; an image bomb (a PNG whose header claims 30000 x 30000) is
# refused from its header, and the track still completes and says why.
. "$(dirname "$0")/../lib/flow.sh"
R=t91
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
make_audio "$TMP/a.mp3" 4

# upload_with_art FILE ART EXT: init with artwork, POST both; sets TRACK_ID
upload_with_art() {
	local size asize init
	size=$(stat -c %s "$1"); asize=$(stat -c %s "$2")
	api POST /tracks/upload/init "$(jq -nc --argjson s "$size" --arg e "$3" \
		'{title:"Art", artist_name:"A", file_extension:"mp3", file_size:$s, artwork_extension:$e}')" "$TOK"
	TRACK_ID=$(jget .track_id); init=$BODY
	post_form "$(jq -r .audio_upload_url <<<"$init")" "$(jq -c .audio_upload_fields <<<"$init")" "$1"
	post_form "$(jq -r .artwork_upload_url <<<"$init")" "$(jq -c .artwork_upload_fields <<<"$init")" "$2"
}
# done_track: complete, wait, GET the track into BODY
done_track() {
	complete "$TOK" "$TRACK_ID"
	wait_status "$TOK" "$TRACK_ID" completed 90 || { diag "$BODY"; return 1; }
	api GET "/tracks/$TRACK_ID" "" "$TOK"
}
dims() { curl -s -o "$TMP/d.jpg" --max-time 10 "$1" && ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$TMP/d.jpg"; }

# 1. a 1500 x 1000 JPEG with EXIF (a comment and a GPS-ish tag)
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=1500x1000:rate=1" -frames:v 1 \
	-metadata comment="secret location 48.85N 2.35E" "$TMP/big.jpg"
ok "upload with a 1500 x 1000 cover" upload_with_art "$TMP/a.mp3" "$TMP/big.jpg" jpg
ok "completed" done_track
HLS=$(jget .hls_url)
ATTEMPT=$(sed -E "s|^$STORAGE_PUBLIC_URL/hls/$TRACK_ID/([0-9a-f]{16})/master.m3u8\$|\1|" <<<"$HLS")
BASE="$STORAGE_PUBLIC_URL/art/$TRACK_ID/$ATTEMPT"
is "$(jget .artwork_url)" "$BASE/cover-1200.jpg" "artwork_url is the large derivative"
is "$(jq -cS .artwork_thumbnails <<<"$BODY")" "{\"300\":\"$BASE/thumb-300.jpg\",\"600\":\"$BASE/thumb-600.jpg\"}" \
	"artwork_thumbnails maps 600 and 300 to their URLs"
is "$(jget .artwork_error)" null "no artwork_error"
is "$(dims "$BASE/cover-1200.jpg")" "mjpeg,1200,800" "the large one is 1200 x 800"
is "$(dims "$BASE/thumb-600.jpg")" "mjpeg,600,600" "a 600 x 600 thumbnail"
is "$(dims "$BASE/thumb-300.jpg")" "mjpeg,300,300" "a 300 x 300 thumbnail"
curl -s -o "$TMP/l.jpg" "$BASE/cover-1200.jpg"
is "$(grep -c "secret location" "$TMP/l.jpg")" 0 "the original's metadata is not in the derivative"
is "$(curl -s -o /dev/null -w '%{http_code}' "$STORAGE_PUBLIC_URL/tracks/$TRACK_ID/artwork.jpg")" 403 \
	"the uploaded original stays private"

# 2. no upload, a cover embedded in the MP3 (ID3 APIC, front cover)
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=500x500:rate=1" -frames:v 1 "$TMP/front.jpg"
ffmpeg -nostdin -v error -y -i "$TMP/a.mp3" -i "$TMP/front.jpg" -map 0 -map 1 -c copy -id3v2_version 3 \
	-metadata:s:v comment="Cover (front)" -disposition:v attached_pic "$TMP/covered.mp3"
ok "upload an MP3 with an embedded cover" upload "$TOK" "$TMP/covered.mp3" mp3
ok "completed" done_track
like "$(jget .artwork_url)" "^$STORAGE_PUBLIC_URL/art/$TRACK_ID/[0-9a-f]{16}/cover-1200.jpg\$" \
	"the embedded cover becomes the artwork"
is "$(dims "$(jget .artwork_url)")" "mjpeg,500,500" "at its own size (never upscaled)"
is "$(dims "$(jq -r '.artwork_thumbnails["300"]' <<<"$BODY")")" "mjpeg,300,300" "with thumbnails"

# 3. an image bomb: a PNG header claiming 30000 x 30000 (the rest is junk)
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00' > "$TMP/bomb.png"
head -c 2000 /dev/zero >> "$TMP/bomb.png"
ok "upload with an image bomb" upload_with_art "$TMP/a.mp3" "$TMP/bomb.png" png
ok "the track still completes" done_track
is "$(jget .artwork_url)" null "no artwork_url"
is "$(jget .artwork_thumbnails)" null "no thumbnails"
is "$(jget .artwork_error)" "the artwork is 30000 x 30000 pixels; the largest accepted is 50 megapixels" \
	"artwork_error says why"
is "$(grep -c "artwork not published: the artwork is 30000 x 30000 pixels" "$STACK_DIR/logs/runner-$R.log")" 1 \
	"refused from its header (logged once)"
done_testing
