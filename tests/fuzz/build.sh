#!/usr/bin/env bash
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) into build/fuzz/.
#   tests/fuzz/build.sh            every target
#   tests/fuzz/build.sh jwt config only these (names without fuzz_)
# Needs clang with its fuzzer runtime (Debian: clang libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/../.."

CC=${CC:-clang}
OUT=build/fuzz
# -fno-sanitize-recover: a UBSan report stops the run like an ASan one,
# so libFuzzer saves the input (the Makefile's SAN=1 build does the same).
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# FUZZ_COVERAGE=1: source-based coverage instead of sanitizers, into
# build/fuzz-cov/, for tests/fuzz/coverage.sh.
if [ "${FUZZ_COVERAGE:-0}" = 1 ]; then
	OUT=build/fuzz-cov
	SAN="-fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping"
fi
CFLAGS="-g -O1 $SAN -fno-omit-frame-pointer -DUNITTEST -D_GNU_SOURCE -Ilib -Ifcgi -Ijobs -Itools
	$(pkg-config --cflags json-c libcurl openssl) -I$(pg_config --includedir)"
LIBS="$(pkg-config --libs json-c libcurl openssl) -lpq -lm"

# What each target links besides its harness (never the main.c files).
declare -A SRCS=(
	[jwt]="lib/jwt.c lib/encode.c lib/ids.c lib/result.c"
	[jwt_claims]="lib/jwt.c lib/encode.c lib/ids.c lib/result.c"
	[validate]="fcgi/bodies.c fcgi/validate.c lib/ids.c lib/media.c lib/result.c lib/utf8.c"
	[utf8]="lib/utf8.c"
	[probe_parse]="jobs/probe.c jobs/tags.c jobs/proc.c lib/clock.c lib/log.c lib/utf8.c lib/media.c lib/result.c"
	[probe_sniff]="jobs/probe.c jobs/tags.c jobs/proc.c lib/clock.c lib/log.c lib/utf8.c lib/media.c lib/result.c"
	[playlist]="jobs/playlist.c lib/result.c"
	[base64]="lib/encode.c lib/result.c"
	[sigv4_query]="lib/sigv4.c lib/encode.c lib/result.c"
	[config]="lib/config.c lib/ipallow.c lib/webhook.c lib/storage_layout.c lib/encode.c lib/log.c lib/utf8.c lib/result.c"
	[ipallow]="lib/ipallow.c lib/result.c"
	[s3_status]="lib/s3_status.c lib/result.c"
	[query]="fcgi/query.c lib/track.c lib/encode.c lib/ids.c lib/db.c lib/log.c lib/result.c lib/utf8.c"
	[s3_multipart]="lib/s3_multipart.c lib/s3_status.c lib/sigv4.c lib/storage_layout.c lib/encode.c lib/log.c lib/utf8.c lib/result.c"
	[gateway_path]="fcgi/gateway.c lib/encode.c lib/result.c"
	[tags]="jobs/tags.c lib/utf8.c"
	[imagesize]="jobs/imagesize.c"
	[loudness]="jobs/loudness.c"
	[upload_tags]="tools/upload_tags.c tools/upload_text.c lib/utf8.c lib/result.c"
	[upload_detail]="tools/upload_http.c tools/upload_text.c lib/utf8.c lib/result.c"
	[s3_list]="lib/s3_list.c lib/s3.c lib/s3_post.c lib/s3_status.c lib/sigv4.c lib/storage_layout.c lib/clock.c lib/encode.c lib/log.c lib/utf8.c lib/result.c"
	[webhook]="lib/webhook.c lib/encode.c lib/result.c"
	[fcgi_conn]="fcgi/fcgi_conn.c"
)
ALL="jwt jwt_claims validate utf8 probe_parse probe_sniff playlist base64 sigv4_query config s3_status query
	s3_multipart gateway_path tags imagesize loudness upload_tags upload_detail s3_list ipallow webhook fcgi_conn"

# FUZZ_PRINT_SRCS=1: print "name: sources" and stop (coverage.sh uses it).
if [ "${FUZZ_PRINT_SRCS:-0}" = 1 ]; then
	for t in ${*:-$ALL}; do echo "$t: ${SRCS[$t]}"; done
	exit 0
fi
targets=${*:-$ALL}
mkdir -p "$OUT/obj"
for t in $targets; do
	[ -n "${SRCS[$t]+x}" ] || { echo "build.sh: no target $t (have: $ALL)" >&2; exit 2; }
	objs=()
	for src in tests/fuzz/fuzz_$t.c ${SRCS[$t]}; do
		obj=$OUT/obj/$(echo "${src%.c}" | tr / _).o
		# Rebuild when the source or any project header is newer.
		if [ ! -e "$obj" ] || [ -n "$(find "$src" lib fcgi jobs tools -name '*.[ch]' -newer "$obj" 2>/dev/null | head -1)" ]; then
			# shellcheck disable=SC2086
			$CC $CFLAGS -Wall -Wextra -c -o "$obj" "$src"
		fi
		objs+=("$obj")
	done
	# shellcheck disable=SC2086
	$CC $CFLAGS -o "$OUT/fuzz_$t" "${objs[@]}" $LIBS
	echo "built $OUT/fuzz_$t"
done
