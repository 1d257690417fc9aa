#include "jwt_cache.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

static size_t slot_of(const char *token, size_t len);

/* FNV-1a: which slot a token lives in (equality is checked on the whole token). */
static size_t
slot_of(const char *token, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)token[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h % JWT_CACHE_SLOTS);
}

void
jwt_cache_init(struct jwt_cache *c)
{
	memset(c, 0, sizeof(*c));
}

enum result
jwt_verify_cached(struct jwt_cache *c, const char *token, const struct jwt_rules *rules,
    time_t now, char sub[37], struct errbuf *e)
{
	struct jwt_cache_slot *s;
	struct jwt_times t;
	size_t len;
	enum result rc;

	if (c == NULL || token == NULL || (len = strnlen(token, JWT_CACHE_TOKEN_MAX)) == 0 ||
	    len == JWT_CACHE_TOKEN_MAX)
		return jwt_verify(token, rules, now, sub, e);
	s = &c->slot[slot_of(token, len)];
	if (s->len == len && CRYPTO_memcmp(s->token, token, len) == 0) {
		c->hits++;
		if ((rc = jwt_times_check(&s->t, rules, now, e)) != OK) {
			sub[0] = '\0';
			return rc;
		}
		memcpy(sub, s->sub, sizeof(s->sub));
		return OK;
	}
	c->misses++;
	if ((rc = jwt_verify_times(token, rules, now, sub, &t, e)) != OK)
		return rc;
	memcpy(s->token, token, len);
	s->len = len;
	memcpy(s->sub, sub, sizeof(s->sub));
	s->t = t;
	return OK;
}
