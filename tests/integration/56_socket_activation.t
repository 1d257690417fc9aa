#!/usr/bin/env bash
# Socket activation without systemd as PID 1 (systemd-socket-activate): the
# supervisor serves FastCGI on the socket it is handed (fd 3, LISTEN_FDS and
# LISTEN_PID for it), with FCGI_WORKERS workers, never opens its own
# FCGI_SOCKET, and never unlinks the socket it was handed: after it stops,
# the socket file is still there for the next start.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"
apid=
cleanup() { [ -n "$apid" ] && kill "$apid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
SSA=$(command -v systemd-socket-activate || echo /usr/lib/systemd/systemd-socket-activate)
[ -x "$SSA" ] || bail "systemd-socket-activate is not installed (Debian's systemd package)"

sock=$TMP/act.sock
gw_envfile "$TMP/api.env" FCGI_WORKERS=2 "FCGI_SOCKET=$TMP/own.sock"
# systemd-socket-activate gives the program a fresh environment: the env file is all it reads.
"$SSA" -l "$sock" "$BIN/mustory-api" --env-file "$TMP/api.env" > "$TMP/act.log" 2>&1 &
apid=$!
ok "systemd-socket-activate listens on $sock" wait_socket "$sock" 10
ino=$(stat -c %i "$sock")

tok=$(token "$(new_user)")
fcgi_call "$sock" GET /healthz
is "$STATUS" 200 "healthz through the passed socket: 200"
api GET /healthz
is "$BODY" "$(fcgi_call "$sock" GET /healthz; echo "$BODY")" "the same body as through nginx"
init_upload "$tok" /etc/hostname mp3
id=$(jget .track_id)
fcgi_call "$sock" GET "/tracks/upload/status/$id" "" "$tok"
is "$STATUS $(jget .status)" "200 pending" "status of a track through the passed socket (the token got through)"
fcgi_call "$sock" GET "/tracks/upload/status/$(new_user)" "" "$tok"
is "$STATUS $(jget .code)" "404 track_not_found" "404 through the passed socket"
fcgi_call "$sock" POST /tracks/upload/init '{}' ""
is "$STATUS $(jget .code)" "401 missing_token" "401 through the passed socket"

sleep 0.5
is "$(pgrep -P "$apid" | wc -l | tr -d ' ')" 2 "the supervisor forked FCGI_WORKERS (2) workers"
like "$(cat "$TMP/act.log")" "listening on the socket systemd passed" "it says it serves the passed socket"
ok "it did not open its own FCGI_SOCKET" test ! -e "$TMP/own.sock"

kill -TERM "$apid"
wait "$apid"
is "$?" 0 "SIGTERM: it stops cleanly"
apid=
ok "the socket it was handed is still there after it stopped" test -S "$sock"
is "$(stat -c %i "$sock" 2>/dev/null)" "$ino" "the very same socket file"

# A parent's LISTEN_FDS for another process is not taken for ours.
out=$(LISTEN_FDS=1 LISTEN_PID=1 FCGI_SOCKET=$TMP/own2.sock FCGI_WORKERS=1 timeout 10 \
	"$BIN/mustory-api" --env-file "$TMP/api.env" 2>&1 & p=$!; sleep 2; kill -TERM $p; wait $p)
like "$out" "listening on $TMP/own2.sock" "LISTEN_PID of another process: it opens its own FCGI_SOCKET"
ok "and removes it when it stops" test ! -e "$TMP/own2.sock"

done_testing
