#!/usr/bin/env bash
# The web uploader and player (/app/) in headless Chromium (puppeteer-core):
# a refused token shows the API's detail; then the whole flow through the
# page — init, the presigned form POST to storage cross-origin with upload
# progress, complete, processing progress, hls.js playback — and the audio
# element plays (currentTime advances by more than 2 s), hls.js loaded a
# level, no errors in the console. A screenshot goes to $STACK_DIR/artifacts/.
. "$(dirname "$0")/../lib/flow.sh"
R=t82
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
[ -x /usr/bin/chromium ] || bail "chromium is not installed (scripts/deps.sh)"
[ -d "$ROOT/node_modules/puppeteer-core" ] || bail "puppeteer-core is not installed (npm ci)"
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

# The site serves the page, its script and the pinned hls.js itself.
H=$(curl -s -D - -o "$TMP/index.html" "$API_URL/app/")
like "$H" 'Content-Type: text/html' "/app/ serves the page"
like "$(cat "$TMP/index.html")" '<script src="vendor/hls.min.js"></script>' "the page loads hls.js from our own site"
PINNED=$(jq -r '.dependencies["hls.js"]' "$ROOT/package.json")
like "$PINNED" '^[0-9]+\.[0-9]+\.[0-9]+$' "hls.js is pinned to an exact version in package.json"
curl -s -o "$TMP/hls.min.js" "$API_URL/app/vendor/hls.min.js"
ok "/app/vendor/hls.min.js is node_modules' hls.js" cmp -s "$TMP/hls.min.js" "$ROOT/node_modules/hls.js/dist/hls.min.js"
api GET /app/nothing-here
is "$STATUS $(jget .code)" "404 not_found" "anything else under /app/ is the JSON 404"
! grep -rq 'JWT_SECRET' "$ROOT/web/"
is "$?" 0 "the page holds no JWT_SECRET"

ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=30" -ac 2 "$TMP/Web Band - Web Song.mp3"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=s=256x256" -frames:v 1 "$TMP/cover.png"
mkdir -p "$STACK_DIR/artifacts"
SHOT=$STACK_DIR/artifacts/82_web_player.png
rm -f "$SHOT"
BAD=$(jwt_make "not-the-secret-at-all-0123456789" "{\"sub\":\"$(new_user)\",\"exp\":$(($(date +%s) + 600))}")

APP_URL=$API_URL/app/ TOKEN=$(token) BAD_TOKEN=$BAD AUDIO="$TMP/Web Band - Web Song.mp3" ARTWORK="$TMP/cover.png" \
	SCREENSHOT=$SHOT FLOW_TIMEOUT_MS=120000 \
	timeout 240 node "$ROOT/tests/browser/player.test.js" >"$TMP/result.json" 2>"$TMP/node.err"
is "$?" 0 "the browser ran the page" || diag "$(cat "$TMP/node.err")"
RES=$(cat "$TMP/result.json")
diag "browser saw: $(jq -c '{phases, flow: (.flow | {phase, advanced, levels, level_loaded, duration_text, artwork_shown}), console_errors, page_errors, failed_requests}' <<<"$RES")"

is "$(jq -r .hls_js_loaded <<<"$RES")" true "hls.js is loaded and MSE is supported"
is "$(jq -r .hls_js_version <<<"$RES")" "$PINNED" "the page runs the pinned hls.js"
is "$(jq -r .bad_token.phase <<<"$RES")" error "a refused token: the page says so"
is "$(jq -r .bad_token.shown <<<"$RES")" \
	"Starting the upload: The access token was refused (bad signature). Sign in again." "with the API's detail"

is "$(jq -r '.phases | join(" ")' <<<"$RES")" "init uploading processing ready playing" "the flow goes init, upload, processing, playing"
is "$(jq -r '[.upload_percents[] | select(. == 100)] | length' <<<"$RES")" 2 "upload progress (xhr.upload.onprogress) reaches 100% for the audio and the artwork"
like "$(jq -r .upload_text <<<"$RES")" '^uploaded [0-9.]+ KiB and the artwork$' "the upload is said done"
ok "processing progress seen rising" jq -e '.process_percents | length >= 2 and (. == sort) and .[-1] == 100' <<<"$RES"
is "$(jq -r .process_text <<<"$RES")" "completed, 100%" "processing progress shown through to 100%"
is "$(jq -r .flow.phase <<<"$RES")" playing "the audio element is playing"
is "$(jq -r .flow.paused <<<"$RES")" false "and not paused"
ok "currentTime advances by more than 2 s" awk -v d="$(jq -r '.flow.advanced // 0' <<<"$RES")" 'BEGIN { exit !(d > 2) }'
is "$(jq -r .flow.level_loaded <<<"$RES")" true "hls.js loaded a level"
is "$(jq -r .flow.levels <<<"$RES")" 3 "of the three in the master playlist"
like "$(jq -r .flow.hls_url <<<"$RES")" "^$STORAGE_PUBLIC_URL/hls/[0-9a-f-]{36}/[0-9a-f]{16}/master\\.m3u8$" "it plays the track's hls_url from storage"
is "$(jq -r '.flow.title + " / " + .flow.artist' <<<"$RES")" "Web Song / Web Band" "title and artist from the file name"
is "$(jq -r .flow.duration_text <<<"$RES")" "0:30" "the duration is shown"
is "$(jq -r '.console_errors | length' <<<"$RES")" 0 "no errors in the console"
is "$(jq -r '.page_errors | length' <<<"$RES")" 0 "no uncaught errors in the page"

like "$(jq -r .flow.waveform_url <<<"$RES")" "^$STORAGE_PUBLIC_URL/hls/[0-9a-f-]{36}/[0-9a-f]{16}/waveform\\.json$" "the track has a waveform"
cmp_ok "$(jq -r '.flow.waveform_drawn // 0' <<<"$RES")" -ge 1000 "the page drew it (fetched cross-origin from storage)"
like "$(jq -r .flow.loudness_text <<<"$RES")" '^Loudness -[0-9.]+ LUFS, peak -?[0-9.]+ dBTP, gain [+-]?[0-9.]+ dB$' "the loudness is shown"
ART=$(jq -r .flow.artwork_url <<<"$RES")
like "$ART" "^$STORAGE_PUBLIC_URL/art/" "the track's artwork_url is under the public art/ prefix"
is "$(jq -r .flow.artwork_shown <<<"$RES")" true "the artwork is shown"
is "$(jq -c .failed_requests <<<"$RES")" "[]" "no request failed"

ok "a screenshot was saved" test -s "$SHOT"
diag "screenshot: $SHOT"
done_testing
