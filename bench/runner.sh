#!/usr/bin/env bash
# The runner, measured beside bare ffmpeg in the same run:
#  1. complete -> completed wall time for a 3-minute track, against the best
#     schedule of bare ffmpeg commands making the same renditions on the same
#     cores (one process per rendition side by side; one process for all);
#  2. job pickup latency after complete (jobs.created_at -> claim), p50/p99
#     over BENCH_JOBS (default 200) jobs, one at a time on an idle runner;
#  3. the runner's peak RSS (ffmpeg excluded) while it processes a ~200 MB
#     WAV original.
# usage: bench/runner.sh   (after `make`; uses build/release)
set -euo pipefail
export MAX_UPLOAD_BYTES=$((300 * 1024 * 1024)) MAX_DURATION_SECONDS=3600 JOB_POLL_SECONDS=10
# info: the runner logs each job's stage times (download, probe, transcode, artwork, publish:
# the rows of jobs/stages.c), one line per job; the report greps it from "download"
export LOG_LEVEL=info
njobs=${BENCH_JOBS:-200}
. "$(dirname "$0")/lib.sh" bench-runner 3
tok=$(token "$(new_user)")
now() { date +%s.%N; }
calc() { awk "BEGIN {print $*}"; }

# --- 1. a 3-minute track -------------------------------------------------
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=44100:duration=180" \
	-f lavfi -i "anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=180" \
	-filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" "$TMP/song.flac"
rung() { # kbps outdir -> the runner's per-rendition output args
	echo -map 0:a:0 -map_metadata -1 -c:a aac -profile:a aac_low -b:a "${1}k" -ac 2 -ar 44100 \
		-f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4 \
		-hls_fmp4_init_filename init.mp4 -hls_flags independent_segments \
		-hls_segment_filename "$2/a$1/seg_%05d.m4s" "$2/a$1/index.m3u8"
}
ff=(ffmpeg -nostdin -v error -y -threads 1 -f flac -i "$TMP/song.flac")
bare() { # label: runs the bare commands, prints seconds
	local d=$TMP/bare-$1 t0 t1; rm -rf "$d"; mkdir -p "$d"/a64 "$d"/a128 "$d"/a160
	t0=$(now)
	case $1 in
	side-by-side) for k in 64 128 160; do "${ff[@]}" $(rung $k "$d") & done; wait ;;
	one-process) "${ff[@]}" $(rung 64 "$d") $(rung 128 "$d") $(rung 160 "$d") ;;
	two-processes) { "${ff[@]}" $(rung 160 "$d") & "${ff[@]}" $(rung 64 "$d") $(rung 128 "$d"); wait; } ;;
	esac
	t1=$(now); calc "$t1 - $t0"
}
b_side=$(bare side-by-side); b_one=$(bare one-process); b_two=$(bare two-processes)
best=$(printf '%s\n' "$b_side" "$b_one" "$b_two" | sort -n | head -n1)

scripts/stack.sh start-runner bench >/dev/null 2>&1
sleep 1
upload "$tok" "$TMP/song.flac" flac || { echo "bench: upload failed" >&2; exit 1; }
t0=$(now)
complete "$tok" "$TRACK_ID"
wait_status "$tok" "$TRACK_ID" completed 600 || { echo "bench: job did not complete: $BODY" >&2; exit 1; }
t1=$(now)
job_wall=$(calc "$t1 - $t0")

# --- 2. pickup latency ---------------------------------------------------
make_audio "$TMP/tiny.wav" 1
for i in $(seq 1 "$njobs"); do
	upload "$tok" "$TMP/tiny.wav" wav >/dev/null || { echo "bench: upload $i failed" >&2; exit 1; }
	complete "$tok" "$TRACK_ID"
	wait_status "$tok" "$TRACK_ID" completed 60 >/dev/null || { echo "bench: job $i: $BODY" >&2; exit 1; }
done
psql_q "select extract(epoch from (r.started_at - j.created_at)) * 1000
	from jobs j join job_runs r on r.job_id = j.id and r.attempt = 1
	join tracks t on t.id = j.track_id where t.file_extension = 'wav'
	order by 1" > "$TMP/pickup.txt"
n=$(wc -l < "$TMP/pickup.txt")
p50=$(awk -v n="$n" 'NR == int(n * 0.50 + 0.5) {printf "%.1f", $1}' "$TMP/pickup.txt")
p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.5) {printf "%.1f", $1}' "$TMP/pickup.txt")
pmax=$(tail -n1 "$TMP/pickup.txt" | awk '{printf "%.1f", $1}')

# --- 3. RSS with a ~200 MB original --------------------------------------
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=220:sample_rate=44100:duration=1190" \
	-ac 2 -c:a pcm_s16le "$TMP/big.wav"
big_mb=$(( $(stat -c %s "$TMP/big.wav") / 1024 / 1024 ))
upload "$tok" "$TMP/big.wav" wav || { echo "bench: big upload failed" >&2; exit 1; }
complete "$tok" "$TRACK_ID"
rpid=$(cat "$STACK_DIR/runner-bench.pid")
peak=0
while :; do
	# the runner and its own (non-ffmpeg) processes
	for p in $rpid $(pgrep -P "$rpid" 2>/dev/null); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = ffmpeg ] && continue
		r=$(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
		[ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
	done
	track_status "$tok" "$TRACK_ID"
	s=$(jget .status)
	[ "$s" = completed ] || [ "$s" = failed ] && break
	sleep 0.2
done
big_status=$s

{
	echo "== runner, $(nproc) cores, ladder 64/128/160k AAC-LC fMP4 HLS"
	printf 'bare ffmpeg, 3-min FLAC: side-by-side %.2fs, one process %.2fs, two processes %.2fs (best %.2fs)\n' \
		"$b_side" "$b_one" "$b_two" "$best"
	printf 'runner complete->completed (incl. download, probe, upload, DB): %.2fs = %.2fx the best bare schedule\n' \
		"$job_wall" "$(calc "$job_wall / $best")"
	echo "runner's own phase times for it: $(grep -m1 -o 'download .*' "$STACK_DIR/logs/runner-bench.log")"
	echo "pickup latency over $n jobs (created -> claimed): p50 ${p50} ms, p99 ${p99} ms, max ${pmax} ms"
	echo "runner peak RSS (ffmpeg excluded) with a ${big_mb} MiB WAV original: ${peak} KiB (job $big_status)"
} | tee "$out/runner-summary.txt"
