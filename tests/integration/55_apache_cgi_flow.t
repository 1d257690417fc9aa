#!/usr/bin/env bash
# Apache mod_cgi (mod_cgid) running the real mustory-api as a CGI program,
# one process per request (RFC 3875: the environment and standard input in,
# standard output out): the app's flow (init, presigned POST, complete,
# status, track, playback) and the error cases, the same answers as nginx
# byte for byte; a bearer token gets through (CGIPassAuth On).
. "$(dirname "$0")/../lib/flow.sh"
MODE=cgi
. "$ROOT/tests/lib/apache_flow.sh"

api POST /tracks/upload/init '{"a":1}' "$tok" -H 'Transfer-Encoding: chunked'
is "$STATUS $(jget .code)" "411 length_required" "cgi: a chunked body is asked for a Content-Length"
api GET "/tracks/upload/status/$TRACK_ID?x" "" "$tok"
is "$STATUS $(jget .status)" "200 completed" "cgi: a query string without '=' (the program's arguments) is ignored"

done_testing
