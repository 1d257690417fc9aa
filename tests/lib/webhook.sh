# tests/lib/webhook.sh: a webhook receiver for the integration tests
# (tests/lib/webhook_receiver.js: every delivery verified with the
# standardwebhooks package and recorded as a JSON line). Source after flow.sh.

# webhook_secret: a fresh WEBHOOK_SECRET (32 random bytes)
webhook_secret() { printf 'whsec_%s' "$(head -c 32 /dev/urandom | base64 -w0)"; }

# receiver_start NAME PORT SECRET [receiver options...]: a receiver on
# 127.0.0.1:PORT recording into $TMP/NAME.jsonl; waits until it answers.
# Its pid is kept for receivers_stop.
RECEIVER_PIDS=()
receiver_start() {
	local name=$1 port=$2 secret=$3 i
	shift 3
	: > "$TMP/$name.jsonl"
	node "$ROOT/tests/lib/webhook_receiver.js" --port "$port" --secret "$secret" \
		--out "$TMP/$name.jsonl" "$@" >>"$STACK_DIR/logs/receiver-$name.log" 2>&1 &
	RECEIVER_PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/ready" && return 0
		sleep 0.1
	done
	diag "receiver $name did not start on $port"
	return 1
}
receivers_stop() {
	local p
	for p in "${RECEIVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${RECEIVER_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	RECEIVER_PIDS=()
}

# hooks NAME TRACK_ID: the deliveries NAME recorded about one track, one
# compact JSON object a line (the body's data.track_id, verified or not)
hooks() {
	jq -c --arg t "$2" 'select((.body | fromjson? | .data.track_id) == $t)' "$TMP/$1.jsonl"
}

# webhook_jobs_settled TRACK_ID N SECONDS: wait until the track has N
# webhook jobs and none is queued or running; 0 when so.
webhook_jobs_settled() {
	local id=$1 n=$2 secs=${3:-60} i got
	for ((i = 0; i < secs * 4; i++)); do
		got=$(psql_q "select count(*) filter (where state in ('succeeded', 'failed'))
			|| ' ' || count(*) from jobs where kind = 'webhook' and payload->>'track_id' = '$id'")
		[ "$got" = "$n $n" ] && return 0
		sleep 0.25
	done
	diag "webhook jobs of $id (settled total): $got, want $n $n"
	return 1
}

# webhook_job_field TRACK_ID URL SQL: one column of the track's webhook job to URL
webhook_job_field() {
	psql_q "select $3 from jobs where kind = 'webhook' and payload->>'track_id' = '$1'
		and payload->>'url' = '$2'"
}

# signature_of SECRET ID TIMESTAMP BODY_FILE: v1,<base64 HMAC-SHA256>, by openssl
signature_of() {
	local key
	key=$(printf '%s' "${1#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	printf 'v1,%s' "$({ printf '%s.%s.' "$2" "$3"; cat "$4"; } |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64 -w0)"
}
