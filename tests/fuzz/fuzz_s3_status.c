/*
 * fuzz_s3_status: what a storage answer means (lib/s3_status.c) for any
 * error body (the <Code> reader) under every kind of HTTP status. The body
 * comes from the storage server, so the sentence built from it must stay
 * one plain line: the code is kept to letters and digits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 200, 204, 301, 307, 400, 401, 403, 404, 408, 409,
	429, 500, 503, 599, 0, -1 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char *body;
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.storage_endpoint = (char *)"http://127.0.0.1:9000";
	cfg.storage_bucket = (char *)"mustory-audio";
	if ((body = malloc(size + 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct errbuf e;
		bool transient = true;
		enum result rc;
		const char *m;

		err_clear(&e);
		rc = s3_status_result(&cfg, "GET", "hls/x/master.m3u8", statuses[i], body,
		    &transient, &e);
		m = err_msg(&e);
		if (statuses[i] >= 200 && statuses[i] < 300) {
			if (rc != OK || transient)
				abort();
			continue;
		}
		if ((rc != ERR_NOT_FOUND && rc != ERR_AUTH && rc != ERR_STORAGE) ||
		    (transient && rc != ERR_STORAGE) || m[0] == '\0')
			abort();
		for (; *m != '\0'; m++)
			if ((unsigned char)*m < 0x20 || *m == '<' || *m == '>')
				abort();
	}
	free(body);
	return 0;
}
