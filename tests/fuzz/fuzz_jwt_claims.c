/*
 * fuzz_jwt_claims: jwt_verify() on correctly signed tokens whose header and
 * payload JSON come from the fuzzer, so the claim parsing (exp, nbf, sub)
 * and the header checks (alg, typ, crit) see arbitrary JSON.
 *
 * Input: HEADER "\n" PAYLOAD, or just PAYLOAD (no '\n') with the header
 * {"alg":"HS256","typ":"JWT"}. Both are base64url-encoded as given (any
 * bytes) and the result signed with HMAC-SHA256 under the fixed secret.
 * Then jwt_sign() with PAYLOAD as the sub: the token must verify exactly
 * when that sub is a UUID.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "ids.h"
#include "jwt.h"

#define FUZZ_SECRET "fuzz-secret-0123456789abcdef"
#define FUZZ_NOW ((time_t)1700000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char defhdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const uint8_t *nl = memchr(data, '\n', size);
	const char *hdr = defhdr, *pay = (const char *)data;
	size_t hlen = sizeof(defhdr) - 1, plen = size;
	char *h = NULL, *p = NULL, *s = NULL, *signing = NULL, *tok = NULL, *s2, sub[37];
	unsigned char mac[ENC_SHA256_LEN];
	struct errbuf e;
	enum result rc;

	if (nl != NULL) {
		hdr = (const char *)data;
		hlen = (size_t)(nl - data);
		pay = (const char *)nl + 1;
		plen = size - hlen - 1;
	}
	if ((h = enc_base64url(hdr, hlen)) == NULL || (p = enc_base64url(pay, plen)) == NULL ||
	    asprintf(&signing, "%s.%s", h, p) < 0) {
		signing = NULL;
		goto out;
	}
	enc_hmac_sha256(FUZZ_SECRET, strlen(FUZZ_SECRET), signing, strlen(signing), mac);
	if ((s = enc_base64url(mac, sizeof(mac))) == NULL || asprintf(&tok, "%s.%s", signing, s) < 0) {
		tok = NULL;
		goto out;
	}
	err_clear(&e);
	rc = jwt_verify(tok, FUZZ_SECRET, FUZZ_NOW, sub, &e);
	if (rc == OK) {
		size_t i;

		/* A lowercase UUID, nothing else. */
		if (strlen(sub) != 36)
			abort();
		for (i = 0; i < 36; i++)
			if (sub[i] >= 'A' && sub[i] <= 'Z')
				abort();
	} else if (rc != ERR_AUTH || err_msg(&e)[0] == '\0' || sub[0] != '\0') {
		abort();
	}
	/* The same token under another secret never verifies. */
	if (jwt_verify(tok, FUZZ_SECRET "x", FUZZ_NOW, sub, &e) == OK)
		abort();

	/* jwt_sign() of the payload text as a sub: verifies iff it is a UUID. */
	free(tok);
	if ((tok = malloc(plen + 1)) == NULL)
		goto out;
	memcpy(tok, pay, plen);
	tok[plen] = '\0';
	if ((s2 = jwt_sign(FUZZ_SECRET, tok, FUZZ_NOW + 60)) != NULL) {
		err_clear(&e);
		rc = jwt_verify(s2, FUZZ_SECRET, FUZZ_NOW, sub, &e);
		if ((rc == OK) != id_is_uuid(tok) || (rc == OK && strcasecmp(sub, tok) != 0))
			abort();
		free(s2);
	}
out:
	free(h);
	free(p);
	free(s);
	free(signing);
	free(tok);
	return 0;
}
