#!/usr/bin/env bash
# An endpoint that answers 410 Gone is disabled: its job ends at once (no
# retry), webhook_endpoints records it, later events are not queued for it
# and a delivery already queued for it is dropped unsent, while the other
# URL keeps getting every event. Deleting its row enables it again. An
# endpoint that redirects is refused at once too (the redirect is not
# followed) but stays enabled.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/webhook.sh"
R=t96
PA=$((HTTP_PORT + 202)); PB=$((HTTP_PORT + 203)); PC=$((HTTP_PORT + 205))
UA="http://127.0.0.1:$PA/gone"; UB="http://127.0.0.1:$PB/live"; UC="http://127.0.0.1:$PC/moved"
cleanup() {
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	receivers_stop
	psql_q "delete from webhook_endpoints where url = '$UA'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

SECRET=$(webhook_secret)
receiver_start gone "$PA" "$SECRET" --status 410 || bail "no receiver"
receiver_start live "$PB" "$SECRET" || bail "no receiver"
receiver_start moved "$PC" "$SECRET" --status 307 --location "$UB" || bail "no receiver"
WEBHOOK_URLS="$UA, $UB,$UC" WEBHOOK_SECRET=$SECRET "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)
make_audio "$TMP/a.wav" 1

# one_track: upload, complete, wait until completed and its N webhook jobs settled
one_track() {
	upload "$TOK" "$TMP/a.wav" wav && complete "$TOK" "$TRACK_ID" &&
		wait_status "$TOK" "$TRACK_ID" completed 120 && webhook_jobs_settled "$TRACK_ID" "$1" 60
}

ok "track 1 completed, three webhook jobs settled" one_track 3
T1=$TRACK_ID
is "$(hooks gone "$T1" | jq -r .answered)" 410 "the gone endpoint got it once and answered 410"
is "$(webhook_job_field "$T1" "$UA" "state || ' ' || attempts")" "failed 1" "its job failed at once, no retry"
like "$(webhook_job_field "$T1" "$UA" last_error)" \
	"^HTTP 410 Gone from $UA in [0-9.]+ s: the endpoint is disabled" "the job says why"
like "$(psql_q "select reason from webhook_endpoints where url = '$UA'")" "^HTTP 410 Gone from $UA on track.completed msg_" \
	"webhook_endpoints records the URL and why"
is "$(webhook_job_field "$T1" "$UB" "state || ' ' || attempts")" "succeeded 1" "the other URL got it"
is "$(hooks live "$T1" | jq -r .verified)" true "verified there"
is "$(hooks live "$T1" | grep -c .)" 1 "once: the redirect to it was not followed"
is "$(hooks moved "$T1" | jq -r .answered)" 307 "the redirecting endpoint got it once"
is "$(webhook_job_field "$T1" "$UC" "state || ' ' || attempts")" "failed 1" "its job failed at once"
like "$(webhook_job_field "$T1" "$UC" last_error)" "^HTTP 307 from $UC in [0-9.]+ s: refused, not retried \(redirects are not followed" \
	"saying redirects are not followed"
is "$(psql_q "select count(*) from webhook_endpoints where url = '$UC'")" 0 "but its URL is not disabled"

ok "track 2 completed, a webhook job for each enabled URL" one_track 2
T2=$TRACK_ID
is "$(webhook_job_field "$T2" "$UA" "count(*)")" 0 "no job for the disabled URL"
is "$(hooks gone "$T2" | grep -c .)" 0 "and nothing sent to it"
is "$(hooks live "$T2" | jq -r .answered)" 204 "the other URL still gets every event"

# A delivery queued before the 410 (made here by hand) is dropped unsent.
PAYLOAD=$(jq -nc --arg u "$UA" --arg t "$T2" --arg b '{"type":"track.completed"}' \
	'{url:$u, webhook_id:"msg_queuedbeforethe410xx", type:"track.completed", track_id:$t, body:$b}')
JOB=$(psql_q "insert into jobs (kind, max_attempts, payload) values ('webhook', 5, '$PAYLOAD') returning id" | head -1)
for ((i = 0; i < 120; i++)); do
	[ "$(psql_q "select state from jobs where id = $JOB")" = failed ] && break
	sleep 0.25
done
is "$(psql_q "select state || ' ' || attempts from jobs where id = $JOB")" "failed 1" "a queued delivery to it fails at once"
like "$(psql_q "select last_error from jobs where id = $JOB")" "^not sent: $UA is disabled since " "unsent, saying so"
is "$(grep -c queuedbeforethe410 "$TMP/gone.jsonl")" 0 "nothing reached the endpoint"

# The operator enables it again by deleting its row.
psql_q "delete from webhook_endpoints where url = '$UA'" >/dev/null
ok "track 3 completed, three webhook jobs again" one_track 3
is "$(hooks gone "$TRACK_ID" | grep -c .)" 1 "the enabled URL gets the next event"
done_testing
