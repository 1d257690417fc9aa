#!/usr/bin/env bash
# The systemd units pass `systemd-analyze verify` (no systemd as PID 1
# needed): a copy of them whose ExecStart= points at the built programs, as
# verify wants the binaries to exist. And they agree with the programs'
# defaults: the socket is FCGI_SOCKET's default, both services read
# /etc/mustory/env as the dedicated user.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
BIN=${BIN:-$ROOT/build/san}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mustory-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

for f in "$ROOT"/systemd/*; do
	sed "s|/usr/bin/|$BIN/|g" "$f" > "$TMP/$(basename "$f")"
done
ok "the built programs exist" test -x "$BIN/mustory-api" -a -x "$BIN/mustory-runner" -a -x "$BIN/mustory-admin"
for u in mustory-api.socket mustory-api.service mustory-runner@1.service \
	mustory-janitor.service mustory-janitor.timer; do
	out=$(cd "$TMP" && systemd-analyze verify --man=no "./$u" 2>&1); rc=$?
	[ -n "$out" ] && diag "$out"
	is "$rc:$out" "0:" "systemd-analyze verify $u: no error, no warning"
done

unit() { cat "$ROOT/systemd/$1"; }
def=$(sed -n 's/.*{ "FCGI_SOCKET", CFG_STRING, [^,]*, "\([^"]*\)".*/\1/p' "$ROOT/lib/config.c")
like "$(unit mustory-api.socket)" "ListenStream=$def" "the socket is FCGI_SOCKET's default ($def)"
like "$(unit mustory-api.socket)" "SocketGroup=www-data" "the web server's group may connect"
for s in mustory-api.service mustory-runner@.service mustory-janitor.service; do
	like "$(unit $s)" "EnvironmentFile=/etc/mustory/env" "$s reads /etc/mustory/env"
	like "$(unit $s)" "User=mustory" "$s runs as mustory"
	like "$(unit $s)" "ProtectSystem=strict" "$s: ProtectSystem=strict"
	like "$(unit $s)" "NoNewPrivileges=yes" "$s: NoNewPrivileges"
done
for s in mustory-api.service mustory-runner@.service; do
	like "$(unit $s)" "KillSignal=SIGTERM" "$s stops on SIGTERM"
	like "$(unit $s)" "Restart=on-failure" "$s restarts on failure"
done
like "$(unit mustory-janitor.service)" "ExecStart=/usr/bin/mustory-admin janitor" \
	"the janitor service runs one mustory-admin janitor pass"
like "$(unit mustory-janitor.service)" "Type=oneshot" "... as a oneshot"
like "$(unit mustory-janitor.timer)" "OnUnitActiveSec=" "the timer repeats it"
like "$(unit mustory-janitor.timer)" "WantedBy=timers.target" "... once enabled"
like "$(unit mustory-runner@.service)" "MemoryMax=" "the runner has a memory cap"
like "$(unit mustory-runner@.service)" "ReadWritePaths=/var/lib/mustory" "the runner may write its work dir"
like "$(unit mustory-runner@.service)" "WORK_DIR=/var/lib/mustory/work" "... which is WORK_DIR"
done_testing
