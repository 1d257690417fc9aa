#!/usr/bin/env bash
# API throughput through nginx (wrk) beside PostgreSQL's own baselines on the
# same cluster, in the same run (bench/lib.sh: pgbench -S, and the write
# baseline: one single-row INSERT per transaction into a tracks table; init
# is printed against both, and its WAL per request from pg_stat_wal after a
# CHECKPOINT), first on empty tables, then with the tables grown by SQL
# (BENCH_TRACKS tracks over BENCH_USERS users, default 1 000 000 over 10 000,
# each with a succeeded job and its run); the job pickup latency and the
# plans of the runner's queue queries at both sizes; the FastCGI processes'
# RSS. Bounded: each load runs BENCH_SECONDS (default 10) on loopback.
# usage: bench/api.sh   (after `make`; uses build/release)
set -euo pipefail
export FCGI_WORKERS=${FCGI_WORKERS:-4}
# init load is spread over BENCH_INIT_USERS users; each may keep this many PENDING
export MAX_PENDING_UPLOADS_PER_USER=100000 JOB_POLL_SECONDS=10
secs=${BENCH_SECONDS:-10}
ntracks=${BENCH_TRACKS:-1000000}
nusers=${BENCH_USERS:-10000}
ninit=${BENCH_INIT_USERS:-400}
npick=${BENCH_PICKUPS:-20}
# BENCH_BEFORE_BIN: a directory with an older mustory-api, measured on the empty tables too;
# BENCH_BEFORE_SITE: the nginx site it is measured behind (e.g. an older nginx/mustory.conf:
# an API built on libfcgi must not get kept connections)
before=${BENCH_BEFORE_BIN:-}
before_site=${BENCH_BEFORE_SITE:-}
. "$(dirname "$0")/lib.sh" bench 2

user=$(new_user)
export TOKEN=$(token "$user" 3600)
init_upload "$TOKEN" /etc/hostname mp3 >/dev/null
id=$(jget .track_id)
[ -n "$id" ] && [ "$id" != null ] || { echo "bench: init failed: $STATUS $BODY" >&2; exit 1; }
init_script "$ninit" 3600

load() { # phase: status and init through nginx
	wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer $TOKEN" \
		"$API_URL/tracks/upload/status/$id" > "$out/wrk-status-$1.txt"
	psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c CHECKPOINT postgres
	local w0
	w0=$(wal_now)
	wrk -t2 -c32 -d"${secs}s" --latency -s "$TMP/init.lua" "$API_URL/tracks/upload/init" \
		> "$out/wrk-init-$1.txt"
	sleep 1.2 # the API's backends report their WAL when idle
	wal_per "$w0" "$(wal_now)" "$(awk '/requests in/ {print $1}' "$out/wrk-init-$1.txt")" > "$out/wal-init-$1.txt"
}
pickup() { # phase: p50 p99 ms over npick tiny jobs, created -> claimed
	local i t0
	t0=$(psql_q "select now()")
	for i in $(seq 1 "$npick"); do
		upload "$TOKEN" "$TMP/tiny.wav" wav >/dev/null || { echo "bench: upload failed" >&2; exit 1; }
		complete "$TOKEN" "$TRACK_ID"
		wait_status "$TOKEN" "$TRACK_ID" completed 60 >/dev/null || { echo "bench: pickup job: $BODY" >&2; exit 1; }
	done
	psql_q "select extract(epoch from (r.started_at - j.created_at)) * 1000 from jobs j
		join job_runs r on r.job_id = j.id and r.attempt = 1 where j.created_at >= '$t0'
		order by 1" > "$TMP/pickup-$1.txt"
	awk '{ v[NR] = $1 } END { printf "%.1f %.1f", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)] }' \
		"$TMP/pickup-$1.txt"
}
plans() { # phase: EXPLAIN of the queue's queries and init's count; "seq scans: N"
	{
		echo "-- claim"
		psql_q "EXPLAIN SELECT id FROM jobs WHERE state = 'queued' AND run_at <= now()
			AND kind = 'transcode_hls' ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1"
		echo "-- rescue"
		psql_q "EXPLAIN SELECT id, track_id, attempts, max_attempts, lease_owner FROM jobs
			WHERE state = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED"
		echo "-- next due"
		psql_q "EXPLAIN SELECT (SELECT min(run_at) FROM jobs WHERE state = 'queued'),
			(SELECT min(lease_expires_at) FROM jobs WHERE state = 'running')"
		echo "-- init's pending count"
		psql_q "EXPLAIN SELECT count(*) FROM tracks WHERE owner_id = '$user'
			AND processing_status = 'PENDING'"
		echo "-- status"
		psql_q "EXPLAIN SELECT * FROM tracks t LEFT JOIN jobs j ON j.track_id = t.id
			AND j.kind = 'transcode_hls' WHERE t.id = '$id' AND t.owner_id = '$user'"
	} > "$out/plans-$1.txt"
	echo "seq scans: $(grep -c 'Seq Scan' "$out/plans-$1.txt" || true)"
}
grow() {
	psql_q "SET synchronous_commit = off;
	INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size, content_type,
		original_audio_key, original_audio_url, processing_status, duration_seconds, hls_prefix,
		hls_url, created_at, updated_at)
	SELECT md5('t' || i)::uuid, md5('u' || (i % $nusers))::uuid, 'Song ' || i, 'Artist ' || (i % $nusers),
		'mp3', 5000000, 'audio/mpeg', 'tracks/' || md5('t' || i)::uuid || '/original.mp3',
		'http://x/tracks/' || md5('t' || i)::uuid || '/original.mp3', 'COMPLETED', 180,
		'hls/' || md5('t' || i)::uuid || '/0123456789abcdef', 'http://x/hls/master.m3u8',
		now() - make_interval(secs => i), now() - make_interval(secs => i)
	FROM generate_series(1, $ntracks) i" >/dev/null
	psql_q "SET synchronous_commit = off;
	INSERT INTO jobs (track_id, state, attempts, progress, run_at, created_at, updated_at,
		started_at, finished_at)
	SELECT id, 'succeeded', 1, 100, created_at, created_at, created_at, created_at,
		created_at + interval '10 seconds' FROM tracks WHERE title LIKE 'Song %'" >/dev/null
	psql_q "SET synchronous_commit = off;
	INSERT INTO job_runs (job_id, attempt, runner, started_at, finished_at, outcome)
	SELECT id, 1, 'bench:1:grown', started_at, finished_at, 'succeeded' FROM jobs
	WHERE state = 'succeeded' AND lease_owner IS NULL AND finished_at < now() - interval '1 second'" >/dev/null
	psql_q "VACUUM ANALYZE tracks" -c "VACUUM ANALYZE jobs" -c "VACUUM ANALYZE job_runs" >/dev/null
	psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c CHECKPOINT mustory >/dev/null # its writes are not the grown tables' cost
}

api_on() { # bindir: the API of that build on this stack
	scripts/stack.sh stop-api >/dev/null 2>&1
	rm -f "$FCGI_SOCKET"
	( set -a; . "$STACK_DIR/env"; exec "$1/mustory-api" ) >>"$STACK_DIR/logs/api.log" 2>&1 &
	echo $! > "$STACK_DIR/api.pid"
	for ((i = 0; i < 100; i++)); do [ -S "$FCGI_SOCKET" ] && break; sleep 0.1; done
	sleep 0.3
}

make_audio "$TMP/tiny.wav" 1
scripts/stack.sh start-runner bench >/dev/null 2>&1
sleep 0.5
read -r pk50_e pk99_e <<< "$(pickup empty)"
plans_e=$(plans empty)
load empty
site_on() { # nginx site template (empty: the repository's)
	scripts/stack.sh stop-nginx >/dev/null 2>&1
	NGINX_SITE=${1:-$ROOT/nginx/mustory.conf} scripts/stack.sh start-nginx >/dev/null
}
if [ -n "$before" ]; then
	[ -n "$before_site" ] && site_on "$before_site"
	api_on "$before"; load before; api_on build/release
	[ -n "$before_site" ] && site_on ""
	load empty2 # the current build again: the spread between the two is the noise
fi
wrk -t2 -c32 -d"${secs}s" --latency "$API_URL/healthz" > "$out/wrk-healthz.txt"

pgbench_setup
pgbench_run S "$secs" "$out/pgbench-S.txt"
pg_tps=$(pgbench_tps "$out/pgbench-S.txt")
pg_lat=$(awk -F'= ' '/latency average/ {print $2}' "$out/pgbench-S.txt")
baseline_insert() { # phase: the write baseline, its tps; its WAL per transaction in wal-insert-PHASE.txt
	local w0
	pgbench_reset
	w0=$(wal_now)
	pgbench_run insert "$secs" "$out/pgbench-insert-$1.txt"
	wal_per "$w0" "$(wal_now)" "$(pgbench_count "$out/pgbench-insert-$1.txt")" > "$out/wal-insert-$1.txt"
	pgbench_tps "$out/pgbench-insert-$1.txt"
}
pg_ins=$(baseline_insert empty)

rss=$(ps -o rss= --ppid "$(cat "$STACK_DIR/api.pid")" | awk '{s+=$1; n++; if ($1 > m) m = $1} END {printf "%d %d %d", s, n, m}')
parent=$(ps -o rss= -p "$(cat "$STACK_DIR/api.pid")" | tr -d ' ')

t0=$(date +%s)
grow
grow_s=$(( $(date +%s) - t0 ))
rows=$(psql_q "select (select count(*) from tracks) || ' tracks, ' || (select count(*) from jobs) || ' jobs, ' || (select count(*) from job_runs) || ' runs'")
read -r pk50_g pk99_g <<< "$(pickup grown)"
plans_g=$(plans grown)
load grown
# pgbench again now: the grown figures' baseline is measured beside them, not
# minutes before on a shared machine (the run of 2026-12-01 compared them
# with the empty phase's pgbench and saw a drop that was the machine's)
pgbench_run S "$secs" "$out/pgbench-S-grown.txt"
pg_tps_g=$(pgbench_tps "$out/pgbench-S-grown.txt")
pg_ins_g=$(baseline_insert grown) # into its own (empty) table: what an init must do, beside the grown load
scripts/stack.sh stop-runner bench >/dev/null 2>&1

phases="empty grown"
[ -n "$before" ] && phases="empty empty2 before grown"
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }
{
	echo "== API through nginx (wrk -t2 -c32 -d${secs}s), $(nproc) cores, FCGI_WORKERS=$FCGI_WORKERS"
	printf '%-28s %10s tps     latency avg %s\n' "pgbench -S (c32 j2)" "$pg_tps" "$pg_lat"
	printf '%-28s %10s tps     (after the grown tables'"'"' load: their baseline)\n' "pgbench -S (c32 j2), grown" "$pg_tps_g"
	printf '%-28s %10s tps     WAL per transaction: %s (records, full-page images, bytes, syncs)\n' \
		"pgbench insert (c32 j2)" "$pg_ins" "$(cat "$out/wal-insert-empty.txt")"
	printf '%-28s %10s tps     WAL per transaction: %s (beside the grown tables'"'"' load)\n' \
		"pgbench insert, grown" "$pg_ins_g" "$(cat "$out/wal-insert-grown.txt")"
	for ph in $phases; do
		base=$pg_tps; ins=$pg_ins; [ "$ph" = grown ] && { base=$pg_tps_g; ins=$pg_ins_g; }
		for r in status init; do
			f=$out/wrk-$r-$ph.txt
			printf '%-28s %10s req/s   p99 %-8s ratio to -S %.3f  non-2xx %s' "$r ($ph tables)" "$(rps "$f")" \
				"$(p99 "$f")" "$(awk -v a="$(rps "$f")" -v b="$base" 'BEGIN {print a / b}')" "$(non2xx "$f")"
			[ $r = init ] && printf '  ratio to insert %.3f  WAL per init: %s' \
				"$(awk -v a="$(rps "$f")" -v b="$ins" 'BEGIN {print a / b}')" "$(cat "$out/wal-init-$ph.txt")"
			echo
		done
	done
	printf '%-28s %10s req/s   p99 %s\n' "healthz" "$(rps "$out/wrk-healthz.txt")" "$(p99 "$out/wrk-healthz.txt")"
	echo "grown tables: $rows (made in ${grow_s} s)"
	echo "job pickup over $npick jobs: empty p50 ${pk50_e} ms p99 ${pk99_e} ms; grown p50 ${pk50_g} ms p99 ${pk99_g} ms"
	echo "plans (bench/results/plans-*.txt): empty $plans_e; grown $plans_g"
	read -r s n m <<< "$rss"
	echo "mustory-api RSS after load: $n workers, $s KiB total, largest $m KiB; supervisor ${parent} KiB"
} | tee "$out/api-summary.txt"
{
	echo "pgbench $pg_tps"
	echo "pgbench-grown $pg_tps_g"
	echo "pgbench-insert $pg_ins $(cat "$out/wal-insert-empty.txt")"
	echo "pgbench-insert-grown $pg_ins_g $(cat "$out/wal-insert-grown.txt")"
	for ph in $phases; do for r in status init; do
		echo "$r-$ph $(rps "$out/wrk-$r-$ph.txt") $(p99 "$out/wrk-$r-$ph.txt") $([ $r = init ] && cat "$out/wal-init-$ph.txt")"
	done; done
	echo "pickup-empty $pk50_e $pk99_e"
	echo "pickup-grown $pk50_g $pk99_g"
	echo "plans-grown $plans_g"
	read -r s n m <<< "$rss"
	echo "api_rss $m"
} > "$out/api-figures.txt"
