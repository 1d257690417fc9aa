#!/usr/bin/env bash
# Run every unit test binary in DIR (cmocka), from the repo root.
set -uo pipefail
dir=${1:?usage: run-unit.sh DIR}
cd "$(dirname "$0")/.."
fail=0 n=0
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	echo "== $(basename "$t")"
	if ! "$t"; then fail=$((fail + 1)); echo "FAILED: $(basename "$t")"; fi
done
echo "unit: $((n - fail)) passed, $fail failed"
[ "$n" -gt 0 ] && [ "$fail" = 0 ]
