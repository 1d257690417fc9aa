#!/usr/bin/env bash
# The media work's cost (issue 16): the ladder for a 10-minute FLAC as the
# runner runs it (one ffmpeg per rung, side by side), without and with the
# analysis branch the runner adds to the lightest process (ebur128 with true
# peak + mono PCM for the waveform), in interleaved rounds, the best of each;
# then the waveform's C pass over that PCM and the cover derivatives of a
# 3000 x 3000 PNG. Same commands as jobs/transcode.c and jobs/artwork.c.
# Output: bench/results/media-summary.txt. BENCH_ROUNDS (default 3).
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${BENCH_ROUNDS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/mustory-bench-media.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir -p results
ffmpeg -nostdin -v error -y -f lavfi -i "anoisesrc=d=600:c=pink:a=0.3" -ac 2 -ar 44100 -c:a flac "$W/in.flac"

rung() { # KBPS DIR [analysis]: one ffmpeg of the ladder
	local extra=()
	[ "${3:-}" = analysis ] && extra=(-filter_complex
		"[0:a:0]asplit=2[r][w];[r]ebur128=metadata=1:peak=true,ametadata=mode=print:file=../r128.txt,anullsink;[w]aresample=4000,aformat=sample_fmts=s16:channel_layouts=mono[wv]"
		-map "[wv]" -c:a pcm_s16le -f s16le ../wave.pcm)
	mkdir -p "$2/a$1"
	(cd "$2" && ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 -protocol_whitelist file \
		-f flac -i "file:$W/in.flac" -map 0:a:0 -c:a aac -b:a "${1}k" -ac 2 -ar 44100 -f hls -hls_time 6 \
		-hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
		-hls_segment_filename "a$1/seg_%05d.m4s" "a$1/index.m3u8" "${extra[@]}")
}
ladder() { # DIR [analysis]: the three rungs side by side, wall seconds
	local t0 t1
	rm -rf "$1"; mkdir -p "$1/hls"
	t0=$(date +%s.%N)
	rung 160 "$1/hls" & rung 128 "$1/hls" & rung 64 "$1/hls" "${2:-}" & wait
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
best_plain=999 best_an=999
for ((i = 1; i <= ROUNDS; i++)); do
	p=$(ladder "$W/plain"); a=$(ladder "$W/an" analysis)
	echo "round $i: ladder alone ${p} s, with analysis ${a} s"
	best_plain=$(awk -v x="$p" -v y="$best_plain" 'BEGIN { print (x < y) ? x : y }')
	best_an=$(awk -v x="$a" -v y="$best_an" 'BEGIN { print (x < y) ? x : y }')
done
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=3000x3000:rate=1" -frames:v 1 "$W/cover.png"
a0=$(date +%s.%N)
ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 -protocol_whitelist file -f png_pipe -i "file:$W/cover.png" \
	-filter_complex "[0:v]split=3[a][b][c];[a]scale=w='min(1200,iw)':h='min(1200,ih)':force_original_aspect_ratio=decrease,format=yuvj444p[o0];[b]crop=w='min(iw,ih)':h='min(iw,ih)',scale=w='min(600,iw)':h=-1,format=yuvj444p[o1];[c]crop=w='min(iw,ih)':h='min(iw,ih)',scale=w='min(300,iw)':h=-1,format=yuvj444p[o2]" \
	-map "[o0]" -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 "$W/l.jpg" \
	-map "[o1]" -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 "$W/t6.jpg" \
	-map "[o2]" -frames:v 1 -c:v mjpeg -q:v 3 -f image2 -update 1 "$W/t3.jpg"
a1=$(date +%s.%N)
{
	echo "== media (issue 16), $(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "10-min FLAC ladder alone (best of $ROUNDS): ${best_plain} s"
	echo "with the analysis branch (best of $ROUNDS): ${best_an} s"
	awk -v a="$best_an" -v p="$best_plain" 'BEGIN { printf "ratio: %.3f (goal <= 1.10)\n", a / p }'
	echo "waveform PCM: $(stat -c %s "$W/an/wave.pcm") bytes (4 kHz mono s16)"
	awk -v a="$a0" -v b="$a1" 'BEGIN { printf "cover derivatives of a 3000 x 3000 PNG: %.2f s\n", b - a }'
} | tee results/media-summary.txt
