#!/usr/bin/env bash
# Text that is well-formed JSON but not valid UTF-8 -- overlong forms,
# encoded surrogates, code points beyond U+10FFFF -- is a 422 naming the
# field, never a 500 from PostgreSQL refusing it, and no row is written.
# (Bytes that cannot be UTF-8 at all, like FF FE, stay a 400 malformed_json:
# 11_validation.t.)
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
rows_before=$(psql_q "select count(*) from tracks")
# A strict decoder independent of the C code: WHATWG's, in node.
utf8_ok() { node -e 'new TextDecoder("utf-8", { fatal: true }).decode(require("fs").readFileSync(0))' <"$1" 2>/dev/null; }

declare -A BYTES=(
	[overlong C0 AF]='\xc0\xaf'
	[overlong E0 80 80]='\xe0\x80\x80'
	[overlong F0 80 80 AF]='\xf0\x80\x80\xaf'
	[surrogate ED A0 80]='\xed\xa0\x80'
	[surrogate ED BF BF]='\xed\xbf\xbf'
	[beyond U+10FFFF F4 90 80 80]='\xf4\x90\x80\x80'
	[beyond U+10FFFF F7 BF BF BF]='\xf7\xbf\xbf\xbf'
)
declare -A WHY=(
	[overlong C0 AF]=overlong [overlong E0 80 80]=overlong [overlong F0 80 80 AF]=overlong
	[surrogate ED A0 80]=surrogate [surrogate ED BF BF]=surrogate
	[beyond U+10FFFF F4 90 80 80]='beyond U\+10FFFF' [beyond U+10FFFF F7 BF BF BF]='beyond U\+10FFFF'
)
for name in "${!BYTES[@]}"; do
	b=${BYTES[$name]}
	for field in title artist_name; do
		if [ $field = title ]; then
			printf '{"title":"My %bSong","artist_name":"a","file_extension":"mp3","file_size":1}' "$b" >"$TMP/req"
		else
			printf '{"title":"t","artist_name":"Me%b","file_extension":"mp3","file_size":1}' "$b" >"$TMP/req"
		fi
		api POST /tracks/upload/init "@$TMP/req" "$tok"
		is "$STATUS" 422 "$name in $field: 422"
		is "$(jget .code)" invalid_field "$name in $field: code invalid_field"
		is "$(jget .field)" $field "$name in $field: names the field"
		like "$(jget .detail)" "^$field is not valid UTF-8 \(.*${WHY[$name]}.* at byte offset [0-9]+\); send text as UTF-8\.$" \
			"$name in $field: the sentence says what is wrong and where"
		ok "$name in $field: the answer is UTF-8" utf8_ok "$TMP/body"
	done
done

# Every string field of the bodies, not only the texts.
printf '{"title":"t","artist_name":"a","file_extension":"mp\xc0\xb3","file_size":1}' >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS:$(jget .field)" 422:file_extension "overlong in file_extension: 422 naming it"
printf '{"title":"t","artist_name":"a","file_extension":"mp3","file_size":1,"artwork_extension":"\xed\xa0\x80"}' >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS:$(jget .field)" 422:artwork_extension "surrogate in artwork_extension: 422 naming it"
printf '{"track_id":"\xf4\x90\x80\x80"}' >"$TMP/req"
api POST /tracks/upload/complete "@$TMP/req" "$tok"
is "$STATUS:$(jget .field)" 422:track_id "beyond U+10FFFF in track_id: 422 naming it"
like "$(jget .detail)" "not valid UTF-8" "track_id: says it is not UTF-8"

is "$(psql_q "select count(*) from tracks")" "$rows_before" "no row was written"

# Valid text in every range still goes through, stored byte for byte.
title=$(printf 'Ünïcødé 曲 \xf0\x9f\x8e\xb5 \xf4\x8f\xbf\xbf end')
api POST /tracks/upload/init "$(jq -nc --arg t "$title" '{title:$t,artist_name:"Ärtist",file_extension:"mp3",file_size:1}')" "$tok"
is "$STATUS" 201 "valid multi-byte text up to U+10FFFF: 201"
id=$(jget .track_id)
# In hex: psql's printing drops U+10FFFF, a noncharacter.
is "$(psql_q "select encode(convert_to(title, 'UTF8'), 'hex') from tracks where id = '$id'")" \
	"$(printf '%s' "$title" | od -An -tx1 | tr -d ' \n')" "stored as sent"
is "$(psql_q "select artist_name from tracks where id = '$id'")" "Ärtist" "artist stored as sent"

done_testing
