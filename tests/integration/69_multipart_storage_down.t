#!/usr/bin/env bash
# Storage down during a multipart upload: init cannot create the upload (503,
# no track written), /parts cannot list it and complete cannot complete it
# (503 JSON, the track stays pending, no job, the row lock released); once
# storage is back the same upload resumes and completes (devs3 keeps its
# uploads across a restart, as S3 does).
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
cleanup() { "$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
U=$(new_user)
TOK=$(token "$U")
head -c $((9 * 1024 * 1024)) /dev/urandom >"$TMP/a.wav"
SIZE=$(stat -c %s "$TMP/a.wav")
mp_init "$TOK" "$SIZE"
is "$STATUS" 201 "init"
ID=$TRACK_ID
mp_split "$TMP/a.wav" $((8 * 1024 * 1024))
mp_put "$(mp_url "$INIT" 1)" "$TMP/part.1"
is "$STATUS" 200 "part 1 stored"

"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
mp_init "$TOK" "$SIZE"
is "$STATUS" 503 "init with storage down: 503"
is "$(jget .code)" storage_unavailable "  storage_unavailable"
is "$(psql_q "select count(*) from tracks where owner_id = '$U'")" 1 "  no track written"
mp_parts "$TOK" "$ID"
is "$STATUS" 503 "/parts with storage down: 503"
is "$(jget .code)" storage_unavailable "  storage_unavailable"
complete "$TOK" "$ID"
is "$STATUS" 503 "complete with storage down: 503"
is "$(jget .code)" storage_unavailable "  storage_unavailable"
is "$(psql_q "select processing_status || ' ' || (select count(*) from jobs where track_id = '$ID') from tracks where id = '$ID'")" \
	"PENDING 0" "  still pending, no job"
is "$(psql_q "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'tracks' and l.mode = 'RowShareLock'")" \
	0 "  no lock left on tracks"

"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
mp_parts "$TOK" "$ID"
is "$STATUS" 200 "/parts once storage is back: 200"
is "$(jq -c '[[.parts_done[].part_number], [.parts[].part_number]]' <<<"$BODY")" "[[1],[2]]" \
	"  part 1 kept across the restart, part 2 to go"
mp_put "$(mp_url "$BODY" 2)" "$TMP/part.2"
is "$STATUS" 200 "part 2 stored"
complete "$TOK" "$ID"
is "$STATUS" 202 "complete: 202"

done_testing
