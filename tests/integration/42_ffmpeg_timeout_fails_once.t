#!/usr/bin/env bash
# A file that takes longer than FFMPEG_TIMEOUT_SECONDS to convert fails once
# and for good, with a sentence saying so: a retry of the same file would
# take as long again. (The "ffmpeg" here is a stand-in that never finishes.)
. "$(dirname "$0")/../lib/flow.sh"
R=t42
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/bin"
# named for this run: another checkout's suite may run the same test on the machine
STANDIN=mustory-t42-stand-in-$$
printf '#!/bin/bash\nexec -a %s sleep 60\n' "$STANDIN" > "$TMP/bin/ffmpeg"
chmod +x "$TMP/bin/ffmpeg"
FFMPEG_PATH=$TMP/bin/ffmpeg FFMPEG_TIMEOUT_SECONDS=5 "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
make_audio "$TMP/a.mp3" 4
ok "upload" upload "$TOK" "$TMP/a.mp3" mp3
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .status)" failed "track failed"
is "$(jget .error)" "the file took too long to process (more than 5 seconds); it may be damaged or unusually complex" \
	"the error says the file took too long"
sleep 3 # a retry would have started by now (backoff 1-4 s)
JOB=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "failed 1" "failed after one attempt"
is "$(psql_q "select string_agg(outcome, ',') from job_runs where job_id = $JOB")" failed "one run, failed"
is "$(pgrep -f "$STANDIN" | wc -l)" 0 "the stand-in ffmpeg was killed"
done_testing
