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
