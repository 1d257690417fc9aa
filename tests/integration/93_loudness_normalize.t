#!/usr/bin/env bash
# LOUDNESS_NORMALIZE=true: the runner measures first (a decode-only pass)
# and encodes every rendition with that gain applied, a linear volume: a
# quiet track's renditions measure within +-1 LU of LOUDNESS_TARGET_LUFS
# (-14), and the track's loudness says what was applied. Off (the default),
# the renditions keep the original's loudness.
. "$(dirname "$0")/../lib/flow.sh"
R=t93
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
TOK=$(token)
a=$(awk 'BEGIN { printf "%.7f", 10^(-33/20) }')
ffmpeg -nostdin -v error -y -f lavfi -i "aevalsrc=$a*sin(2*PI*1000*t)|$a*sin(2*PI*1000*t):s=48000:d=20" \
	-c:a flac "$TMP/quiet.flac"

# process: upload, complete, wait; BODY = the track
process() {
	upload "$TOK" "$TMP/quiet.flac" flac || return 1
	complete "$TOK" "$TRACK_ID"
	wait_status "$TOK" "$TRACK_ID" completed 90 || { diag "$BODY"; return 1; }
	api GET "/tracks/$TRACK_ID" "" "$TOK"
}
# rendition_lufs URL: the integrated loudness of what a player gets
rendition_lufs() {
	ffmpeg -nostdin -v error -protocol_whitelist http,tcp,file,crypto -i "$1" -map 0:a:0 \
		-filter:a "ebur128=metadata=1,ametadata=mode=print:file=$TMP/r.txt" -f null - &&
		grep '^lavfi.r128.I=' "$TMP/r.txt" | tail -n 1 | cut -d= -f2
}
within() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; }

LOUDNESS_NORMALIZE=true "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
ok "normalized: processed" process
G=$(jget .loudness.normalized_gain_db)
ok "the applied gain ($G dB) brings -33 to -14" within "$G" 19 0.2
ok "the track's loudness is the renditions' ($(jget .loudness.integrated_lufs) LUFS)" \
	within "$(jget .loudness.integrated_lufs)" -14 0.2
ok "nothing is left for a player to apply ($(jget .loudness.gain_db) dB)" within "$(jget .loudness.gain_db)" 0 0.2
L=$(rendition_lufs "$(jget .hls_url)")
ok "the renditions measure $L LUFS, within 1 LU of -14" within "$L" -14 1
like "$(grep "renditions get" "$STACK_DIR/logs/runner-$R.log" | tail -n 1)" "\\+19\\.0[0-9] dB" "the runner logs the gain it applied"
"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1

"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
ok "not normalized (the default): processed" process
is "$(jq -r '.loudness | has("normalized_gain_db")' <<<"$BODY")" false "no gain applied"
L=$(rendition_lufs "$(jget .hls_url)")
ok "the renditions keep the original's loudness ($L LUFS)" within "$L" -33 1
done_testing
