#!/usr/bin/env bash
# mustory-upload end to end, its stderr not a terminal: one line per step,
# the hls_url on stdout (or with --json the final track document), several
# files one after another, titles from the tags then the file name, and the
# documented exit codes with the API's own detail: 3 for a refused token,
# 4 for a refused field, 6 for a file that is not audio, 2 for usage.
. "$(dirname "$0")/../lib/flow.sh"
R=t80
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

UP=$BIN/mustory-upload
export MUSTORY_API=$API_URL
TOK=$(token)
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=7" \
	-metadata title="Tagged Title" -metadata artist="Tagged Artist" "$TMP/tagged.mp3"
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=550:duration=5" -map_metadata -1 \
	"$TMP/The Band - Named Song.flac"
head -c 4000 /dev/urandom > "$TMP/noise.mp3"
ffmpeg -nostdin -v error -y -f lavfi -i color=c=blue:s=64x64 -frames:v 1 "$TMP/cover.jpg"

# run ARGS...: runs the CLI with a bound; sets RC, OUT (stdout), ERR (stderr)
run() {
	timeout 120 "$UP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

MUSTORY_TOKEN=$TOK run "$TMP/tagged.mp3" "$TMP/The Band - Named Song.flac"
is "$RC" 0 "two files: exit 0"
diag "$ERR"
is "$(wc -l <<<"$OUT")" 2 "two lines on stdout"
like "$(sed -n 1p <<<"$OUT")" "^$STORAGE_PUBLIC_URL/hls/[0-9a-f-]{36}/[0-9a-f]{16}/master\\.m3u8$" "first: its hls_url"
like "$(sed -n 2p <<<"$OUT")" "^$STORAGE_PUBLIC_URL/hls/[0-9a-f-]{36}/[0-9a-f]{16}/master\\.m3u8$" "second: its hls_url"
like "$(curl -s --max-time 10 "$(sed -n 1p <<<"$OUT")")" '^#EXTM3U' "the printed hls_url serves a playlist"
like "$ERR" "tagged\\.mp3: init: \"Tagged Title\" by \"Tagged Artist\", [0-9]+ bytes" "title and artist from the tags"
like "$ERR" "Named Song\\.flac: init: \"Named Song\" by \"The Band\"" "title and artist from the file name"
is "$(grep -c 'audio uploaded: ' <<<"$ERR")" 2 "one upload line per file"
is "$(grep -c 'complete: track [0-9a-f-]* queued for processing' <<<"$ERR")" 2 "one complete line per file"
is "$(grep -c ': completed 100%$' <<<"$ERR")" 2 "one completed line per file"
is "$(grep -c $'\r' <<<"$ERR")" 0 "no carriage returns (no bar) when stderr is not a terminal"
first_tagged=$(grep -n 'tagged.mp3: completed' <<<"$ERR" | cut -d: -f1)
second_init=$(grep -n 'Named Song.flac: init' <<<"$ERR" | cut -d: -f1)
cmp_ok "$first_tagged" -lt "$second_init" "files go one after another"

MUSTORY_TOKEN=$TOK run --json --artwork "$TMP/cover.jpg" --title "Chosen Title" --artist "Chosen Artist" "$TMP/tagged.mp3"
is "$RC" 0 "--json: exit 0"
is "$(jq -r .status <<<"$OUT")" completed "--json: the final track document"
is "$(jq -r '.title + " / " + .artist_name' <<<"$OUT")" "Chosen Title / Chosen Artist" "--title and --artist win over the tags"
ID=$(jq -r .track_id <<<"$OUT")
api GET "/tracks/$ID" "" "$TOK"
is "$(jq -c 'del(.updated_at)' <<<"$OUT")" "$(jq -c 'del(.updated_at)' <<<"$BODY")" "--json prints what GET /tracks/{id} answers"
like "$(jq -r .hls_url <<<"$OUT")" "/hls/$ID/" "--json: hls_url set"
like "$ERR" 'artwork uploaded: ' "--artwork: the artwork's form is posted too"
is "$(jq -r .file_size <<<"$OUT")" "$(stat -c %s "$TMP/tagged.mp3")" "file_size is the file's size"

MUSTORY_TOKEN=$TOK run --no-wait "$TMP/tagged.mp3"
is "$RC" 0 "--no-wait: exit 0"
like "$OUT" '^[0-9a-f-]{36}$' "--no-wait: prints the track id"
track_status "$TOK" "$OUT"
like "$(jget .status)" '^(processing|completed)$' "--no-wait: the track was completed (queued)"

BAD=$(jwt_make "not-the-secret-at-all-0123456789" "{\"sub\":\"$(new_user)\",\"exp\":$(($(date +%s) + 600))}")
MUSTORY_TOKEN=$BAD run "$TMP/tagged.mp3" "$TMP/noise.mp3"
is "$RC" 3 "a refused token: exit 3"
like "$ERR" 'init: The access token was refused \(bad signature\)\. Sign in again\. \(HTTP 401 invalid_token\)' "the API's detail is shown"
is "$(grep -c 'noise.mp3' <<<"$ERR")" 0 "nothing more is tried after an auth failure"
is "$OUT" "" "nothing on stdout"

MUSTORY_TOKEN=$TOK run "$TMP/noise.mp3"
is "$RC" 6 "not audio: processing failed, exit 6"
like "$ERR" 'noise\.mp3: processing failed: the file is not audio' "the track's error is shown"

MUSTORY_TOKEN=$TOK run --title $'bad\x01title' "$TMP/tagged.mp3"
is "$RC" 4 "a refused field: exit 4"
like "$ERR" 'init: title must not contain control characters.*\(HTTP 422 invalid_field\)$' "its detail is shown"

MUSTORY_TOKEN=$TOK run "$TMP/noise.mp3" "$TMP/tagged.mp3"
is "$RC" 6 "several files: the first failure's status"
is "$(wc -l <<<"$OUT")" 1 "the next file is still uploaded"

MUSTORY_TOKEN=$TOK run "$TMP/missing.mp3"
is "$RC" 2 "an unreadable file: exit 2"
MUSTORY_TOKEN='' run "$TMP/tagged.mp3"
is "$RC" 2 "no token: exit 2"
like "$ERR" 'no token: pass --token or set MUSTORY_TOKEN' "says how to give one"
run --token "$TOK" --api http://127.0.0.1:1 "$TMP/tagged.mp3"
is "$RC" 7 "API unreachable: exit 7"
"$UP" --help >"$TMP/help" 2>&1
is "$?" 0 "--help: exit 0"
ok "--help documents every exit status" bash -c "for c in 0 1 2 3 4 5 6 7 130; do grep -Eq \"^  \$c +\" '$TMP/help' || exit 1; done"
done_testing
