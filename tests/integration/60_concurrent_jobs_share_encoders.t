#!/usr/bin/env bash
# A runner with --concurrency 2 caps the ffmpeg processes of all its jobs
# together (the encoder slots it logs at start): two jobs at once never run
# more encoders than that; a job that finds no free slot waits for one, and
# both complete. A count, sampled from the runner's process tree, not a speed.
. "$(dirname "$0")/../lib/flow.sh"
park_queued_jobs
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner t60 >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=150" -ac 2 -c:a libmp3lame -b:a 96k "$TMP/a.mp3"
IDS=()
for i in 1 2; do upload "$TOK" "$TMP/a.mp3" mp3 && complete "$TOK" "$TRACK_ID" && IDS+=("$TRACK_ID"); done
is "${#IDS[@]}" 2 "two jobs queued"
LOG=$STACK_DIR/logs/runner-t60.log
: > "$LOG"
"$ROOT/scripts/stack.sh" start-runner t60 --concurrency 2 >/dev/null 2>&1
RPID=$(cat "$STACK_DIR/runner-t60.pid")
for ((i = 0; i < 50; i++)); do grep -q "encoder slots" "$LOG" && break; sleep 0.1; done
CAP=$(grep -m1 -o '[0-9]* encoder slots' "$LOG" | cut -d' ' -f1)
PAR=$(grep -m1 -o '[0-9]* ffmpeg processes per job' "$LOG" | cut -d' ' -f1)
ok "the runner says its cap ($CAP slots, $PAR per job)" test -n "$CAP" -a -n "$PAR"
MAX=0 SAMPLES=0
for ((i = 0; i < 3000; i++)); do
	n=0
	for w in $(pgrep -P "$RPID"); do
		c=$(pgrep -x -c -P "$w" ffmpeg || true)
		n=$((n + c))
	done
	SAMPLES=$((SAMPLES + 1))
	[ "$n" -gt "$MAX" ] && MAX=$n
	if ((i % 10 == 9)); then
		done_n=$(psql_q "select count(*) from tracks where id in ('${IDS[0]}', '${IDS[1]}') and processing_status in ('COMPLETED', 'FAILED')")
		[ "$done_n" -eq 2 ] && break
	fi
	sleep 0.05
done
diag "most ffmpeg processes at once: $MAX over $SAMPLES samples (cap $CAP)"
cmp_ok "$MAX" -ge 1 "ffmpeg was seen running"
cmp_ok "$MAX" -le "$CAP" "never more ffmpeg processes than the cap"
for id in "${IDS[@]}"; do
	is "$(psql_q "select processing_status from tracks where id = '$id'")" COMPLETED "track $id completed"
done
is "$(psql_q "select count(distinct runner) from job_runs r join jobs j on j.id = r.job_id where j.track_id in ('${IDS[0]}', '${IDS[1]}')")" 2 \
	"two worker processes took one job each"
if [ "$CAP" -lt $((2 * PAR)) ]; then
	cmp_ok "$(grep -c 'waiting for an encoder slot' "$LOG")" -ge 1 "a job waited for a free encoder slot"
else
	ok "enough slots for both jobs: no wait needed" true
fi
done_testing
