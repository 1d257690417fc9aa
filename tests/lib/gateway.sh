# tests/lib/gateway.sh: talk to mustory-api without nginx, the way other
# gateways do: FastCGI on a socket (libfcgi's cgi-fcgi bridge) or plain CGI
# (the binary run with a CGI environment). Source after flow.sh. Each call
# sets STATUS (from the Status: header), HEADERS and BODY like api().

# gw_envfile FILE [KEY=VALUE...]: the stack's configuration as an env file
# (every variable lib/config.c knows that is set here, but FCGI_SOCKET), then
# the extra lines.
gw_envfile() {
	local f=$1 k; shift
	: > "$f"
	for k in $(sed -n 's/^[[:space:]]*{ "\([A-Z_]*\)", CFG_.*/\1/p' "$ROOT/lib/config.c"); do
		[ "$k" != FCGI_SOCKET ] && [ -n "${!k+x}" ] && printf '%s=%s\n' "$k" "${!k}" >> "$f"
	done
	[ $# -gt 0 ] && printf '%s\n' "$@" >> "$f"
	return 0
}

# gw_vars METHOD PATH BODY TOKEN: the request's CGI/FastCGI variables into GW_VARS
gw_vars() {
	local m=$1 p=$2 b=$3 t=$4
	GW_VARS=(REQUEST_METHOD="$m" SCRIPT_NAME= PATH_INFO="${p%%\?*}" REQUEST_URI="$p"
		QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost SERVER_PORT=80
		REMOTE_ADDR=127.0.0.1)
	if [ -n "$b" ]; then
		GW_VARS+=(CONTENT_TYPE="${CT:-application/json}" CONTENT_LENGTH="$(printf '%s' "$b" | wc -c)")
	fi
	[ -n "$t" ] && GW_VARS+=(HTTP_AUTHORIZATION="Bearer $t")
	return 0
}

# gw_parse FILE: a CGI-style response (Status: header, headers, blank line, body)
gw_parse() {
	HEADERS=$(sed -n '1,/^\r\{0,1\}$/p' "$1" | tr -d '\r')
	STATUS=$(sed -n 's/^Status: \([0-9][0-9]*\).*/\1/p' <<<"$HEADERS" | head -n 1)
	BODY=$(sed '1,/^\r\{0,1\}$/d' "$1")
}
gw_header() { sed -n "s/^$1: //Ip" <<<"$HEADERS" | tail -n 1; }

# fcgi_call SOCKET METHOD PATH [BODY] [TOKEN]: one FastCGI request to SOCKET
fcgi_call() {
	local s=$1 m=$2 p=$3 b=${4:-} t=${5:-}
	gw_vars "$m" "$p" "$b" "$t"
	printf '%s' "$b" | timeout 30 env -i "${GW_VARS[@]}" cgi-fcgi -bind -connect "$s" > "$TMP/gw.out" 2>"$TMP/gw.err"
	gw_parse "$TMP/gw.out"
}

# cgi_call METHOD PATH [BODY] [TOKEN] [VAR=VALUE...]: mustory-api as a CGI
# program (GATEWAY_INTERFACE set, nothing else of the test's environment but
# GW_ENV, e.g. ENV_FILE=...); its stderr is in $TMP/cgi.err (all of them:
# $TMP/cgi.all.err), exit code in CGI_RC
cgi_call() {
	local m=$1 p=$2 b=${3:-} t=${4:-}
	shift 4 2>/dev/null || shift $#
	gw_vars "$m" "$p" "$b" "$t"
	printf '%s' "$b" | timeout 30 env -i GATEWAY_INTERFACE=CGI/1.1 "${GW_ENV[@]}" "${GW_VARS[@]}" "$@" \
		"$BIN/mustory-api" > "$TMP/cgi.out" 2>"$TMP/cgi.err"
	CGI_RC=$?
	cat "$TMP/cgi.err" >> "$TMP/cgi.all.err"
	gw_parse "$TMP/cgi.out"
}

# wait_socket PATH SECONDS: until PATH is a socket
wait_socket() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do [ -S "$1" ] && return 0; sleep 0.1; done
	return 1
}
