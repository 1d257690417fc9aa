#!/usr/bin/env bash
# `mustory-admin janitor --dry-run` lists what a pass would do, for each pass
# (an upload to expire, an expired track to remove, a superseded attempt,
# old job runs), and changes nothing: the database and storage are the same
# after it. The real pass that follows does exactly what the dry run listed.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
. "$ROOT/tests/lib/janitor.sh"
TTL=86400
tok=$(token)
make_audio "$TMP/a.mp3" 1
echo '#EXTM3U' > "$TMP/m3u8"

ok "an upload to expire" upload "$tok" "$TMP/a.mp3" mp3
exp=$TRACK_ID
backdate "$exp" created_at $((TTL + 60))
ok "an upload that expired a day ago" upload "$tok" "$TMP/a.mp3" mp3
gone=$TRACK_ID
psql_q "update tracks set processing_status = 'FAILED', processing_error = 'the upload was never completed',
	expired_at = now() - interval '2 days' where id = '$gone'" >/dev/null
ok "a track that will be completed twice" upload "$tok" "$TMP/a.mp3" mp3
sup=$TRACK_ID
p1=hls/$sup/1111111111111111
p2=hls/$sup/2222222222222222
for k in "$p1/master.m3u8" "$p1/a64/index.m3u8" "$p2/master.m3u8" "art/$sup/1111111111111111/cover-600.jpg" \
	"art/$sup/2222222222222222/cover-600.jpg"; do
	storage_put "$k" "$TMP/m3u8" || fail=1
done
ok "its two attempts are in storage" test -z "${fail:-}"
job=$(psql_q "update tracks set processing_status = 'COMPLETED', hls_prefix = '$p2',
	hls_url = '$STORAGE_PUBLIC_URL/$p2/master.m3u8' where id = '$sup';
	insert into jobs (track_id, kind, state, attempts, progress, finished_at)
	values ('$sup', 'transcode_hls', 'succeeded', 2, 100, now() - interval '40 days') returning id" | tail -n 1)
psql_q "insert into job_runs (job_id, attempt, runner, started_at, finished_at, outcome) values
	($job, 1, 't86', now() - interval '41 days', now() - interval '41 days', 'retry'),
	($job, 2, 't86', now() - interval '40 days', now() - interval '40 days', 'succeeded')" >/dev/null

snapshot() {
	psql_q "select md5(string_agg(t::text, '|' order by t.id)) from tracks t"
	psql_q "select md5(string_agg(r::text, '|' order by r.id)) from job_runs r"
	psql_q "select md5(string_agg(j::text, '|' order by j.id)) from jobs j"
	(cd "$STACK_DIR/s3" && find . -type f | sort | xargs md5sum | md5sum)
}
before=$(snapshot)
dry=$("$ADMIN" --json janitor --dry-run 2>"$TMP/err"); rc=$?
is "$rc" 0 "janitor --dry-run: exit 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/err")"
is "$(jq .dry_run <<<"$dry")" true "--json says it was a dry run"
mine() { jq -r --arg t "$2" '[.items[]|select(.track_id == $t)|.pass + " " + .action + " " + (.key // "-")]|sort|.[]' <<<"$1"; }
is "$(mine "$dry" "$exp")" "expire delete_object tracks/$exp/original.mp3
expire expire_track -" "it would expire the old upload and delete its original"
is "$(mine "$dry" "$gone")" "remove delete_object tracks/$gone/original.mp3
remove remove_track -" "it would remove the expired track (and what is left of it)"
is "$(mine "$dry" "$sup")" "superseded delete_object art/$sup/1111111111111111/cover-600.jpg
superseded delete_object $p1/a64/index.m3u8
superseded delete_object $p1/master.m3u8" "it would delete the superseded attempt only"
cmp_ok "$(jq '[.items[]|select(.action == "prune_runs")|.count]|add' <<<"$dry")" -ge 2 \
	"it would prune the old runs"
is "$(snapshot)" "$before" "the database and storage are unchanged"
table=$("$ADMIN" janitor --dry-run)
like "$(tail -n 1 <<<"$table")" "^janitor \(dry run, nothing changed\): " "the table says it was a dry run"
is "$(snapshot)" "$before" "... and still nothing changed"
track_status "$tok" "$exp"
is "$(jget .status)" pending "the app still sees the old upload pending"

real=$("$ADMIN" --json janitor); rc=$?
is "$rc" 0 "then a real pass: exit 0"
is "$(jq .dry_run <<<"$real")" false "... not a dry run"
for t in "$exp" "$gone" "$sup"; do
	is "$(mine "$real" "$t")" "$(mine "$dry" "$t")" "the real pass did what the dry run listed ($t)"
done
is "$(jq '[.items[]|select(.action == "prune_runs")|.count]|add' <<<"$real")" \
	"$(jq '[.items[]|select(.action == "prune_runs")|.count]|add' <<<"$dry")" "... and pruned as many runs"
is "$(objects "hls/$sup/")" "$p2/master.m3u8" "only the current attempt is left"
is "$(psql_q "select count(*) from job_runs where job_id = $job")" 0 "the old runs are gone"
track_status "$tok" "$exp"
is "$(jget .status)" failed "the old upload is failed now"
"$ADMIN" janitor now >/dev/null 2>&1
is "$?" 2 "janitor with an operand: usage error (2)"
"$ADMIN" jobs --dry-run >/dev/null 2>&1
is "$?" 2 "--dry-run with another command: usage error (2)"
done_testing
