#!/usr/bin/env bash
# The runner checks a cover against MAX_ARTWORK_BYTES (not the audio's
# MAX_UPLOAD_BYTES): one over it is not published and the track still
# completes; one under it is. When an attempt fails after its cover went up
# under art/, the cover is removed with the rest of the attempt's objects.
. "$(dirname "$0")/../lib/flow.sh"
R=t47
CAP=4096
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
# Only the runner's cap is lowered: the API's form still allows 10 MiB.
MAX_ARTWORK_BYTES=$CAP "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
make_audio "$TMP/a.mp3" 4
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=16x16:rate=1" -frames:v 1 "$TMP/small.jpg"
ffmpeg -nostdin -v error -y -f lavfi -i "nullsrc=size=320x240:rate=1,geq=random(1)*255:128:128" \
	-frames:v 1 -q:v 2 "$TMP/big.jpg"
cmp_ok "$(stat -c %s "$TMP/small.jpg")" -le $CAP "the small cover is within MAX_ARTWORK_BYTES"
cmp_ok "$(stat -c %s "$TMP/big.jpg")" -gt $CAP "the big cover is over it"

# upload_with_art FILE ART EXT: init with a jpg cover, POST both; sets TRACK_ID
upload_with_art() {
	local size asize init
	size=$(stat -c %s "$1"); asize=$(stat -c %s "$2")
	api POST /tracks/upload/init "$(jq -nc --argjson s "$size" --arg e "$3" \
		'{title:"Art", artist_name:"A", file_extension:$e, file_size:$s, artwork_extension:"jpg"}')" "$TOK"
	TRACK_ID=$(jget .track_id)
	init=$BODY
	post_form "$(jq -r .audio_upload_url <<<"$init")" "$(jq -c .audio_upload_fields <<<"$init")" "$1"
	post_form "$(jq -r .artwork_upload_url <<<"$init")" "$(jq -c .artwork_upload_fields <<<"$init")" "$2"
	case "$STATUS" in 2??) ;; *) diag "artwork POST: $STATUS $BODY"; return 1 ;; esac
}
# objects PREFIX: how many objects storage holds under PREFIX (s3rver's files)
objects() { find "$STACK_DIR/s3/$STORAGE_BUCKET/$1" -type f -name '*._S3rver_object' 2>/dev/null | wc -l; }

ok "upload with a cover over MAX_ARTWORK_BYTES" upload_with_art "$TMP/a.mp3" "$TMP/big.jpg" mp3
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 60
is "$(jget .status)" completed "the track still completes"
is "$(jget .error)" null "with no error"
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jget .artwork_url)" null "the cover over the cap is not published"
is "$(objects "art/$TRACK_ID")" 0 "nothing under art/"
is "$(grep -c "warn: artwork tracks/$TRACK_ID/artwork.jpg: $(stat -c %s "$TMP/big.jpg") bytes (MAX_ARTWORK_BYTES $CAP); not published\$" \
	"$STACK_DIR/logs/runner-$R.log")" 1 "the runner logs why, once"

ok "upload with a cover within it" upload_with_art "$TMP/a.mp3" "$TMP/small.jpg" mp3
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 60
api GET "/tracks/$TRACK_ID" "" "$TOK"
like "$(jget .artwork_url)" "^$STORAGE_PUBLIC_URL/art/$TRACK_ID/[0-9a-f]{16}/artwork.jpg\$" \
	"the cover within the cap is published under art/"
is "$(objects "art/$TRACK_ID")" 1 "one object under art/"

# A FLAC whose frames are garbage fails in publish, after its cover went up.
make_audio "$TMP/c.flac" 20
perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; my $size = -s $f;
	srand(11); seek($f, 8192, 0); print $f pack("C*", map { int(rand(256)) } 1 .. $size - 8192 - 64);
	close $f' "$TMP/c.flac"
ok "upload a corrupt FLAC with a cover" upload_with_art "$TMP/c.flac" "$TMP/small.jpg" flac
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .status)" failed "the corrupt FLAC fails"
# the playlists fail before any HLS object goes up: the one object is the cover
is "$(grep -c "removing the 1 objects this attempt uploaded under hls/$TRACK_ID/" \
	"$STACK_DIR/logs/runner-$R.log")" 1 "the runner removes the one object the attempt uploaded"
is "$(objects "art/$TRACK_ID")" 0 "its cover is gone from art/ too"
is "$(objects "hls/$TRACK_ID")" 0 "and nothing is left under hls/"
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jget .artwork_url)" null "no artwork_url for the failed track"
done_testing
