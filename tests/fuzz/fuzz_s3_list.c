/*
 * fuzz_s3_list: lib/s3_list.c's reader of a ListObjectsV2 answer on any
 * bytes a storage server may send. The input is not NUL-terminated, so a
 * read past it is an ASan report. What is accepted must be what the walk
 * relies on: every key non-empty and NUL-free, sizes >= -1, and a
 * truncated page always has a token.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3_list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3_list_page pg;
	struct errbuf e;
	char *xml;
	size_t i;

	if ((xml = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(xml, data, size);
	err_clear(&e);
	if (s3_list_parse(xml, size, &pg, &e) == OK) {
		if (pg.truncated && (pg.next_token == NULL || pg.next_token[0] == '\0'))
			abort();
		for (i = 0; i < pg.n; i++)
			if (pg.keys[i] == NULL || pg.keys[i][0] == '\0' || pg.sizes[i] < -1)
				abort();
		s3_list_page_free(&pg);
	} else if (err_msg(&e)[0] == '\0') {
		abort(); /* every refusal says why */
	}
	free(xml);
	return 0;
}
