/*
 * jwt_cache.h: a small per-process cache of verified bearer tokens.
 *
 * A client polls with the same token for minutes; verifying it (two
 * base64url decodes, two JSON parses, an HMAC) was half of a status call's
 * user-space work. A token that verified once verifies again under the same
 * rules until its time claims say otherwise, so a hit only re-checks exp
 * and nbf (jwt_times_check: the same rules and messages). Keyed by the
 * whole token, compared in constant time; only successes are kept;
 * direct-mapped, so it is bounded (JWT_CACHE_SLOTS tokens of at most
 * JWT_CACHE_TOKEN_MAX bytes; longer ones are verified every time).
 * The rules must stay the same for the cache's life (one configuration per
 * worker process); not shared between threads.
 */
#ifndef MUSTORY_JWT_CACHE_H
#define MUSTORY_JWT_CACHE_H

#include <stddef.h>

#include "jwt.h"

#define JWT_CACHE_SLOTS 64
#define JWT_CACHE_TOKEN_MAX 512

struct jwt_cache_slot {
	size_t len; /* 0: empty */
	char token[JWT_CACHE_TOKEN_MAX];
	char sub[37];
	struct jwt_times t;
};

struct jwt_cache {
	struct jwt_cache_slot slot[JWT_CACHE_SLOTS];
	unsigned long hits, misses;
};

/* An empty cache. */
void jwt_cache_init(struct jwt_cache *c);

/* jwt_verify, answered from c when the token verified before (c may be NULL: no cache). */
enum result jwt_verify_cached(struct jwt_cache *c, const char *token,
    const struct jwt_rules *rules, time_t now, char sub[37], struct errbuf *e);

#endif
