#!/usr/bin/env bash
# --once (cron mode) drains the due jobs and exits 0 -- here with
# --concurrency 2 (two worker processes); with an empty queue it exits 0 at
# once.
. "$(dirname "$0")/../lib/flow.sh"
park_queued_jobs
trap 'rm -rf "$TMP"' EXIT
TOK=$(token)
make_audio "$TMP/a.mp3" 5
IDS=()
for i in 1 2 3 4; do upload "$TOK" "$TMP/a.mp3" mp3 && complete "$TOK" "$TRACK_ID" && IDS+=("$TRACK_ID"); done
is "${#IDS[@]}" 4 "four jobs queued"
timeout 120 "$BIN/mustory-runner" --once --concurrency 2 --name t38 >>"$STACK_DIR/logs/runner-t38.log" 2>&1
is "$?" 0 "--once exits 0"
for id in "${IDS[@]}"; do
	is "$(psql_q "select processing_status from tracks where id = '$id'")" COMPLETED "track $id completed"
done
LIST=$(printf "'%s'," "${IDS[@]}" | sed 's/,$//')
is "$(psql_q "select count(distinct runner) from job_runs r join jobs j on j.id = r.job_id where j.track_id in ($LIST)")" 2 \
	"two worker processes shared the work"
is "$(psql_q "select count(*) from job_runs r join jobs j on j.id = r.job_id where j.track_id in ($LIST)")" 4 \
	"one run per job"
T0=$(date +%s)
timeout 30 "$BIN/mustory-runner" --once --name t38 >>"$STACK_DIR/logs/runner-t38.log" 2>&1
is "$?" 0 "--once on an empty queue exits 0"
cmp_ok "$(( $(date +%s) - T0 ))" -le 5 "at once"
done_testing
