#!/usr/bin/env bash
# Spawned by the web server (spawn-fcgi, as Apache mod_fcgid does): FastCGI
# on the listening socket passed as standard input, one worker process and
# no supervisor (the web server manages the processes). It never touches
# FCGI_SOCKET, even when the environment names the stack's live socket.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"
apid=
cleanup() { [ -n "$apid" ] && kill "$apid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
command -v spawn-fcgi >/dev/null || bail "spawn-fcgi is not installed (scripts/deps.sh)"

sock=$TMP/spawn.sock
gw_envfile "$TMP/api.env" FCGI_WORKERS=4
stack_ino=$(stat -c %i "$FCGI_SOCKET")
# -n: spawn-fcgi binds the socket, puts it on fd 0 and execs the program (same pid).
# FCGI_SOCKET stays the stack's own socket in this environment.
spawn-fcgi -n -s "$sock" -- "$BIN/mustory-api" --env-file "$TMP/api.env" > "$TMP/spawn.log" 2>&1 &
apid=$!
ok "spawn-fcgi listens on $sock" wait_socket "$sock" 10

tok=$(token "$(new_user)")
fcgi_call "$sock" GET /healthz
is "$STATUS" 200 "healthz through the inherited socket: 200"
api GET /healthz
nginx_body=$BODY
fcgi_call "$sock" GET /healthz
is "$BODY" "$nginx_body" "the same body as through nginx"
make_audio "$TMP/a.wav" 1
upload "$tok" "$TMP/a.wav" wav
id=$TRACK_ID
fcgi_call "$sock" POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS $(jget .status)" "202 processing" "complete through the inherited socket: 202 (the token got through, storage checked)"
for i in 1 2 3; do
	fcgi_call "$sock" GET "/tracks/upload/status/$id" "" "$tok"
	is "$STATUS $(jget .status)" "200 processing" "request $i after it, on the same process: 200"
done
fcgi_call "$sock" PUT /tracks/upload/init "" "$tok"
is "$STATUS $(gw_header Allow)" "405 POST" "405 with its Allow header"

sleep 0.3
is "$(pgrep -P "$apid" | wc -l | tr -d ' ')" 0 "one process, no workers forked (FCGI_WORKERS is not used)"
like "$(cat "$TMP/spawn.log")" "one FastCGI worker on the socket on standard input" "it says which mode it is in"
is "$(stat -c %i "$FCGI_SOCKET")" "$stack_ino" "the stack's socket (FCGI_SOCKET in its environment) was not touched"
api GET /healthz
is "$STATUS" 200 "nginx still serves through the stack's socket"

kill -TERM "$apid"
wait "$apid"
is "$?" 0 "SIGTERM: it exits cleanly"
apid=

done_testing
