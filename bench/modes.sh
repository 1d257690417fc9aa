#!/usr/bin/env bash
# GET status in every gateway mode, in one run on one stack (release build):
# nginx + the supervisor's socket, Apache mod_proxy_fcgi (same socket),
# Apache mod_fcgid (Apache runs mustory-api, up to 4 processes), Apache
# mod_cgi (one process and one database connection per request). wrk -t2
# -c$BENCH_CONN (default 32) for BENCH_SECONDS (default 10) each.
# Ports: PG_PORT, S3_PORT, HTTP_PORT, APACHE_PORT from the environment, else
# their own. Output: bench/results/modes-summary.txt.
# usage: bench/modes.sh   (after `make`; uses build/release)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
secs=${BENCH_SECONDS:-10} conn=${BENCH_CONN:-32}
export STACK_PROFILE=test STACK_DIR=$ROOT/.stack/bench-modes BIN=$ROOT/build/release
export PG_PORT=${PG_PORT:-54330} S3_PORT=${S3_PORT:-19010} HTTP_PORT=${HTTP_PORT:-18090}
export APACHE_PORT=${APACHE_PORT:-18190} FCGI_WORKERS=${FCGI_WORKERS:-4}
# One address drives all the load: lift nginx's per-client limits.
export NGINX_RATE=1000000r/s NGINX_BURST=1000000 NGINX_CONN_PER_IP=65535 LOG_LEVEL=${LOG_LEVEL:-warn}
out=$ROOT/bench/results
mkdir -p "$out"
[ -x "$BIN/mustory-api" ] || { echo "bench: build first (make)" >&2; exit 1; }
scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
trap 'scripts/stack.sh stop-apache >/dev/null 2>&1; scripts/stack.sh stop >/dev/null 2>&1' EXIT
scripts/stack.sh start
. tests/lib/flow.sh
trap 'rm -rf "$TMP"; scripts/stack.sh stop-apache >/dev/null 2>&1; scripts/stack.sh stop >/dev/null 2>&1' EXIT

tok=$(token "$(new_user)" 3600)
init_upload "$tok" /etc/hostname mp3 >/dev/null
id=$(jget .track_id)
[ -n "$id" ] && [ "$id" != null ] || { echo "bench: init failed: $STATUS $BODY" >&2; exit 1; }

run() { # label base-url
	local f=$out/wrk-mode-$1.txt
	curl -s -o /dev/null --max-time 30 -H "Authorization: Bearer $tok" "$2/tracks/upload/status/$id" # warm up
	wrk -t2 -c"$conn" -d"${secs}s" --latency -H "Authorization: Bearer $tok" \
		"$2/tracks/upload/status/$id" > "$f" 2>&1
	printf '%-40s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$1" \
		"$(awk '/Requests\/sec/ {print $2}' "$f")" "$(awk '$1=="50%" {print $2}' "$f")" \
		"$(awk '$1=="99%" {print $2}' "$f")" "$(awk '/Non-2xx/ {print $NF}' "$f" | grep . || echo 0)"
}

{
	echo "== GET /tracks/upload/status/{id} by gateway mode (wrk -t2 -c$conn -d${secs}s), $(nproc) cores, release build, $(date -u +%F)"
	run "nginx + own socket (4 workers)" "$API_URL"
	for mode in proxy-fcgi fcgid cgi; do
		scripts/stack.sh stop-apache >/dev/null 2>&1
		APACHE_MODE=$mode scripts/stack.sh start-apache >/dev/null 2>&1
		case $mode in
		proxy-fcgi) run "Apache mod_proxy_fcgi (4 workers)" "$APACHE_URL" ;;
		fcgid) run "Apache mod_fcgid (<= 4 processes)" "$APACHE_URL" ;;
		cgi) run "Apache mod_cgid (a process per request)" "$APACHE_URL" ;;
		esac
	done
} | tee "$out/modes-summary.txt"
