#!/usr/bin/env bash
# mustory-upload sends a file over --multipart-over (16 MiB) in parts when
# the API offers them (init "upload_mode":"multipart"); interrupted with
# SIGINT after the first part it exits 130 and keeps a state file, and the
# same command resumes from the parts storage holds (POST
# /tracks/upload/parts), completes and plays. (An API without multipart
# uploads, answering init's upload_mode with a 422, gets one POST form
# instead: that fallback is not exercised here, this API has them.)
. "$(dirname "$0")/../lib/flow.sh"
R=t83
cleanup() {
	[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

UP=$BIN/mustory-upload
export MUSTORY_API=$API_URL XDG_STATE_HOME=$TMP/state
MUSTORY_TOKEN=$(token)
export MUSTORY_TOKEN
# 100 s of stereo 16-bit 44.1 kHz WAV: 17.6 MB, three parts of 8 MiB at most.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=100" -ar 44100 -ac 2 "$TMP/big.wav"
SIZE=$(stat -c %s "$TMP/big.wav")

# The API takes upload_mode (a throwaway user's init).
api POST /tracks/upload/init '{"title":"probe","artist_name":"probe","file_extension":"wav","file_size":1000,"upload_mode":"multipart"}' "$(token)"
is "$STATUS" 201 "the API offers multipart uploads"

# The first run, stopped with SIGINT once part 1 is in storage.
"$UP" --limit-rate 4M "$TMP/big.wav" >"$TMP/out1" 2>"$TMP/err1" </dev/null &
PID=$!
for ((i = 0; i < 600; i++)); do grep -q 'part 1 of 3 uploaded' "$TMP/err1" && break; sleep 0.1; done
kill -INT "$PID"
for ((i = 0; i < 100; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
wait "$PID"; RC=$?; PID=
diag "first run:" "$(cat "$TMP/err1")"
is "$RC" 130 "interrupted after part 1: exit 130"
like "$(cat "$TMP/err1")" 'init: .*, in parts' "init asked for an upload in parts"
ID=$(grep -o 'resume track [0-9a-f-]\{36\}' "$TMP/err1" | cut -d' ' -f3)
like "$ID" '^[0-9a-f-]{36}$' "it says how to resume, naming the track"
is "$(ls "$XDG_STATE_HOME/mustory-upload" | wc -l)" 1 "one state file is kept"
ok "the state file names the track" grep -q "\"track_id\":\"$ID\"" "$XDG_STATE_HOME"/mustory-upload/*.json
is "$(stat -c %a "$XDG_STATE_HOME"/mustory-upload/*.json)" 600 "the state file is mode 0600"
api POST /tracks/upload/parts "{\"track_id\":\"$ID\"}" "$MUSTORY_TOKEN"
is "$STATUS $(jget '.parts_done | length') $(jget '.parts | length')" "200 1 2" "storage holds part 1; parts 2 and 3 are left"
track_status "$MUSTORY_TOKEN" "$ID"
is "$(jget .status)" pending "the track is still pending"

# The same command again resumes.
timeout 120 "$UP" "$TMP/big.wav" >"$TMP/out2" 2>"$TMP/err2" </dev/null
RC=$?
diag "second run:" "$(cat "$TMP/err2")"
is "$RC" 0 "the same command: exit 0"
like "$(cat "$TMP/err2")" "resuming track $ID: 1 of 3 parts already in storage" "resumes that track"
is "$(grep -c 'init:' "$TMP/err2")" 0 "no new init"
is "$(grep -o 'part [0-9] of 3 uploaded' "$TMP/err2" | tr '\n' ' ')" "part 2 of 3 uploaded part 3 of 3 uploaded " "only parts 2 and 3 are sent"
like "$(cat "$TMP/out2")" "^$STORAGE_PUBLIC_URL/hls/$ID/[0-9a-f]{16}/master\\.m3u8$" "prints the resumed track's hls_url"
is "$(ls "$XDG_STATE_HOME/mustory-upload" | wc -l)" 0 "the state file is gone once complete"
api GET "/tracks/$ID" "" "$MUSTORY_TOKEN"
is "$(jget .status) $(jget .file_size)" "completed $SIZE" "completed with the file's size"
ok "it plays the whole file" awk -v d="$(jget .duration_seconds)" 'BEGIN { exit !(d > 99.5 && d < 100.5) }'

# Under --multipart-over, a small file goes as one POST form.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:duration=5" "$TMP/small.mp3"
timeout 60 "$UP" "$TMP/small.mp3" >"$TMP/out3" 2>"$TMP/err3"
is "$?" 0 "a small file: exit 0"
is "$(grep -c 'in parts' "$TMP/err3")" 0 "a small file is not sent in parts"
timeout 60 "$UP" --multipart-over 1K "$TMP/small.mp3" >"$TMP/out4" 2>"$TMP/err4"
is "$?" 0 "--multipart-over 1K: exit 0"
like "$(cat "$TMP/err4")" 'part 1 of 1 uploaded' "--multipart-over 1K: one part"
done_testing
