#!/usr/bin/env bash
# `make test`: unit tests, then a throwaway stack (test profile) with the
# integration tests through nginx, then the stack is stopped whatever happens.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export STACK_PROFILE=test
# .stack/test, or a directory in /var/tmp when Apache's www-data cannot enter the clone
export STACK_DIR=${STACK_DIR:-$(scripts/stack.sh dir)}
export BIN=${BIN:-$ROOT/build/san}
# ASan: leaks are checked by the unit tests; long-running servers exit via signals
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
scripts/run-unit.sh "$BIN/tests" || status=1

if [ -d tests/devs3 ]; then
	echo "== storage server tests (node --test)"
	node --test tests/devs3/ || status=1
fi

# A fresh stack every run: no state leaks between runs.
scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
trap 'scripts/stack.sh stop; ' EXIT
if ! scripts/stack.sh start; then
	echo "test: the stack did not start; logs:" >&2
	tail -n 50 "$STACK_DIR"/logs/*.log >&2
	exit 1
fi
echo "== integration tests (prove)"
# --timer: each file's wall time, to see which ones make the suite long.
prove -f --timer ${PROVE_ARGS:-} tests/integration/ || status=1

# Every answer the tests got from the API, against the contract.
echo "== API answers against docs/openapi.yaml"
node tests/openapi/validate.js docs/openapi.yaml "$STACK_DIR/api-answers.jsonl" || status=1

# Sanitizer reports from the servers end up in their logs.
if grep -l -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$STACK_DIR"/logs/*.log 2>/dev/null; then
	echo "test: sanitizer reports in the logs above" >&2
	grep -h -A 30 -E 'ERROR: AddressSanitizer|runtime error:' "$STACK_DIR"/logs/*.log | head -80 >&2
	status=1
fi
exit $status
