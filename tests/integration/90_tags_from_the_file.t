#!/usr/bin/env bash
# The file's own tags (ID3 in an MP3, Vorbis comments in a FLAC) become the
# track's `tags` once it is processed; what the artist typed at init stays
# the track's title and artist_name.
. "$(dirname "$0")/../lib/flow.sh"
R=t90
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)

tagged() { # FILE EXT: 4 s of audio with tags
	ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=4" -ac 2 \
		-metadata title="Night Drive" -metadata artist="Mira Vale" -metadata album="Roads" \
		-metadata album_artist="Various" -metadata track=3/10 -metadata disc=1/2 \
		-metadata date=2019-05-01 -metadata genre=Synthwave -metadata composer="A. Writer" \
		-metadata encoder_junk="not kept" "$1"
}

# process FILE EXT: upload with init's own title, wait for completed; BODY = the track
process() {
	upload "$TOK" "$1" "$2" || return 1
	complete "$TOK" "$TRACK_ID"
	wait_status "$TOK" "$TRACK_ID" completed 90 || { diag "$BODY"; return 1; }
	api GET "/tracks/$TRACK_ID" "" "$TOK"
}

for ext in mp3 flac; do
	tagged "$TMP/a.$ext"
	ok "$ext: processed" process "$TMP/a.$ext" "$ext"
	is "$(jget .title)" "Test Track" "$ext: the title typed at init is kept"
	is "$(jget '.tags.title')" "Night Drive" "$ext: tags.title from the file"
	is "$(jget '.tags.artist')" "Mira Vale" "$ext: tags.artist"
	is "$(jget '.tags.album')" "Roads" "$ext: tags.album"
	is "$(jget '.tags.album_artist')" "Various" "$ext: tags.album_artist"
	is "$(jq -cS .tags.track <<<"$BODY")" '{"number":3,"total":10}' "$ext: tags.track as numbers"
	is "$(jq -cS .tags.disc <<<"$BODY")" '{"number":1,"total":2}' "$ext: tags.disc as numbers"
	is "$(jget '.tags.year')" 2019 "$ext: tags.year from the date"
	is "$(jget '.tags.genre')" Synthwave "$ext: tags.genre"
	is "$(jget '.tags.composer')" "A. Writer" "$ext: tags.composer"
	is "$(jq -r '.tags | has("encoder_junk")' <<<"$BODY")" false "$ext: unknown tags are not kept"
done

# A file without tags: an empty object once processed; null before.
make_audio "$TMP/plain.wav" 3
ok "upload an untagged file" upload "$TOK" "$TMP/plain.wav" wav
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jget .tags)" null "tags is null while pending"
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 90
api GET "/tracks/$TRACK_ID" "" "$TOK"
is "$(jq -c '.tags | del(.encoder)' <<<"$BODY")" '{}' "an untagged file has no tags"
done_testing
