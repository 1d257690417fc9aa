#!/usr/bin/env bash
# Storage down at complete: 503 JSON, the track stays pending, no job.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
make_audio "$TMP/a.wav" 1
ok "upload" upload "$tok" "$TMP/a.wav" wav
id=$TRACK_ID
"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS" 503 "complete with storage down: 503"
is "$(jget .code)" storage_unavailable "complete: storage_unavailable"
is "$(psql_q "select processing_status from tracks where id = '$id'")" PENDING "track still PENDING"
is "$(psql_q "select count(*) from jobs where track_id = '$id'")" 0 "no job"
"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
api POST /tracks/upload/complete "{\"track_id\":\"$id\"}" "$tok"
is "$STATUS" 202 "complete after storage is back: 202"

done_testing
