#!/usr/bin/env bash
# Line/branch coverage of what the fuzz corpora reach, per target, with
# clang's source-based coverage (llvm-profdata, llvm-cov).
#   tests/fuzz/coverage.sh            every target
#   tests/fuzz/coverage.sh playlist   only these
# Replays tests/fuzz/corpus/<name>/ plus build/fuzz/corpus/<name>/ (what
# run.sh found) once, no fuzzing; prints llvm-cov's report for the
# project files the target links (not the harness, not json-c).
set -euo pipefail
cd "$(dirname "$0")/../.."

ALL="jwt jwt_claims validate utf8 probe_parse probe_sniff playlist base64 sigv4_query config s3_status query s3_multipart gateway_path tags imagesize loudness upload_tags upload_detail webhook"
targets=${*:-$ALL}
OUT=build/fuzz-cov
# shellcheck disable=SC2086
FUZZ_COVERAGE=1 tests/fuzz/build.sh $targets >/dev/null
for t in $targets; do
	srcs=$(FUZZ_PRINT_SRCS=1 tests/fuzz/build.sh "$t" | sed 's/^[^:]*: //')
	dirs=("tests/fuzz/corpus/$t")
	[ -d "build/fuzz/corpus/$t" ] && dirs+=("build/fuzz/corpus/$t")
	rm -f "$OUT/$t.profraw"
	LLVM_PROFILE_FILE="$OUT/$t.profraw" "$OUT/fuzz_$t" -runs=0 "${dirs[@]}" \
	    >"$OUT/$t.log" 2>&1 || true
	llvm-profdata merge -sparse -o "$OUT/$t.profdata" "$OUT/$t.profraw"
	echo "== fuzz_$t ($(find "${dirs[@]}" -type f | wc -l) corpus inputs)"
	# shellcheck disable=SC2086
	llvm-cov report "$OUT/fuzz_$t" -instr-profile="$OUT/$t.profdata" $srcs |
	    grep -v '^-*$'
done
