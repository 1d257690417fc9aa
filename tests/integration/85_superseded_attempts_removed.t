#!/usr/bin/env bash
# A track processed twice (its first attempt published, then the job was
# failed and an operator retried it) has two attempt prefixes in storage,
# hls/<id>/<attempt>/ and art/<id>/<attempt>/. Once it is completed again,
# `mustory-admin janitor` deletes everything of the earlier attempt and
# nothing of the current one (the hls_url still plays, the artwork and the
# original stay); the next pass lists nothing more for it. A track whose job
# ran once is only marked, its storage never listed.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
. "$ROOT/tests/lib/janitor.sh"
R=t85
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
park_queued_jobs
# The runner's own janitor is off here: the pass under test is the admin's.
JANITOR_INTERVAL_SECONDS=0 "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
tok=$(token)
make_audio "$TMP/a.mp3" 4
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=640x640:rate=1" -frames:v 1 "$TMP/cover.jpg"

ok "upload with artwork" upload_with_art "$tok" "$TMP/a.mp3" "$TMP/cover.jpg" jpg
id=$TRACK_ID
complete "$tok" "$id"
ok "the first attempt completes" wait_status "$tok" "$id" completed 120
first=$(psql_q "select hls_prefix from tracks where id = '$id'")
job=$(psql_q "select id from jobs where track_id = '$id' and kind = 'transcode_hls'")
# Failed for good afterwards (as after a lost publish), then retried by an
# operator: a second attempt under a fresh prefix.
psql_q "update jobs set state = 'failed', last_error = 'forced by t85' where id = $job;
	update tracks set processing_status = 'FAILED', processing_error = 'forced' where id = '$id'" >/dev/null
ok "mustory-admin job retry" bash -c "\"\$1\" job retry \"\$2\" >/dev/null" _ "$ADMIN" "$job"
ok "the second attempt completes" wait_status "$tok" "$id" completed 120
current=$(psql_q "select hls_prefix from tracks where id = '$id'")
ok "the second attempt has its own prefix" test "$current" != "$first"
a1=${first##*/}
a2=${current##*/}
is "$(objects "hls/$id/" | cut -d/ -f3 | sort -u | paste -sd' ')" "$(printf '%s\n' "$a1" "$a2" | sort | paste -sd' ')" \
	"storage holds both attempts under hls/"
is "$(objects "art/$id/" | cut -d/ -f3 | sort -u | paste -sd' ')" "$(printf '%s\n' "$a1" "$a2" | sort | paste -sd' ')" \
	"... and under art/"
objects "hls/$id/$a2/" > "$TMP/hls-current"
objects "art/$id/$a2/" > "$TMP/art-current"
old=$( (objects "hls/$id/$a1/"; objects "art/$id/$a1/") | sort)
cmp_ok "$(grep -c . <<<"$old")" -gt 3 "the first attempt left its objects ($(grep -c . <<<"$old"))"
is "$(psql_q "select count(*) from job_runs where job_id = $job")" 2 "the job ran twice"

out=$("$ADMIN" --json janitor 2>"$TMP/err"); rc=$?
is "$rc" 0 "mustory-admin janitor: exit 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/err")"
is "$(jq -r --arg t "$id" '[.items[]|select(.track_id == $t and .pass == "superseded")|.key]|sort|.[]' <<<"$out")" \
	"$old" "it deleted exactly the first attempt's objects"
is "$(objects "hls/$id/" | cut -d/ -f3 | sort -u)" "$a2" "only the current attempt is left under hls/"
is "$(objects "art/$id/" | cut -d/ -f3 | sort -u)" "$a2" "... and under art/"
is "$(objects "hls/$id/$a2/")" "$(cat "$TMP/hls-current")" "every object of the current attempt is still there"
is "$(objects "art/$id/$a2/")" "$(cat "$TMP/art-current")" "... its artwork too"
is "$(objects "tracks/$id/" | paste -sd' ')" "tracks/$id/artwork.jpg tracks/$id/original.mp3" \
	"the original and the uploaded artwork stay"
is "$(psql_q "select hls_swept_prefix = hls_prefix from tracks where id = '$id'")" t "the track is marked swept"
api GET "/tracks/$id" "" "$tok"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$(jget .hls_url)")" 200 "its hls_url still plays"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$(jget .artwork_url)")" 200 "its artwork_url still answers"

out=$("$ADMIN" --json janitor)
is "$(jq -r --arg t "$id" '[.items[]|select(.track_id == $t)]|length' <<<"$out")" 0 "the next pass has nothing for it"

# One run: marked, nothing deleted (a stray object under another prefix of
# such a track is not looked for: its storage is never listed).
upload "$tok" "$TMP/a.mp3" mp3
one=$TRACK_ID
complete "$tok" "$one"
ok "a track processed once completes" wait_status "$tok" "$one" completed 120
echo stray > "$TMP/stray"
ok "a stray object beside its attempt" storage_put "hls/$one/0000000000000000/stray" "$TMP/stray"
out=$("$ADMIN" --json janitor)
is "$(jq -r --arg t "$one" '[.items[]|select(.track_id == $t)]|length' <<<"$out")" 0 "nothing deleted for it"
is "$(psql_q "select hls_swept_prefix = hls_prefix from tracks where id = '$one'")" t "but it is marked swept"
is "$(nobjects "hls/$one/0000000000000000/")" 1 "the stray object was not looked for"
done_testing
