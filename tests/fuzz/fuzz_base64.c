/*
 * fuzz_base64: the strict decoders of lib/encode.c on arbitrary text
 * (exactly size bytes, not NUL-terminated). The header promises one
 * accepted encoding per byte string, so whatever decodes must encode back
 * to exactly the input; and any bytes encode to text that decodes back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(const uint8_t *data, size_t size, bool url)
{
	unsigned char *out = NULL, *back = NULL;
	size_t outlen = 0, backlen = 0;
	char *enc;
	enum result rc;

	rc = url ? enc_base64url_decode((const char *)data, size, &out, &outlen) :
	    enc_base64_decode((const char *)data, size, &out, &outlen);
	if (rc == OK) {
		if (out == NULL || out[outlen] != '\0')
			abort();
		enc = url ? enc_base64url(out, outlen) : enc_base64(out, outlen);
		if (enc == NULL || strlen(enc) != size || memcmp(enc, data, size) != 0)
			abort();
		free(enc);
	} else if (rc != ERR_INVALID || out != NULL || outlen != 0) {
		abort();
	}
	free(out);

	/* Encoding the raw input and decoding it gives the input back. */
	enc = url ? enc_base64url(data, size) : enc_base64(data, size);
	if (enc == NULL)
		abort();
	rc = url ? enc_base64url_decode(enc, strlen(enc), &back, &backlen) :
	    enc_base64_decode(enc, strlen(enc), &back, &backlen);
	if (rc != OK || backlen != size || memcmp(back, data, size) != 0)
		abort();
	free(back);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size, false);
	roundtrip(data, size, true);
	return 0;
}
