#!/usr/bin/env bash
# GET /metrics is the Prometheus text format, read here by an independent
# parser (npm parse-prometheus-text-format, tests/lib/prom_parse.js): every
# family with its HELP and TYPE; requests counted by route and status in
# memory shared by the API's workers, so whichever worker answers /metrics
# has seen the requests every other worker served; duration histograms
# cumulative with +Inf equal to the count; and the database's figures: jobs
# queued and running, the oldest due job's age, runners with a live lease,
# recent job run durations by outcome.
. "$(dirname "$0")/../lib/flow.sh"

JOB_TRACK=
cleanup() {
	[ -n "$JOB_TRACK" ] && psql_q "delete from tracks where id = '$JOB_TRACK'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

parse() { node "$ROOT/tests/lib/prom_parse.js" "$@"; }
# scrape FILE: GET /metrics (recorded for the openapi check), the body into FILE
scrape() {
	api GET /metrics
	cp "$TMP/body" "$1"
}
# value FILE NAME [LABELS_JSON]: the sample's value (the sum over matching samples), 0 when none
value() {
	parse samples < "$1" | jq --arg n "$2" --argjson l "${3:-{\}}" \
		'[.[] | select(.name == $n and (.labels | contains($l))) | .value] | add // 0'
}

scrape "$TMP/m0"
is "$STATUS" 200 "GET /metrics: 200"
ct=$(curl -s -o /dev/null -w '%{content_type}' "$API_URL/metrics")
is "$ct" "text/plain; version=0.0.4; charset=utf-8" "Content-Type is the text format 0.0.4"
parse families < "$TMP/m0" > "$TMP/f0"
is "$?" 0 "the parser reads it"
ok "the body ends with a line feed" test "$(tail -c 1 "$TMP/m0" | od -An -c | tr -d ' ')" = '\n'

want_types='{
  "mustory_metrics_process_counters": "GAUGE",
  "mustory_api_workers": "GAUGE",
  "mustory_api_start_time_seconds": "GAUGE",
  "mustory_api_requests_total": "COUNTER",
  "mustory_api_request_duration_seconds": "HISTOGRAM",
  "mustory_api_database_errors_total": "COUNTER",
  "mustory_api_storage_errors_total": "COUNTER",
  "mustory_build_info": "GAUGE",
  "mustory_jobs": "GAUGE",
  "mustory_jobs_oldest_due_age_seconds": "GAUGE",
  "mustory_runners_with_live_lease": "GAUGE",
  "mustory_job_run_duration_seconds": "SUMMARY",
  "mustory_database_up": "GAUGE"
}'
is "$(jq -c --argjson w "$want_types" '. as $f | [$w | to_entries[] | select(.value as $t |
	.key as $k | any($f[]; .name == $k and .type == $t) | not) | .key]' "$TMP/f0")" \
	"[]" "every family is there with its type"
is "$(jq -r '[.[] | select(.help == "")] | length' "$TMP/f0")" 0 "every family has its HELP"
is "$(jq -r '[.[].name] | length == (unique | length)' "$TMP/f0")" true "each family appears once"
is "$(value "$TMP/m0" mustory_metrics_process_counters)" 1 "the counters are the supervisor's (shared)"
is "$(value "$TMP/m0" mustory_api_workers)" "$FCGI_WORKERS" "workers: FCGI_WORKERS"
is "$(value "$TMP/m0" mustory_database_up)" 1 "the database figures are there"

# N requests to each of three routes, 8 at a time: every worker serves some.
N=24
tok=$(token)
missing=$(new_user)
seq "$N" | xargs -P 8 -I{} curl -s -o /dev/null "$API_URL/healthz"
seq "$N" | xargs -P 8 -I{} curl -s -o /dev/null -H "Authorization: Bearer $tok" \
	"$API_URL/tracks/upload/status/$missing"
seq "$N" | xargs -P 8 -I{} curl -s -o /dev/null "$API_URL/tracks/a/b/c"

healthz='{"method":"GET","route":"/healthz","code":"200"}'
status404='{"method":"GET","route":"/tracks/upload/status/{track_id}","code":"404"}'
unmatched='{"route":"unmatched","code":"404"}'
b_h=$(value "$TMP/m0" mustory_api_requests_total "$healthz")
b_s=$(value "$TMP/m0" mustory_api_requests_total "$status404")
b_u=$(value "$TMP/m0" mustory_api_requests_total "$unmatched")
# Several scrapes at once (other workers answer them): each has seen all N.
for i in 1 2 3 4; do curl -s -o "$TMP/m$i" "$API_URL/metrics" & done
wait
for i in 1 2 3 4; do
	d_h=$(( $(value "$TMP/m$i" mustory_api_requests_total "$healthz") - b_h ))
	d_s=$(( $(value "$TMP/m$i" mustory_api_requests_total "$status404") - b_s ))
	d_u=$(( $(value "$TMP/m$i" mustory_api_requests_total "$unmatched") - b_u ))
	cmp_ok "$d_h" -ge "$N" "scrape $i: GET /healthz 200 moved by at least $N ($d_h)"
	cmp_ok "$d_s" -ge "$N" "scrape $i: GET /tracks/upload/status/{track_id} 404 moved by at least $N ($d_s)"
	cmp_ok "$d_u" -ge "$N" "scrape $i: a path no route takes counts as route=\"unmatched\" ($d_u)"
done
is "$(grep -c "$missing\|/tracks/a/b/c" "$TMP/m1")" 0 "no raw path is a label (bounded cardinality)"

# Histograms: every series cumulative over the same bounds, +Inf == _count.
parse samples < "$TMP/m1" > "$TMP/s1"
h=mustory_api_request_duration_seconds
series=$(jq -c --arg b "${h}_bucket" '[.[] | select(.name == $b) | .labels | del(.le)] | unique | .[]' "$TMP/s1")
cmp_ok "$(wc -l <<<"$series")" -ge 9 "a duration histogram per route"
bad=0
while IFS= read -r l; do
	r=$(jq -c --arg h "$h" --argjson l "$l" '
		def le: if . == "+Inf" then infinite else tonumber end;
		[.[] | select(.name == ($h + "_bucket") and (.labels | del(.le)) == $l)] as $b |
		($b | sort_by(.labels.le | le) | map(.value)) as $v |
		{ n: ($b | length),
		  monotone: ([range(1; $v | length) | select($v[.] < $v[. - 1])] | length == 0),
		  inf: ($b | map(select(.labels.le == "+Inf")) | .[0].value),
		  count: ([.[] | select(.name == ($h + "_count") and .labels == $l)] | .[0].value),
		  sum: ([.[] | select(.name == ($h + "_sum") and .labels == $l)] | .[0].value) } |
		select(.n != 14 or (.monotone | not) or .inf != .count or .sum < 0)' "$TMP/s1")
	[ -n "$r" ] && { diag "$l: $r"; bad=$((bad + 1)); }
done <<<"$series"
is "$bad" 0 "every histogram: 14 buckets, monotone, +Inf == _count, _sum >= 0"
cmp_ok "$(value "$TMP/m1" "${h}_count" '{"route":"/healthz"}')" -ge "$N" "the /healthz histogram counted them"

# The database's figures: a queued job due 30 s ago, then a running one
# with a live lease, and a finished run.
api POST /tracks/upload/init '{"title":"metrics","artist_name":"t62","file_extension":"mp3","file_size":1000}' "$tok"
JOB_TRACK=$(jget .track_id)
job=$(psql_q "insert into jobs (track_id, run_at) values ('$JOB_TRACK', now() - interval '30 seconds') returning id")
scrape "$TMP/m5"
cmp_ok "$(value "$TMP/m5" mustory_jobs '{"state":"queued","kind":"transcode_hls"}')" -ge 1 "mustory_jobs: the queued job"
age=$(value "$TMP/m5" mustory_jobs_oldest_due_age_seconds)
is "$(jq -n --argjson a "$age" '$a >= 30')" true "the oldest due job is at least 30 s late ($age)"
psql_q "update jobs set state = 'running', attempts = 1, lease_owner = 'test62:1:main',
	lease_expires_at = now() + interval '1 minute' where id = $job;
	insert into job_runs (job_id, attempt, runner, started_at, finished_at, outcome)
	values ($job, 1, 'test62:1:main', now() - interval '3 seconds', now(), 'retry')" >/dev/null
scrape "$TMP/m6"
cmp_ok "$(value "$TMP/m6" mustory_jobs '{"state":"running","kind":"transcode_hls"}')" -ge 1 "mustory_jobs: the running job"
cmp_ok "$(value "$TMP/m6" mustory_runners_with_live_lease)" -ge 1 "a runner with a live lease"
cmp_ok "$(value "$TMP/m6" mustory_job_run_duration_seconds_count '{"outcome":"retry"}')" -ge 1 "the finished run is in the summary"
q=$(value "$TMP/m6" mustory_job_run_duration_seconds '{"outcome":"retry","quantile":"0.5"}')
is "$(jq -n --argjson q "$q" '$q > 0 and $q < 3600')" true "its median duration is a positive number of seconds ($q)"
is "$(jq -r '[.[] | select(.name == "mustory_job_run_duration_seconds") | .metrics[] | .quantiles // empty | keys[]] | unique | join(",")' \
	<(parse families < "$TMP/m6"))" "0.5,0.9,0.99" "the summary's quantiles"
psql_q "update jobs set lease_expires_at = now() - interval '1 second' where id = $job" >/dev/null
scrape "$TMP/m7"
is "$(value "$TMP/m7" mustory_runners_with_live_lease '{}')" \
	"$(( $(value "$TMP/m6" mustory_runners_with_live_lease) - 1 ))" "an expired lease is not live"

# The database goes away: the API's part is still served, and says it.
psql_q "delete from tracks where id = '$JOB_TRACK'" >/dev/null && JOB_TRACK=
"$ROOT/scripts/stack.sh" stop-db >/dev/null 2>&1
scrape "$TMP/m8"
scrape "$TMP/m9" # the failure of m8's figures is counted in the next answer
"$ROOT/scripts/stack.sh" start-db >/dev/null 2>&1
is "$STATUS" 200 "database down: still 200"
is "$(value "$TMP/m8" mustory_database_up)" 0 "database down: mustory_database_up 0"
is "$(value "$TMP/m8" mustory_jobs)" 0 "database down: no job figures"
cmp_ok "$(value "$TMP/m9" mustory_api_database_errors_total)" -gt "$(value "$TMP/m7" mustory_api_database_errors_total)" \
	"database down: mustory_api_database_errors_total moved"
cmp_ok "$(value "$TMP/m8" mustory_api_requests_total "$healthz")" -ge "$((b_h + N))" "database down: the request counters are there"
for i in $(seq 1 25); do api GET /healthz; [ "$STATUS" = 200 ] && break; sleep 0.2; done
is "$STATUS" 200 "the database is back"

done_testing
