#!/usr/bin/env bash
# Titles and artist names: Unicode White_Space and invisible format
# characters are trimmed from both ends and the trimmed text is stored; an
# empty result, C0/C1 controls and bidirectional controls are a 422 naming
# the field, with a sentence.
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
rows_before=$(psql_q "select count(*) from tracks")

# refused NAME FIELD JSON_STRING_CONTENT DETAIL_REGEX
refused() {
	local name=$1 field=$2 text=$3 want=$4
	if [ "$field" = title ]; then
		printf '{"title":"%s","artist_name":"a","file_extension":"mp3","file_size":1}' "$text" >"$TMP/req"
	else
		printf '{"title":"t","artist_name":"%s","file_extension":"mp3","file_size":1}' "$text" >"$TMP/req"
	fi
	api POST /tracks/upload/init "@$TMP/req" "$tok"
	is "$STATUS" 422 "$name ($field): 422"
	is "$(jget .code):$(jget .field)" "invalid_field:$field" "$name ($field): names the field"
	like "$(jget .detail)" "^$field $want" "$name ($field): says why"
}
EMPTY='must not be empty \(spaces and invisible characters do not count\)\.$'
BIDI='must not contain bidirectional control characters \(they make text display in another order than it is stored\); it has U\+'
for field in title artist_name; do
	refused "only U+00A0" $field '\u00a0' "$EMPTY"
	refused "only U+00A0, raw" $field $'\xc2\xa0' "$EMPTY"
	refused "only U+200B" $field '\u200b' "$EMPTY"
	refused "only U+FEFF" $field '\ufeff' "$EMPTY"
	refused "only U+0085 (NEL)" $field '\u0085' "$EMPTY"
	refused "only U+3000 and U+2060" $field '\u3000\u2060' "$EMPTY"
	refused "spaces, tabs and zero-width characters" $field ' \t\u200c\u200d \u2028\u2029\u205f\u1680\u2007 ' "$EMPTY"
	refused "U+202E (right-to-left override)" $field 'evil\u202egnp.mp3' "${BIDI}202E\\.$"
	refused "U+202E, raw" $field $'evil\xe2\x80\xaegnp' "${BIDI}202E\\.$"
	refused "U+202A" $field '\u202aabc' "${BIDI}202A\\.$"
	refused "U+2066 (isolate)" $field 'a\u2066b' "${BIDI}2066\\.$"
	refused "U+2069 at the end" $field 'ab\u2069' "${BIDI}2069\\.$"
	refused "U+0085 inside" $field 'a\u0085b' 'must not contain control characters; it has U\+0085\.$'
	refused "U+009B (CSI)" $field 'a\u009b31mb' 'must not contain control characters; it has U\+009B\.$'
	refused "U+009B, raw" $field $'a\xc2\x9bb' 'must not contain control characters; it has U\+009B\.$'
	refused "U+007F" $field 'a\u007f' 'must not contain control characters; it has U\+007F\.$'
	refused "a newline inside" $field 'a\nb' 'must not contain control characters; it has U\+000A\.$'
done
is "$(psql_q "select count(*) from tracks")" "$rows_before" "no row was written by any refused text"

# What is stored is the trimmed text.
printf '{"title":" \\u00a0\\ufeffMy \\u200bSong\\u200b\\u3000\\n","artist_name":"\\u2060\\u00a0The  Artist\\u0085","file_extension":"mp3","file_size":1}' >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS" 201 "padded title and artist: 201"
id=$(jget .track_id)
want_title=$(printf 'My \xe2\x80\x8bSong')
is "$(psql_q "select title from tracks where id = '$id'")" "$want_title" "title stored trimmed (inner characters kept)"
is "$(psql_q "select artist_name from tracks where id = '$id'")" "The  Artist" "artist stored trimmed (inner spaces kept)"
api GET "/tracks/$id" "" "$tok"
is "$(jget .title)" "$want_title" "GET /tracks/{id}: the trimmed title"
is "$(jget .artist_name)" "The  Artist" "GET /tracks/{id}: the trimmed artist"

# Length is counted on the trimmed text: 200 characters padded with spaces pass.
api POST /tracks/upload/init "$(jq -nc --arg t "   $(printf 'x%.0s' {1..200})   " '{title:$t,artist_name:"a",file_extension:"mp3",file_size:1}')" "$tok"
is "$STATUS" 201 "200 characters with padding: 201"
is "$(psql_q "select length(title) from tracks where id = '$(jget .track_id)'")" 200 "stored without the padding"

done_testing
