#!/usr/bin/env bash
# All benchmarks; each prints its own summary and writes bench/results/.
set -euo pipefail
cd "$(dirname "$0")"
./api.sh
./runner.sh
./modes.sh
