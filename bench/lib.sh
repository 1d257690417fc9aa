# bench/lib.sh: a fresh throwaway stack for one benchmark, on its own ports,
# with the release build; stopped when the benchmark exits.
# usage: . bench/lib.sh NAME PORT_OFFSET   (then flow.sh's helpers are there)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export STACK_PROFILE=test STACK_DIR=$ROOT/.stack/$1 BIN=$ROOT/build/release
# BENCH_PORT_BASE moves all three (two benches side by side on one machine)
pb=${BENCH_PORT_BASE:-0}
# BENCH_PG_PORT/BENCH_S3_PORT/BENCH_HTTP_PORT: exact ports instead (a shared machine's assignment)
export PG_PORT=${BENCH_PG_PORT:-$((54320 + pb + $2))} S3_PORT=${BENCH_S3_PORT:-$((19000 + pb + $2))}
export HTTP_PORT=${BENCH_HTTP_PORT:-$((18080 + pb + $2))}
# One address drives all the load: lift the per-client limits (limit_conn
# takes at most 65535).
export NGINX_RATE=1000000r/s NGINX_BURST=1000000 NGINX_HEALTHZ_RATE=1000000r/s NGINX_HEALTHZ_BURST=1000000
export NGINX_CONN_PER_IP=65535 LOG_LEVEL=${LOG_LEVEL:-warn}
out=$ROOT/bench/results
mkdir -p "$out"
scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
trap 'scripts/stack.sh stop >/dev/null 2>&1' EXIT
scripts/stack.sh start
. tests/lib/flow.sh
# flow.sh sets its own EXIT trap; stop the stack too
trap 'rm -rf "$TMP"; scripts/stack.sh stop >/dev/null 2>&1' EXIT

# init_script USERS TTL_S: $TMP/tokens.txt (a token for each of USERS new
# users, valid TTL_S) and $TMP/init.lua, a wrk script POSTing one init per
# request, round robin over those users (one user's PENDING count would grow
# with every call and be all that is measured).
init_script() {
	local i
	for i in $(seq 1 "$1"); do token "$(new_user)" "$2"; done > "$TMP/tokens.txt"
	cat > "$TMP/init.lua" <<LUA
local toks = {}
for l in io.lines("$TMP/tokens.txt") do toks[#toks + 1] = l end
local n = 0
local body = '{"title":"Bench Song","artist_name":"Bench","file_extension":"mp3","file_size":5242880}'
request = function()
	n = n + 1
	return wrk.format("POST", nil, { ["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. toks[n % #toks + 1] }, body)
end
LUA
}

# The baselines, PostgreSQL alone on the same cluster doing the least a
# request must, both with 32 clients (BENCH_PG_CLIENTS) on 2 threads:
#   S:      `pgbench -S`, one indexed read per transaction (issue 13's goals
#           are ratios to it);
#   insert: one durable single-row INSERT per transaction (a commit that
#           waits for its WAL flush) into the schema's own tracks table,
#           made by scripts/migrate.sh in the pgbench database (the same
#           columns, constraints and indexes), with the columns init writes,
#           ids made as init makes them (BENCH_INSERT_IDS: v7, the default,
#           or v4) over 400 owners like the init load: what an init must make
#           PostgreSQL do, without its owner lock and pending count, the
#           HTTP path or the signing. Empty it before each run: pgbench_reset.
# pgbench_setup: the pgbench database with both (once per stack).
PGB_URL=postgresql://postgres@127.0.0.1:$PG_PORT/pgbench
pgbench_setup() {
	local ids=${BENCH_INSERT_IDS:-v7}
	psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database pgbench" postgres
	pgbench -q -i -s 10 -h 127.0.0.1 -p "$PG_PORT" -U postgres pgbench >/dev/null 2>&1
	DATABASE_URL=$PGB_URL scripts/migrate.sh >/dev/null
	# RFC 9562 version 7 from gen_random_uuid(): the Unix ms over the first
	# 48 bits, the version nibble 7 (the variant is already 10)
	psql -X -q -v ON_ERROR_STOP=1 "$PGB_URL" >/dev/null <<'SQL'
CREATE FUNCTION bench_uuidv7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
	SELECT encode(set_byte(overlay(uuid_send(gen_random_uuid())
		PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
		FROM 1 FOR 6), 6, (get_byte(uuid_send(gen_random_uuid()), 6) & 15) | 112), 'hex')::uuid
$$;
CREATE FUNCTION bench_uuidv4() RETURNS uuid LANGUAGE sql VOLATILE AS 'SELECT gen_random_uuid()';
SQL
	cat > "$TMP/pgb-insert.sql" <<SQL
\set u random(1, 400)
INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size, content_type,
	original_audio_key, original_audio_url, upload_mode)
SELECT i, md5('bench-owner-' || :u)::uuid, 'Bench Song', 'Bench', 'mp3', 5242880, 'audio/mpeg',
	'tracks/' || i || '/original.mp3', '${STORAGE_ENDPOINT:-http://127.0.0.1:$S3_PORT}/${STORAGE_BUCKET:-mustory}/tracks/' || i || '/original.mp3', 'post'
FROM bench_uuid$ids() i;
SQL
}
# pgbench_reset: the insert baseline's table emptied, then a CHECKPOINT (its
# full-page images from a known start, as init's in bench/ab.sh); before
# each insert run, outside what is timed
pgbench_reset() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$PGB_URL" -c "TRUNCATE tracks CASCADE" -c CHECKPOINT >/dev/null
}
# pgbench_run S|insert SECS OUT: one run of a baseline, its output in OUT
pgbench_run() {
	local c=${BENCH_PG_CLIENTS:-32}
	case $1 in
	S) pgbench -S -c "$c" -j 2 -T "$2" -h 127.0.0.1 -p "$PG_PORT" -U postgres pgbench > "$3" 2>&1 ;;
	insert) pgbench -n -f "$TMP/pgb-insert.sql" -c "$c" -j 2 -T "$2" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
			pgbench > "$3" 2>&1 ;;
	*) echo "pgbench_run: $1?" >&2; return 2 ;;
	esac
}
# pgbench_tps OUT, pgbench_count OUT: its tps, its transactions
pgbench_tps() { awk -F'= ' '/^tps/ {split($2, a, " "); print a[1]}' "$1"; }
pgbench_count() { awk '/transactions actually processed/ {print $NF}' "$1"; }
# wal_now: the cluster's WAL so far (pg_stat_wal): records, full-page
# images, bytes, syncs. Backends report theirs at the end of a transaction
# at most once a second, and when idle: sample after a pause.
wal_now() {
	psql -X -qtA -F' ' -h 127.0.0.1 -p "$PG_PORT" -U postgres \
		-c "select wal_records, wal_fpi, wal_bytes, wal_sync from pg_stat_wal" postgres
}
# wal_per BEFORE AFTER N: "records fpi bytes syncs" per one of N
wal_per() {
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { split(a, x, " "); split(b, y, " ");
		if (n > 0) printf "%.2f %.3f %.0f %.3f", (y[1] - x[1]) / n, (y[2] - x[2]) / n, (y[3] - x[3]) / n, (y[4] - x[4]) / n;
		else print "- - - -" }'
}
