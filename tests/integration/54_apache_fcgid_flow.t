#!/usr/bin/env bash
# Apache mod_fcgid running the real mustory-api (FastCGI on the listening
# socket Apache passes as standard input, one worker per process, Apache
# manages the processes): the app's flow (init, presigned POST, complete,
# status, track, playback) and the error cases, the same answers as nginx
# byte for byte; a bearer token gets through (CGIPassAuth On).
. "$(dirname "$0")/../lib/flow.sh"
MODE=fcgid
. "$ROOT/tests/lib/apache_flow.sh"

# A chunked body is given its CONTENT_LENGTH by mod_fcgid and reaches the API whole.
api POST /tracks/upload/complete "{\"track_id\":\"$(new_user)\"}" "$tok" -H 'Transfer-Encoding: chunked'
is "$STATUS $(jget .code)" "404 track_not_found" "fcgid: a chunked body reaches the API"
like "$(cat "$STACK_DIR/logs/apache-error.log")" "one FastCGI worker on the socket on standard input" \
	"fcgid: the program knew it was spawned with a socket on standard input"
ok "fcgid: the stack's own socket is untouched" test -S "$FCGI_SOCKET"

done_testing
