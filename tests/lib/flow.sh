# tests/lib/flow.sh: the mobile app's flow, for integration tests.
# Requires a running stack: sources "$STACK_DIR/env" (API_URL, BIN, ...).
# Functions set globals: STATUS (HTTP status), BODY (response body).
set -uo pipefail
: "${STACK_DIR:?STACK_DIR is not set (run through scripts/test.sh)}"
# shellcheck disable=SC1091
. "$STACK_DIR/env"
. "$ROOT/tests/lib/tap.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mustory-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# token [SUB] [TTL]: a signed dev token (random sub when none given)
token() {
	local args=()
	[ -n "${1:-}" ] && args+=(--sub "$1")
	args+=(--ttl "${2:-3600}")
	JWT_SECRET=$JWT_SECRET "$BIN/mustory-token" "${args[@]}" 2>/dev/null
}
# jwt_make SECRET PAYLOAD_JSON [HEADER_JSON]: an HS256 token made with
# openssl, independently of the C code under test.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
jwt_make() {
	local h p s
	h=$(printf '%s' "${3:-{\"alg\":\"HS256\",\"typ\":\"JWT\"\}}" | b64url)
	p=$(printf '%s' "$2" | b64url)
	s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -hmac "$1" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
new_user() { cat /proc/sys/kernel/random/uuid; }

# api METHOD PATH [BODY] [TOKEN] [extra curl args...]: sets STATUS and BODY.
# Every answer is also recorded in $STACK_DIR/api-answers.jsonl, which
# tests/openapi/validate.js checks against docs/openapi.yaml after the run.
api() {
	local method=$1 path=$2 body=${3:-} tok=${4:-} out=$TMP/body w
	shift 4 2>/dev/null || shift $#
	local args=(-s -o "$out" -w '%{http_code} %{content_type}' -X "$method" --max-time 30)
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$body" ] && args+=(-H "Content-Type: ${CT:-application/json}" --data-binary "$body")
	w=$(curl "${args[@]}" "$@" "$API_URL$path")
	STATUS=${w%% *}
	BODY=$(cat "$out" 2>/dev/null)
	api_record "$method" "$path" "$STATUS" "${w#* }" "$out"
}
# api_record METHOD PATH STATUS CONTENT_TYPE BODY_FILE: one line of the record
# (API_RECORD=0: not an answer of the API, e.g. a stand-in program's)
api_record() {
	[ "$1" = HEAD ] || [ "${API_RECORD:-1}" = 0 ] && return 0
	jq -nc --arg m "$1" --arg p "$2" --arg s "$3" --arg ct "$4" --arg t "${0##*/}" \
		--rawfile b "$5" '{test:$t, method:$m, path:$p, status:($s|tonumber? // 0), content_type:$ct, body:$b}' \
		>> "$STACK_DIR/api-answers.jsonl" 2>/dev/null || true
}
jget() { jq -r "$1" <<<"$BODY"; }

# make_audio FILE SECONDS [lavfi-source]: generate test audio with ffmpeg
make_audio() {
	local f=$1 secs=$2 src=${3:-sine=frequency=440:sample_rate=44100}
	ffmpeg -nostdin -v error -y -f lavfi -i "$src:duration=$secs" -ac 2 "$f"
}

# init_upload TOKEN FILE EXT [TITLE]: POST /tracks/upload/init for FILE
init_upload() {
	local tok=$1 file=$2 ext=$3 title=${4:-Test Track} size
	size=$(stat -c %s "$file")
	api POST /tracks/upload/init \
		"$(jq -nc --arg t "$title" --arg e "$ext" --argjson s "$size" \
			'{title:$t, artist_name:"Test Artist", file_extension:$e, file_size:$s}')" "$tok"
}

# post_form URL FIELDS_JSON FILE: the app's multipart POST to storage;
# sets STATUS and BODY.
post_form() {
	local url=$1 fields=$2 file=$3 args=() k
	while IFS= read -r k; do
		args+=(-F "$k=$(jq -r --arg k "$k" '.[$k]' <<<"$fields")")
	done < <(jq -r 'keys_unsorted[]' <<<"$fields")
	STATUS=$(curl -s -o "$TMP/post" -w '%{http_code}' --max-time 120 "${args[@]}" -F "file=@$file" "$url")
	BODY=$(cat "$TMP/post" 2>/dev/null)
}

# upload TOKEN FILE EXT: init + POST; sets TRACK_ID (empty on failure)
upload() {
	local tok=$1 file=$2 ext=$3
	TRACK_ID=
	init_upload "$tok" "$file" "$ext" || return 1
	[ "$STATUS" = 201 ] || [ "$STATUS" = 200 ] || { diag "init: $STATUS $BODY"; return 1; }
	local id url fields
	id=$(jget .track_id); url=$(jget .audio_upload_url); fields=$(jq -c .audio_upload_fields <<<"$BODY")
	post_form "$url" "$fields" "$file"
	case "$STATUS" in 2??) ;; *) diag "storage POST: $STATUS $BODY"; return 1 ;; esac
	TRACK_ID=$id
}

complete() { api POST /tracks/upload/complete "{\"track_id\":\"$2\"}" "$1"; }
track_status() { api GET "/tracks/upload/status/$2" "" "$1"; }

# wait_status TOKEN TRACK_ID WANT SECONDS: poll until status is WANT (or a
# terminal status); returns 0 when reached. Leaves BODY as the last answer.
wait_status() {
	local tok=$1 id=$2 want=$3 secs=${4:-60} i s
	for ((i = 0; i < secs * 4; i++)); do
		track_status "$tok" "$id"
		s=$(jget .status 2>/dev/null)
		[ "$s" = "$want" ] && return 0
		if [ "$s" = failed ] || [ "$s" = completed ]; then return 1; fi
		sleep 0.25
	done
	return 1
}

# wait_progress TOKEN TRACK_ID MIN [SECONDS]: poll until progress >= MIN;
# sets PROGRESS (the last value seen).
wait_progress() {
	local tok=$1 id=$2 min=$3 secs=${4:-60} i
	PROGRESS=0
	for ((i = 0; i < secs * 4; i++)); do
		track_status "$tok" "$id"; PROGRESS=$(jget .progress)
		[ "$PROGRESS" -ge "$min" ] 2>/dev/null && return 0
		sleep 0.25
	done
	return 1
}

psql_q() { psql -X -q -tA -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "$@"; }

# park_queued_jobs: jobs other tests left queued (a complete with no runner
# after it) are put off by a day, so a test that counts which runner took
# which job sees only its own. Call it before queueing the test's jobs.
park_queued_jobs() {
	psql_q "update jobs set run_at = now() + interval '1 day' where state = 'queued'" >/dev/null
}
