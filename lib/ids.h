/*
 * ids.h: random UUIDs (OpenSSL RAND_bytes) and UUID checks.
 */
#ifndef MUSTORY_IDS_H
#define MUSTORY_IDS_H

#include <stdbool.h>

#include "result.h"

/* Fill out with a random version-4 UUID, lowercase. */
enum result id_uuid4(char out[37]);

/* True when s is exactly a UUID in 8-4-4-4-12 hex form (any case). */
bool id_is_uuid(const char *s);

/* Copy a valid UUID lowercased into out. Returns false if s is not one. */
bool id_uuid_normalize(const char *s, char out[37]);

#endif
