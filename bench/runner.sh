#!/usr/bin/env bash
# The runner, measured beside bare ffmpeg in the same run:
#  1. complete -> completed (jobs.created_at -> jobs.finished_at, both the
#     database's clock) for a 10-minute and a 3-minute FLAC, against bare
#     ffmpeg schedules run in the same rounds on the same cores. The baseline
#     is the best of those that make the runner's output (the three renditions
#     AND the analysis branch's r128.txt and wave.pcm): one process per rung
#     with the analysis on the 64k one (the runner's), the same with the
#     analysis on a 4th process, and 160 | 64+128 with it on 160; the plain
#     ladder (per rung, and the 160 | 64+128 split) is printed beside. For
#     each runner job: storage's (devs3's) CPU meanwhile, the runner's own,
#     and its ffmpegs'. With BENCH_BEFORE_BIN (a directory holding an
#     older mustory-runner) and/or BENCH_BEFORE_DEVS3 (an older tools/devs3)
#     the same jobs are run by them too, same run.
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
# BENCH_BEFORE_DEVS3=DIR: an older tools/devs3 (its server.js and modules) serves
# storage during the "before" jobs (with build/release's runner unless
# BENCH_BEFORE_BIN says otherwise); the "after" jobs get this tree's
before_devs3=${BENCH_BEFORE_DEVS3:-}
[ -n "$before_devs3" ] && [ -z "$before" ] && before=$(dirname "$0")/../build/release
[ -n "$before" ] && before=$(cd "$before" && pwd)
[ -n "$before_devs3" ] && before_devs3=$(cd "$before_devs3" && pwd)
. "$(dirname "$0")/lib.sh" bench-runner 3
tok=$(token "$(new_user)")
now() { date +%s.%N; }
calc() { awk "BEGIN {print $*}"; }

# The runner's own ffmpeg arguments (jobs/transcode.c transcode_argv and
# transcode_analysis_args), so that a bare schedule makes the same output.
rung() { # kbps -> one rendition's output args (relative to the process's cwd, as the runner's)
	echo -map 0:a:0 -map_metadata -1 -map_chapters -1 -c:a aac -profile:a aac_low -b:a "${1}k" \
		-ac 2 -ar 44100 -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4 \
		-hls_fmp4_init_filename init.mp4 -hls_flags independent_segments \
		-hls_segment_filename "a$1/seg_%05d.m4s" "a$1/index.m3u8"
}
# the analysis branch: EBU R128 with true peak to ../r128.txt, 4 kHz mono PCM to ../wave.pcm
ANALYSIS=(-filter_complex "[0:a:0]asplit=2[r][w];[r]ebur128=metadata=1:peak=true,ametadata=mode=print:file=../r128.txt,anullsink;[w]aresample=4000,aformat=sample_fmts=s16:channel_layouts=mono[wv]"
	-map "[wv]" -c:a pcm_s16le -f s16le ../wave.pcm)
# the analysis alone, on a process of its own (decodes once more, encodes nothing)
ANALYSIS_ONLY=(-filter_complex "[0:a:0]ebur128=metadata=1:peak=true,ametadata=mode=print:file=../r128.txt,aresample=4000,aformat=sample_fmts=s16:channel_layouts=mono[wv]"
	-map "[wv]" -c:a pcm_s16le -f s16le ../wave.pcm)
# The bare schedules. "same output" ones make what the runner makes (the
# three renditions, r128.txt, wave.pcm); the plain ones only the renditions.
SAME="rung-an64 rung-an-own split-an160"
PLAIN="rung split"
bare() { # schedule file: runs the bare commands; prints wall seconds and the ffmpegs' CPU seconds
	local d=$TMP/bare-$1 t0 t1 ff me=$BASHPID
	ff=(ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 -t 3601 -protocol_whitelist file
		-f flac -i "file:$2")
	rm -rf "$d"; mkdir -p "$d"/hls/a64 "$d"/hls/a128 "$d"/hls/a160
	cd "$d/hls"
	t0=$(now)
	case $1 in
	rung) for k in 64 128 160; do "${ff[@]}" $(rung $k) & done; wait ;;
	split) "${ff[@]}" $(rung 160) & "${ff[@]}" $(rung 64) $(rung 128) & wait ;;
	# the runner's schedule: one process per rung, the analysis on the lightest (64k)
	rung-an64) "${ff[@]}" $(rung 160) & "${ff[@]}" $(rung 128) &
		"${ff[@]}" $(rung 64) "${ANALYSIS[@]}" & wait ;;
	rung-an-own) for k in 64 128 160; do "${ff[@]}" $(rung $k) & done
		"${ff[@]}" "${ANALYSIS_ONLY[@]}" & wait ;;
	# JOB_PARALLELISM=2: 160 | 64+128, the analysis on the lighter (160k)
	split-an160) "${ff[@]}" $(rung 160) "${ANALYSIS[@]}" & "${ff[@]}" $(rung 64) $(rung 128) & wait ;;
	esac
	t1=$(now)
	cd "$ROOT"
	# cutime + cstime of this subshell: the ffmpegs it waited for
	echo "$(calc "$t1 - $t0") $(awk '{print ($16 + $17) / 100}' "/proc/$me/stat")"
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime
runner_on() { # name bindir: a runner of that build on this stack
	( set -a; . "$STACK_DIR/env"; exec "$2/mustory-runner" --name "$1" ) \
		>>"$STACK_DIR/logs/runner-$1.log" 2>&1 &
	echo $! > "$STACK_DIR/runner-$1.pid"
	sleep 0.5
}
runner_off() { scripts/stack.sh stop-runner "$1" >/dev/null 2>&1; }
storage_from() { # DIR: restart the stack's storage with DIR/server.js (same port, data, keys)
	scripts/stack.sh stop-storage >/dev/null 2>&1
	( set -a; . "$STACK_DIR/env"; DEVS3_ACCESS_KEY=$STORAGE_ACCESS_KEY DEVS3_SECRET_KEY=$STORAGE_SECRET_KEY
	  exec node --openssl-legacy-provider "$1/server.js" --dir "$STACK_DIR/s3" --host 127.0.0.1 \
		--port "$S3_PORT" --bucket "$STORAGE_BUCKET" --region "$STORAGE_REGION" ) \
		>>"$STACK_DIR/logs/storage.log" 2>&1 &
	echo $! > "$STACK_DIR/storage.pid"
	for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && return 0; sleep 0.1; done
	echo "bench: storage from $1 did not start" >&2; exit 1
}
runner_cpu() { # name: the runner's own CPU seconds (its workers' too) and its reaped children's (ffmpeg)
	local p=$(cat "$STACK_DIR/runner-$1.pid")
	for q in $p $(pgrep -P "$p" 2>/dev/null); do cat "/proc/$q/stat" 2>/dev/null; done |
		awk '{ own += $14 + $15; kids += $16 + $17 } END { printf "%.2f %.2f", own / 100, kids / 100 }'
}
job() { # file ext -> seconds complete -> completed (the database's clock), devs3's CPU seconds meanwhile
	local s0 s1 spid
	upload "$tok" "$1" "$2" >/dev/null || { echo "bench: upload failed" >&2; exit 1; }
	spid=$(cat "$STACK_DIR/storage.pid"); s0=$(ticks "$spid")
	complete "$tok" "$TRACK_ID"
	wait_status "$tok" "$TRACK_ID" completed 900 >/dev/null ||
		{ echo "bench: job did not complete: $BODY" >&2; exit 1; }
	s1=$(ticks "$spid")
	echo "$(psql_q "select round(extract(epoch from (finished_at - created_at))::numeric, 2)
		from jobs where track_id = '$TRACK_ID'") $(calc "($s1 - $s0) / 100")"
}
stages() { grep 'download .*total' "$STACK_DIR/logs/runner-$1.log" | tail -n1 | grep -o 'download .*'; }

# --- 1. a 10-minute and a 3-minute track ---------------------------------
lens=${BENCH_LENGTHS:-600 180}
for len in $lens; do
	ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=44100:duration=$len" \
		-f lavfi -i "anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=$len" \
		-filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" "$TMP/s$len.flac"
done
: > "$TMP/jobs.txt"; : > "$TMP/stages.txt"; : > "$TMP/ratios.txt"; : > "$TMP/rounds.txt"
# BENCH_ROUNDS rounds, each schedule once per round, interleaved; the best of
# each is reported (the machine is shared: the best is the least disturbed)
rounds=${BENCH_ROUNDS:-3}
min() { printf '%s\n' "$@" | sort -n | head -n1; }
best_of() { # file: the line with the least first field
	sort -n "$1" | head -n1
}
for len in $lens; do
	rm -f "$TMP"/r-*.txt
	for ((r = 0; r < rounds; r++)); do
		# $(...): each schedule in a subshell of its own, whose children are its ffmpegs
		for s in $SAME $PLAIN; do echo "$(bare "$s" "$TMP/s$len.flac")" >> "$TMP/r-$s.txt"; done
		runner_on after build/release
		echo "$(job "$TMP/s$len.flac" flac) $(runner_cpu after)" >> "$TMP/r-after.txt"
		runner_off after
		if [ -n "$before" ]; then
			[ -n "$before_devs3" ] && storage_from "$before_devs3"
			runner_on before "$before"
			echo "$(job "$TMP/s$len.flac" flac) $(runner_cpu before)" >> "$TMP/r-before.txt"
			runner_off before
			[ -n "$before_devs3" ] && storage_from "$ROOT/tools/devs3"
		fi
	done
	# best bare for the same output: the least wall of any same-output schedule
	best=999 bname=-
	for s in $SAME; do
		w=$(best_of "$TMP/r-$s.txt" | cut -d' ' -f1)
		[ "$(calc "$w < $best")" = 1 ] && { best=$w; bname=$s; }
	done
	{
		printf '%s best %s %s' "$len" "$best" "$bname"
		for s in $SAME $PLAIN; do printf ' %s=%s' "$s" "$(best_of "$TMP/r-$s.txt" | tr ' ' /)"; done
		printf ' after=%s' "$(best_of "$TMP/r-after.txt" | tr ' ' /)"
		[ -n "$before" ] && printf ' before=%s' "$(best_of "$TMP/r-before.txt" | tr ' ' /)"
		# the least CPU of each over the rounds (CPU time too grows when other work
		# shares the cores); a runner's: its ffmpegs + itself + devs3, and without devs3
		for s in $SAME $PLAIN; do printf ' cpu:%s=%s' "$s" "$(awk '{print $2}' "$TMP/r-$s.txt" | sort -n | head -n1)"; done
		for s in after ${before:+before}; do
			printf ' cpu:%s=%s' "$s" "$(awk '{print $2 + $3 + $4, $3 + $4}' "$TMP/r-$s.txt" | sort -n | head -n1 | tr ' ' /)"
		done
		echo
	} >> "$TMP/jobs.txt"
	{
		echo "$len all rounds (wall s / ffmpeg CPU s; runner: job s / devs3 CPU s / runner CPU s / its children's (ffprobe, ffmpeg) CPU s):"
		for s in $SAME $PLAIN after ${before:+before}; do
			echo "  $s: $(tr ' ' / < "$TMP/r-$s.txt" | paste -sd' ')"
		done
	} >> "$TMP/rounds.txt"
	echo "$len $(stages after)" >> "$TMP/stages.txt"
done

summary_jobs() { # section 1's summary (and $TMP/ratios.txt)
	echo "== runner, $(nproc) cores, ladder 64/128/160k AAC-LC fMP4 HLS"
	echo "bare schedules: rung = one process per rung; split = 160 | 64+128; -an64 / -an160: with the"
	echo "  analysis branch on that rung's process, -an-own: on a 4th process (same output as the runner)"
	while read -r len _ best bname rest; do
		declare -A f=()
		for kv in $rest; do f[${kv%%=*}]=${kv#*=}; done
		IFS=/ read -r w_after devs3 rcpu ffcpu <<< "${f[after]}"
		printf '%s-s FLAC: runner %.2fs = %.3fx the best bare for the same output (%s %.2fs); devs3 CPU %.2fs during the job, the runner %.2fs, its children (ffprobe, ffmpeg) %.2fs\n' \
			"$len" "$w_after" "$(calc "$w_after / $best")" "$bname" "$best" "$devs3" "$rcpu" "$ffcpu"
		# CPU seconds (the least over the rounds), which move less than wall time
		# when other work shares the cores; against the same-output schedule of least CPU
		b_cpu=999 b_cname=-
		for s in $SAME; do
			[ "$(calc "${f[cpu:$s]} < $b_cpu")" = 1 ] && { b_cpu=${f[cpu:$s]}; b_cname=$s; }
		done
		for s in after ${f[before]:+before}; do
			IFS=/ read -r r_cpu r_nodevs3 <<< "${f[cpu:$s]}"
			printf '  CPU, %s: the runner + its children + devs3 %.2fs, bare %s %.2fs = %.3fx; without devs3 %.3fx\n' \
				"$s" "$r_cpu" "$b_cname" "$b_cpu" "$(calc "$r_cpu / $b_cpu")" "$(calc "$r_nodevs3 / $b_cpu")"
		done
		printf '  bare (best wall s / its ffmpeg CPU s):'
		for s in $SAME $PLAIN; do printf ' %s %s' "$s" "${f[$s]:-}"; done
		echo
		w_before=-
		if [ -n "${f[before]:-}" ]; then
			w_before=${f[before]%%/*}
			IFS=/ read -r _ b_devs3 b_rcpu b_ffcpu <<< "${f[before]}"
			printf '  before %.2fs = %.3fx; devs3 CPU %.2fs, the runner %.2fs, its children (ffprobe, ffmpeg) %.2fs\n' \
				"$w_before" "$(calc "$w_before / $best")" "$b_devs3" "$b_rcpu" "$b_ffcpu"
		fi
		IFS=/ read -r r_cpu _ <<< "${f[cpu:after]}"
		echo "ratio job-$len $w_after $best $(calc "$w_after / $best") $w_before $bname $devs3 ${f[rung]%%/*} ${f[split]%%/*} $(calc "$r_cpu / $b_cpu")" >> "$TMP/ratios.txt"
		unset f
	done < "$TMP/jobs.txt"
	while read -r len st; do echo "  runner's last stage times, $len s: $st"; done < "$TMP/stages.txt"
	sed 's/^/  /' "$TMP/rounds.txt"
}
[ -n "${BENCH_JOBS_ONLY:-}" ] && { summary_jobs | tee "$out/runner-summary.txt"; cp "$TMP/ratios.txt" "$out/runner-figures.txt"; exit 0; }
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
	summary_jobs
	echo "pickup latency over $n jobs (created -> claimed): p50 ${p50} ms, p99 ${p99} ms"
	echo "runner peak RSS (ffmpeg excluded) with a ${big_mb} MiB WAV original: ${peak} KiB (job $big_status)"
} | tee "$out/runner-summary.txt"
{
	cat "$TMP/ratios.txt"
	echo "pickup $p50 $p99"
	echo "runner_rss $peak $big_mb"
} > "$out/runner-figures.txt"
