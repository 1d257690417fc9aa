/*
 * fuzz_probe_sniff: the magic-byte sniffer of jobs/probe.c on an arbitrary
 * file head: probe_sniff() as probe_file() calls it on the first
 * PROBE_SNIFF_BYTES, and probe_sniff_at() (STATIC, visible with -DUNITTEST)
 * as it is called after a long ID3 tag.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct sniff *s)
{
	static const char *const ok[] = { "mp3", "aac", "flac", "wav", "ogg", "mov" };
	size_t i;

	if (s->looks == NULL || s->looks[0] == '\0')
		abort();
	if (s->demuxer == NULL)
		return;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(s->demuxer, ok[i]) == 0)
			return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sniff s;

	if (size > PROBE_SNIFF_BYTES)
		size = PROBE_SNIFF_BYTES;
	probe_sniff(data, size, &s);
	check(&s);
	probe_sniff_at(data, size, false, &s);
	check(&s);
	probe_sniff_at(data, size, true, &s);
	check(&s);
	return 0;
}
