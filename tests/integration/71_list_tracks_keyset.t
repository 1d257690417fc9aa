#!/usr/bin/env bash
# GET /tracks: my tracks only, newest first, keyset pages on (created_at, id)
# that neither skip nor repeat a track when others are inserted between pages;
# limit 1..100, status filter; every bad query parameter is a 422 naming it.
. "$(dirname "$0")/../lib/flow.sh"

user=$(new_user)
tok=$(token "$user")
other=$(new_user)
otok=$(token "$other")

# insert_tracks OWNER N CREATED_AT_SQL: N PENDING tracks (rows made directly:
# one user may only have MAX_PENDING_UPLOADS_PER_USER pending uploads via init).
insert_tracks() {
	psql_q "insert into tracks (id, owner_id, title, artist_name, file_extension, file_size,
		content_type, original_audio_key, original_audio_url, created_at)
		select u, '$1', 'Song ' || i, 'Artist', 'mp3', 1000, 'audio/mpeg',
		'tracks/' || u || '/original.mp3', 'http://x/' || u, $3
		from (select gen_random_uuid() u, i from generate_series(1, $2) i) s" >/dev/null
}
# 25 tracks: 15 a second apart, then 10 sharing one created_at (the id breaks the tie).
insert_tracks "$user" 15 "now() - interval '1 hour' + i * interval '1 second'"
insert_tracks "$user" 10 "now() - interval '2 hours'"
insert_tracks "$other" 3 "now()"
psql_q "update tracks set processing_status = 'FAILED', processing_error = 'x'
	where id in (select id from tracks where owner_id = '$user' order by created_at, id limit 4)" >/dev/null
want=$(psql_q "select id from tracks where owner_id = '$user' order by created_at desc, id desc")

api GET /tracks "" "$tok"
is "$STATUS" 200 "list: 200"
is "$(jq '.tracks|length' <<<"$BODY")" 20 "default limit is 20"
ok "a next_cursor after a full page" test "$(jget .next_cursor)" != null

# Walk pages of 7, inserting newer tracks between pages: the walk sees exactly
# the 25 that were there, in order, once each.
got=() cursor= pages=0
while :; do
	api GET "/tracks?limit=7${cursor:+&cursor=$cursor}" "" "$tok"
	[ "$STATUS" = 200 ] || { diag "page: $STATUS $BODY"; break; }
	mapfile -t -O "${#got[@]}" got < <(jq -r '.tracks[].id' <<<"$BODY")
	pages=$((pages + 1))
	cursor=$(jget .next_cursor)
	[ "$cursor" = null ] && break
	insert_tracks "$user" 2 "now()"
	[ $pages -lt 10 ] || break
done
is "$pages" 4 "25 tracks in pages of 7: 4 pages"
is "$(printf '%s\n' "${got[@]}")" "$want" "pages: newest first, none skipped or repeated under inserts"
is "$(printf '%s\n' "${got[@]}" | sort -u | wc -l)" 25 "25 distinct tracks"

# An item is the JSON of GET /tracks/{id}.
api GET "/tracks?limit=1" "" "$tok"
item=$(jq -c '.tracks[0]' <<<"$BODY")
id=$(jq -r .id <<<"$item")
api GET "/tracks/$id" "" "$tok"
is "$item" "$(jq -c . <<<"$BODY")" "an item is what GET /tracks/{id} answers"

api GET "/tracks?status=failed" "" "$tok"
is "$(jq -r '[.tracks[].status]|unique|join(",")' <<<"$BODY")" failed "status=failed: only failed tracks"
is "$(jq '.tracks|length' <<<"$BODY")" 4 "status=failed: all 4"
is "$(jget .next_cursor)" null "status=failed: one page"
api GET "/tracks?status=pending&limit=100" "" "$tok"
is "$(jq '.tracks|length' <<<"$BODY")" $((21 + 6)) "status=pending, limit=100: the other 27"

api GET "/tracks?limit=100" "" "$otok"
is "$(jq '.tracks|length' <<<"$BODY")" 3 "another user sees only their own 3"
api GET "/tracks?%6cimit=1" "" "$otok"
is "$STATUS:$(jq '.tracks|length' <<<"$BODY")" "200:1" "percent-encoded parameter names are decoded"
api GET "/tracks" "" "$(token "$(new_user)")"
is "$(jq -c . <<<"$BODY")" '{"tracks":[],"next_cursor":null}' "no tracks: empty list, no cursor"

# refused parameters: 422 naming the field
check() { # query field name
	api GET "/tracks?$1" "" "$tok"
	is "$STATUS:$(jget .code):$(jget .field)" "422:invalid_field:$2" "$3"
}
check "limit=0" limit "limit=0"
check "limit=101" limit "limit=101"
check "limit=abc" limit "limit=abc"
check "limit=%2B5" limit "limit=+5"
check "limit=05" limit "limit with a leading zero"
check "limit=" limit "empty limit"
check "limit" limit "limit without a value"
check "limit=%zz" limit "a bad percent-escape"
check "limit=5&limit=6" limit "limit given twice"
check "sort=asc" sort "an unknown parameter is named"
check "status=PENDING" status "status in SQL spelling"
check "status=deleted" status "an unknown status"
check "limit=5&" query "a trailing &"
check "cursor=abc" cursor "a short cursor"
api GET "/tracks?limit=1" "" "$tok"; cursor=$(jget .next_cursor)
check "cursor=${cursor}=" cursor "a cursor with padding"
flip=$(tr 'A-Za-z' 'B-ZAb-za' <<<"${cursor:0:1}")${cursor:1}
check "cursor=$flip" cursor "a tampered cursor"
check "cursor=%00" cursor "a NUL in a value"

api GET "/tracks?cursor=$cursor" "" "$tok"
is "$STATUS" 200 "a cursor handed out is accepted"

api GET /tracks "" ""
is "$STATUS" 401 "no token: 401"
api POST /tracks '{}' "$tok"
is "$STATUS:$(jget .code)" "405:method_not_allowed" "POST /tracks: 405"
api GET /tracks/ "" "$tok"
is "$STATUS" 404 "/tracks/ is not the list"

done_testing
