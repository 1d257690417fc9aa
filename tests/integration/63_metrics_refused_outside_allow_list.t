#!/usr/bin/env bash
# /metrics answers only loopback and METRICS_ALLOW: refused (403 forbidden,
# the API's JSON error shape) from 127.0.0.2 by nginx, by the API itself
# (REMOTE_ADDR, for a FastCGI deployment without the site) and by Apache;
# allowed from 127.0.0.1; and allowed from 127.0.0.2 once METRICS_ALLOW names
# it (nginx's allow list and the API's alike: either one alone still
# refuses). No rate limit makes a scrape fail.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/gateway.sh"

stack() { "$ROOT/scripts/stack.sh" "$@" >/dev/null 2>&1; }
# restart WHAT [VAR=value...]: nginx or the API again, with that environment
restart() { local what=$1; shift; stack "stop-$what"; env "$@" "$ROOT/scripts/stack.sh" "start-$what" >/dev/null 2>&1; }
cleanup() {
	stack stop-apache
	restart nginx
	restart api
	rm -rf "$TMP"
}
trap cleanup EXIT

from2() { api GET /metrics "" "" --interface 127.0.0.2; }
# fcgi_metrics ADDR: GET /metrics straight to the API's socket with REMOTE_ADDR=ADDR ("": none)
fcgi_metrics() {
	local v=() x
	gw_vars GET /metrics "" ""
	for x in "${GW_VARS[@]}"; do [[ $x == REMOTE_ADDR=* ]] || v+=("$x"); done
	[ -n "$1" ] && v+=("REMOTE_ADDR=$1")
	timeout 30 env -i "${v[@]}" cgi-fcgi -bind -connect "$FCGI_SOCKET" </dev/null > "$TMP/gw.out" 2>"$TMP/gw.err"
	gw_parse "$TMP/gw.out"
}

# curl can send from 127.0.0.2 here (all of 127/8 is loopback on Linux)
w=$(curl -s -o /dev/null -w '%{http_code} %{local_ip}' --interface 127.0.0.2 "$API_URL/healthz")
is "$w" "200 127.0.0.2" "a request from 127.0.0.2 reaches the site"
[ "${w%% *}" = 200 ] || bail "cannot send from 127.0.0.2: $w"

from2
is "$STATUS $(jget .code)" "403 forbidden" "nginx: refused from 127.0.0.2, in the JSON error shape"
api GET /metrics
is "$STATUS" 200 "nginx: allowed from 127.0.0.1"
like "$BODY" 'mustory_api_requests_total' "with the metrics"

fcgi_metrics 127.0.0.2
is "$STATUS $(gw_header Content-Type)" "403 application/json" "the API: REMOTE_ADDR 127.0.0.2 refused (403 JSON)"
is "$(jget .code)" forbidden "the API's code is nginx's"
like "$(jget .detail)" 'METRICS_ALLOW' "its detail names METRICS_ALLOW"
fcgi_metrics 203.0.113.9
is "$STATUS" 403 "the API: any other address refused"
fcgi_metrics ""
is "$STATUS" 403 "the API: no REMOTE_ADDR refused"
fcgi_metrics 127.0.0.1
is "$STATUS" 200 "the API: REMOTE_ADDR 127.0.0.1 allowed"
fcgi_metrics ::1
is "$STATUS" 200 "the API: REMOTE_ADDR ::1 allowed"

# nginx allows 127.0.0.2, the API does not: still refused, by the API
restart nginx METRICS_ALLOW=127.0.0.2
from2
is "$STATUS $(jget .code)" "403 forbidden" "only nginx's list names 127.0.0.2: the API refuses"
like "$(jget .detail)" 'METRICS_ALLOW' "(the API's answer)"
# both name it (a block and a list, as an operator writes them)
restart api METRICS_ALLOW="10.0.0.0/8, 127.0.0.2"
from2
is "$STATUS" 200 "METRICS_ALLOW names 127.0.0.2 in both: allowed"
like "$BODY" 'mustory_metrics_process_counters 1' "the metrics"
fcgi_metrics 10.200.3.4
is "$STATUS" 200 "the API: an address in a METRICS_ALLOW block allowed"
fcgi_metrics 11.0.0.1
is "$STATUS" 403 "the API: one outside it refused"
# the API's list alone: nginx refuses
restart nginx
from2
is "$STATUS $(jget .detail)" "403 Access to this path is forbidden." "only the API's list names it: nginx refuses"
restart api

# A bad METRICS_ALLOW stops start-up, naming the variable
out=$(METRICS_ALLOW=10.0.0.0/40 FCGI_SOCKET=$TMP/x.sock timeout 10 "$BIN/mustory-api" 2>&1)
like "$out" 'METRICS_ALLOW: "10.0.0.0/40"' "a bad METRICS_ALLOW stops start-up with its name"

# Rate limits: nginx's tightest setting still serves every scrape
restart nginx NGINX_RATE=1r/s NGINX_BURST=1 NGINX_HEALTHZ_RATE=1r/s NGINX_HEALTHZ_BURST=1
codes=$(seq 15 | xargs -P 15 -I{} curl -s -o /dev/null -w '%{http_code}\n' "$API_URL/metrics" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
is "$codes" " 15 200;" "15 scrapes at once under a 1 r/s limit: all 200"
restart nginx

# Apache (mod_proxy_fcgi to the same API): Require ip
APACHE_MODE=proxy-fcgi "$ROOT/scripts/stack.sh" start-apache >/dev/null 2>&1 || bail "apache did not start"
API_URL=$APACHE_URL api GET /metrics "" "" --interface 127.0.0.2
is "$STATUS $(jget .code)" "403 forbidden" "Apache: refused from 127.0.0.2, in the JSON error shape"
API_URL=$APACHE_URL api GET /metrics
is "$STATUS" 200 "Apache: allowed from 127.0.0.1"

done_testing
