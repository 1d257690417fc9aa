#!/usr/bin/env bash
# A second mustory-api on a live socket is refused ("another mustory-api is
# listening on PATH", non-zero exit) and the first keeps serving through
# nginx: the socket is neither unlinked nor replaced. A stale socket file
# with no listener is replaced; a file that is not a socket is never
# removed; on exit an instance removes the socket only while it is still
# the one it made.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT

ino=$(stat -c %i "$FCGI_SOCKET")
out=$(timeout 20 "$BIN/mustory-api" 2>&1)
rc=$?
cmp_ok "$rc" -ne 0 "a second mustory-api on the stack's socket exits non-zero"
like "$out" "another mustory-api is listening on $FCGI_SOCKET" "and says why"
is "$(stat -c %i "$FCGI_SOCKET")" "$ino" "the live socket is the same file"
for i in 1 2 3 4 5 6 7 8; do api GET /healthz; [ "$STATUS" = 200 ] || break; done
is "$STATUS" 200 "the first keeps serving through nginx (8 calls, every worker)"

# A stale socket file (its process gone without removing it) is replaced.
stale=$TMP/stale.sock
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or die' "$stale"
ok "a stale socket file" test -S "$stale"
old=$(stat -c %i "$stale")
FCGI_SOCKET=$stale FCGI_WORKERS=1 "$BIN/mustory-api" > "$TMP/a.log" 2>&1 &
a=$!; pids+=("$a")
for i in $(seq 1 50); do [ "$(stat -c %i "$stale" 2>/dev/null)" != "$old" ] && break; sleep 0.1; done
fcgi_call "$stale" GET /healthz
is "$STATUS" 200 "a stale socket file is replaced and served"

# Someone replaced the file while it ran: on exit it leaves the other one alone.
rm -f "$stale"
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 1) or die' "$stale"
other=$(stat -c %i "$stale")
kill -TERM "$a"; wait "$a"
is "$(stat -c %i "$stale" 2>/dev/null)" "$other" "on exit it does not remove a socket it did not make"

# Its own socket is removed when it stops.
own=$TMP/own.sock
FCGI_SOCKET=$own FCGI_WORKERS=1 "$BIN/mustory-api" > "$TMP/b.log" 2>&1 &
b=$!; pids+=("$b")
ok "an instance on a fresh path" wait_socket "$own" 20
kill -TERM "$b"; wait "$b"
ok "its own socket is removed when it stops" test ! -e "$own"

# A file that is not a socket is refused and left as it was.
echo keep > "$TMP/regular"
out=$(FCGI_SOCKET=$TMP/regular FCGI_WORKERS=1 timeout 20 "$BIN/mustory-api" 2>&1)
rc=$?
cmp_ok "$rc" -ne 0 "FCGI_SOCKET naming a regular file: refused"
like "$out" "exists and is not a socket" "and says why"
is "$(cat "$TMP/regular")" keep "the file is untouched"

done_testing
