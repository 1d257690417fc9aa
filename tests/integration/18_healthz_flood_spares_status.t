#!/usr/bin/env bash
# A flood of /healthz from one address (wrk -c500 from 127.0.0.1) cannot take
# the API down for anyone else: nginx caps the requests one address has in
# flight (limit_conn) and /healthz has its own rate zone, so the flood gets
# 429s while 100 status calls from another address (127.0.0.2, 10 at a time)
# all answer 200, and that address's own /healthz still answers 200.
# Then the same with a flood of status calls. Bounded: the floods last 6 s and 4 s; every call has a generous timeout.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
init_upload "$tok" /etc/hostname mp3
is "$STATUS" 201 "a track to poll"
id=$(jget .track_id)

poll() { # N: N status calls from 127.0.0.2, one code per line
	local i
	for ((i = 0; i < $1; i++)); do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 15 --interface 127.0.0.2 \
			-H "Authorization: Bearer $tok" "$API_URL/tracks/upload/status/$id"
	done
}

# wrk counts the flood's answers by status
cat > "$TMP/count.lua" <<'LUA'
local threads = {}
function setup(t) table.insert(threads, t) end
function init() codes = {} end
function response(status) codes[status] = (codes[status] or 0) + 1 end
function done()
	for _, t in ipairs(threads) do
		for _, c in ipairs({200, 429, 503}) do
			io.write(string.format("status %d %d\n", c, t:get("codes")[c] or 0))
		end
	end
end
LUA
timeout 30 wrk -t1 -c500 -d6s -s "$TMP/count.lua" "$API_URL/healthz" > "$TMP/wrk.txt" 2>&1 &
flood=$!
sleep 1
started=$SECONDS
for p in $(seq 1 10); do poll 10 > "$TMP/poll.$p" & done
healthz=$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 --interface 127.0.0.2 "$API_URL/healthz")
wait $(jobs -p | grep -vx "$flood")
polled=$((SECONDS - started))
wait "$flood"
diag "flood: $(grep -E 'requests in|^status' "$TMP/wrk.txt" | tr -s ' \n' ' '); polls took ${polled}s"

codes=$(cat "$TMP"/poll.* | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
is "$(cat "$TMP"/poll.* | grep -c '^200$')" 100 "all 100 status calls from another address: 200 ($codes)"
is "$healthz" 200 "healthz from another address during the flood: 200"
cmp_ok "$(awk '$1 == "status" && $2 == 429 {print $3}' "$TMP/wrk.txt")" -gt 0 "the flooding address itself was limited (429s)"
api GET /healthz
is "$STATUS" 200 "after the flood: healthz 200"

# The same for a flood of an API route (authenticated status calls from
# 127.0.0.1, 1000 r/s allowed in this stack): the cap on requests in flight
# keeps the API's socket from overflowing, so another address still gets in.
timeout 30 wrk -t1 -c500 -d4s -s "$TMP/count.lua" -H "Authorization: Bearer $tok" \
	"$API_URL/tracks/upload/status/$id" > "$TMP/wrk2.txt" 2>&1 &
flood=$!
sleep 1
rm -f "$TMP"/poll.*
for p in $(seq 1 10); do poll 5 > "$TMP/poll.$p" & done
wait $(jobs -p | grep -vx "$flood")
wait "$flood"
diag "status flood: $(grep -E 'requests in|^status' "$TMP/wrk2.txt" | tr -s ' \n' ' ')"
codes=$(cat "$TMP"/poll.* | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
is "$(cat "$TMP"/poll.* | grep -c '^200$')" 50 "status flood from one address: all 50 calls from another: 200 ($codes)"

done_testing
