#!/usr/bin/env bash
# API throughput through nginx (wrk) beside pgbench -S on the same cluster,
# in the same run, plus the FastCGI processes' RSS. Bounded: each load runs
# BENCH_SECONDS (default 10) on loopback.
# usage: bench/api.sh   (after `make`; uses build/release)
set -euo pipefail
export FCGI_WORKERS=${FCGI_WORKERS:-4}
secs=${BENCH_SECONDS:-10}
. "$(dirname "$0")/lib.sh" bench 2

user=$(new_user)
export TOKEN=$(token "$user" 3600)
init_upload "$TOKEN" /etc/hostname mp3 >/dev/null
id=$(jget .track_id)
[ -n "$id" ] && [ "$id" != null ] || { echo "bench: init failed: $STATUS $BODY" >&2; exit 1; }

cat > "$TMP/init.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"title":"Bench Song","artist_name":"Bench","file_extension":"mp3","file_size":5242880}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA

summ() { # label file -> "label req/s p99"
	local rps p99
	rps=$(awk '/Requests\/sec/ {print $2}' "$2")
	p99=$(awk '$1=="99%" {print $2}' "$2")
	printf '%-22s %12s req/s   p99 %s\n' "$1" "$rps" "$p99"
}

wrk -t2 -c32 -d"${secs}s" --latency -H "Authorization: Bearer $TOKEN" \
	"$API_URL/tracks/upload/status/$id" > "$out/wrk-status.txt"
wrk -t2 -c32 -d"${secs}s" --latency -s "$TMP/init.lua" "$API_URL/tracks/upload/init" > "$out/wrk-init.txt"
wrk -t2 -c32 -d"${secs}s" --latency "$API_URL/healthz" > "$out/wrk-healthz.txt"

psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database pgbench" postgres
pgbench -q -i -s 10 -h 127.0.0.1 -p "$PG_PORT" -U postgres pgbench >/dev/null 2>&1
pgbench -S -c 32 -j 2 -T "$secs" -h 127.0.0.1 -p "$PG_PORT" -U postgres pgbench > "$out/pgbench-S.txt" 2>&1
pg_tps=$(awk -F'= ' '/^tps/ {split($2,a," "); print a[1]}' "$out/pgbench-S.txt")
pg_lat=$(awk -F'= ' '/latency average/ {print $2}' "$out/pgbench-S.txt")

rss=$(ps -o rss= --ppid "$(cat "$STACK_DIR/api.pid")" | awk '{s+=$1; n++} END {printf "%d KiB total over %d workers (%.0f KiB each)", s, n, s/n}')
parent=$(ps -o rss= -p "$(cat "$STACK_DIR/api.pid")" | tr -d ' ')

{
	echo "== API through nginx (wrk -t2 -c32 -d${secs}s), $(nproc) cores, FCGI_WORKERS=$FCGI_WORKERS"
	summ "GET status" "$out/wrk-status.txt"
	summ "POST init" "$out/wrk-init.txt"
	summ "GET healthz" "$out/wrk-healthz.txt"
	printf '%-22s %12s tps     latency avg %s\n' "pgbench -S (c32 j2)" "$pg_tps" "$pg_lat"
	st=$(awk '/Requests\/sec/ {print $2}' "$out/wrk-status.txt")
	it=$(awk '/Requests\/sec/ {print $2}' "$out/wrk-init.txt")
	awk -v s="$st" -v i="$it" -v p="$pg_tps" 'BEGIN {printf "ratios vs pgbench -S: status %.3f, init %.3f\n", s/p, i/p}'
	echo "mustory-api RSS after load: workers $rss; supervisor ${parent} KiB"
	echo "non-2xx: status $(awk '/Non-2xx/ {print $NF}' "$out/wrk-status.txt"; true) init $(awk '/Non-2xx/ {print $NF}' "$out/wrk-init.txt"; true)"
} | tee "$out/api-summary.txt"
