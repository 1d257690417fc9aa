#!/usr/bin/env bash
# Text renamed .mp3 -- an HLS playlist or an ffconcat script pointing at a
# local secret file -- fails before ffprobe/ffmpeg can follow the reference,
# and no byte of the secret reaches storage.
. "$(dirname "$0")/../lib/flow.sh"
R=t33
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
SECRET=SECRET-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
chmod 755 "$TMP"
printf '%s\n' "$SECRET" > "$TMP/secret.txt"
# A real audio file too: a vulnerable runner would happily transcode it.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=duration=8" -metadata title="$SECRET" "$TMP/secret.mp3"
chmod 644 "$TMP/secret.txt" "$TMP/secret.mp3"

printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:8,\nfile://%s\n#EXTINF:1,\n%s\n#EXT-X-ENDLIST\n' \
	"$TMP/secret.mp3" "$TMP/secret.txt" > "$TMP/hls.mp3"
printf 'ffconcat version 1.0\nfile %s\nfile %s\n' "$TMP/secret.mp3" "$TMP/secret.txt" > "$TMP/concat.mp3"
printf "file '%s'\n" "$TMP/secret.mp3" > "$TMP/list.mp3"

declare -A WANT=(
	[hls]="the file is not audio: it looks like a text file (an HLS playlist)"
	[concat]="the file is not audio: it looks like a text file (an ffconcat script)"
	[list]="the file is not audio: it looks like a text file (a concat list)"
)
for kind in hls concat list; do
	ok "upload $kind" upload "$TOK" "$TMP/$kind.mp3" mp3
	complete "$TOK" "$TRACK_ID"
	wait_status "$TOK" "$TRACK_ID" failed 60
	is "$(jget .status)" failed "$kind: track failed"
	is "$(jget .error)" "${WANT[$kind]}" "$kind: the error names what it is"
	is "$(psql_q "select attempts from jobs where track_id = '$TRACK_ID'")" 1 "$kind: no retries"
	is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID" 2>/dev/null | wc -l)" 0 "$kind: nothing published"
done
is "$(grep -rl --binary-files=text "$SECRET" "$STACK_DIR/s3" | wc -l)" 0 "no byte of the secret in storage"
done_testing
