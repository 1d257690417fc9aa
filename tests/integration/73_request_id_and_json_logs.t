#!/usr/bin/env bash
# Every API answer carries nginx's $request_id as X-Request-Id. With
# LOG_FORMAT=json every log line of the API and the runner is one JSON object
# (time, level, program, pid, message), with the request_id of the request it
# was written for, and the job_id and track_id of the job a runner works on.
. "$(dirname "$0")/../lib/flow.sh"

restart_api() { # [VAR=value...]
	"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
	env "$@" "$ROOT/scripts/stack.sh" start-api >/dev/null 2>&1
}
cleanup() { restart_api; rm -rf "$TMP"; }
trap cleanup EXIT

jq_ok() { jq -e "$@" >/dev/null; }
hdr() { grep -i "^$1:" "$TMP/h" | cut -d' ' -f2- | tr -d '\r'; }
get() { # path [token]: sets STATUS, RID
	STATUS=$(curl -s -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} "$API_URL$1")
	RID=$(hdr x-request-id)
}

tok=$(token)
get /healthz
is "$STATUS" 200 "healthz: 200"
like "$RID" '^[0-9a-f]{32}$' "healthz: X-Request-Id is nginx's request id"
get "/tracks/$(new_user)" "$tok"
is "$STATUS" 404 "a 404 of the API"
like "$RID" '^[0-9a-f]{32}$' "the 404 carries X-Request-Id"
first=$RID
get "/tracks/$(new_user)" "$tok"
ok "each request has its own id" test "$RID" != "$first"
get /tracks ""
is "$STATUS:$(hdr www-authenticate)" "401:Bearer" "a 401 keeps its header"
like "$RID" '^[0-9a-f]{32}$' "the 401 carries X-Request-Id"

log=$STACK_DIR/logs/api.log
restart_api LOG_FORMAT=json LOG_LEVEL=debug
start=$(wc -l < "$log")
ids=()
get /healthz; ids+=("$RID")
get "/tracks?limit=2" "$tok"; ids+=("$RID")
get "/tracks/$(new_user)" "$tok"; ids+=("$RID")
get "/tracks?bad=%01" "$tok"; ids+=("$RID")
sleep 0.5
"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
tail -n +"$((start + 1))" "$log" > "$TMP/api.log"
restart_api
n=$(wc -l < "$TMP/api.log")
cmp_ok "$n" -ge 4 "the API wrote log lines"
ok "every API line is one JSON object" jq_ok -s 'length > 0 and all(type == "object")' "$TMP/api.log"
is "$(jq -s -r 'map(select(.program != "mustory-api" or (.pid|type) != "number" or (.time|test("^[0-9-]{10}T[0-9:.]{12}Z$")|not) or (.level|IN("debug","info","warn","error")|not) or (.message|type) != "string"))|length' "$TMP/api.log")" 0 \
	"every line has time, level, program, pid and message"
for rid in "${ids[@]}"; do
	is "$(jq -s -r --arg r "$rid" 'map(select(.request_id == $r))|length' "$TMP/api.log")" 1 "request $rid: its line carries its request_id"
done
is "$(jq -s -r --arg r "${ids[2]}" '.[]|select(.request_id == $r)|.track_id // empty' "$TMP/api.log")" \
	"$(grep -o '[0-9a-f-]\{36\}' <<<"$(jq -s -r --arg r "${ids[2]}" '.[]|select(.request_id == $r)|.message' "$TMP/api.log")" | head -1)" \
	"a track's request carries its track_id"

# The runner: one job through --once, its lines JSON with job_id and track_id.
make_audio "$TMP/a.mp3" 2
upload "$tok" "$TMP/a.mp3" mp3 && complete "$tok" "$TRACK_ID"
job=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
LOG_FORMAT=json timeout 120 "$BIN/mustory-runner" --once --name t73 2> "$TMP/runner.log"
is "$?" 0 "runner --once: exit 0"
ok "every runner line is one JSON object" jq_ok -s 'length > 0 and all(type == "object" and .program == "mustory-runner")' "$TMP/runner.log"
cmp_ok "$(jq -s --argjson j "$job" --arg t "$TRACK_ID" 'map(select(.job_id == $j and .track_id == $t))|length' "$TMP/runner.log")" -ge 2 \
	"the job's lines carry job_id and track_id"
cat "$TMP/runner.log" >> "$STACK_DIR/logs/runner-t73.log"

done_testing
