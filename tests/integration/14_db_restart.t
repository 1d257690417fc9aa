#!/usr/bin/env bash
# The database goes away: 503 JSON, no crash; it comes back: the API heals.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
api GET /healthz
is "$STATUS" 200 "healthz before: 200"

"$ROOT/scripts/stack.sh" stop-db >/dev/null 2>&1
api GET /healthz
is "$STATUS" 503 "healthz with the database down: 503"
is "$(jget .code)" database_unavailable "healthz: database_unavailable"
api GET /tracks/upload/status/$(new_user) "" "$tok"
is "$STATUS" 503 "status with the database down: 503"
is "$(jget .code)" database_unavailable "status: JSON code"
api POST /tracks/upload/init '{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}' "$tok"
is "$STATUS" 503 "init with the database down: 503"

"$ROOT/scripts/stack.sh" start-db >/dev/null 2>&1
healed=0
for i in $(seq 1 5); do
	api GET /healthz
	[ "$STATUS" = 200 ] && { healed=1; break; }
	sleep 0.2
done
is "$healed" 1 "healthz after restart: 200"
for i in 1 2 3 4 5 6 7 8; do api GET /tracks/upload/status/$(new_user) "" "$tok"; [ "$STATUS" = 404 ] || break; done
is "$STATUS" 404 "every worker reconnected (status answers 404 for an unknown track)"
ok "api process still running" kill -0 "$(cat "$STACK_DIR/api.pid")"

done_testing
