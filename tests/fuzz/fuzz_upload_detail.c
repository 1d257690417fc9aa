/*
 * fuzz_upload_detail: the sentence mustory-upload prints from an answer
 * (tools/upload_http.c uresp_detail) for any body, JSON from the API or XML
 * from storage or neither, under several statuses. A hostile server must
 * not reach the terminal with control characters (escape sequences) or
 * broken UTF-8, and the sentence fits its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload_http.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = { 0, 204, 401, 403, 422, 500, 503 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, j, len;
	const char *d;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct uresp r;

		memset(&r, 0, sizeof(r));
		if ((r.body = malloc(size + 1)) == NULL)
			return 0;
		memcpy(r.body, data, size);
		r.body[size] = '\0';
		r.len = size;
		r.status = statuses[i];
		r.json = json_tokener_parse(r.body);
		if (statuses[i] == 0) { /* no answer: curl's sentence */
			r.cc = CURLE_COULDNT_CONNECT;
			memcpy(r.error, data, size < sizeof(r.error) - 1 ? size : sizeof(r.error) - 1);
		}
		d = uresp_detail(&r);
		len = strlen(d);
		if (len == 0 || len >= sizeof(r.detail) || !utf8_valid(d, len, NULL, NULL))
			abort();
		for (j = 0; j < len; j++) {
			unsigned char ch = (unsigned char)d[j];

			if (ch < 0x20 || ch == 0x7f)
				abort();
			if (ch == 0xc2 && j + 1 < len && (unsigned char)d[j + 1] >= 0x80 &&
			    (unsigned char)d[j + 1] <= 0x9f)
				abort(); /* C1 controls */
		}
		(void)uresp_code(&r);
		uresp_free(&r);
	}
	return 0;
}
