#!/usr/bin/env bash
# A job whose lease lapsed in its last attempt is taken back as failed, not
# queued: the rescue closes its run as lease_lost with the operator's
# sentence, fails the track with the artist's, and nothing runs it again.
. "$(dirname "$0")/../lib/flow.sh"
trap 'rm -rf "$TMP"' EXIT
TOK=$(token)
make_audio "$TMP/a.mp3" 2
upload "$TOK" "$TMP/a.mp3" mp3 && complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete queues the job"
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
# What a runner that died in its last attempt leaves behind.
psql_q "update jobs set state = 'running', attempts = max_attempts, lease_owner = 'gone:1:t39',
	lease_expires_at = now() - interval '1 second', started_at = now() where id = $JOB" >/dev/null
psql_q "insert into job_runs (job_id, attempt, runner) select id, attempts, lease_owner
	from jobs where id = $JOB" >/dev/null
timeout 60 "$BIN/mustory-runner" --once --name t39 >>"$STACK_DIR/logs/runner-t39.log" 2>&1
is "$?" 0 "--once exits 0"
MAX=$(psql_q "select max_attempts from jobs where id = $JOB")
is "$(psql_q "select state from jobs where id = $JOB")" failed "the job failed"
is "$(psql_q "select lease_owner is null and finished_at is not null from jobs where id = $JOB")" t \
	"its lease is cleared and it is finished"
is "$(psql_q "select last_error from jobs where id = $JOB")" \
	"the runner gone:1:t39 stopped renewing its lease (it died, hung or lost the database) during attempt $MAX" \
	"last_error names the runner and the attempt"
is "$(psql_q "select outcome || '|' || (finished_at is not null) from job_runs where job_id = $JOB")" \
	"lease_lost|true" "its run is closed as lease_lost"
track_status "$TOK" "$TRACK_ID"
is "$(jget .status)" failed "the track failed"
is "$(jget .error)" \
	"Processing was interrupted $MAX times before it could finish; please try again later or upload the track again." \
	"the artist reads why"
is "$(psql_q "select count(*) from job_runs where job_id = $JOB")" 1 "no runner took it again"
done_testing
