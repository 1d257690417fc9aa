/*
 * fuzz_s3_multipart: the XML readers of lib/s3_multipart.c on any answer a
 * storage server may send: a ListParts page, a CreateMultipartUpload
 * result, an <Error> (also in the body of a 200). The input is not
 * NUL-terminated, so a read past it is an ASan report. What is accepted
 * must be safe to echo: part numbers 1..10000, sizes >= 0, ETags and the
 * upload id printable ASCII; and the parts read must make a
 * CompleteMultipartUpload body. The same bytes as the answer of a 200, 400,
 * 404 and 503 (s3mp_answer): OK only for a 2xx that is no <Error>, else
 * an error with a message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3_multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
printable_or_abort(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == 0 || n >= cap)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3mp_parts ps = { 0 };
	char id[S3MP_UPLOAD_ID_MAX], code[64], *xml, *doc;
	bool truncated;
	int next;
	size_t i;

	if ((doc = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(doc, data, size);
	if (s3mp_parse_list(doc, size, &ps, &truncated, &next) == OK) {
		if (next < 0 || next > S3MP_MAX_PARTS || ps.n > ps.cap)
			abort();
		for (i = 0; i < ps.n; i++) {
			if (ps.v[i].number < 1 || ps.v[i].number > S3MP_MAX_PARTS || ps.v[i].size < 0)
				abort();
			printable_or_abort(ps.v[i].etag, sizeof(ps.v[i].etag));
		}
		if ((xml = s3mp_complete_xml(&ps)) == NULL)
			abort();
		free(xml);
	}
	s3mp_parts_free(&ps);
	if (s3mp_parse_create(doc, size, id, sizeof(id)) == OK)
		printable_or_abort(id, sizeof(id));
	else if (id[0] != '\0')
		abort();
	if (s3mp_parse_error(doc, size, code, sizeof(code)))
		for (i = 0; code[i] != '\0'; i++)
			if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= 'A' && code[i] <= 'Z') ||
			    (code[i] >= '0' && code[i] <= '9')))
				abort();
	{
		static const long statuses[] = { 200, 204, 400, 403, 404, 503 };
		struct config cfg;
		char *txt = malloc(size + 1); /* s3mp_answer reads a NUL-terminated body */

		if (txt == NULL)
			goto out;
		memcpy(txt, data, size);
		txt[size] = '\0';
		memset(&cfg, 0, sizeof(cfg));
		cfg.storage_endpoint = (char *)"http://127.0.0.1:9000";
		cfg.storage_bucket = (char *)"mustory-audio";
		for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
			struct errbuf e;
			enum result rc;

			err_clear(&e);
			rc = s3mp_answer(&cfg, "POST", "tracks/x/original.wav", "completing",
			    statuses[i], txt, size, &e);
			if ((rc == OK) != (statuses[i] < 300 && !s3mp_parse_error(doc, size, code,
			    sizeof(code))) || (rc != OK && err_msg(&e)[0] == '\0'))
				abort();
		}
		free(txt);
	}
out:
	free(doc);
	return 0;
}
