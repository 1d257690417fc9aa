#!/usr/bin/env bash
# Without the prefork supervisor (plain CGI as Apache mod_cgi runs it, one
# worker on an inherited socket as mod_fcgid or spawn-fcgi runs it) each
# process could count only its own requests, so /metrics serves only the
# database's figures and says so: a "# " comment line and
# mustory_metrics_process_counters 0, no request counter. The allow list
# holds there too.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"
apid=
cleanup() { [ -n "$apid" ] && kill "$apid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

parse() { node "$ROOT/tests/lib/prom_parse.js" "$@"; }
# check MODE: the answer in BODY is the database's figures alone, and says so
check() {
	local f=$TMP/$1.txt
	printf '%s\n' "$BODY" > "$f"
	parse families < "$f" > "$f.json"
	is "$?" 0 "$1: the parser reads it"
	is "$(jq -r '.[] | select(.name == "mustory_metrics_process_counters") | .metrics[0].value' "$f.json")" 0 \
		"$1: mustory_metrics_process_counters 0"
	like "$(grep '^# This API process' "$f")" 'no supervisor' "$1: a comment line says why"
	is "$(jq -r '[.[] | select(.name | startswith("mustory_api_"))] | length' "$f.json")" 0 "$1: no request counter"
	is "$(jq -r '.[] | select(.name == "mustory_database_up") | .metrics[0].value' "$f.json")" 1 "$1: the database figures are there"
	is "$(jq -r '[.[] | select(.name == "mustory_jobs" and .type == "GAUGE")] | length' "$f.json")" 1 "$1: mustory_jobs"
}

gw_envfile "$TMP/api.env"
GW_ENV=(ENV_FILE="$TMP/api.env")
cgi_call GET /metrics
is "$STATUS $(gw_header Content-Type)" "200 text/plain; version=0.0.4; charset=utf-8" "CGI: 200 in the text format"
check CGI
cgi_call GET /metrics "" "" REMOTE_ADDR=127.0.0.2
is "$STATUS $(jget .code)" "403 forbidden" "CGI: refused from 127.0.0.2"
cgi_call GET /metrics "" "" REMOTE_ADDR=127.0.0.2 METRICS_ALLOW=127.0.0.2
is "$STATUS" 200 "CGI: allowed from 127.0.0.2 with METRICS_ALLOW naming it"

command -v spawn-fcgi >/dev/null || bail "spawn-fcgi is not installed (scripts/deps.sh)"
sock=$TMP/spawn.sock
spawn-fcgi -n -s "$sock" -- "$BIN/mustory-api" --env-file "$TMP/api.env" > "$TMP/spawn.log" 2>&1 &
apid=$!
ok "spawn-fcgi listens on $sock" wait_socket "$sock" 10
for i in 1 2 3; do fcgi_call "$sock" GET /healthz; done
fcgi_call "$sock" GET /metrics
is "$STATUS" 200 "inherited socket: 200"
check "inherited socket"

done_testing
