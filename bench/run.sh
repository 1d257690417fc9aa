#!/usr/bin/env bash
# All benchmarks; each prints its own summary and writes bench/results/;
# then one table of same-run ratios against the goals (bench/README.md).
# BENCH_BEFORE_BIN=DIR (a directory with older mustory-api and
# mustory-runner builds) adds a "before" column from the same run.
set -euo pipefail
cd "$(dirname "$0")"
./api.sh
./runner.sh
./modes.sh
./media.sh
r=results
get() { awk -v k="$1" -v f="$2" '$1 == k {print $f}' "$r/$3"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || a == "-" || b == "" || b == 0) print "-"; else printf "%.3f", a / b }'; }
pg=$(get pgbench 2 api-figures.txt)
pgg=$(get pgbench-grown 2 api-figures.txt)
pgi=$(get pgbench-insert 2 api-figures.txt)
pgig=$(get pgbench-insert-grown 2 api-figures.txt)
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
{
	echo
	echo "== summary ($(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
	row "figure" "measured" "baseline, same run" "ratio" "goal" "before (same run)"
	row "---" "---" "---" "---" "---" "---"
	for len in 600 180; do
		line=$(grep "^ratio job-$len " "$r/runner-figures.txt" || true)
		read -r _ _ w best ratio wb bname devs3 prung _ <<< "$line"
		# the baseline makes the runner's output (renditions + the analysis branch);
		# devs3: the local storage stand-in's CPU during the job, on the same cores
		row "complete→completed, ${len}-s FLAC" "${w} s (devs3 CPU meanwhile ${devs3:-?} s)" \
			"best bare ffmpeg, same output ($bname) $(printf %.2f "$best") s; plain ladder $(printf %.2f "${prung:-0}") s" \
			"$(div "$w" "$best")" "≤ 1.05" \
			"$( [ "$wb" != - ] && echo "${wb} s = $(div "$wb" "$best")" || echo -)"
	done
	for k in status init; do
		goal=$([ $k = status ] && echo "≥ 0.5" || echo "≥ 0.35")
		v=$(get "$k-empty" 2 api-figures.txt); p=$(get "$k-empty" 3 api-figures.txt)
		b=$(get "$k-before" 2 api-figures.txt)
		row "$k, empty tables" "$v req/s, p99 $p" "pgbench -S c32: $pg tps" "$(div "$v" "$pg")" "$goal" \
			"$( [ -n "$b" ] && echo "$b req/s = $(div "$b" "$pg")" || echo -)"
		v=$(get "$k-grown" 2 api-figures.txt); p=$(get "$k-grown" 3 api-figures.txt)
		row "$k, grown tables" "$v req/s, p99 $p" "pgbench -S c32 (then): $pgg tps" "$(div "$v" "$pgg")" "$goal" "-"
	done
	# init against PostgreSQL's own write limit (bench/lib.sh): no goal, the distance left
	for ph in empty grown; do
		v=$(get "init-$ph" 2 api-figures.txt); fpi=$(get "init-$ph" 5 api-figures.txt)
		base=$pgi; [ $ph = grown ] && base=$pgig
		b=; [ $ph = empty ] && b=$(get init-before 2 api-figures.txt)
		row "init, $ph tables, vs the write baseline" "$v req/s, $fpi full-page images/init" \
			"pgbench insert c32$([ $ph = grown ] && echo " (then)"): $base tps, $(get "pgbench-insert$([ $ph = grown ] && echo -grown)" 4 api-figures.txt) FPI/tx" \
			"$(div "$v" "$base")" "-" "$( [ -n "$b" ] && echo "$b req/s = $(div "$b" "$base")" || echo -)"
	done
	row "job pickup, empty / grown" "p50 $(get pickup-empty 2 api-figures.txt) / $(get pickup-grown 2 api-figures.txt) ms, p99 $(get pickup-empty 3 api-figures.txt) / $(get pickup-grown 3 api-figures.txt) ms" "-" "-" "index depth" "-"
	row "queue plans, grown tables" "$(grep '^plans-grown' "$r/api-figures.txt" | cut -d' ' -f2-)" "-" "-" "no seq scan" "-"
	rss=$(get runner_rss 2 runner-figures.txt); mb=$(get runner_rss 3 runner-figures.txt)
	row "runner RSS, ffmpeg excluded, ${mb} MiB original" "$rss KiB" "-" "-" "≤ 32768 KiB" "-"
	row "API worker RSS after load (largest)" "$(get api_rss 2 api-figures.txt) KiB" "-" "-" "≤ 8192 KiB" "-"
} | tee "$r/summary.txt"
