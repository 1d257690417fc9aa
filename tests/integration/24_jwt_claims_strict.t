#!/usr/bin/env bash
# Bearer tokens are read strictly: a repeated claim or header parameter, a
# sub with bytes after its UUID, a fractional or far-future exp (beyond
# JWT_MAX_TTL_SECONDS, 30 days by default) are refused; with JWT_ISSUER and
# JWT_AUDIENCE set, iss must match and aud must name this service (a string
# or an array of strings). Every refusal is the API's 401 JSON. Tokens are
# minted with openssl (jwt_make), independently of the C code.
. "$(dirname "$0")/../lib/flow.sh"

restart_api() { # [VAR=value...]: the API with these settings
	"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
	env -u JWT_ISSUER -u JWT_AUDIENCE -u JWT_MAX_TTL_SECONDS "$@" \
		"$ROOT/scripts/stack.sh" start-api >/dev/null 2>&1
}
cleanup() { restart_api; rm -rf "$TMP"; }
trap cleanup EXIT

user=$(new_user)
now=$(date +%s)
probe=/tracks/upload/status/$(new_user) # 404 once the token is accepted

# refused NAME TOKEN DETAIL_REGEX
refused() {
	api GET "$probe" "" "$2" -D "$TMP/headers"
	is "$STATUS" 401 "$1: 401"
	is "$(jget .code)" invalid_token "$1: code invalid_token"
	like "$(jget .detail)" "^The access token was refused \($3.*\)\. Sign in again\.$" "$1: says why"
	ok "$1: WWW-Authenticate: Bearer" grep -qi '^WWW-Authenticate: Bearer' "$TMP/headers"
}
accepted() { # NAME TOKEN
	api GET "$probe" "" "$2"
	is "$STATUS" 404 "$1: accepted (404 for an unknown track)"
}
S=$JWT_SECRET

accepted "exp 29 days ahead" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 29 * 86400))}")"
accepted "exp a whole number written as a double" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 600)).0}")"
accepted "iss and aud ignored when not configured" \
	"$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 600)),\"iss\":\"anyone\",\"aud\":[\"x\"]}")"
refused "exp 1e23" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":1e23}")" "token expires more than 2592000 s from now"
refused "exp beyond int64" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":99999999999999999999999}")" "token expires more than"
refused "exp 31 days ahead" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 31 * 86400))}")" "token expires more than"
refused "fractional exp" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 600)).5}")" "token exp claim is not a whole number"
refused "sub twice, ours last" \
	"$(jwt_make "$S" "{\"sub\":\"$(new_user)\",\"sub\":\"$user\",\"exp\":$((now + 600))}")" "token payload repeats a member"
refused "sub twice, ours first" \
	"$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 600)),\"sub\":\"$(new_user)\"}")" "token payload repeats a member"
refused "sub twice, once escaped" \
	"$(jwt_make "$S" "{\"sub\":\"$user\",\"\\u0073ub\":\"$(new_user)\",\"exp\":$((now + 600))}")" "token payload repeats a member"
refused "exp twice, an expired one first" \
	"$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":1,\"exp\":$((now + 600))}")" "token payload repeats a member"
refused "alg twice in the header" "$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 600))}" '{"alg":"none","alg":"HS256"}')" \
	"token header repeats a member"
refused "sub with \\u0000 after the UUID" \
	"$(jwt_make "$S" "{\"sub\":\"$user\\u0000admin\",\"exp\":$((now + 600))}")" "token sub is not a user id"
refused "sub with a space after the UUID" \
	"$(jwt_make "$S" "{\"sub\":\"$user \",\"exp\":$((now + 600))}")" "token sub is not a user id"

# An API that names its issuer and audience, and a one-hour bound.
ISS=https://id.example.test AUD=mustory-api
restart_api JWT_ISSUER=$ISS JWT_AUDIENCE=$AUD JWT_MAX_TTL_SECONDS=3600
claims() { printf '{"sub":"%s","exp":%d%s}' "$user" $((now + 600)) "$1"; }
accepted "iss and aud as configured" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":\"$AUD\"")")"
accepted "aud an array holding ours" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":[\"other\",\"$AUD\"]")")"
accepted "mustory-token takes JWT_ISSUER/JWT_AUDIENCE from the environment" \
	"$(JWT_ISSUER=$ISS JWT_AUDIENCE=$AUD token "$user")"
accepted "mustory-token --iss --aud" \
	"$(JWT_SECRET=$S "$BIN/mustory-token" --sub "$user" --ttl 600 --iss "$ISS" --aud "$AUD" 2>/dev/null)"
refused "no iss" "$(jwt_make "$S" "$(claims ",\"aud\":\"$AUD\"")")" "token has no iss claim"
refused "another iss" "$(jwt_make "$S" "$(claims ",\"iss\":\"https://evil.example\",\"aud\":\"$AUD\"")")" "token issuer is not accepted"
refused "iss with bytes after ours" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\\u0000\",\"aud\":\"$AUD\"")")" "token issuer is not accepted"
refused "no aud" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\"")")" "token has no aud claim"
refused "another aud" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":\"other\"")")" "token is meant for another audience"
refused "aud an array without ours" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":[\"a\",\"b\"]")")" "token is meant for another audience"
refused "aud an array with a number" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":[\"$AUD\",1]")")" \
	"token aud claim is not a string or an array of strings"
refused "aud a number" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":1")")" "token aud claim is not a string or an array of strings"
refused "aud twice, ours last" "$(jwt_make "$S" "$(claims ",\"iss\":\"$ISS\",\"aud\":\"x\",\"aud\":\"$AUD\"")")" "token payload repeats a member"
refused "exp two hours ahead, JWT_MAX_TTL_SECONDS=3600" \
	"$(jwt_make "$S" "{\"sub\":\"$user\",\"exp\":$((now + 7200)),\"iss\":\"$ISS\",\"aud\":\"$AUD\"}")" "token expires more than 3600 s from now"
refused "a token without iss/aud from mustory-token" \
	"$(JWT_SECRET=$S "$BIN/mustory-token" --sub "$user" --ttl 600 --iss "" --aud "" 2>/dev/null)" "token has no iss claim"

# A bad setting stops the API at start-up, naming the variable.
"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
out=$(env JWT_MAX_TTL_SECONDS=0 timeout 10 "$BIN/mustory-api" 2>&1)
like "$out" "JWT_MAX_TTL_SECONDS must be a whole number from 60" "JWT_MAX_TTL_SECONDS=0 stops start-up with its name"

restart_api
accepted "back to the defaults: a token without iss/aud" "$(jwt_make "$S" "$(claims "")")"

done_testing
