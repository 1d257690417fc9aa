#!/usr/bin/env bash
# The runner, measured beside bare ffmpeg in the same run:
#  1. complete -> completed (jobs.created_at -> jobs.finished_at, both the
#     database's clock) for a 10-minute and a 3-minute FLAC, against the bare
#     ffmpeg schedules making the same renditions on the same cores, run here
#     just before: one process per rung side by side, and the old 2-process
#     split (160 | 64+128). With BENCH_BEFORE_BIN (a directory holding an
#     older mustory-runner) the same jobs are run by it too, same run.
#  2. job pickup latency after complete (jobs.created_at -> claim), p50/p99
#     over BENCH_JOBS (default 100) jobs, one at a time on an idle runner;
#  3. the runner's peak RSS (ffmpeg excluded) while it processes a ~200 MB
#     WAV original.
# usage: bench/runner.sh   (after `make`; uses build/release)
set -euo pipefail
export MAX_UPLOAD_BYTES=$((300 * 1024 * 1024)) MAX_DURATION_SECONDS=3600 JOB_POLL_SECONDS=10
# info: the runner logs each job's stage times (download, probe, transcode, artwork, publish,
# master: the rows of jobs/stages.c), one line per job; the report greps it
export LOG_LEVEL=info
njobs=${BENCH_JOBS:-100}
before=${BENCH_BEFORE_BIN:-}
. "$(dirname "$0")/lib.sh" bench-runner 3
tok=$(token "$(new_user)")
now() { date +%s.%N; }
calc() { awk "BEGIN {print $*}"; }

rung() { # kbps outdir -> the runner's per-rendition output args
	echo -map 0:a:0 -map_metadata -1 -c:a aac -profile:a aac_low -b:a "${1}k" -ac 2 -ar 44100 \
		-f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4 \
		-hls_fmp4_init_filename init.mp4 -hls_flags independent_segments \
		-hls_segment_filename "$2/a$1/seg_%05d.m4s" "$2/a$1/index.m3u8"
}
bare() { # schedule file: runs the bare commands, prints seconds
	local d=$TMP/bare-$1 t0 t1 ff=(ffmpeg -nostdin -v error -y -threads 1 -f flac -i "$2")
	rm -rf "$d"; mkdir -p "$d"/a64 "$d"/a128 "$d"/a160
	t0=$(now)
	case $1 in
	per-rung) for k in 64 128 160; do "${ff[@]}" $(rung $k "$d") & done; wait ;;
	two-processes) { "${ff[@]}" $(rung 160 "$d") & "${ff[@]}" $(rung 64 "$d") $(rung 128 "$d"); wait; } ;;
	esac
	t1=$(now); calc "$t1 - $t0"
}
runner_on() { # name bindir: a runner of that build on this stack
	( set -a; . "$STACK_DIR/env"; exec "$2/mustory-runner" --name "$1" ) \
		>>"$STACK_DIR/logs/runner-$1.log" 2>&1 &
	echo $! > "$STACK_DIR/runner-$1.pid"
	sleep 0.5
}
runner_off() { scripts/stack.sh stop-runner "$1" >/dev/null 2>&1; }
job() { # file ext -> seconds complete -> completed, by the database's clock
	upload "$tok" "$1" "$2" >/dev/null || { echo "bench: upload failed" >&2; exit 1; }
	complete "$tok" "$TRACK_ID"
	wait_status "$tok" "$TRACK_ID" completed 900 || { echo "bench: job did not complete: $BODY" >&2; exit 1; }
	psql_q "select round(extract(epoch from (finished_at - created_at))::numeric, 2) from jobs
		where track_id = '$TRACK_ID'"
}
stages() { grep 'download .*total' "$STACK_DIR/logs/runner-$1.log" | tail -n1 | grep -o 'download .*'; }

# --- 1. a 10-minute and a 3-minute track ---------------------------------
lens=${BENCH_LENGTHS:-600 180}
for len in $lens; do
	ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=44100:duration=$len" \
		-f lavfi -i "anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=$len" \
		-filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" "$TMP/s$len.flac"
done
: > "$TMP/jobs.txt"; : > "$TMP/stages.txt"; : > "$TMP/ratios.txt"
# BENCH_ROUNDS rounds, each schedule once per round, interleaved; the best of
# each is reported (the machine is shared: the best is the least disturbed)
rounds=${BENCH_ROUNDS:-3}
min() { printf '%s\n' "$@" | sort -n | head -n1; }
for len in $lens; do
	B1=() B2=() WA=() WB=()
	for ((r = 0; r < rounds; r++)); do
		B1+=("$(bare per-rung "$TMP/s$len.flac")"); B2+=("$(bare two-processes "$TMP/s$len.flac")")
		runner_on after build/release; WA+=("$(job "$TMP/s$len.flac" flac)"); runner_off after
		if [ -n "$before" ]; then
			runner_on before "$before"; WB+=("$(job "$TMP/s$len.flac" flac)"); runner_off before
		fi
	done
	b_rung=$(min "${B1[@]}"); b_two=$(min "${B2[@]}"); w_after=$(min "${WA[@]}")
	best=$(min "$b_rung" "$b_two")
	w_before=-
	[ -n "$before" ] && w_before=$(min "${WB[@]}")
	echo "$len $b_rung $b_two $best $w_after $w_before" >> "$TMP/jobs.txt"
	echo "$len all rounds: per-rung ${B1[*]}; split ${B2[*]}; runner ${WA[*]}; before ${WB[*]:-}" >> "$TMP/rounds.txt"
	echo "$len $(stages after)" >> "$TMP/stages.txt"
done

[ -n "${BENCH_JOBS_ONLY:-}" ] && { cat "$TMP/jobs.txt" "$TMP/rounds.txt"; exit 0; }
# --- 2. pickup latency ---------------------------------------------------
runner_on bench build/release
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
runner_off bench

{
	echo "== runner, $(nproc) cores, ladder 64/128/160k AAC-LC fMP4 HLS"
	while read -r len b_rung b_two best w_after w_before; do
		printf '%s-s FLAC: bare one process per rung %.2fs, bare 160|64+128 %.2fs (best %.2fs); runner %.2fs = %.3fx' \
			"$len" "$b_rung" "$b_two" "$best" "$w_after" "$(calc "$w_after / $best")"
		[ "$w_before" != - ] && printf '; before %.2fs = %.3fx' "$w_before" "$(calc "$w_before / $best")"
		echo
		echo "ratio job-$len $w_after $best $(calc "$w_after / $best") ${w_before}" >> "$TMP/ratios.txt"
	done < "$TMP/jobs.txt"
	while read -r len st; do echo "  runner's last stage times, $len s: $st"; done < "$TMP/stages.txt"
	sed 's/^/  /' "$TMP/rounds.txt"
	echo "pickup latency over $n jobs (created -> claimed): p50 ${p50} ms, p99 ${p99} ms"
	echo "runner peak RSS (ffmpeg excluded) with a ${big_mb} MiB WAV original: ${peak} KiB (job $big_status)"
} | tee "$out/runner-summary.txt"
{
	cat "$TMP/ratios.txt"
	echo "pickup $p50 $p99"
	echo "runner_rss $peak $big_mb"
} > "$out/runner-figures.txt"
