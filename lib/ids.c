#include "ids.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

STATIC uint64_t id_uuid7_next(uint64_t now);

static void
uuid_format(const unsigned char b[16], char out[37])
{
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

enum result
id_uuid4(char out[37])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return ERR_IO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	uuid_format(b, out);
	return OK;
}

/*
 * The last (ms << 12 | fraction) handed out in this process: the next id
 * takes the clock when it is past it, else this plus one (a carry out of the
 * 12 fraction bits moves the millisecond on). Atomic: threads share it.
 */
static _Atomic uint64_t uuid7_last;

STATIC uint64_t
id_uuid7_next(uint64_t now)
{
	uint64_t last = atomic_load(&uuid7_last), next;

	do {
		next = now > last ? now : last + 1;
	} while (!atomic_compare_exchange_weak(&uuid7_last, &last, next));
	return next;
}

enum result
id_uuid7(char out[37])
{
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms, t;
	int i;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return ERR_IO;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	/* the millisecond's fraction in 1/4096ths (4096 * 1e6 fits easily) */
	t = id_uuid7_next(ms << 12 | ((uint64_t)ts.tv_nsec % 1000000) * 4096 / 1000000);
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(t >> (12 + 8 * (5 - i)));
	b[6] = (unsigned char)(0x70 | ((t >> 8) & 0x0f));
	b[7] = (unsigned char)(t & 0xff);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	uuid_format(b, out);
	return OK;
}

bool
id_is_uuid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool
id_uuid_normalize(const char *s, char out[37])
{
	size_t i;

	if (!id_is_uuid(s))
		return false;
	for (i = 0; i < 36; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[36] = '\0';
	return true;
}
