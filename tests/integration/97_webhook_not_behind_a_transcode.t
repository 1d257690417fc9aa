#!/usr/bin/env bash
# A runner that can deliver webhooks has a worker of its own for them, so
# an event is sent while its (only, --concurrency 1) transcode worker is
# busy: track A completes, track B's long transcode starts before A's
# delivery was even queued, and A's event still arrives while B transcodes.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/webhook.sh"
R=t97
PORT=$((HTTP_PORT + 204))
URL="http://127.0.0.1:$PORT/hook"
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; receivers_stop; rm -rf "$TMP"; }
trap cleanup EXIT

SECRET=$(webhook_secret)
receiver_start r97 "$PORT" "$SECRET" || bail "no receiver"
TOK=$(token)
make_audio "$TMP/a.wav" 1
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=300" -ac 2 -c:a libmp3lame -b:a 64k "$TMP/b.mp3"
ok "upload A" upload "$TOK" "$TMP/a.wav" wav
A=$TRACK_ID
ok "upload B" upload "$TOK" "$TMP/b.mp3" mp3
B=$TRACK_ID
park_queued_jobs
complete "$TOK" "$A"; is "$STATUS" 202 "A queued"
complete "$TOK" "$B"; is "$STATUS" 202 "B queued behind it"
WEBHOOK_URLS=$URL WEBHOOK_SECRET=$SECRET "$ROOT/scripts/stack.sh" start-runner $R --concurrency 1 >/dev/null 2>&1

for ((i = 0; i < 240; i++)); do
	[ -n "$(hooks r97 "$A")" ] && break
	sleep 0.25
done
track_status "$TOK" "$B"; BS=$(jget .status)
is "$(hooks r97 "$A" | jq -r '.event.type + " " + (.verified | tostring)')" "track.completed true" \
	"A's event arrived, verified"
is "$BS" processing "while B was still transcoding"
like "$(psql_q "select r.runner from job_runs r join jobs j on j.id = r.job_id
	where j.kind = 'webhook' and j.payload->>'track_id' = '$A'")" ":$R/webhooks$" \
	"sent by the runner's webhook worker"
like "$(psql_q "select string_agg(distinct r.runner, ',') from job_runs r join jobs j on j.id = r.job_id
	where j.track_id in ('$A', '$B')")" ":$R/0$" "the transcodes by its one transcode worker"
ok "B completes" wait_status "$TOK" "$B" completed 180
ok "and its event is delivered" webhook_jobs_settled "$B" 1 60
done_testing
