#!/usr/bin/env bash
# Every error body is valid UTF-8, whatever the request held: a decoded path
# or a field name that is not UTF-8 is echoed with U+FFFD in its place, and
# a long echo is cut between characters (ending in "...").
. "$(dirname "$0")/../lib/flow.sh"

tok=$(token "$(new_user)")
# A strict decoder independent of the C code: WHATWG's, in node.
utf8_ok() { node -e 'new TextDecoder("utf-8", { fatal: true }).decode(require("fs").readFileSync(0))' <"$TMP/body" 2>/dev/null; }
FFFD=$(printf '\xef\xbf\xbd')
E300=$(printf '%%c3%%a9%.0s' {1..300})
E10=$(printf '\xc3\xa9%.0s' {1..10})

api GET "/tracks/x/%ff%fe" "" "$tok"
is "$STATUS" 404 "path with FF FE: 404"
ok "path with FF FE: body is UTF-8" utf8_ok
is "$(jget .detail)" "There is no API endpoint at /tracks/x/$FFFD$FFFD." "path with FF FE: echoed with U+FFFD"

api GET "/tracks/x/%c0%af%ed%a0%80" "" "$tok"
is "$STATUS" 404 "path with an overlong and a surrogate: 404"
ok "path with an overlong and a surrogate: body is UTF-8" utf8_ok
is "$(jget .detail)" "There is no API endpoint at /tracks/x/$FFFD$FFFD$FFFD$FFFD$FFFD." \
	"path with an overlong and a surrogate: one U+FFFD per ill-formed part"

api PUT "/tracks/%ff%fe" "" "$tok"
is "$STATUS" 405 "PUT on a path with FF FE: 405"
ok "405: body is UTF-8" utf8_ok
is "$(jget .detail)" "Method PUT is not allowed on /tracks/$FFFD$FFFD; use GET, DELETE." "405: path echoed with U+FFFD"

api GET "/tracks/x/$E300" "" "$tok"
is "$STATUS" 404 "path of 300 two-byte characters: 404"
ok "long path: body is UTF-8" utf8_ok
like "$(jget .detail)" '^There is no API endpoint at /tracks/x/(é)+\.\.\.\.$' "long path: cut between characters, marked"
cmp_ok "$(jget .detail | wc -c)" -lt 300 "long path: the echo is bounded"

api GET "/tracks/x/$E300%ff" "" "$tok" -X POST
is "$STATUS" 404 "POST to a long path: 404"
ok "POST to a long path: body is UTF-8" utf8_ok

# Echoes of the body: an unknown field's name and an unsupported extension.
printf '{"\xc0\xaf\xed\xa0\x80x":1,"title":"t","artist_name":"a","file_extension":"mp3","file_size":1}' >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS" 422 "unknown field named in bad UTF-8: 422"
ok "unknown field named in bad UTF-8: body is UTF-8" utf8_ok
is "$(jget .field)" "$FFFD$FFFD$FFFD$FFFD${FFFD}x" "unknown field named in bad UTF-8: name echoed with U+FFFD"

printf '{"a%s%s%s%s":1}' "$E10" "$E10" "$E10" "$E10" >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS" 422 "unknown field with a long multi-byte name: 422"
ok "long field name: body is UTF-8" utf8_ok
like "$(jget .field)" '^a(é)+\.\.\.$' "long field name: cut between characters, marked"
like "$(jget .detail)" '^Unknown field "a(é)+\.\.\."; ' "long field name: the sentence quotes the cut name"

printf '{"title":"t","artist_name":"a","file_extension":"mp3%s","file_size":1}' "$(printf '\xe6\x9b\xb2%.0s' {1..6})" >"$TMP/req"
api POST /tracks/upload/init "@$TMP/req" "$tok"
is "$STATUS" 422 "extension with multi-byte characters: 422"
ok "extension with multi-byte characters: body is UTF-8" utf8_ok
like "$(jget .detail)" '^file_extension "mp3(曲)+\.\.\." is not supported; ' "extension: cut between characters, marked"

done_testing
