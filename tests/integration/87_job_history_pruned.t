#!/usr/bin/env bash
# The runs of finished jobs (succeeded, failed) that finished more than
# JOB_HISTORY_DAYS ago are pruned by the janitor, in batches of 1000; recent
# runs, and old runs of a job still queued or running, stay. JOB_HISTORY_DAYS
# moves the line. Then, on grown tables (100,000 tracks with a job and two
# runs each), every statement of a pass reads through an index: the plans
# auto_explain reports hold no Seq Scan on tracks, jobs or job_runs.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
. "$ROOT/tests/lib/janitor.sh"
SU_URL=postgresql://postgres@127.0.0.1:$PG_PORT/mustory
cleanup() {
	psql -X -q -v ON_ERROR_STOP=1 "$SU_URL" -c "delete from tracks where title = 't87-grown'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
tok=$(token)
make_audio "$TMP/a.mp3" 1

# job_with_runs STATE DAYS_AGO N: a fabricated track and job in STATE with N
# runs finished DAYS_AGO days ago; prints the job id
job_with_runs() {
	upload "$tok" "$TMP/a.mp3" mp3 >/dev/null || return 1
	psql_q "with j as (insert into jobs (track_id, kind, state, attempts)
		values ('$TRACK_ID', 'transcode_hls', '$1', 1) returning id)
		insert into job_runs (job_id, attempt, runner, started_at, finished_at, outcome)
		select j.id, g, 't87', now() - make_interval(days => $2), now() - make_interval(days => $2), 'retry'
		from j, generate_series(1, $3) g returning job_id" | tail -n 1
}
old_failed=$(job_with_runs failed 35 2)
old_done=$(job_with_runs succeeded 31 2500)
old_queued=$(job_with_runs queued 35 1)
recent=$(job_with_runs failed 29 1)
ok "jobs with runs of every age" test -n "$old_failed" -a -n "$old_done" -a -n "$old_queued" -a -n "$recent"
runs() { psql_q "select count(*) from job_runs where job_id = $1"; }

out=$(JOB_HISTORY_DAYS=40 "$ADMIN" --json janitor)
is "$(runs "$old_failed") $(runs "$old_done") $(runs "$old_queued") $(runs "$recent")" "2 2500 1 1" \
	"JOB_HISTORY_DAYS=40: nothing of these is old enough"
out=$("$ADMIN" --json janitor 2>"$TMP/err"); rc=$?
is "$rc" 0 "janitor (JOB_HISTORY_DAYS 30, the default): exit 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/err")"
is "$(runs "$old_failed") $(runs "$old_done")" "0 0" "old runs of finished jobs are pruned"
is "$(runs "$old_queued")" 1 "an old run of a job still queued stays"
is "$(runs "$recent")" 1 "a run of 29 days ago stays"
batches=$(jq -c '[.items[]|select(.action == "prune_runs")|.count]' <<<"$out")
is "$(jq 'max' <<<"$batches")" 1000 "deleted in batches of at most 1000 ($batches)"
cmp_ok "$(jq 'add' <<<"$batches")" -ge 2502 "... 2502 runs or more in all"
is "$(jq .runs_pruned <<<"$out")" "$(jq 'add' <<<"$batches")" "runs_pruned sums them up"
is "$(psql_q "select count(*) from jobs where id in ($old_failed, $old_done)")" 2 "the jobs themselves stay"

# Grown tables. The rows are the janitor's worst case of routine: many
# completed, swept tracks and their history, a few to do.
psql_q "insert into tracks (id, owner_id, title, artist_name, file_extension, file_size, content_type,
		original_audio_key, original_audio_url, processing_status, hls_prefix, hls_swept_prefix,
		created_at)
	select gen_random_uuid(), gen_random_uuid(), 't87-grown', 'a', 'mp3', 1, 'audio/mpeg', 'k', 'u',
		'COMPLETED', 'p' || g, 'p' || g, now() - make_interval(days => g % 400)
	from generate_series(1, 100000) g;
	insert into jobs (track_id, kind, state, attempts, finished_at)
	select id, 'transcode_hls', 'succeeded', 2, created_at from tracks where title = 't87-grown';
	insert into job_runs (job_id, attempt, runner, started_at, finished_at, outcome)
	select j.id, a, 't87', j.finished_at, j.finished_at + interval '1 minute', 'succeeded'
	from jobs j join tracks t on t.id = j.track_id, generate_series(1, 2) a
	where t.title = 't87-grown' and t.created_at > now() - interval '25 days';
	analyze tracks; analyze jobs; analyze job_runs" >/dev/null
is "$(psql_q "select count(*) from tracks where title = 't87-grown'")" 100000 "100,000 grown tracks"
ok "an upload to expire among them" upload "$tok" "$TMP/a.mp3" mp3
backdate "$TRACK_ID" created_at 90000
exp=$TRACK_ID
# Every statement's plan, as NOTICEs on the admin's stderr.
DATABASE_URL=$SU_URL PGOPTIONS="-c session_preload_libraries=auto_explain \
	-c auto_explain.log_min_duration=0 -c auto_explain.log_level=notice \
	-c auto_explain.log_nested_statements=on -c client_min_messages=notice" \
	"$ADMIN" --json janitor >"$TMP/out" 2>"$TMP/plans"; rc=$?
cp "$TMP/plans" "$STACK_DIR/logs/87-janitor-plans.log" # kept for a person to read
is "$rc" 0 "a pass over the grown tables: exit 0"
is "$(psql_q "select processing_status from tracks where id = '$exp'")" FAILED "it expired the old upload"
nplans=$(grep -c 'Query Text:' "$TMP/plans")
cmp_ok "$nplans" -ge 6 "auto_explain reported the pass's statements ($nplans plans)"
for q in "processing_status = \$1::track_processing_status" "expired_at IS NOT NULL" \
	"hls_swept_prefix IS DISTINCT FROM" "DELETE FROM job_runs"; do
	ok "a plan of the statement with: $q" grep -qF "$q" <(grep 'Query Text:' "$TMP/plans")
done
seq=$(grep -E 'Seq Scan on (tracks|jobs|job_runs)' "$TMP/plans")
is "$seq" "" "no sequential scan of tracks, jobs or job_runs"
[ -n "$seq" ] && diag "$(grep -B 30 -E 'Seq Scan on (tracks|jobs|job_runs)' "$TMP/plans" | head -80)"
done_testing
