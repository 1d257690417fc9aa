/*
 * fuzz_jwt: jwt_verify() on an arbitrary bearer token, as the API gets it
 * from the Authorization header (NUL-terminated, any bytes). Fixed secret
 * and clock. Almost every input stops at the signature check; fuzz_jwt_claims
 * gets past it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef"
#define FUZZ_NOW ((time_t)1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf e;
	char *tok, sub[37];
	enum result rc;

	if ((tok = malloc(size + 1)) == NULL)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	err_clear(&e);
	rc = jwt_verify(tok, &(struct jwt_rules){ FUZZ_SECRET, NULL, NULL, 0 }, FUZZ_NOW, sub, &e);
	if (rc == OK) {
		if (strlen(sub) != 36)
			abort();
	} else if (rc != ERR_AUTH || err_msg(&e)[0] == '\0' || sub[0] != '\0') {
		abort();
	}
	free(tok);
	return 0;
}
