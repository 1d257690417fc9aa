#!/usr/bin/env bash
# Install what the build, the dev stack and the tests need, only when missing:
# Debian packages (apt) and the pinned npm modules (package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."

# package -> a file that proves it is installed
declare -A need=(
	[build-essential]=/usr/bin/make
	[pkg-config]=/usr/bin/pkg-config
	[libfcgi-dev]=/usr/include/fcgiapp.h # test 50's stand-in FastCGI program only
	[libpq-dev]=/usr/bin/pg_config
	[postgresql]=/usr/lib/postgresql
	[postgresql-contrib]=/usr/share/postgresql-common
	[libcurl4-openssl-dev]=/usr/include/x86_64-linux-gnu/curl/curl.h
	[libssl-dev]=/usr/include/openssl/hmac.h
	[libjson-c-dev]=/usr/include/json-c/json.h
	[libcmocka-dev]=/usr/include/cmocka.h
	[ffmpeg]=/usr/bin/ffmpeg
	[nginx-light]=/usr/sbin/nginx
	[nodejs]=/usr/bin/node
	[npm]=/usr/bin/npm
	[curl]=/usr/bin/curl
	[jq]=/usr/bin/jq
	[wrk]=/usr/bin/wrk
	[perl]=/usr/bin/prove
	[procps]=/usr/bin/pgrep
	[util-linux]=/usr/sbin/runuser
	[valgrind]=/usr/bin/valgrind
	[apache2]=/usr/sbin/apache2
	[libapache2-mod-fcgid]=/usr/lib/apache2/modules/mod_fcgid.so
	[systemd]=/usr/bin/systemd-analyze
	[debhelper]=/usr/bin/dh
	[dpkg-dev]=/usr/bin/dpkg-buildpackage
	[lintian]=/usr/bin/lintian
	[spawn-fcgi]=/usr/bin/spawn-fcgi
	[libfcgi-bin]=/usr/bin/cgi-fcgi
	[tmux]=/usr/bin/tmux
	[chromium]=/usr/bin/chromium
)
missing=()
for pkg in "${!need[@]}"; do
	[ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
# pg binaries live under a versioned dir
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# node/npm may come from elsewhere (e.g. /usr/local); accept any on PATH
if command -v node >/dev/null 2>&1; then missing=("${missing[@]/nodejs/}"); fi
if command -v npm >/dev/null 2>&1; then missing=("${missing[@]/npm/}"); fi
pkgs=$(printf '%s\n' "${missing[@]}" | grep -v '^$' | sort -u | tr '\n' ' ' || true)
if [ -n "${pkgs// /}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing Debian packages: $pkgs" >&2
		echo "deps: run as root, or: sudo apt-get install -y $pkgs" >&2
		exit 1
	fi
	echo "deps: installing $pkgs"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
	# Debian starts a system nginx (and apache2) on :80 when installing them;
	# the project runs its own on loopback, so leave the system ones alone but
	# don't depend on them.
fi

if [ ! -d node_modules/s3rver ] || [ ! -d node_modules/aws4 ] ||
	[ ! -d node_modules/hls.js ] || [ ! -d node_modules/puppeteer-core ] ||
	[ ! -d node_modules/parse-prometheus-text-format ] ||
	[ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "deps: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
fi
