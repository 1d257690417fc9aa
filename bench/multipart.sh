#!/usr/bin/env bash
# Resumable uploads (issue 14), on loopback, in one run on one stack:
#   - 200 MiB: one presigned POST vs a multipart upload of 4 parts of 50 MiB
#     PUT in parallel (then CompleteMultipartUpload), wall time and MB/s;
#   - the API's cost per init: req/s of "upload_mode": "multipart" (which
#     calls CreateMultipartUpload and signs a URL per part) vs the POST
#     form, with wrk (2 threads, 32 connections, BENCH_SECONDS, default 10).
# usage: bench/multipart.sh   (after `make`; uses build/release)
# Ports: PG_PORT/S3_PORT/HTTP_PORT when exported, else bench/lib.sh's
# scheme with offset 3.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
secs=${BENCH_SECONDS:-10}
MiB=$((1024 * 1024))
SIZE=$((200 * MiB))
PS=$((50 * MiB))
export STACK_PROFILE=test STACK_DIR=$ROOT/.stack/bench-multipart BIN=$ROOT/build/release
export PG_PORT=${PG_PORT:-54323} S3_PORT=${S3_PORT:-19003} HTTP_PORT=${HTTP_PORT:-18083}
export NGINX_RATE=1000000r/s NGINX_BURST=1000000 NGINX_CONN_PER_IP=65535 LOG_LEVEL=${LOG_LEVEL:-warn}
export FCGI_WORKERS=${FCGI_WORKERS:-4} MAX_UPLOAD_BYTES=$SIZE MULTIPART_PART_BYTES=$PS
export MAX_PENDING_UPLOADS_PER_USER=100000 STORAGE_TIMEOUT_SECONDS=60
out=$ROOT/bench/results
mkdir -p "$out"
scripts/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$STACK_DIR"
trap 'scripts/stack.sh stop >/dev/null 2>&1' EXIT
scripts/stack.sh start >/dev/null
. tests/lib/flow.sh
. tests/lib/multipart.sh
trap 'rm -rf "$TMP"; scripts/stack.sh stop >/dev/null 2>&1' EXIT

now() { date +%s.%N; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
TOK=$(token "$(new_user)" 3600)
head -c $SIZE /dev/urandom >"$TMP/big.wav"

# One presigned POST of the whole file.
init_upload "$TOK" "$TMP/big.wav" wav >/dev/null
post_id=$(jget .track_id)
t0=$(now)
post_form "$(jget .audio_upload_url)" "$(jq -c .audio_upload_fields <<<"$BODY")" "$TMP/big.wav"
t1=$(now)
[ "$STATUS" = 204 ] || { echo "bench: POST: $STATUS $BODY" >&2; exit 1; }
complete "$TOK" "$post_id"
t2=$(now)
[ "$STATUS" = 202 ] || { echo "bench: complete: $STATUS $BODY" >&2; exit 1; }

# The same bytes as 4 parts in parallel, then complete.
mp_init "$TOK" $SIZE
[ "$STATUS" = 201 ] || { echo "bench: multipart init: $STATUS $BODY" >&2; exit 1; }
mp_id=$TRACK_ID
mp_split "$TMP/big.wav" $PS
t3=$(now)
for n in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 600 -T "$TMP/part.$n" "$(mp_url "$INIT" $n)" >"$TMP/st.$n" &
done
wait
t4=$(now)
[ "$(cat "$TMP"/st.* | sort -u)" = 200 ] || { echo "bench: parts: $(cat "$TMP"/st.*)" >&2; exit 1; }
complete "$TOK" "$mp_id"
t5=$(now)
[ "$STATUS" = 202 ] || { echo "bench: multipart complete: $STATUS $BODY" >&2; exit 1; }

# The API's cost per init.
init_lua() { # FILE_SIZE MODE
	cat <<LUA
wrk.method = "POST"
wrk.body = '{"title":"Bench Song","artist_name":"Bench","file_extension":"mp3","file_size":$1,"upload_mode":"$2"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
}
export TOKEN=$TOK
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
for c in "post 5242880" "multipart 5242880" "multipart $SIZE"; do
	set -- $c
	init_lua "$2" "$1" >"$TMP/init.lua"
	wrk -t2 -c32 -d"${secs}s" --latency -s "$TMP/init.lua" "$API_URL/tracks/upload/init" \
		>"$out/wrk-init-$1-$2.txt"
done

{
	echo "== 200 MiB upload on loopback (devs3), $(nproc) cores, same run"
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v m="$(mbps $SIZE "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")" \
		'BEGIN { printf "one presigned POST                upload %6.2f s  %s MB/s   complete %.2f s\n", b-a, m, c-b }'
	awk -v a="$t3" -v b="$t4" -v c="$t5" -v m="$(mbps $SIZE "$(awk -v a="$t3" -v b="$t4" 'BEGIN{print b-a}')")" \
		'BEGIN { printf "multipart, 4 x 50 MiB in parallel upload %6.2f s  %s MB/s   complete %.2f s\n", b-a, m, c-b }'
	echo "== init through nginx (wrk -t2 -c32 -d${secs}s), FCGI_WORKERS=$FCGI_WORKERS"
	for c in "post 5242880" "multipart 5242880" "multipart $SIZE"; do
		set -- $c
		f=$out/wrk-init-$1-$2.txt
		printf '%-32s %10s req/s   p99 %s   non-2xx %s\n' "init $1, file_size $2" "$(rps "$f")" "$(p99 "$f")" \
			"$(awk '/Non-2xx/ {print $NF}' "$f"; true)"
	done
} | tee "$out/multipart-summary.txt"
