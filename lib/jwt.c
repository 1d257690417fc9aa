/*
 * jwt.c: HS256 JSON Web Tokens (RFC 7519, RFC 7515 compact form).
 *
 * Verification order: shape and size, header (alg must be exactly HS256,
 * so "none" and every asymmetric alg are refused before any crypto), the
 * signature (constant-time), and only then the claims of the now
 * authenticated payload. A part that repeats a member name is refused:
 * json-c would keep the last, another parser the first.
 */
#include "jwt.h"
#include "encode.h"
#include "ids.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#define JWT_MAX_LEN 8192 /* a bearer token bigger than this is not ours */
#define JWT_LEEWAY_S 30  /* clock skew allowed on exp and nbf */

static size_t json_count_members(const char *s, size_t len);
static json_object *json_part(const char *b64, size_t len, const char *what,
    struct errbuf *e);
static enum result time_claim(json_object *payload, const char *name,
    bool required, int64_t *out, struct errbuf *e);
static bool string_is(json_object *v, const char *want);
static enum result check_header(json_object *header, struct errbuf *e);
static enum result check_audience(json_object *payload, const char *audience,
    struct errbuf *e);
static enum result check_claims(json_object *payload, const struct jwt_rules *rules,
    time_t now, char sub[37], struct jwt_times *t, struct errbuf *e);

/*
 * The members of the JSON object s (already parsed, so well-formed): the
 * colons at depth 1 outside strings. json-c keeps only the last of
 * repeated names, so comparing this with the parsed object's length is how
 * a repeated claim shows.
 */
static size_t
json_count_members(const char *s, size_t len)
{
	size_t i, n = 0;
	int depth = 0;
	bool in_string = false;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
			continue;
		}
		switch (s[i]) {
		case '"': in_string = true; break;
		case '{': case '[': depth++; break;
		case '}': case ']': depth--; break;
		case ':': n += depth == 1; break;
		default: break;
		}
	}
	return n;
}

/*
 * Decode one base64url part holding a JSON object whose member names are
 * all different. Owned; NULL with e set ("malformed token <what>", ...).
 */
static json_object *
json_part(const char *b64, size_t len, const char *what, struct errbuf *e)
{
	json_tokener *tok;
	json_object *obj = NULL;
	unsigned char *raw;
	size_t rawlen;

	if (enc_base64url_decode(b64, len, &raw, &rawlen) != OK) {
		err_set(e, "malformed token %s", what);
		return NULL;
	}
	if (rawlen == 0 || memchr(raw, '\0', rawlen) != NULL ||
	    (tok = json_tokener_new()) == NULL) {
		free(raw);
		err_set(e, "malformed token %s", what);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, (const char *)raw, (int)rawlen);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != rawlen ||
	    !json_object_is_type(obj, json_type_object)) {
		err_set(e, "malformed token %s", what);
		json_object_put(obj);
		obj = NULL;
	} else if (json_count_members((const char *)raw, rawlen) !=
	    (size_t)json_object_object_length(obj)) {
		/* RFC 7515 4, RFC 7519 4: names must be unique; refuse, not pick one. */
		err_set(e, "token %s repeats a member", what);
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	free(raw);
	return obj;
}

/*
 * A NumericDate claim (RFC 7519 section 2): a JSON number of seconds, here
 * a whole one. Values beyond int64 saturate (json-c does so for integers),
 * so they read as far future or far past.
 */
static enum result
time_claim(json_object *payload, const char *name, bool required, int64_t *out,
    struct errbuf *e)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(payload, name, &v) || v == NULL) {
		if (!required)
			return ERR_NOT_FOUND;
		err_set(e, "token has no %s claim", name);
		return ERR_AUTH;
	}
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return OK;
	}
	if (!json_object_is_type(v, json_type_double) || !isfinite(d = json_object_get_double(v))) {
		err_set(e, "token %s claim is not a number", name);
		return ERR_AUTH;
	}
	if (trunc(d) != d) {
		err_set(e, "token %s claim is not a whole number of seconds", name);
		return ERR_AUTH;
	}
	/* 2^63 is exact in a double; the cast is defined only below it. */
	if (d >= 9223372036854775808.0)
		*out = INT64_MAX;
	else if (d < -9223372036854775808.0)
		*out = INT64_MIN;
	else
		*out = (int64_t)d;
	return OK;
}

/* Is v a JSON string equal to want, byte for byte (an embedded NUL differs)? */
static bool
string_is(json_object *v, const char *want)
{
	size_t n = strlen(want);

	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == n &&
	    memcmp(json_object_get_string(v), want, n) == 0;
}

static enum result
check_header(json_object *header, struct errbuf *e)
{
	json_object *v;

	if (!json_object_object_get_ex(header, "alg", &v) || !string_is(v, "HS256")) {
		err_set(e, "token algorithm is not HS256");
		return ERR_AUTH;
	}
	if (json_object_object_get_ex(header, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcasecmp(json_object_get_string(v), "JWT") != 0)) {
		err_set(e, "token type is not JWT");
		return ERR_AUTH;
	}
	/* RFC 7515 4.1.11: extensions we do not know must be refused. */
	if (json_object_object_get_ex(header, "crit", NULL)) {
		err_set(e, "token has critical header extensions");
		return ERR_AUTH;
	}
	return OK;
}

/* RFC 7519 4.1.3: "aud" is one string or an array of strings; ours must be among them. */
static enum result
check_audience(json_object *payload, const char *audience, struct errbuf *e)
{
	json_object *v;
	size_t i, n;
	bool found = false;

	if (!json_object_object_get_ex(payload, "aud", &v) || v == NULL) {
		err_set(e, "token has no aud claim");
		return ERR_AUTH;
	}
	if (json_object_is_type(v, json_type_string)) {
		found = string_is(v, audience);
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *a = json_object_array_get_idx(v, i);

			if (!json_object_is_type(a, json_type_string)) {
				err_set(e, "token aud claim is not a string or an array of strings");
				return ERR_AUTH;
			}
			found = found || string_is(a, audience);
		}
	} else {
		err_set(e, "token aud claim is not a string or an array of strings");
		return ERR_AUTH;
	}
	if (!found) {
		err_set(e, "token is meant for another audience");
		return ERR_AUTH;
	}
	return OK;
}

enum result
jwt_times_check(const struct jwt_times *t, const struct jwt_rules *rules, time_t now,
    struct errbuf *e)
{
	long long max_ttl = rules->max_ttl_s > 0 ? rules->max_ttl_s : JWT_DEFAULT_MAX_TTL_S;

	/* Written so that no sum can overflow, whatever exp holds. */
	if (t->exp <= (int64_t)now - JWT_LEEWAY_S) {
		err_set(e, "token expired");
		return ERR_AUTH;
	}
	if (t->exp - (int64_t)now > max_ttl + JWT_LEEWAY_S) {
		err_set(e, "token expires more than %lld s from now, longer than this service allows",
		    max_ttl);
		return ERR_AUTH;
	}
	if (t->has_nbf && t->nbf > (int64_t)now + JWT_LEEWAY_S) {
		err_set(e, "token not yet valid");
		return ERR_AUTH;
	}
	return OK;
}

static enum result
check_claims(json_object *payload, const struct jwt_rules *rules, time_t now, char sub[37],
    struct jwt_times *t, struct errbuf *e)
{
	json_object *v;

	t->has_nbf = false;
	if (time_claim(payload, "exp", true, &t->exp, e) != OK)
		return ERR_AUTH;
	/* exp is checked before nbf is read: an expired token says so first. */
	if (jwt_times_check(t, rules, now, e) != OK)
		return ERR_AUTH;
	switch (time_claim(payload, "nbf", false, &t->nbf, e)) {
	case OK:
		t->has_nbf = true;
		if (jwt_times_check(t, rules, now, e) != OK)
			return ERR_AUTH;
		break;
	case ERR_NOT_FOUND:
		break;
	default:
		return ERR_AUTH;
	}
	if (rules->issuer != NULL && rules->issuer[0] != '\0') {
		if (!json_object_object_get_ex(payload, "iss", &v) || v == NULL) {
			err_set(e, "token has no iss claim");
			return ERR_AUTH;
		}
		if (!string_is(v, rules->issuer)) {
			err_set(e, "token issuer is not accepted");
			return ERR_AUTH;
		}
	}
	if (rules->audience != NULL && rules->audience[0] != '\0' &&
	    check_audience(payload, rules->audience, e) != OK)
		return ERR_AUTH;
	if (!json_object_object_get_ex(payload, "sub", &v) || v == NULL) {
		err_set(e, "token has no sub claim");
		return ERR_AUTH;
	}
	/* The length too: "<uuid>\u0000junk" is a C string that looks like a UUID. */
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) != 36 ||
	    !id_uuid_normalize(json_object_get_string(v), sub)) {
		sub[0] = '\0';
		err_set(e, "token sub is not a user id (UUID)");
		return ERR_AUTH;
	}
	return OK;
}

enum result
jwt_verify(const char *token, const struct jwt_rules *rules, time_t now, char sub[37],
    struct errbuf *e)
{
	struct jwt_times t;

	return jwt_verify_times(token, rules, now, sub, &t, e);
}

enum result
jwt_verify_times(const char *token, const struct jwt_rules *rules, time_t now, char sub[37],
    struct jwt_times *t, struct errbuf *e)
{
	const char *dot1, *dot2, *secret = rules != NULL ? rules->secret : NULL;
	json_object *header = NULL, *payload = NULL;
	unsigned char mac[32], *sig = NULL;
	size_t len, siglen;
	enum result rc = ERR_AUTH;

	sub[0] = '\0';
	if (token == NULL || *token == '\0') {
		err_set(e, "token missing");
		return ERR_AUTH;
	}
	if (secret == NULL || *secret == '\0') {
		err_set(e, "token cannot be checked: no secret configured");
		return ERR_AUTH;
	}
	if ((len = strlen(token)) > JWT_MAX_LEN) {
		err_set(e, "token too long");
		return ERR_AUTH;
	}
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL) {
		err_set(e, "malformed token: expected header.payload.signature");
		return ERR_AUTH;
	}

	if ((header = json_part(token, (size_t)(dot1 - token), "header", e)) == NULL ||
	    check_header(header, e) != OK)
		goto out;

	if (enc_base64url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &siglen) != OK ||
	    siglen != sizeof(mac)) {
		err_set(e, "bad signature");
		goto out;
	}
	enc_hmac_sha256(secret, strlen(secret), token, (size_t)(dot2 - token), mac);
	if (CRYPTO_memcmp(mac, sig, sizeof(mac)) != 0) {
		err_set(e, "bad signature");
		goto out;
	}

	if ((payload = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload", e)) == NULL)
		goto out;
	rc = check_claims(payload, rules, now, sub, t, e);
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	free(sig);
	json_object_put(header);
	json_object_put(payload);
	return rc;
}

char *
jwt_sign(const char *secret, const char *sub, time_t exp, const char *iss, const char *aud)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	json_object *payload = NULL;
	char *h = NULL, *p = NULL, *s = NULL, *signing = NULL, *token = NULL;
	const char *pjson;
	unsigned char mac[32];

	if (secret == NULL || *secret == '\0' || sub == NULL)
		return NULL;
	if ((payload = json_object_new_object()) == NULL ||
	    json_object_object_add(payload, "sub", json_object_new_string(sub)) != 0 ||
	    json_object_object_add(payload, "exp", json_object_new_int64((int64_t)exp)) != 0 ||
	    (iss != NULL && *iss != '\0' &&
	    json_object_object_add(payload, "iss", json_object_new_string(iss)) != 0) ||
	    (aud != NULL && *aud != '\0' &&
	    json_object_object_add(payload, "aud", json_object_new_string(aud)) != 0))
		goto out;
	pjson = json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN);
	if (pjson == NULL ||
	    (h = enc_base64url(header, sizeof(header) - 1)) == NULL ||
	    (p = enc_base64url(pjson, strlen(pjson))) == NULL ||
	    asprintf(&signing, "%s.%s", h, p) < 0) {
		signing = NULL;
		goto out;
	}
	enc_hmac_sha256(secret, strlen(secret), signing, strlen(signing), mac);
	if ((s = enc_base64url(mac, sizeof(mac))) == NULL ||
	    asprintf(&token, "%s.%s", signing, s) < 0)
		token = NULL;
	OPENSSL_cleanse(mac, sizeof(mac));
out:
	json_object_put(payload);
	free(h);
	free(p);
	free(s);
	free(signing);
	return token;
}
