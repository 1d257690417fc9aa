#!/usr/bin/env bash
# 50 completes at once for one uploaded track make exactly one job.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
make_audio "$TMP/a.wav" 2
ok "upload" upload "$tok" "$TMP/a.wav" wav
id=$TRACK_ID

for i in $(seq 1 50); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 -X POST \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data "{\"track_id\":\"$id\"}" "$API_URL/tracks/upload/complete" > "$TMP/s.$i" &
done
wait
codes=$(cat "$TMP"/s.* | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
is "$(cat "$TMP"/s.* | grep -c '^202$')" 1 "exactly one complete created the job ($codes)"
is "$(cat "$TMP"/s.* | grep -c '^200$')" 49 "the other 49 saw it already accepted"
is "$(psql_q "select count(*) from jobs where track_id = '$id'")" 1 "exactly one job row"

done_testing
