#!/usr/bin/env bash
# A/B comparison of API builds and nginx sites on one stack, in interleaved
# rounds, each against PostgreSQL's own baselines run in the same round
# (bench/lib.sh: `pgbench -S`, 32 clients, and the write baseline, 32
# clients each committing one single-row INSERT into a tracks table): the
# only fair figures on a shared, noisy machine. Each round runs both
# pgbench loads, then every variant (in reverse order every other round:
# ABBA), GET status and POST init with wrk -t2 -c32 (BENCH_AB_CONN) for
# BENCH_SECONDS (default 5) each. Printed per variant: the median over
# rounds of req/s / pgbench -S tps (init: and / the insert tps), the median
# of the per-round ratio to the first variant, and the server side's CPU per
# request (API + nginx + PostgreSQL processes, from /proc; clients excluded)
# against pgbench's per transaction (PostgreSQL's): what the throughput
# ratio would be on a machine the load had to itself, and far steadier than
# req/s when other work shares the cores. Init and the insert baseline each
# start from a CHECKPOINT (so the full-page images they write do not depend
# on when the last one fell) and report their WAL per request from
# pg_stat_wal (the cluster's: records, full-page images, bytes, syncs).
#
# usage: bench/ab.sh NAME=SPEC [NAME=SPEC ...]
#   SPEC: comma-separated key=value; bin=DIR (mustory-api from DIR, default
#   build/release), site=FILE (an nginx/mustory.conf-style template, default
#   the repository's), db=empty|small|grown (grown: BENCH_TRACKS tracks over
#   BENCH_USERS users with a succeeded job and its run each, default 1 000 000
#   over 10 000; small: BENCH_SMALL_TRACKS of them, default 10 000; empty:
#   only the one status reads), workers=N (FCGI_WORKERS, default 4),
#   sql=FILE (the variant gets its own copy of its db with FILE applied, e.g.
#   an index to try: the same rows, a schema change measured in the same run).
#   e.g. bench/ab.sh old=bin=/tmp/old new=bin=build/release
# BENCH_ROUNDS (default 5); BENCH_AB_WHAT (default "status init").
# Output: bench/results/ab-summary.txt, ab-rounds.txt (every measurement),
# ab-io.txt (per init: the tracks heap's and indexes' blocks read and hit),
# ab-fpi.txt (per init: full-page images by relation, from pg_walinspect),
# ab-explain-DB.txt (init's INSERT under EXPLAIN ANALYZE after the last round).
set -euo pipefail
export FCGI_WORKERS=${FCGI_WORKERS:-4}
export MAX_PENDING_UPLOADS_PER_USER=100000 JOB_POLL_SECONDS=10
secs=${BENCH_SECONDS:-5}
rounds=${BENCH_ROUNDS:-5}
what=${BENCH_AB_WHAT:-status init}
conn=${BENCH_AB_CONN:-32}
ntracks=${BENCH_TRACKS:-1000000}
nusers=${BENCH_USERS:-10000}
nsmall=${BENCH_SMALL_TRACKS:-10000}
ninit=${BENCH_INIT_USERS:-400}
[ $# -ge 1 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
. "$(dirname "$0")/lib.sh" bench-ab 5
default_site=$ROOT/nginx/mustory.conf

names=() ; declare -A vbin vsite vdb vworkers vsql
for arg in "$@"; do
	n=${arg%%=*}; spec=${arg#*=}
	names+=("$n"); vbin[$n]=build/release; vsite[$n]=$default_site; vdb[$n]=empty; vworkers[$n]=$FCGI_WORKERS
	IFS=, read -ra kv <<< "$spec"
	for p in "${kv[@]}"; do
		case ${p%%=*} in
		bin) vbin[$n]=${p#*=} ;; site) vsite[$n]=$(realpath "${p#*=}") ;;
		db) vdb[$n]=${p#*=} ;; workers) vworkers[$n]=${p#*=} ;; sql) vsql[$n]=$(realpath "${p#*=}") ;;
		*) echo "ab: unknown key in $p" >&2; exit 2 ;;
		esac
	done
	[ -x "${vbin[$n]}/mustory-api" ] || { echo "ab: no ${vbin[$n]}/mustory-api" >&2; exit 2; }
done

base_url=$DATABASE_URL
sql() { psql -X -q -tA -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# The same completed track (with its succeeded job and run) in both
# databases: status reads it; in the grown one it is one of BENCH_TRACKS.
fill() { # url first last
	sql "$1" "SET synchronous_commit = off;
	INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size, content_type,
		original_audio_key, original_audio_url, processing_status, duration_seconds, hls_prefix,
		hls_url, created_at, updated_at)
	SELECT md5('t' || i)::uuid, md5('u' || (i % $nusers))::uuid, 'Song ' || i, 'Artist ' || (i % $nusers),
		'mp3', 5000000, 'audio/mpeg', 'tracks/' || md5('t' || i)::uuid || '/original.mp3',
		'http://x/tracks/' || md5('t' || i)::uuid || '/original.mp3', 'COMPLETED', 180,
		'hls/' || md5('t' || i)::uuid || '/0123456789abcdef', 'http://x/hls/master.m3u8',
		now() - make_interval(secs => i), now() - make_interval(secs => i)
	FROM generate_series($2, $3) i;
	INSERT INTO jobs (track_id, state, attempts, progress, run_at, created_at, updated_at,
		started_at, finished_at)
	SELECT id, 'succeeded', 1, 100, created_at, created_at, created_at, created_at,
		created_at + interval '10 seconds' FROM tracks WHERE title LIKE 'Song %';
	INSERT INTO job_runs (job_id, attempt, runner, started_at, finished_at, outcome)
	SELECT id, 1, 'bench:1:grown', started_at, finished_at, 'succeeded' FROM jobs
	WHERE state = 'succeeded'" >/dev/null
	sql "$1" "VACUUM ANALYZE tracks" >/dev/null; sql "$1" "VACUUM ANALYZE jobs" >/dev/null
	sql "$1" "VACUUM ANALYZE job_runs" >/dev/null
}
fill "$base_url" 1 1
for d in grown small; do
	printf '%s\n' "${vdb[@]}" | grep -qx "$d" || continue
	psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database mustory_$d owner mustory" postgres
	DATABASE_URL=${base_url%/*}/mustory_$d scripts/migrate.sh >/dev/null
	t0=$(date +%s); fill "${base_url%/*}/mustory_$d" 1 "$([ $d = grown ] && echo "$ntracks" || echo "$nsmall")"
	echo "ab: $d: $(sql "${base_url%/*}/mustory_$d" "select count(*) from tracks") tracks in $(( $(date +%s) - t0 )) s"
	psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c CHECKPOINT postgres
done
# sql=FILE: a copy of the variant's database (the grown one copied as files,
# not through the WAL), FILE applied to it; the variant uses that copy
k=0
for n in "${names[@]}"; do
	[ -n "${vsql[$n]:-}" ] || continue
	k=$((k + 1)); d=${vdb[$n]}_sql$k
	if [ "${vdb[$n]}" = empty ]; then
		psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database mustory_$d owner mustory" postgres
		DATABASE_URL=${base_url%/*}/mustory_$d scripts/migrate.sh >/dev/null
		fill "${base_url%/*}/mustory_$d" 1 1
	else
		psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database mustory_$d owner mustory
			template mustory_${vdb[$n]} strategy file_copy" postgres
	fi
	psql -X -q -v ON_ERROR_STOP=1 "${base_url%/*}/mustory_$d" -f "${vsql[$n]}" >/dev/null
	sql "${base_url%/*}/mustory_$d" "VACUUM ANALYZE tracks" >/dev/null
	echo "ab: $n: mustory_$d, ${vdb[$n]} with $(basename "${vsql[$n]}")"
	vdb[$n]=$d
done
id=$(sql "$base_url" "select md5('t1')::uuid")
export TOKEN=$(token "$(sql "$base_url" "select md5('u1')::uuid")" 36000)
init_script "$ninit" 36000

pgbench_setup

pg_pm=$(head -n1 "$(psql -X -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'show data_directory' postgres)/postmaster.pid")
# The server side's CPU ticks so far (clients excluded): the API, nginx and
# PostgreSQL processes, with the backends that exited (the postmaster's
# children's time).
ticks() {
	local a n pids p
	a=$(cat "$STACK_DIR/api.pid"); n=$(cat "$STACK_DIR/nginx/nginx.pid")
	pids="$a $(pgrep -P "$a" | tr '\n' ' ') $n $(pgrep -P "$n" | tr '\n' ' ') $(pgrep -P "$pg_pm" | tr '\n' ' ')"
	{ for p in $pids; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}'; done
	  sed 's/.*) //' "/proc/$pg_pm/stat" | awk '{print $12 + $13 + $14 + $15}'; } | awk '{s += $1} END {print s}'
}
tick_us=$((1000000 / $(getconf CLK_TCK)))
# CPU microseconds per request of the last run: ticks before, after, wrk's output or pgbench's count
cpu_per() { awk -v a="$1" -v b="$2" -v n="$3" -v u="$tick_us" 'BEGIN { if (n > 0) printf "%.1f", (b - a) * u / n; else print "-" }'; }

cur_site=$default_site
variant_on() { # name: its API (and its nginx site when it differs)
	local n=$1 url=$base_url
	[ "${vdb[$n]}" != empty ] && url=${base_url%/*}/mustory_${vdb[$n]}
	if [ "${vsite[$n]}" != "$cur_site" ]; then
		scripts/stack.sh stop-nginx >/dev/null 2>&1
		NGINX_SITE=${vsite[$n]} scripts/stack.sh start-nginx >/dev/null 2>&1
		cur_site=${vsite[$n]}
	fi
	scripts/stack.sh stop-api >/dev/null 2>&1
	rm -f "$FCGI_SOCKET"
	( set -a; . "$STACK_DIR/env"; DATABASE_URL=$url FCGI_WORKERS=${vworkers[$n]}
	  exec "${vbin[$n]}/mustory-api" ) >>"$STACK_DIR/logs/api.log" 2>&1 &
	echo $! > "$STACK_DIR/api.pid"
	for ((i = 0; i < 100; i++)); do [ -S "$FCGI_SOCKET" ] && break; sleep 0.1; done
	sleep 0.3
	curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$API_URL/tracks/upload/status/$id"
}
# io_now URL: tracks' blocks so far, read (not in shared buffers) and hit,
# its heap and each of its indexes: "name read hit" lines
io_now() {
	psql -X -q -tA -F' ' "$1" -c "select 'heap', heap_blks_read, heap_blks_hit from pg_statio_user_tables
		where relname = 'tracks' union all select indexrelname, idx_blks_read, idx_blks_hit
		from pg_statio_user_indexes where relname = 'tracks' order by 1"
}
# io_per BEFORE AFTER N: "name read hit" per one of N
io_per() {
	awk -v n="$3" 'FNR == NR {r[$1] = $2; h[$1] = $3; next}
		n > 0 {printf "%s %.3f %.3f\n", $1, ($2 - r[$1]) / n, ($3 - h[$1]) / n}' <(echo "$1") <(echo "$2")
}
# fpi_per URL LSN0 LSN1 N: the full-page images in the WAL between the two
# positions (pg_walinspect) per one of N, by relation of URL's database
# ("other": another database's, or a relation gone): "name fpi" lines
pgq() { psql -X -q -tA -F' ' -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
fpi_per() {
	local db
	db=$(psql -X -q -tA "$1" -c "select oid from pg_database where datname = current_database()")
	awk -v db="$db" -v n="$4" 'FNR == NR {name[$1] = $2; next}
		{k = ($1 == db && ($2 in name)) ? name[$2] : "other"; c[k] += $3}
		END {for (k in c) if (n > 0) printf "%s %.3f\n", k, c[k] / n}' \
		<(psql -X -q -tA -F' ' "$1" -c "select relfilenode, relname from pg_class where relfilenode <> 0") \
		<(pgq -c "select m[1], m[2], count(*) from pg_get_wal_records_info('$2', '$3') r,
			regexp_matches(r.block_ref, 'rel [0-9]+/([0-9]+)/([0-9]+) fork [a-z]+ blk [0-9]+ \\(FPW\\)', 'g') m
			group by 1, 2" postgres)
}
measure() { # name round
	local n=$1 r=$2 url=$base_url rps
	[ "${vdb[$n]}" != empty ] && url=${base_url%/*}/mustory_${vdb[$n]}
	for w in $what; do
		[ "$w" = init ] && { sql "$url" "DELETE FROM tracks WHERE title = 'Bench Song'" >/dev/null
			sql "$url" "VACUUM tracks" >/dev/null
			psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c CHECKPOINT postgres; }
		io0=$(io_now "$url"); w0=$(wal_now); l0=$(pgq -c "select pg_current_wal_lsn()" postgres); t0=$(ticks)
		case $w in
		status) wrk -t2 -c"$conn" -d"${secs}s" --latency -H "Authorization: Bearer $TOKEN" \
			"$API_URL/tracks/upload/status/$id" > "$TMP/wrk.txt" ;;
		init) # (the previous runs' PENDING rows were deleted: no longer count)
			wrk -t2 -c"$conn" -d"${secs}s" --latency -s "$TMP/init.lua" \
				"$API_URL/tracks/upload/init" > "$TMP/wrk.txt" ;;
		esac
		t1=$(ticks)
		[ "$w" = init ] && sleep 1.2 # the API's backends report their WAL when idle
		rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
		nreq=$(awk '/requests in/ {print $1}' "$TMP/wrk.txt")
		echo "$r $n $w $rps $(awk '$1=="99%" {print $2}' "$TMP/wrk.txt") $(awk '/Non-2xx/ {print $NF; f=1} END {if (!f) print 0}' "$TMP/wrk.txt") $(cpu_per "$t0" "$t1" "$nreq") $(wal_per "$w0" "$(wal_now)" "$nreq")" \
			>> "$out/ab-rounds.txt"
		[ "$w" = init ] && io_per "$io0" "$(io_now "$url")" "$nreq" | sed "s/^/$r $n /" >> "$out/ab-io.txt"
		[ "$w" = init ] && fpi_per "$url" "$l0" "$(pgq -c "select pg_current_wal_lsn()" postgres)" "$nreq" |
			sed "s/^/$r $n /" >> "$out/ab-fpi.txt"
	done
}

: > "$out/ab-rounds.txt"; : > "$out/ab-io.txt"; : > "$out/ab-fpi.txt"
pgq -c "create extension if not exists pg_walinspect" postgres
for ((r = 1; r <= rounds; r++)); do
	for k in S insert; do
		[ $k = insert ] && pgbench_reset
		w0=$(wal_now); t0=$(ticks)
		pgbench_run "$k" "$secs" "$TMP/pgb.txt"
		sleep 0.5 # its backends reaped: their time is the postmaster's children's
		t1=$(ticks)
		echo "$r pgbench $k $(pgbench_tps "$TMP/pgb.txt") - 0 $(cpu_per "$t0" "$t1" "$(pgbench_count "$TMP/pgb.txt")") $(wal_per "$w0" "$(wal_now)" "$(pgbench_count "$TMP/pgb.txt")")" >> "$out/ab-rounds.txt"
	done
	order=("${names[@]}")
	if (( r % 2 == 0 )); then order=(); for ((k = ${#names[@]} - 1; k >= 0; k--)); do order+=("${names[k]}"); done; fi
	for n in "${order[@]}"; do variant_on "$n"; measure "$n" "$r"; done
	echo "ab: round $r/$rounds done ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

# explain_init DB: init's INSERT as lib/track.c sends it (one of the load's
# owners, a new version-7 id) under EXPLAIN (ANALYZE, BUFFERS, WAL), rolled
# back, in the state the last round left: bench/results/ab-explain-DB.txt
explain_init() {
	local url=$base_url owner ms r tid
	[ "$1" != empty ] && url=${base_url%/*}/mustory_$1
	owner=$(sql "$url" "SELECT owner_id FROM tracks WHERE title = 'Bench Song' LIMIT 1")
	[ -n "$owner" ] || return 0
	ms=$(printf '%012x' "$(date +%s%3N)"); r=$(cat /proc/sys/kernel/random/uuid)
	tid=${ms:0:8}-${ms:8:4}-7${r:15:3}-${r:19:4}-${r:24:12}
	psql -X -q -tA -v ON_ERROR_STOP=1 "$url" -c BEGIN -c "EXPLAIN (ANALYZE, BUFFERS, WAL, TIMING OFF)
		INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size,
		content_type, original_audio_key, original_audio_url, artwork_extension, artwork_key,
		upload_mode, multipart_upload_id, multipart_part_size)
		SELECT '$tid', '$owner', 'Bench Song', 'Bench', 'mp3', '5242880', 'audio/mpeg',
		'tracks/$tid/original.mp3', 'http://x/tracks/$tid/original.mp3', NULL, NULL, 'post', NULL, NULL::bigint
		WHERE (SELECT count(*) FROM tracks WHERE owner_id = '$owner'
		AND processing_status = 'PENDING'::track_processing_status AND deleted_at IS NULL) < '100000'::bigint" \
		-c ROLLBACK > "$out/ab-explain-$1.txt"
}
if [[ " $what " == *" init "* ]]; then
	for d in $(printf '%s\n' "${vdb[@]}" | sort -u); do explain_init "$d"; done
fi
med() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# col N W F: the median over rounds of column F of the lines "N W" (e.g. "pgbench S")
col() { awk -v n="$1" -v w="$2" -v f="$3" '$2 == n && $3 == w && $f != "-" {print $f}' "$out/ab-rounds.txt" | med; }
# ratio N W F BASE: the median over rounds of N's column F / that round's pgbench BASE's (F=4: req/s per tps)
ratio() { awk -v n="$1" -v w="$2" -v f="$3" -v b="$4" '$2 == "pgbench" && $3 == b {pg[$1] = $f}
	$2 == n && $3 == w && $f > 0 && pg[$1] > 0 {printf "%.4f\n", (f == 4 ? $f / pg[$1] : pg[$1] / $f)}' "$out/ab-rounds.txt" | med; }
walcols() { printf '%s records, %s full-page images, %s bytes, %s syncs' "$(col "$1" "$2" 8)" "$(col "$1" "$2" 9)" "$(col "$1" "$2" 10)" "$(col "$1" "$2" 11)"; }
{
	echo "== bench/ab.sh $(date -u '+%Y-%m-%d %H:%M') UTC, $rounds rounds of ${secs} s, wrk -t2 -c$conn, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	for k in S insert; do
		echo "pgbench $k c${BENCH_PG_CLIENTS:-32} tps per round: $(awk -v k=$k '$2 == "pgbench" && $3 == k {printf "%s ", $4}' "$out/ab-rounds.txt")"
		echo "pgbench $k server CPU us/transaction per round: $(awk -v k=$k '$2 == "pgbench" && $3 == k {printf "%s ", $7}' "$out/ab-rounds.txt")"
	done
	echo "pgbench insert WAL per transaction (medians): $(walcols pgbench insert)"
	first=${names[0]}
	for w in $what; do
		for n in "${names[@]}"; do
			rel=$(awk -v n="$n" -v f="$first" -v w="$w" '$2 == f && $3 == w {a[$1] = $4} $2 == n && $3 == w {b[$1] = $4}
				END {for (r in b) if (a[r] > 0) printf "%.4f\n", b[r] / a[r]}' "$out/ab-rounds.txt" | med)
			p99s=$(awk -v n="$n" -v w="$w" '$2 == n && $3 == w {printf "%s ", $5}' "$out/ab-rounds.txt")
			bad=$(awk -v n="$n" -v w="$w" '$2 == n && $3 == w {s += $6} END {print s + 0}' "$out/ab-rounds.txt")
			printf '%-7s %-12s median %8s req/s  ratio to pgbench -S %s  vs %s %s  | server CPU %s us/req, pgbench -S'"'"'s/this %s | non-2xx %s  p99 %s\n' \
				"$w" "$n" "$(col "$n" "$w" 4)" "$(ratio "$n" "$w" 4 S)" "$first" "$rel" "$(col "$n" "$w" 7)" "$(ratio "$n" "$w" 7 S)" "$bad" "$p99s"
			if [ "$w" = init ]; then
				printf '%-20s ratio to pgbench insert %s  | pgbench insert'"'"'s CPU/this %s | WAL per init: %s\n' \
					"" "$(ratio "$n" "$w" 4 insert)" "$(ratio "$n" "$w" 7 insert)" "$(walcols "$n" "$w")"
				printf '%-20s plan of the pending count (bench/results/ab-explain-%s.txt): %s\n' "" "${vdb[$n]}" \
					"$(grep -o 'Scan using [a-z_0-9]*\|Bitmap Index Scan on [a-z_0-9]*\|Seq Scan on [a-z_0-9]*' "$out/ab-explain-${vdb[$n]}.txt" 2>/dev/null | head -1)"
				printf '%-20s full-page images per init by relation (medians): %s\n' "" "$(awk -v n="$n" '$2 == n {print $3}' "$out/ab-fpi.txt" | sort -u |
					while read -r x; do printf '%s %s  ' "$x" "$(awk -v n="$n" -v x="$x" '$2 == n && $3 == x {print $4}' "$out/ab-fpi.txt" | med)"; done)"
				printf '%-20s tracks'"'"' blocks per init, read/hit (medians): %s\n' "" "$(awk -v n="$n" '$2 == n {print $3}' "$out/ab-io.txt" | sort -u |
					while read -r x; do printf '%s %s/%s  ' "$x" \
						"$(awk -v n="$n" -v x="$x" '$2 == n && $3 == x {print $4}' "$out/ab-io.txt" | med)" \
						"$(awk -v n="$n" -v x="$x" '$2 == n && $3 == x {print $5}' "$out/ab-io.txt" | med)"; done)"
			fi
		done
	done
} | tee "$out/ab-summary.txt"
