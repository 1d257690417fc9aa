#!/usr/bin/env bash
# nginx's rate limits answer 429 in the API's JSON shape. /healthz has a zone
# of its own: the API's limit does not reach it, and its limit does not reach
# the API. The stack's nginx is restarted with tiny limits for this test and
# put back afterwards.
. "$(dirname "$0")/../lib/flow.sh"
restore() { "$ROOT/scripts/stack.sh" stop-nginx; "$ROOT/scripts/stack.sh" start-nginx; rm -rf "$TMP"; } >/dev/null 2>&1
trap restore EXIT

"$ROOT/scripts/stack.sh" stop-nginx >/dev/null 2>&1
NGINX_RATE=1r/s NGINX_BURST=2 "$ROOT/scripts/stack.sh" start-nginx >/dev/null 2>&1
tok=$(token "$(new_user)")
limited=0
for i in $(seq 1 10); do
	api GET /tracks/upload/status/$(new_user) "" "$tok"
	if [ "$STATUS" = 429 ]; then limited=1; break; fi
done
is "$limited" 1 "a burst over the limit gets 429"
is "$(jget .code)" rate_limited "429 is JSON with code rate_limited"
api GET /healthz
is "$STATUS" 200 "healthz is not limited by the API's zone"

"$ROOT/scripts/stack.sh" stop-nginx >/dev/null 2>&1
NGINX_HEALTHZ_RATE=1r/s NGINX_HEALTHZ_BURST=2 "$ROOT/scripts/stack.sh" start-nginx >/dev/null 2>&1
limited=0
for i in $(seq 1 10); do
	api GET /healthz
	if [ "$STATUS" = 429 ]; then limited=1; break; fi
done
is "$limited" 1 "healthz has a limit of its own: a burst over it gets 429"
is "$(jget .code)" rate_limited "healthz 429 is JSON with code rate_limited"
api GET /tracks/upload/status/$(new_user) "" "$tok"
is "$STATUS" 404 "the API is not limited by healthz's zone (an unknown track: 404)"

done_testing
