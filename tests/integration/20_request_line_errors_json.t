#!/usr/bin/env bash
# What nginx refuses before routing (a bad request line, a header too large, an
# unsupported Transfer-Encoding or HTTP version, a TLS or HTTP/2 client on the
# plain port) is answered in the API's JSON error shape with the right status,
# never nginx's HTML page or a 500. Raw bytes over bash's /dev/tcp, so nothing
# cleans the request up on the way.
. "$(dirname "$0")/../lib/flow.sh"

# raw BYTES: send BYTES (a printf format) on a fresh connection and read the
# answer until nginx closes it; sets STATUS, CTYPE, BODY, HEAD.
raw() {
	local f=$TMP/raw
	: > "$f"
	if exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"; then
		# nginx may close before it has read everything (a 414): no SIGPIPE
		# shellcheck disable=SC2059
		(trap '' PIPE; printf "$1") >&3 2>/dev/null
		# When nginx closes with bytes of ours unread (a 414) the kernel
		# resets the connection; the answer before the reset is still read.
		timeout 5 cat <&3 > "$f" 2>/dev/null
		exec 3<&-
	fi
	[ -s "$f" ] || diag "no answer to: ${1:0:60}"
	HEAD=$(sed '/^\r$/q' "$f" | tr -d '\r')
	STATUS=$(head -n 1 <<<"$HEAD" | awk '{print $2}')
	CTYPE=$(awk -F': ' 'tolower($1) == "content-type" {print $2}' <<<"$HEAD")
	BODY=$(sed '1,/^\r$/d' "$f")
}

# check NAME WANT_STATUS WANT_CODE BYTES
check() {
	local name=$1 want=$2 code=$3
	raw "$4"
	is "$STATUS" "$want" "$name: $want"
	is "$CTYPE" application/json "$name: Content-Type application/json"
	ok "$name: body is the JSON error shape, code $code" error_shape "$code" || diag "body: $BODY"
}
error_shape() { # CODE: BODY is {"detail": "<sentence>", "code": CODE}
	jq -e --arg c "$1" '.code == $c and (.detail | type == "string" and length > 0)' <<<"$BODY" >/dev/null
}
is_json() { jq -e . <<<"$BODY" >/dev/null; }
api_error() { jq -e '(.code | type == "string") and (.detail | type == "string")' <<<"$BODY" >/dev/null; }

log=$STACK_DIR/logs/nginx-error.log
log_start=$(($(wc -l < "$log") + 1))
C='Host: localhost\r\nConnection: close\r\n'
check "bad percent-escape /tracks/%zz" 400 bad_request "GET /tracks/%%zz HTTP/1.1\r\n$C\r\n"
check "NUL escape /tracks/%00" 400 bad_request "GET /tracks/%%00 HTTP/1.1\r\n$C\r\n"
check "lowercase method" 400 bad_request "get /healthz HTTP/1.1\r\n$C\r\n"
check "a space in the URI" 400 bad_request "GET /tracks/a b HTTP/1.1\r\n$C\r\n"
check "a path above the root /../.." 400 bad_request "GET /../.. HTTP/1.1\r\n$C\r\n"
check "a TLS ClientHello on the plain port" 400 bad_request \
	'\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00\x00\x02\x13\x01\x01\x00'
check "an HTTP/2 preface" 400 bad_request 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
check "HTTP/1.1 without Host" 400 bad_request 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'
check "two Host headers" 400 bad_request "GET /healthz HTTP/1.1\r\nHost: a\r\n$C\r\n"
check "Content-Length and Transfer-Encoding" 400 bad_request \
	"POST /tracks/upload/init HTTP/1.1\r\n${C}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}"
check "a malformed Host" 400 bad_request 'GET /healthz HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n\r\n'
check "a Content-Length that is not a number" 400 bad_request \
	"POST /tracks/upload/init HTTP/1.1\r\n${C}Content-Length: abc\r\n\r\n"
check "two Content-Length headers" 400 bad_request \
	"POST /tracks/upload/init HTTP/1.1\r\n${C}Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"
check "Transfer-Encoding with HTTP/1.0" 400 bad_request \
	"POST /tracks/upload/init HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
check "a malformed chunk" 400 bad_request \
	"POST /tracks/upload/init HTTP/1.1\r\n${C}Transfer-Encoding: chunked\r\n\r\nzz\r\n"
check "a request line over 8 KiB" 414 uri_too_long \
	"GET /tracks/$(head -c 9000 /dev/zero | tr '\0' a) HTTP/1.1\r\n$C\r\n"
check "a cookie over 8 KiB (nginx 494, sent as 400)" 400 header_too_large \
	"GET /healthz HTTP/1.1\r\n${C}Cookie: $(head -c 9000 /dev/zero | tr '\0' a)\r\n\r\n"
check "Transfer-Encoding: gzip" 501 not_implemented \
	"POST /tracks/upload/init HTTP/1.1\r\n${C}Transfer-Encoding: gzip\r\n\r\n"
check "HTTP/2.0 in the request line" 505 http_version_not_supported "GET /healthz HTTP/2.0\r\n$C\r\n"
check "HTTP/3.0 in the request line" 505 http_version_not_supported "GET /healthz HTTP/3.0\r\n$C\r\n"
check "TRACE" 405 method_not_allowed "TRACE / HTTP/1.1\r\n$C\r\n"
check "the error pages are not reachable from outside" 404 not_found "GET /_err/400.json HTTP/1.1\r\n$C\r\n"
check "outside the API" 404 not_found "GET /nothing/here HTTP/1.1\r\n$C\r\n"

# /tracks without the slash is the API's (no 301 from nginx to /tracks/).
raw "GET /tracks HTTP/1.1\r\n$C\r\n"
like "$STATUS" '^(200|401|404|405)$' "GET /tracks: answered by the API ($STATUS), not redirected"
is "$(grep -ci '^location:' <<<"$HEAD")" 0 "GET /tracks: no Location header"
is "$CTYPE" application/json "GET /tracks: Content-Type application/json"
ok "GET /tracks: JSON" is_json
raw "POST /tracks HTTP/1.1\r\n${C}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
like "$STATUS" '^(401|404|405|415|422)$' "POST /tracks: answered by the API ($STATUS), not redirected"
ok "POST /tracks: JSON error shape" api_error

# The request-line errors above never reach a 500 ("empty URI in redirect to
# named location" was the error log's line for each of them).
is "$(tail -n +"$log_start" "$log" | grep -c 'empty URI in redirect')" 0 "no 'empty URI in redirect' in nginx's error log"

done_testing
