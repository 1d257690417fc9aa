#!/usr/bin/env bash
# mustory-admin for an operator: jobs (filtered by state, limited), job show
# with its runs, job retry of a failed job (as mustory-runner --retry), track
# show of anyone's track; tables for a person, --json for scripts; DATABASE_URL
# from --env-file as well as the environment; usage errors exit 2.
. "$(dirname "$0")/../lib/flow.sh"
trap 'rm -rf "$TMP"' EXIT
ADMIN=$BIN/mustory-admin

tok=$(token)
make_audio "$TMP/a.mp3" 1
upload "$tok" "$TMP/a.mp3" mp3 && complete "$tok" "$TRACK_ID"
is "$STATUS" 202 "a job queued"
id=$TRACK_ID
job=$(psql_q "select id from jobs where track_id = '$id'")
# It failed twice (runs recorded), for good.
psql_q "insert into job_runs (job_id, attempt, runner, finished_at, outcome, message) values
	($job, 1, 't70-a', now(), 'retry', 'storage down'), ($job, 2, 't70-b', now(), 'failed', 'not audio');
	update jobs set state = 'failed', attempts = 2, last_error = 'not audio' where id = $job;
	update tracks set processing_status = 'FAILED', processing_error = 'not audio' where id = '$id'" >/dev/null

out=$("$ADMIN" --json jobs --state failed --limit 1000)
is "$?" 0 "jobs --state failed: exit 0"
is "$(jq -r --argjson j "$job" '.[]|select(.id == $j)|.state + " " + .last_error' <<<"$out")" "failed not audio" \
	"jobs --json: the failed job, its state and error"
is "$(jq -r '[.[].state]|unique|join(",")' <<<"$out")" failed "jobs --state failed: only failed jobs"
is "$("$ADMIN" --json jobs --limit 1 | jq length)" 1 "jobs --limit 1: one job"
is "$("$ADMIN" --json jobs --limit 1 | jq '.[0].id')" "$(psql_q "select max(id) from jobs")" "jobs: newest first"
table=$("$ADMIN" jobs --state failed)
like "$(head -1 <<<"$table")" '^id +kind +track_id +state +attempts' "jobs: a table with a header"
like "$(grep "^$job " <<<"$table")" "^$job +transcode_hls +$id +failed +2 " "jobs: the job's row"

out=$("$ADMIN" job show "$job" --json)
is "$?" 0 "job show: exit 0"
is "$(jq -r '.id, .track_id, .state, .attempts' <<<"$out" | paste -sd' ')" "$job $id failed 2" "job show --json: the job"
is "$(jq -r '[.runs[]|"\(.attempt):\(.runner):\(.outcome):\(.message)"]|join(",")' <<<"$out")" \
	"1:t70-a:retry:storage down,2:t70-b:failed:not audio" "job show --json: its runs in order"
table=$("$ADMIN" job show "$job")
like "$table" "state +failed" "job show: a record"
like "$table" "t70-b +[0-9TZ:-]+ +[0-9TZ:-]+ +failed +not audio" "job show: the runs table"

out=$("$ADMIN" --json track show "$id")
is "$?" 0 "track show: exit 0"
is "$(jq -r '.id, .status, .title, .processing_error, (.jobs|length), .jobs[0].id' <<<"$out" | paste -sd'|')" \
	"$id|FAILED|Test Track|not audio|1|$job" "track show --json: the track and its job"
like "$("$ADMIN" track show "${id^^}")" "status +FAILED" "track show: an upper-case id, a record"

out=$("$ADMIN" --json job retry "$job")
is "$?" 0 "job retry: exit 0"
is "$(jq -c . <<<"$out")" "{\"id\":$job,\"track_id\":\"$id\",\"state\":\"queued\"}" "job retry --json"
is "$(psql_q "select state || ' ' || attempts from jobs where id = $job")" "queued 0" "job retry: queued, attempts 0"
is "$(psql_q "select processing_status from tracks where id = '$id'")" PROCESSING "job retry: the track is processing again"
api GET "/tracks/upload/status/$id" "" "$tok"
is "$(jget .status)" processing "the app sees it processing"
out=$("$ADMIN" job retry "$job" 2>&1)
is "$?" 1 "retry of a queued job: exit 1"
like "$out" "only a failed job can be retried" "retry of a queued job: says why"

# Not found, usage errors.
"$ADMIN" job show 999999999 >/dev/null 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" "1:mustory-admin: there is no job 999999999" "job show of no job: exit 1"
"$ADMIN" track show "$(new_user)" >/dev/null 2>&1
is "$?" 1 "track show of no track: exit 1"
for bad in "job show x" "job show 0" "track show nope" "jobs --state done" "jobs --limit 0" \
	"jobs --limit 1001" "job frob 1" "frob" "jobs extra" "job show 1 --dir /tmp"; do
	# shellcheck disable=SC2086
	"$ADMIN" $bad >/dev/null 2>&1
	is "$?" 2 "usage error: $bad"
done
"$ADMIN" >/dev/null 2>&1
is "$?" 2 "no command: exit 2"
like "$("$ADMIN" --help)" "^usage: mustory-admin" "--help"
is "$("$ADMIN" --version)" "mustory-admin $(cat "$ROOT/VERSION")" "--version"

# The env file, as the other programs read it.
printf 'DATABASE_URL=%s\n' "$DATABASE_URL" > "$TMP/env"
is "$(env -u DATABASE_URL "$ADMIN" --env-file "$TMP/env" --json job show "$job" | jq .id)" "$job" "--env-file"
is "$(env -u DATABASE_URL ENV_FILE="$TMP/env" "$ADMIN" --json job show "$job" | jq .id)" "$job" "ENV_FILE"
env -u DATABASE_URL -u ENV_FILE "$ADMIN" jobs >/dev/null 2>"$TMP/err"
is "$?" 1 "no DATABASE_URL: exit 1"
like "$(cat "$TMP/err")" "DATABASE_URL is not set" "no DATABASE_URL: says so"

# Leave no queued job behind for the tests that drain the queue.
psql_q "delete from tracks where id = '$id'" >/dev/null
done_testing
