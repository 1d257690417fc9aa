#!/usr/bin/env bash
# Bearer auth: missing, malformed, forged, expired tokens are 401 JSON.
. "$(dirname "$0")/../lib/flow.sh"

user=$(new_user)
good=$(token "$user")
body='{"title":"t","artist_name":"a","file_extension":"mp3","file_size":10}'

api POST /tracks/upload/init "$body" ""
is "$STATUS" 401 "no token: 401"
is "$(jget .code)" missing_token "no token: code missing_token"
like "$(jget .detail)" "Bearer" "no token: detail says how to send it"

api POST /tracks/upload/init "$body" "" -H "Authorization: Basic Zm9vOmJhcg=="
is "$STATUS" 401 "Basic auth: 401"

api POST /tracks/upload/init "$body" "not.a.jwt"
is "$STATUS" 401 "garbage token: 401"
is "$(jget .code)" invalid_token "garbage token: code invalid_token"

# Same claims, signed with another secret.
forged=$(JWT_SECRET=another-secret-another-secret "$BIN/mustory-token" --sub "$user" 2>/dev/null)
api POST /tracks/upload/init "$body" "$forged"
is "$STATUS" 401 "forged token: 401"

# Flip one character of the signature.
tampered="${good%?}$( [ "${good: -1}" = A ] && echo B || echo A)"
api GET /tracks/upload/status/$(new_user) "" "$tampered"
is "$STATUS" 401 "tampered signature: 401"

expired=$(jwt_make "$JWT_SECRET" "{\"sub\":\"$user\",\"exp\":$(( $(date +%s) - 120 ))}")
fresh=$(jwt_make "$JWT_SECRET" "{\"sub\":\"$user\",\"exp\":$(( $(date +%s) + 120 ))}")
api GET /tracks/upload/status/$(new_user) "" "$fresh"
is "$STATUS" 404 "a token minted independently (openssl) is accepted"
noexp=$(jwt_make "$JWT_SECRET" "{\"sub\":\"$user\"}")
api GET /tracks/upload/status/$(new_user) "" "$noexp"
is "$STATUS" 401 "token without exp: 401"
notuuid=$(jwt_make "$JWT_SECRET" "{\"sub\":\"alice\",\"exp\":$(( $(date +%s) + 120 ))}")
api GET /tracks/upload/status/$(new_user) "" "$notuuid"
is "$STATUS" 401 "token whose sub is not a UUID: 401"
api GET /tracks/upload/status/$(new_user) "" "$expired"
is "$STATUS" 401 "expired token: 401"
like "$(jget .detail)" "expired" "expired token: detail says expired"

# alg=none must never be accepted.
none_hdr=$(printf '{"alg":"none","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
none_pl=$(printf '{"sub":"%s","exp":%d}' "$user" $(( $(date +%s) + 600 )) | base64 -w0 | tr '+/' '-_' | tr -d '=')
api GET /tracks/upload/status/$(new_user) "" "$none_hdr.$none_pl."
is "$STATUS" 401 "alg none: 401"

api GET /tracks/upload/status/$(new_user) "" "$good"
is "$STATUS" 404 "good token, unknown track: 404"
is "$(jget .code)" track_not_found "unknown track: code track_not_found"

api GET /healthz
is "$STATUS" 200 "healthz needs no token"
is "$(jget .database)" ok "healthz: database ok"

done_testing
