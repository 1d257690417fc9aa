/*
 * jwt.h: HS256 JSON Web Tokens (RFC 7519) for bearer auth.
 */
#ifndef MUSTORY_JWT_H
#define MUSTORY_JWT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "result.h"

/* The shortest JWT_SECRET we accept (characters); config and mustory-token check it. */
#define JWT_SECRET_MIN 16

/* exp may lie at most this far ahead when the rules do not say (30 days). */
#define JWT_DEFAULT_MAX_TTL_S 2592000LL

/* What a token must satisfy; the strings are borrowed. */
struct jwt_rules {
	const char *secret;   /* JWT_SECRET: the HS256 key */
	const char *issuer;   /* JWT_ISSUER: "iss" must equal it; NULL or "": not checked */
	const char *audience; /* JWT_AUDIENCE: "aud" must be it or an array holding it;
	                         NULL or "": not checked */
	long long max_ttl_s;  /* JWT_MAX_TTL_SECONDS: exp at most now + this;
	                         <= 0: JWT_DEFAULT_MAX_TTL_S */
};

/*
 * Verify token: header alg must be HS256 (typ JWT or absent, no crit),
 * signature compared in constant time; header and payload must not repeat
 * a member. Claims: "exp" required, a whole number of seconds, > now and
 * <= now + max_ttl_s (30 s of leeway each way); "nbf" honoured when
 * present; "iss" and "aud" checked when the rules name them; "sub" required,
 * exactly a UUID. On OK, sub holds the lowercase UUID. Any failure is
 * ERR_AUTH with e saying why ("token expired", "bad signature", ...).
 */
enum result jwt_verify(const char *token, const struct jwt_rules *rules, time_t now,
    char sub[37], struct errbuf *e);

/* A verified token's time claims: what is left to check when it comes again. */
struct jwt_times {
	int64_t exp;
	bool has_nbf;
	int64_t nbf;
};

/* jwt_verify, and on OK the token's exp and nbf in t (for jwt_cache.h). */
enum result jwt_verify_times(const char *token, const struct jwt_rules *rules, time_t now,
    char sub[37], struct jwt_times *t, struct errbuf *e);

/*
 * The time rules of jwt_verify alone (exp, max TTL, nbf, with the same
 * leeway and messages): ERR_AUTH with e set when t fails them at now.
 */
enum result jwt_times_check(const struct jwt_times *t, const struct jwt_rules *rules,
    time_t now, struct errbuf *e);

/*
 * Mint an HS256 token for sub expiring at exp, with "iss" and "aud" when
 * not NULL (nor ""). Returns a malloc'd string or NULL.
 */
char *jwt_sign(const char *secret, const char *sub, time_t exp, const char *iss,
    const char *aud);

#endif
