#!/usr/bin/env bash
# PostgreSQL crashes (pg_ctl stop -m immediate) while inits and completes
# stream in through nginx: after recovery, every init the API answered 201 is
# a track row and every complete it answered 202 (or 200, already accepted)
# is a PROCESSING track with its job. The cluster runs durable (fsync and
# synchronous_commit on); with synchronous_commit=off, commits acknowledged
# just before the crash are lost.
. "$(dirname "$0")/../lib/flow.sh"
W=6         # concurrent clients, one user each
POOL=6      # uploaded tracks per client waiting for their complete
ROUNDS=14   # per client: one init a round, and one complete while its pool lasts
LOAD_SECS=60 # rounds go on past ROUNDS until the pool is done, for at most this long
cleanup() {
	# never leave the next test without a database
	"$ROOT/scripts/stack.sh" start-db >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# The runner never reads these (no runner runs here; the queue is drained
# below), so any bytes do: the API checks only that the object is there.
printf 'bytes for the database crash test\n' > "$TMP/f.mp3"
SIZE=$(stat -c %s "$TMP/f.mp3")
INIT=$(jq -nc --argjson s "$SIZE" '{title:"Crash", artist_name:"Test Artist", file_extension:"mp3", file_size:$s}')

TOK=()
pooled=0
for ((w = 0; w < W; w++)); do
	TOK[w]=$(token "$(new_user)")
	: > "$TMP/pool.$w"
	for ((p = 0; p < POOL; p++)); do
		upload "${TOK[w]}" "$TMP/f.mp3" mp3 && echo "$TRACK_ID" >> "$TMP/pool.$w" && pooled=$((pooled + 1))
	done
done
is "$pooled" $((W * POOL)) "$((W * POOL)) uploads waiting for their complete"

# worker W: rounds of init + complete; a complete that did not get an answer
# (503 while the database is down, 000, 5xx) is tried again next round.
# Each answer is a line "init|complete CODE TRACK_ID TIME".
worker() {
	local w=$1 tok=${TOK[$1]} out=$TMP/w$1.log i=0 r code body id ids=()
	mapfile -t ids < "$TMP/pool.$w"
	for ((r = 0; (r < ROUNDS || i < ${#ids[@]}) && $(date +%s) < DEADLINE; r++)); do
		if ((r < ROUNDS)); then
			body=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $tok" \
				-H 'Content-Type: application/json' --data "$INIT" "$API_URL/tracks/upload/init")
			code=${body##*$'\n'}
			id=$(jq -r '.track_id // empty' <<<"${body%$'\n'*}" 2>/dev/null)
			echo "init $code ${id:--} $(date +%s.%N)" >> "$out"
		fi
		if ((i < ${#ids[@]})); then
			code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
				-H 'Content-Type: application/json' --data "{\"track_id\":\"${ids[i]}\"}" \
				"$API_URL/tracks/upload/complete")
			echo "complete $code ${ids[i]} $(date +%s.%N)" >> "$out"
			case $code in 000 | 5??) ;; *) i=$((i + 1)) ;; esac
		fi
		sleep 0.1
	done
}

PGLOG=$STACK_DIR/logs/postgres.log
LOG0=$(stat -c %s "$PGLOG")
DEADLINE=$(($(date +%s) + LOAD_SECS))
for ((w = 0; w < W; w++)); do worker "$w" & done
# crash once the load is under way: some answers already acknowledged
for ((t = 0; t < 400; t++)); do
	n=$(cat "$TMP"/w*.log 2>/dev/null | grep -c -E '^(init 201|complete 202) ')
	[ "$n" -ge $((2 * W)) ] && break
	sleep 0.05
done
T_CRASH=$(date +%s.%N)
"$ROOT/scripts/stack.sh" stop-db immediate
T_DOWN=$(date +%s.%N)
sleep 0.5
# start-db also re-runs the migrations, under the load: report, do not judge
"$ROOT/scripts/stack.sh" start-db >"$TMP/start-db.log" 2>&1 ||
	diag "start-db exited $?: $(tail -n 3 "$TMP/start-db.log")"
T_UP=$(date +%s.%N)
diag "database down $(awk -v a="$T_CRASH" -v b="$T_UP" 'BEGIN { printf "%.1f", b - a }') s (stop + recovery + start)"
db_up() { psql_q "select 1" >/dev/null; }
ok "the database came back" db_up
wait
like "$(tail -c +$((LOG0 + 1)) "$PGLOG")" "not properly shut down|interrupted" "postgres recovered from a crash (immediate stop)"

cat "$TMP"/w*.log > "$TMP/all"
diag "answers: $(awk '{print $1 " " $2}' "$TMP/all" | sort | uniq -c | awk '{printf "%s %s x%s, ", $2, $3, $1}')"
before=$(awk -v t="$T_CRASH" '($1 == "init" && $2 == 201 || $1 == "complete" && $2 == 202) && $4 < t' "$TMP/all" | wc -l)
cmp_ok "$before" -ge "$W" "answers acknowledged before the crash ($before)"
diag "acknowledged while the stop ran: $(awk -v a="$T_CRASH" -v b="$T_DOWN" '($2 == 201 || $2 == 202) && $4 >= a && $4 < b' "$TMP/all" | wc -l)"
cmp_ok "$(awk '$2 == "503" || $2 == "000"' "$TMP/all" | wc -l)" -ge 1 "the crash hit requests (503 while the database was down)"

sql_list() { sed "s/.*/'&'/" | paste -sd, -; }
INITS=$(awk '$1 == "init" && $2 == 201 {print $3}' "$TMP/all" | sort -u)
N_INITS=$(grep -c . <<<"$INITS")
COMPLETES=$(awk '$1 == "complete" && ($2 == 202 || $2 == 200) {print $3}' "$TMP/all" | sort -u)
N_COMPLETES=$(grep -c . <<<"$COMPLETES")
cmp_ok "$N_INITS" -ge 1 "some inits answered 201 ($N_INITS)"
is "$N_COMPLETES" $((W * POOL)) "every pooled complete was accepted in the end (the API healed)"
is "$(psql_q "select count(*) from tracks where id in ($(sql_list <<<"$INITS"))")" "$N_INITS" \
	"every init answered 201 is a track row"
is "$(psql_q "select count(*) from tracks t where t.id in ($(sql_list <<<"$COMPLETES"))
	and t.processing_status = 'PROCESSING' and exists (select 1 from jobs j where j.track_id = t.id)")" "$N_COMPLETES" \
	"every complete answered 202 is a PROCESSING track with its job"
lost=$(psql_q "select string_agg(x::text, ' ') from unnest(array[$(sql_list <<<"$INITS")]::uuid[]) x
	where not exists (select 1 from tracks t where t.id = x)")
[ -z "$lost" ] || diag "inits lost: $lost"
lost=$(psql_q "select string_agg(x::text || ' ' || coalesce(t.processing_status::text, 'gone'), ', ')
	from unnest(array[$(sql_list <<<"$COMPLETES")]::uuid[]) x left join tracks t on t.id = x
	where t.processing_status is distinct from 'PROCESSING' or not exists (select 1 from jobs j where j.track_id = x)")
[ -z "$lost" ] || diag "completes lost: $lost"

# The jobs made here fail at once (not audio); drain them so later tests'
# runners start from an empty queue.
timeout 120 "$BIN/mustory-runner" --once --concurrency 2 --name t39 >>"$STACK_DIR/logs/runner-t39.log" 2>&1
is "$?" 0 "the queue drains after the crash"
done_testing
