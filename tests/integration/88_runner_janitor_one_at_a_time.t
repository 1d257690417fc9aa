#!/usr/bin/env bash
# The resident runners do the janitor's pass every JANITOR_INTERVAL_SECONDS,
# one at a time by an advisory lock: while another session holds that lock
# every runner skips its pass (an abandoned upload stays pending, and
# `mustory-admin janitor --dry-run`, which needs no turn, still lists it);
# once it is released, one runner's next pass expires the upload and logs it.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
. "$ROOT/tests/lib/janitor.sh"
KEY=$(sed -n 's/^#define JANITOR_LOCK_KEY "\([0-9]*\)".*/\1/p' "$ROOT/lib/janitor.h")
# The holder's session ends only when told to (its backend sleeps on
# without its client): pg_terminate_backend.
release() {
	psql_q "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'
		and granted and ((classid::bigint << 32) | objid::bigint) = $KEY" >/dev/null
}
cleanup() {
	[ -n "${HOLDER:-}" ] && release && kill "$HOLDER" 2>/dev/null
	"$ROOT/scripts/stack.sh" stop-runner t88a >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-runner t88b >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
park_queued_jobs
tok=$(token)
make_audio "$TMP/a.mp3" 1
ok "an upload, never completed" upload "$tok" "$TMP/a.mp3" mp3
id=$TRACK_ID
backdate "$id" created_at 90000
ok "the janitor's lock key is in lib/janitor.h" test -n "$KEY"

held() { [ "$(psql_q "select count(*) from pg_locks where locktype = 'advisory' and granted
	and ((classid::bigint << 32) | objid::bigint) = $KEY")" = 1 ]; }
psql -X -q "$DATABASE_URL" -c "select pg_advisory_lock($KEY)" -c "select pg_sleep(300)" >/dev/null 2>&1 &
HOLDER=$!
for ((i = 0; i < 100; i++)); do held && break; sleep 0.1; done
ok "another session holds the janitor's lock" held
for r in t88a t88b; do
	: > "$STACK_DIR/logs/runner-$r.log"
	JANITOR_INTERVAL_SECONDS=1 "$ROOT/scripts/stack.sh" start-runner $r >/dev/null 2>&1
done
for ((i = 0; i < 100; i++)); do
	[ "$(grep -l 'worker .* up' "$STACK_DIR"/logs/runner-t88[ab].log 2>/dev/null | wc -l)" = 2 ] && break
	sleep 0.1
done
sleep 5 # several of each runner's passes would have come by now
track_status "$tok" "$id"
is "$(jget .status)" pending "while the lock is held, no runner's pass expires the upload"
out=$("$ADMIN" --json janitor --dry-run)
is "$(jq -r --arg t "$id" '[.items[]|select(.track_id == $t and .action == "expire_track")]|length' <<<"$out")" 1 \
	"a dry run, which needs no turn, lists it meanwhile"

release
wait "$HOLDER" 2>/dev/null; HOLDER=
ok "wait_status: expired by a runner's pass once the lock is free" wait_status "$tok" "$id" failed 60
is "$(jget .error)" "the upload was never completed" "failed: the upload was never completed"
n=$(grep -l "janitor: track $id: pending -> failed" "$STACK_DIR"/logs/runner-t88[ab].log | wc -l)
is "$n" 1 "one runner did it, and says so in its log"
done_testing
