#!/usr/bin/env bash
# Loudness (EBU R128, measured beside the ladder) and the waveform (peaks in
# audiowaveform JSON v2, published before the master).
# EBU Tech 3341's reference: a 1 kHz stereo sine at -23 dBFS peak on both
# channels reads -23.0 +- 0.1 LUFS; 10 dB quieter reads 10 dB lower.
. "$(dirname "$0")/../lib/flow.sh"
R=t92
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)

# sine FILE DBFS SECONDS: the 3341 signal (aevalsrc: lavfi's sine has a fixed -18 dBFS)
sine() {
	local a
	a=$(awk -v d="$2" 'BEGIN { printf "%.7f", 10^(d/20) }')
	ffmpeg -nostdin -v error -y -f lavfi \
		-i "aevalsrc=$a*sin(2*PI*1000*t)|$a*sin(2*PI*1000*t):s=48000:d=$3" -c:a flac "$1"
}
process() {
	upload "$TOK" "$1" flac || return 1
	complete "$TOK" "$TRACK_ID"
	wait_status "$TOK" "$TRACK_ID" completed 90 || { diag "$BODY"; return 1; }
	api GET "/tracks/$TRACK_ID" "" "$TOK"
}
within() { awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; }

sine "$TMP/ref.flac" -23 20
ok "the reference signal is processed" process "$TMP/ref.flac"
I=$(jget .loudness.integrated_lufs)
ok "integrated loudness $I LUFS is -23.0 +- 0.1" within "$I" -23 0.1
ok "true peak $(jget .loudness.true_peak_dbtp) dBTP is about -23" within "$(jget .loudness.true_peak_dbtp)" -23 0.3
is "$(jget .loudness.range_lu)" 0 "a steady sine has no loudness range"
is "$(jget .loudness.gain_db)" 9 "gain_db brings it to -14 LUFS (LOUDNESS_TARGET_LUFS)"

sine "$TMP/quiet.flac" -33 20
ok "10 dB quieter is processed" process "$TMP/quiet.flac"
ok "and reads 10 dB lower ($(jget .loudness.integrated_lufs))" within "$(jget .loudness.integrated_lufs)" -33 0.1
ok "its gain is 19 dB ($(jget .loudness.gain_db))" within "$(jget .loudness.gain_db)" 19 0.1

# loud near full scale: the gain is limited so peak + gain stays at -1 dBTP
sine "$TMP/hot.flac" -0.5 10
ok "a hot track is processed" process "$TMP/hot.flac"
ok "its gain ($(jget .loudness.gain_db)) keeps the peak at or below -1 dBTP" \
	awk -v g="$(jget .loudness.gain_db)" -v p="$(jget .loudness.true_peak_dbtp)" 'BEGIN { exit !(p + g <= -1.0 + 0.005) }'

# Waveform: 10 s of silence, then 10 s of a loud tone
ffmpeg -nostdin -v error -y -f lavfi -i "anullsrc=r=44100:cl=stereo:d=10" \
	-f lavfi -i "aevalsrc=0.9*sin(2*PI*300*t)|0.9*sin(2*PI*300*t):s=44100:d=10" \
	-filter_complex "[0][1]concat=n=2:v=0:a=1" -c:a flac "$TMP/half.flac"
ok "silence then sound is processed" process "$TMP/half.flac"
WURL=$(jget .waveform_url)
like "$WURL" "^$STORAGE_PUBLIC_URL/hls/$TRACK_ID/[0-9a-f]{16}/waveform.json\$" "waveform_url beside the renditions"
is "$(dirname "$WURL")" "$(dirname "$(jget .hls_url)")" "in the same attempt prefix as the master"
is "$(curl -s -o "$TMP/wave.json" -w '%{http_code} %{content_type}' "$WURL")" "200 application/json" \
	"the waveform is public JSON"
read -r ver ch rate spp len first second dur < <(node "$ROOT/tests/media/waveform-read.js" "$TMP/wave.json")
is "$ver $ch $rate" "2 1 4000" "audiowaveform v2, one channel, read by waveform-data"
ok "about WAVEFORM_POINTS pixels ($len)" within "$len" 1800 36
ok "covering the track ($dur s)" within "$dur" 20 0.5
cmp_ok "$first" -le 2 "the first half is silent (peak $first of 127)"
cmp_ok "$second" -ge 90 "the second half is loud (peak $second of 127)"
done_testing
