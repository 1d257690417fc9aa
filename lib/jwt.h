/*
 * jwt.h: HS256 JSON Web Tokens (RFC 7519) for bearer auth.
 */
#ifndef MUSTORY_JWT_H
#define MUSTORY_JWT_H

#include <time.h>

#include "result.h"

/* The shortest JWT_SECRET we accept (characters); config and mustory-token check it. */
#define JWT_SECRET_MIN 16

/*
 * Verify token: header alg must be HS256 (typ JWT or absent), signature
 * compared in constant time, "exp" required and > now (no leeway beyond
 * 30 s), "nbf" honoured when present, "sub" required and a UUID. On OK, sub
 * holds the lowercase UUID. Any failure is ERR_AUTH with e saying why
 * ("token expired", "bad signature", ...).
 */
enum result jwt_verify(const char *token, const char *secret, time_t now,
    char sub[37], struct errbuf *e);

/* Mint an HS256 token for sub expiring at exp. Returns malloc'd string or NULL. */
char *jwt_sign(const char *secret, const char *sub, time_t exp);

#endif
