/*
 * jwt.c: HS256 JSON Web Tokens (RFC 7519, RFC 7515 compact form).
 *
 * Verification order: shape and size, header (alg must be exactly HS256,
 * so "none" and every asymmetric alg are refused before any crypto), the
 * signature (constant-time), and only then the claims of the now
 * authenticated payload.
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

static json_object *json_part(const char *b64, size_t len);
static enum result time_claim(json_object *payload, const char *name,
    bool required, double *out, struct errbuf *e);

/* Decode one base64url part holding a JSON object. Owned; NULL if not. */
static json_object *
json_part(const char *b64, size_t len)
{
	json_tokener *tok;
	json_object *obj = NULL;
	unsigned char *raw;
	size_t rawlen;

	if (enc_base64url_decode(b64, len, &raw, &rawlen) != OK)
		return NULL;
	if (rawlen == 0 || memchr(raw, '\0', rawlen) != NULL ||
	    (tok = json_tokener_new()) == NULL) {
		free(raw);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, (const char *)raw, (int)rawlen);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != rawlen ||
	    !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	free(raw);
	return obj;
}

/* A NumericDate claim (RFC 7519 section 2): a JSON number of seconds. */
static enum result
time_claim(json_object *payload, const char *name, bool required, double *out,
    struct errbuf *e)
{
	json_object *v;

	if (!json_object_object_get_ex(payload, name, &v) || v == NULL) {
		if (!required)
			return ERR_NOT_FOUND;
		err_set(e, "token has no %s claim", name);
		return ERR_AUTH;
	}
	if (json_object_is_type(v, json_type_int)) {
		*out = (double)json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_double)) {
		*out = json_object_get_double(v);
		if (!isfinite(*out)) {
			err_set(e, "token %s claim is not a number", name);
			return ERR_AUTH;
		}
	} else {
		err_set(e, "token %s claim is not a number", name);
		return ERR_AUTH;
	}
	return OK;
}

enum result
jwt_verify(const char *token, const char *secret, time_t now, char sub[37],
    struct errbuf *e)
{
	const char *dot1, *dot2;
	json_object *header = NULL, *payload = NULL, *v;
	unsigned char mac[32], *sig = NULL;
	size_t len, siglen;
	double exp, nbf;
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

	if ((header = json_part(token, (size_t)(dot1 - token))) == NULL) {
		err_set(e, "malformed token header");
		goto out;
	}
	if (!json_object_object_get_ex(header, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "HS256") != 0) {
		err_set(e, "token algorithm is not HS256");
		goto out;
	}
	if (json_object_object_get_ex(header, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcasecmp(json_object_get_string(v), "JWT") != 0)) {
		err_set(e, "token type is not JWT");
		goto out;
	}
	/* RFC 7515 4.1.11: extensions we do not know must be refused. */
	if (json_object_object_get_ex(header, "crit", NULL)) {
		err_set(e, "token has critical header extensions");
		goto out;
	}

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

	if ((payload = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL) {
		err_set(e, "malformed token payload");
		goto out;
	}
	if (time_claim(payload, "exp", true, &exp, e) != OK)
		goto out;
	if ((double)now >= exp + JWT_LEEWAY_S) {
		err_set(e, "token expired");
		goto out;
	}
	switch (time_claim(payload, "nbf", false, &nbf, e)) {
	case OK:
		if ((double)now + JWT_LEEWAY_S < nbf) {
			err_set(e, "token not yet valid");
			goto out;
		}
		break;
	case ERR_NOT_FOUND:
		break;
	default:
		goto out;
	}
	if (!json_object_object_get_ex(payload, "sub", &v) || v == NULL) {
		err_set(e, "token has no sub claim");
		goto out;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    !id_uuid_normalize(json_object_get_string(v), sub)) {
		sub[0] = '\0';
		err_set(e, "token sub is not a user id (UUID)");
		goto out;
	}
	rc = OK;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	free(sig);
	json_object_put(header);
	json_object_put(payload);
	return rc;
}

char *
jwt_sign(const char *secret, const char *sub, time_t exp)
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
	    json_object_object_add(payload, "exp", json_object_new_int64((int64_t)exp)) != 0)
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
