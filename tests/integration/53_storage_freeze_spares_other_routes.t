#!/usr/bin/env bash
# Slow storage cannot tie up every API worker: with the storage process
# frozen (SIGSTOP), more completes than there are FastCGI workers arrive at
# once. At most STORAGE_API_CONCURRENCY workers (default FCGI_WORKERS/2) wait
# on storage, each for at most STORAGE_API_TIMEOUT_SECONDS, then answer 503
# storage_unavailable; the others get that 503 after at most half a second
# of waiting for a place (never the storage timeout), with a sentence; and
# status and healthz keep answering 200 all along. After SIGCONT everything
# works again. The client timeouts are generous: this is not a speed test.
. "$(dirname "$0")/../lib/flow.sh"

spid=$(cat "$STACK_DIR/storage.pid")
thaw() { kill -CONT "$spid" 2>/dev/null || true; }
trap 'thaw; rm -rf "$TMP"' EXIT

tok=$(token "$(new_user)")
make_audio "$TMP/a.wav" 1
ok "upload" upload "$tok" "$TMP/a.wav" wav
id=$TRACK_ID
n=$((FCGI_WORKERS + 4))

complete_bg() { # i: one complete, its status and body in $TMP/c.i
	curl -s -o "$TMP/c.$1.body" -w '%{http_code}\n' --max-time 60 -X POST \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data-binary "{\"track_id\":\"$id\"}" "$API_URL/tracks/upload/complete" > "$TMP/c.$1.code"
}

kill -STOP "$spid"
for ((i = 1; i <= n; i++)); do complete_bg "$i" & done
sleep 0.5
api GET "/tracks/upload/status/$id" "" "$tok" --max-time 30
is "$STATUS" 200 "status while storage is frozen and $n completes are in flight: 200"
is "$(jget .status)" pending "status: still pending"
api GET /healthz "" "" --max-time 30
is "$STATUS" 200 "healthz while storage is frozen: 200"
wait $(jobs -p)

codes=$(cat "$TMP"/c.*.code | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
is "$(cat "$TMP"/c.*.code | grep -c '^503$')" "$n" "all $n completes with storage frozen: 503 ($codes)"
is "$(cat "$TMP"/c.*.body | jq -r .code | grep -c '^storage_unavailable$')" "$n" "every one: storage_unavailable"
capped=$(grep -l 'every check of an upload is waiting on it' "$TMP"/c.*.body | wc -l)
cmp_ok "$capped" -gt 0 "past the cap, completes were refused without waiting on storage, with a sentence ($capped of $n)"
timed=$(grep -l 'Storage is not reachable right now' "$TMP"/c.*.body | wc -l)
cmp_ok "$timed" -gt 0 "the completes let through gave up after the API's storage timeout ($timed of $n)"
is "$((capped + timed))" "$n" "each 503 says which of the two it was"
is "$(psql_q "select processing_status from tracks where id = '$id'")" PENDING "the track is still PENDING"

# Workers killed with -9 while they hold the places give them back: the
# supervisor clears a dead worker's slot, so the places are free again.
apid=$(cat "$STACK_DIR/api.pid")
rm -f "$TMP"/c.*
for i in 1 2; do complete_bg "k$i" & done
sleep 1
kill -9 $(pgrep -P "$apid")
wait $(jobs -p)
for i in $(seq 1 100); do
	[ "$(pgrep -P "$apid" | wc -l)" -ge "$FCGI_WORKERS" ] && break
	sleep 0.1
done
is "$(pgrep -P "$apid" | wc -l | tr -d ' ')" "$FCGI_WORKERS" "the supervisor replaced the killed workers"
cap=$((FCGI_WORKERS / 2 > 0 ? FCGI_WORKERS / 2 : 1))
for ((i = 1; i <= cap; i++)); do complete_bg "after$i" & done
wait $(jobs -p)
is "$(grep -l 'Storage is not reachable right now' "$TMP"/c.after*.body | wc -l | tr -d ' ')" "$cap" \
	"after kill -9, all $cap places are free again (each complete waited on storage, none was refused a place)"

thaw
for i in $(seq 1 20); do
	complete "$tok" "$id"
	[ "$STATUS" = 503 ] || break
	sleep 0.5
done
is "$STATUS" 202 "after SIGCONT: complete 202"
api GET /healthz
is "$STATUS" 200 "after SIGCONT: healthz 200"
track_status "$tok" "$id"
is "$(jget .status)" processing "after SIGCONT: the track is processing"

done_testing
