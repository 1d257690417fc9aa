# tests/lib/purge.sh: helpers of the delete tests (75-79). Source after flow.sh.

# purge_after_forms TRACK_ID PURGE_JOB_ID: the track's upload forms expire
# (created_at backdated an hour) and its deferred purge is due at once; waits
# up to 60 s for the purge to succeed. 0 when it did.
purge_after_forms() {
	local id=$1 job=${2:-0} i
	psql_q "update tracks set created_at = now() - interval '1 hour' where id = '$id';
		update jobs set run_at = now() where id = $job" >/dev/null
	for ((i = 0; i < 240; i++)); do
		[ "$(psql_q "select state from jobs where id = $job")" = succeeded ] && return 0
		sleep 0.25
	done
	diag "purge job $job of $id: $(psql_q "select state from jobs where id = $job")"
	return 1
}
