#!/usr/bin/env bash
# Where the time of one API call goes: a system-wide perf profile
# (software cpu-clock: no hardware counters needed) while wrk drives
# ENDPOINT (status, init or healthz; default status) through nginx.
# Prints the share per program and the top symbols of mustory-api.
# usage: bench/profile.sh [status|init|healthz]   (after `make`; release build)
set -euo pipefail
export FCGI_WORKERS=${FCGI_WORKERS:-4}
secs=${BENCH_SECONDS:-8}
what=${1:-status}
# before the stack starts: it writes the API's environment
[ "$what" = init ] && export MAX_PENDING_UPLOADS_PER_USER=100000
. "$(dirname "$0")/lib.sh" bench-profile 4
user=$(new_user)
export TOKEN=$(token "$user" 3600)
init_upload "$TOKEN" /etc/hostname mp3 >/dev/null
id=$(jget .track_id)
# init spread over 400 users, as bench/api.sh does (one user's count of
# PENDING rows would grow with every call and be all that is measured)
init_script 400 3600
case $what in
status) args=(-H "Authorization: Bearer $TOKEN" "$API_URL/tracks/upload/status/$id") ;;
init) args=(-s "$TMP/init.lua" "$API_URL/tracks/upload/init") ;;
healthz) args=("$API_URL/healthz") ;;
esac
# only this stack's processes: the API, nginx, PostgreSQL (the machine is shared)
pids=$( { cat "$STACK_DIR/api.pid"; pgrep -P "$(cat "$STACK_DIR/api.pid")";
	cat "$STACK_DIR/nginx/nginx.pid"; pgrep -P "$(cat "$STACK_DIR/nginx/nginx.pid")";
	pg=$(head -n1 "$(psql -X -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres -c 'show data_directory' postgres)/postmaster.pid")
	echo "$pg"; pgrep -P "$pg"; } | paste -sd, )
perf record -q -e cpu-clock -F 999 -p "$pids" -o "$out/perf-$what.data" -- sleep "$secs" 2>/dev/null &
ppid=$!
wrk -t2 -c32 -d"${secs}s" --latency "${args[@]}" > "$out/profile-wrk-$what.txt"
wait "$ppid" || true
{
	echo "== $what: $(awk '/Requests\/sec/ {print $2}' "$out/profile-wrk-$what.txt") req/s under perf, non-2xx: $(awk '/Non-2xx/ {print $NF; f=1} END {if (!f) print 0}' "$out/profile-wrk-$what.txt")"
	echo "-- share of CPU samples per program"
	perf report -q -i "$out/perf-$what.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^$' | head -20
	echo "-- mustory-api: top symbols (self)"
	perf report -q -i "$out/perf-$what.data" --no-children --comm mustory-api --sort dso,sym --stdio -g none 2>/dev/null \
		| grep -v '^$' | head -30
	echo "-- mustory-api: share per library"
	perf report -q -i "$out/perf-$what.data" --no-children --comm mustory-api --sort dso --stdio -g none 2>/dev/null \
		| grep -v '^$' | head -12
} | tee "$out/profile-$what.txt"
