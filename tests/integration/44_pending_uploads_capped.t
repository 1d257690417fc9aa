#!/usr/bin/env bash
# One user cannot pile up unfinished uploads: past MAX_PENDING_UPLOADS_PER_USER
# (default 20) PENDING tracks, init answers 429 too_many_pending_uploads, and
# concurrent inits of one user never get past the limit together.
. "$(dirname "$0")/../lib/flow.sh"
LIMIT=${MAX_PENDING_UPLOADS_PER_USER:-20}
BODY_INIT='{"title":"Pending","artist_name":"A","file_extension":"mp3","file_size":1000}'

TOK=$(token)
n201=0
for ((i = 0; i < LIMIT; i++)); do
	api POST /tracks/upload/init "$BODY_INIT" "$TOK"
	[ "$STATUS" = 201 ] && n201=$((n201 + 1))
done
is "$n201" "$LIMIT" "the first $LIMIT inits are accepted"
api POST /tracks/upload/init "$BODY_INIT" "$TOK"
is "$STATUS" 429 "one more is refused with 429"
is "$(jget .code)" too_many_pending_uploads "code too_many_pending_uploads"
is "$(jget .detail)" "You have $LIMIT uploads that were started but never completed; complete or let them expire before starting another." \
	"the detail says what to do"
SUB=$(jq -Rr 'split(".")[1] | gsub("-"; "+") | gsub("_"; "/") | . + "==" | @base64d | fromjson | .sub' <<<"$TOK" 2>/dev/null)
is "$(psql_q "select count(*) from tracks where owner_id = '$SUB'")" "$LIMIT" "no row was written for the refused init"

# Another user is not affected.
api POST /tracks/upload/init "$BODY_INIT" "$(token)"
is "$STATUS" 201 "another user still gets 201"

# Concurrent: 2 x LIMIT inits of a fresh user at once, exactly LIMIT get through.
USER=$(new_user)
TOK2=$(token "$USER")
for ((i = 0; i < 2 * LIMIT; i++)); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 -X POST -H "Authorization: Bearer $TOK2" \
		-H 'Content-Type: application/json' --data-binary "$BODY_INIT" "$API_URL/tracks/upload/init" &
done > "$TMP/codes"
wait
is "$(grep -c '^201$' "$TMP/codes")" "$LIMIT" "concurrent inits: exactly $LIMIT accepted"
is "$(grep -c '^429$' "$TMP/codes")" "$LIMIT" "concurrent inits: the rest refused with 429"
is "$(psql_q "select count(*) from tracks where owner_id = '$USER' and processing_status = 'PENDING'")" "$LIMIT" \
	"concurrent inits: exactly $LIMIT PENDING rows"

# A completed upload frees its slot: it is no longer pending.
make_audio "$TMP/a.mp3" 2
USER3=$(new_user); TOK3=$(token "$USER3")
for ((i = 0; i < LIMIT - 1; i++)); do api POST /tracks/upload/init "$BODY_INIT" "$TOK3"; done
ok "the last free slot takes a real upload" upload "$TOK3" "$TMP/a.mp3" mp3
complete "$TOK3" "$TRACK_ID"
is "$STATUS" 202 "its complete is accepted"
api POST /tracks/upload/init "$BODY_INIT" "$TOK3"
is "$STATUS" 201 "a completed upload frees its slot"

# So does a deleted one (DELETE /tracks/{id}): the first user is at the limit.
api POST /tracks/upload/init "$BODY_INIT" "$TOK"
is "$STATUS" 429 "the first user is still at the limit"
api DELETE "/tracks/$(psql_q "select id from tracks where owner_id = '$SUB' limit 1")" "" "$TOK"
is "$STATUS" 204 "one of its pending uploads deleted"
api POST /tracks/upload/init "$BODY_INIT" "$TOK"
is "$STATUS" 201 "a deleted upload frees its slot"
done_testing
