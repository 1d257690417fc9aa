/*
 * fuzz_gateway_path: gateway_path() (fcgi/gateway.c), the request path
 * from SCRIPT_NAME, PATH_INFO and REQUEST_URI, which the client controls.
 * Input: "SCRIPT_NAME\nPATH_INFO\nREQUEST_URI" (fewer lines: NULLs), any
 * bytes. Checks: out is always a string within its buffer; "/" when
 * nothing names a path; a decoded REQUEST_URI holds no NUL and is never
 * longer than its source; with SCRIPT_NAME/PATH_INFO the result is a
 * prefix of their concatenation, cut (when too long) before a byte that
 * starts a character unless the part has none.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *part[3] = { NULL, NULL, NULL }, *p, *nl, *cat;
	char out[64];
	size_t i, n, outlen;
	bool ok;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (strlen(buf) != size) { /* a parameter never holds a NUL */
		free(buf);
		return 0;
	}
	for (p = buf, i = 0; i < 3 && p != NULL; i++) {
		part[i] = p;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		p = nl;
	}
	memset(out, 'X', sizeof(out));
	ok = gateway_path(part[0], part[1], part[2], out, sizeof(out));
	if (memchr(out, '\0', sizeof(out)) == NULL)
		abort();
	outlen = strlen(out);
	if ((part[0] == NULL || !*part[0]) && (part[1] == NULL || !*part[1])) {
		if (part[2] == NULL || !*part[2]) {
			if (!ok || strcmp(out, "/") != 0)
				abort();
		} else if (outlen > strcspn(part[2], "?#"))
			abort();
	} else {
		n = strlen(part[0]) + (part[1] != NULL ? strlen(part[1]) : 0);
		if ((cat = malloc(n + 1)) == NULL)
			abort();
		strcpy(cat, part[0]);
		if (part[1] != NULL)
			strcat(cat, part[1]);
		if (strncmp(cat, out, outlen) != 0 || ok != (outlen == n))
			abort();
		/* cut inside a character, where the part had a character start before it */
		if (!ok && ((unsigned char)cat[outlen] & 0xC0) == 0x80) {
			size_t from = outlen >= strlen(part[0]) ? strlen(part[0]) : 0;

			for (i = from; i < outlen; i++)
				if (((unsigned char)cat[i] & 0xC0) != 0x80)
					abort();
		}
		free(cat);
	}
	free(buf);
	return 0;
}
