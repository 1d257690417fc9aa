/*
 * ids.h: new UUIDs (random bits from OpenSSL RAND_bytes) and UUID checks.
 */
#ifndef MUSTORY_IDS_H
#define MUSTORY_IDS_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

/* Fill out with a random version-4 UUID, lowercase. */
enum result id_uuid4(char out[37]);

/*
 * Fill out with a time-ordered version-7 UUID (RFC 9562 section 5.7),
 * lowercase: 48 bits of Unix time in milliseconds, 12 bits of the
 * millisecond's fraction (method 3 of section 6.2), 62 random bits. Strictly
 * increasing within a process (a clock that stands still or steps back
 * continues from the last id). New rows' keys land at the right edge of a
 * B-tree index instead of on a random leaf. ERR_IO without randomness.
 */
enum result id_uuid7(char out[37]);

/* True when s is exactly a UUID in 8-4-4-4-12 hex form (any case, any version). */
bool id_is_uuid(const char *s);

/* Copy a valid UUID lowercased into out. Returns false if s is not one. */
bool id_uuid_normalize(const char *s, char out[37]);

#ifdef UNITTEST
/*
 * id_uuid7's clock step: now is (Unix ms << 12 | 12-bit fraction); returns
 * now, or the last value returned plus one when now is not past it.
 */
uint64_t id_uuid7_next(uint64_t now);
#endif

#endif
