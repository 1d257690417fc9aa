#!/usr/bin/env bash
# `make deb` builds mustory_<VERSION>_amd64.deb with debhelper (lintian: no
# errors) into a temp dir; its file list is what a host needs, its programs
# are ELF binaries whose libraries the Depends name and ldd resolves.
# `make install DESTDIR=` lays out the same files under PREFIX, and
# `make uninstall` takes them away again. env.example names every variable of
# lib/config.c with its default.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mustory-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT"
V=$(cat VERSION)
DEB=$TMP/mustory_${V}_amd64.deb

ok "make deb (lintian: no errors)" bash -c 'make deb DEB_OUT="$1" >"$1/deb.log" 2>&1' _ "$TMP" ||
	diag "$(tail -n 30 "$TMP/deb.log")"
grep -E '^[EW]: ' "$TMP/deb.log" | while read -r l; do diag "lintian: $l"; done
ok "the package is named for VERSION ($V)" test -f "$DEB"
is "$(dpkg-deb -f "$DEB" Package) $(dpkg-deb -f "$DEB" Version) $(dpkg-deb -f "$DEB" Architecture)" \
	"mustory $V amd64" "package, version, architecture"
deps=$(dpkg-deb -f "$DEB" Depends)
for d in ffmpeg adduser libpq5 libcurl4 libjson-c5 libssl3; do
	like "$deps" "(^|, )$d( |,|$)" "Depends: $d"
done
# the API speaks FastCGI itself (fcgi/fcgi_conn.c): no libfcgi
unlike "$deps" "libfcgi" "no Depends on libfcgi"

dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' | sort > "$TMP/files"
for f in /usr/bin/mustory-api /usr/bin/mustory-runner /usr/bin/mustory-token \
	/lib/systemd/system/mustory-api.socket /lib/systemd/system/mustory-api.service \
	/lib/systemd/system/mustory-runner@.service \
	/lib/systemd/system/mustory-janitor.service /lib/systemd/system/mustory-janitor.timer \
	/usr/bin/mustory-admin \
	/usr/share/mustory/nginx/mustory.conf /usr/share/mustory/apache/mustory-proxy-fcgi.conf \
	/usr/share/mustory/apache/mustory-fcgid.conf /usr/share/mustory/apache/mustory-cgi.conf \
	/usr/share/mustory/apache/errors/404.json /usr/share/mustory/schema.sql \
	/usr/share/mustory/env.example /usr/share/doc/mustory/copyright \
	/usr/share/doc/mustory/docs/hosting.md; do
	ok "the package has $f" grep -qxE "$f(\.gz)?" "$TMP/files"
done
is "$(grep -c -v -E '^/(usr/bin|usr/share/mustory|usr/share/doc/mustory|lib/systemd/system)(/|$)|^/(usr|usr/share|usr/share/doc|lib|lib/systemd)?/?$' "$TMP/files")" 0 \
	"nothing else (no /etc, no /usr/local)"
ok "the postinst creates the system user" grep -q 'adduser --system' <(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./postinst)

dpkg-deb -x "$DEB" "$TMP/root"
for p in mustory-api mustory-runner mustory-token; do
	x=$TMP/root/usr/bin/$p
	is "$(head -c 4 "$x" | od -An -c | tr -d ' ')" '177ELF' "$p is an ELF binary"
	ok "$p: ldd resolves every library" bash -c '! ldd "$1" | grep -q "not found"' _ "$x"
done
is "$(grep -h '^ExecStart=' "$TMP"/root/lib/systemd/system/*.service | cut -d' ' -f1 | sort | tr '\n' ' ')" \
	"ExecStart=/usr/bin/mustory-admin ExecStart=/usr/bin/mustory-api ExecStart=/usr/bin/mustory-runner " \
	"the units run the packaged programs"

# make install / uninstall
I=$TMP/inst
ok "make install DESTDIR= PREFIX=/usr/local" bash -c 'make install SAN=1 DESTDIR="$1" >"$2" 2>&1' _ "$I" "$TMP/install.log" ||
	diag "$(tail -n 20 "$TMP/install.log")"
for f in bin/mustory-api bin/mustory-runner bin/mustory-token lib/systemd/system/mustory-api.socket \
	lib/systemd/system/mustory-janitor.service lib/systemd/system/mustory-janitor.timer \
	share/mustory/apache/mustory-proxy-fcgi.conf share/mustory/nginx/mustory.conf \
	share/mustory/schema.sql share/mustory/env.example share/doc/mustory/docs/hosting.md; do
	ok "installed /usr/local/$f" test -e "$I/usr/local/$f"
done
like "$(cat "$I/usr/local/lib/systemd/system/mustory-api.service")" 'ExecStart=/usr/local/bin/mustory-api' \
	"the installed units name PREFIX's programs"
ok "make uninstall" bash -c 'make uninstall SAN=1 DESTDIR="$1" >/dev/null 2>&1' _ "$I"
is "$(find "$I" -type f | wc -l)" 0 "uninstall leaves no file"

# env.example: every variable, required ones set, defaults as in lib/config.c
bad=
while read -r name def; do
	if [ "$def" = NULL ]; then grep -q "^$name=" env.example || bad+=" $name"
	else grep -qx "#$name=${def//\"/}" env.example || bad+=" $name"; fi
done < <(sed -n 's/^[[:space:]]*{ "\([A-Z_]*\)", CFG_[A-Z]*, S([a-z_0-9]*), \(NULL\|"[^"]*"\).*/\1 \2/p' lib/config.c)
is "${bad:-none}" none "env.example has every variable of lib/config.c with its default"
done_testing
