#!/usr/bin/env bash
# 20 tracks completed concurrently by two runner processes: each job runs
# exactly once (one run, attempt 1, one HLS prefix), and both runners work.
. "$(dirname "$0")/../lib/flow.sh"
park_queued_jobs
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner t36a >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-runner t36b >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
N=20
TOK=$(token)
make_audio "$TMP/a.mp3" 12
IDS=()
for ((i = 0; i < N; i++)); do
	upload "$TOK" "$TMP/a.mp3" mp3 && IDS+=("$TRACK_ID")
done
is "${#IDS[@]}" "$N" "$N uploads"
"$ROOT/scripts/stack.sh" start-runner t36a >/dev/null 2>&1
"$ROOT/scripts/stack.sh" start-runner t36b >/dev/null 2>&1
sleep 0.5
for id in "${IDS[@]}"; do complete "$TOK" "$id"; done
done_n=0
for ((t = 0; t < 240 && done_n < N; t++)); do
	done_n=$(psql_q "select count(*) from tracks where processing_status = 'COMPLETED' and id in ($(printf "'%s'," "${IDS[@]}" | sed 's/,$//'))")
	sleep 0.5
done
is "$done_n" "$N" "all $N tracks completed"
LIST=$(printf "'%s'," "${IDS[@]}" | sed 's/,$//')
is "$(psql_q "select count(*) from jobs where track_id in ($LIST) and state = 'succeeded' and attempts = 1")" "$N" \
	"every job succeeded on attempt 1"
is "$(psql_q "select count(*) from job_runs r join jobs j on j.id = r.job_id where j.track_id in ($LIST)")" "$N" \
	"exactly one run per job"
is "$(psql_q "select count(distinct split_part(runner, ':', 3)) from job_runs r join jobs j on j.id = r.job_id where j.track_id in ($LIST)")" 2 \
	"both runners took jobs"
diag "jobs per runner: $(psql_q "select string_agg(n, ', ') from (select split_part(runner, ':', 3) || ' ' || count(*) as n from job_runs r join jobs j on j.id = r.job_id where j.track_id in ($LIST) group by split_part(runner, ':', 3)) x")"
multi=0
for id in "${IDS[@]}"; do
	[ "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$id" | wc -l)" = 1 ] || multi=$((multi + 1))
done
is "$multi" 0 "one HLS prefix per track"
done_testing
