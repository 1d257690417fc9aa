#!/usr/bin/env bash
# Build and run the libFuzzer targets, FUZZ_SECONDS each (default 60).
#   tests/fuzz/run.sh                 every target, one after the other
#   tests/fuzz/run.sh jwt playlist    only these
#   FUZZ_SECONDS=600 tests/fuzz/run.sh config
# Seeds come from tests/fuzz/corpus/<name>/ (read only); what the fuzzer
# finds goes to build/fuzz/corpus/<name>/, crashes to
# build/fuzz/artifacts/<name>/, the log to build/fuzz/<name>.log.
# Exit status 1 when any target found a crash, leak or UB.
set -uo pipefail
cd "$(dirname "$0")/../.."

# every target build.sh knows (its table is the one list)
ALL=$(FUZZ_PRINT_SRCS=1 tests/fuzz/build.sh | cut -d: -f1 | paste -sd' ')
targets=${*:-$ALL}
secs=${FUZZ_SECONDS:-60}
OUT=build/fuzz

# shellcheck disable=SC2086
tests/fuzz/build.sh $targets || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=""
summary=""
for t in $targets; do
	extra=()
	case $t in
	jwt|jwt_claims) extra=(-max_len=9000) ;; # past jwt.c's 8192-byte cap
	esac
	[ -f "tests/fuzz/$t.dict" ] && extra+=(-dict="tests/fuzz/$t.dict")
	mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t"
	echo "== fuzz_$t for ${secs}s"
	"$OUT/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 "${extra[@]}" \
	    -artifact_prefix="$OUT/artifacts/$t/" \
	    "$OUT/corpus/$t" "tests/fuzz/corpus/$t" >"$OUT/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$OUT/$t.log" | tail -1)
	line=$(printf '%-12s %s execs=%s %s' "$t" "$([ $rc = 0 ] && echo ok || echo FAIL)" \
	    "${execs:-?}" "${cov:-}")
	echo "$line"
	summary+="$line"$'\n'
	if [ $rc != 0 ]; then
		failed+=" $t"
		grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$OUT/$t.log"
		echo "   see $OUT/$t.log and $OUT/artifacts/$t/"
	fi
done
echo
printf '%s' "$summary"
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
