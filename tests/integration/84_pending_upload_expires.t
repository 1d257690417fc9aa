#!/usr/bin/env bash
# A PENDING track whose upload was never completed expires UPLOAD_TTL_SECONDS
# (a day) after init: `mustory-admin janitor` deletes what landed in storage
# (original and artwork) and fails the track with "the upload was never
# completed", which the app reads in GET status; a late complete makes no job.
# UPLOAD_TTL_SECONDS after that, the row goes too (404). An abandoned
# multipart upload is aborted. A fresh upload is left alone. With storage
# down nothing changes until a later pass can delete. Start-up refuses
# an UPLOAD_TTL_SECONDS below the upload URLs' lifetime. (Tests backdate
# created_at / expired_at rather than wait.)
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
. "$ROOT/tests/lib/janitor.sh"
TTL=86400 # the default
tok=$(token)
make_audio "$TMP/a.mp3" 1
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=size=64x64:rate=1" -frames:v 1 "$TMP/cover.png"

ok "upload audio and artwork, never complete" upload_with_art "$tok" "$TMP/a.mp3" "$TMP/cover.png" png
id=$TRACK_ID
is "$(objects "tracks/$id/" | paste -sd' ')" "tracks/$id/artwork.png tracks/$id/original.mp3" \
	"both landed in storage"
ok "a fresh upload, never completed" upload "$tok" "$TMP/a.mp3" mp3
fresh=$TRACK_ID
# A multipart upload with one part up, then abandoned.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=60" \
	-ac 2 "$TMP/big.wav"
mp_init "$tok" "$(stat -c %s "$TMP/big.wav")" wav
is "$STATUS" 201 "a multipart init"
mp=$TRACK_ID
mp_split "$TMP/big.wav" "$(jq -r .audio_multipart.part_size <<<"$INIT")"
ok "it has two parts" test -f "$TMP/part.2" -a ! -f "$TMP/part.3"
mp_put "$(mp_url "$INIT" 1)" "$TMP/part.1"
is "$STATUS" 200 "its first part is up"

backdate "$id" created_at $((TTL + 5))
backdate "$mp" created_at $((TTL + 5))
backdate "$fresh" created_at $((TTL - 600))
out=$("$ADMIN" --json janitor 2>"$TMP/err"); rc=$?
is "$rc" 0 "mustory-admin janitor: exit 0"
[ "$rc" = 0 ] || diag "$(cat "$TMP/err")"
is "$(jq -r --arg t "$id" '[.items[]|select(.track_id == $t)|.action + ":" + (.key // "-")]|sort|join(" ")' <<<"$out")" \
	"delete_object:tracks/$id/artwork.png delete_object:tracks/$id/original.mp3 expire_track:-" \
	"--json: it deleted both objects and expired the track"
is "$(jq -r --arg t "$mp" '[.items[]|select(.track_id == $t)|.action]|sort|join(" ")' <<<"$out")" \
	"abort_upload expire_track" "--json: the multipart upload aborted, that track expired"
is "$(jq -r --arg t "$fresh" '[.items[]|select(.track_id == $t)]|length' <<<"$out")" 0 \
	"a track younger than UPLOAD_TTL_SECONDS is not touched"
is "$(nobjects "tracks/$id/")" 0 "the original and the artwork are gone from storage"
is "$(nobjects "tracks/$fresh/")" 1 "the fresh upload's original is still there"
mp_put "$(mp_url "$INIT" 2)" "$TMP/part.2"
is "$STATUS" 404 "the second part, to the aborted upload: storage answers 404"
like "$BODY" "NoSuchUpload" "... NoSuchUpload"

track_status "$tok" "$id"
is "$STATUS" 200 "GET status: 200"
is "$(jq -c '{status, error}' <<<"$BODY")" '{"status":"failed","error":"the upload was never completed"}' \
	"GET status: failed, the upload was never completed"
track_status "$tok" "$fresh"
is "$(jget .status)" pending "the fresh track is still pending"
is "$(psql_q "select processing_status || ' ' || (expired_at is not null) from tracks where id = '$mp'")" \
	"FAILED true" "the multipart track is FAILED, expired"
complete "$tok" "$id"
is "$STATUS" 200 "a complete after the expiry: 200, nothing accepted"
is "$(jget .status)" failed "... with the failed status"
is "$(psql_q "select count(*) from jobs where track_id = '$id'")" 0 "... and no job"

out=$("$ADMIN" --json janitor)
is "$(jq -r --arg t "$id" '[.items[]|select(.track_id == $t)]|length' <<<"$out")" 0 \
	"the next pass leaves the expired track alone (kept UPLOAD_TTL_SECONDS for the app)"
api GET "/tracks/$id" "" "$tok"
is "$STATUS" 200 "GET /tracks/{id}: still 200 meanwhile"

backdate "$id" expired_at $((TTL + 5))
backdate "$mp" expired_at $((TTL + 5))
out=$("$ADMIN" janitor); rc=$?
is "$rc" 0 "janitor (table): exit 0"
like "$out" "remove +remove_track +$id" "the table says the expired track is removed"
like "$(tail -n 1 <<<"$out")" "^janitor: [0-9]+ tracks expired, [1-9][0-9]* removed" "and sums up the pass"
is "$(psql_q "select count(*) from tracks where id in ('$id', '$mp')")" 0 "both rows are gone"
api GET "/tracks/$id" "" "$tok"
is "$STATUS" 404 "GET /tracks/{id}: 404"
track_status "$tok" "$id"
is "$STATUS" 404 "GET status: 404"
is "$(nobjects "tracks/$mp/")" 0 "nothing of the multipart track is left in storage"

# A complete holding the row (a multipart complete locks it while storage
# assembles the parts) wins: the janitor skips the track, untouched.
ok "an upload whose complete is under way" upload "$tok" "$TMP/a.mp3" mp3
busy=$TRACK_ID
backdate "$busy" created_at $((TTL + 5))
psql -X -q "$DATABASE_URL" -c "begin" -c "select 1 from tracks where id = '$busy' for update" \
	-c "select pg_sleep(300)" >/dev/null 2>&1 &
holder=$!
row_locked() { [ "$(psql_q "select count(*) from pg_stat_activity where query like '%pg_sleep(300)%'
	and state = 'active' and pid <> pg_backend_pid()")" -ge 1 ]; }
for ((i = 0; i < 100; i++)); do row_locked && break; sleep 0.1; done
out=$("$ADMIN" --json janitor)
is "$(jq -r --arg t "$busy" '[.items[]|select(.track_id == $t)]|length' <<<"$out")" 0 \
	"a track locked by a complete is skipped"
is "$(psql_q "select processing_status from tracks where id = '$busy'")" PENDING "... and left pending"
is "$(nobjects "tracks/$busy/")" 1 "... its original untouched"
psql_q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(300)%'
	and pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null
"$ADMIN" janitor >/dev/null 2>&1
is "$(psql_q "select processing_status from tracks where id = '$busy'")" FAILED "released, the next pass expires it"

# Storage down: the track is left as it is (no state change until its
# objects are gone), the pass says so and exits 1; the next one expires it.
ok "another upload, never completed" upload "$tok" "$TMP/a.mp3" mp3
down=$TRACK_ID
backdate "$down" created_at $((TTL + 5))
"$ROOT/scripts/stack.sh" stop-storage >/dev/null 2>&1
out=$(STORAGE_TIMEOUT_SECONDS=3 "$ADMIN" --json janitor 2>"$TMP/err"); rc=$?
"$ROOT/scripts/stack.sh" start-storage >/dev/null 2>&1
is "$rc" 1 "storage down: janitor exits 1"
like "$(cat "$TMP/err")" "janitor: expire: .*left for the next pass" "... and says what it left"
like "$(jq -r .error <<<"$out")" "^expire: " "--json: the error names the pass"
is "$(psql_q "select processing_status || ' ' || (expired_at is null) from tracks where id = '$down'")" \
	"PENDING true" "the track is left pending"
is "$(nobjects "tracks/$down/")" 1 "its original is still there"
"$ADMIN" janitor >/dev/null 2>&1
is "$(psql_q "select processing_status from tracks where id = '$down'")" FAILED "the next pass expires it"
is "$(nobjects "tracks/$down/")" 0 "... and deletes its original"

# An upload URL must never outlive its track's expiry.
for cmd in "mustory-api" "mustory-runner --once"; do
	prog=${cmd%% *}
	# shellcheck disable=SC2086
	out=$(UPLOAD_TTL_SECONDS=600 UPLOAD_URL_EXPIRES_SECONDS=900 FCGI_SOCKET="$TMP/x.sock" \
		timeout 20 "$BIN/"$cmd 2>&1 </dev/null); rc=$?
	is "$rc" 1 "$prog refuses to start with UPLOAD_TTL_SECONDS below UPLOAD_URL_EXPIRES_SECONDS"
	like "$out" "UPLOAD_TTL_SECONDS \(600\) must be at least UPLOAD_URL_EXPIRES_SECONDS \(900\)" \
		"$prog says which settings and why"
done
ok "no API socket was made" test ! -e "$TMP/x.sock"
done_testing
