#!/usr/bin/env bash
# nginx's own errors are JSON in the API's shape; the API going away is a 503.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")

STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' --data-binary @<(head -c 200000 /dev/zero | tr '\0' ' ') \
	"$API_URL/tracks/upload/init")
is "$STATUS" 413 "a 200 kB body is stopped by nginx: 413"
is "$(jq -r .code "$TMP/b")" body_too_large "nginx 413 is JSON"

STATUS=$(curl -s -o "$TMP/b" -w '%{http_code}' "$API_URL/")
is "$STATUS" 404 "root: 404"
is "$(jq -r .code "$TMP/b")" not_found "root 404 is JSON"

"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
api GET /healthz
is "$STATUS" 503 "API stopped: 503"
is "$(jget .code)" api_unavailable "API stopped: JSON code api_unavailable"
api GET /tracks/upload/status/$(new_user) "" "$tok"
is "$STATUS" 503 "API stopped, status: 503"
"$ROOT/scripts/stack.sh" start-api >/dev/null 2>&1
api GET /healthz
is "$STATUS" 200 "API back: 200"

# A worker that dies is replaced by the supervisor.
worker=$(pgrep -P "$(cat "$STACK_DIR/api.pid")" | head -n 1)
kill -9 "$worker"
sleep 1.5
is "$(pgrep -P "$(cat "$STACK_DIR/api.pid")" | wc -l)" "$FCGI_WORKERS" "a killed worker is replaced"
api GET /healthz
is "$STATUS" 200 "still serving after a worker died"

done_testing
