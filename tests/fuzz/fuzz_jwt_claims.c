/*
 * fuzz_jwt_claims: jwt_verify() on correctly signed tokens whose header and
 * payload JSON come from the fuzzer, so the claim parsing (exp, nbf, sub,
 * iss, aud, repeated members) and the header checks (alg, typ, crit) see
 * arbitrary JSON. Verified under the API's default rules and under rules
 * with an issuer, an audience and a one-hour bound: passing the strict
 * rules implies passing the default ones.
 *
 * Input: HEADER "\n" PAYLOAD, or just PAYLOAD (no '\n') with the header
 * {"alg":"HS256","typ":"JWT"}. Both are base64url-encoded as given (any
 * bytes) and the result signed with HMAC-SHA256 under the fixed secret.
 * Then jwt_sign() with PAYLOAD as the sub (and as iss and aud): the token
 * must verify exactly when that sub is a UUID.
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
#define FUZZ_ISS "https://id.example"
#define FUZZ_AUD "mustory-api"

static const struct jwt_rules lax = { FUZZ_SECRET, NULL, NULL, 0 };
static const struct jwt_rules strict = { FUZZ_SECRET, FUZZ_ISS, FUZZ_AUD, 3600 };
static const struct jwt_rules other = { FUZZ_SECRET "x", NULL, NULL, 0 };

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
	rc = jwt_verify(tok, &lax, FUZZ_NOW, sub, &e);
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
	/* Stricter rules never let through what the default ones refuse. */
	err_clear(&e);
	if (jwt_verify(tok, &strict, FUZZ_NOW, sub, &e) == OK && rc != OK)
		abort();
	/* The same token under another secret never verifies. */
	if (jwt_verify(tok, &other, FUZZ_NOW, sub, &e) == OK)
		abort();

	/* jwt_sign() of the payload text as a sub: verifies iff it is a UUID. */
	free(tok);
	if ((tok = malloc(plen + 1)) == NULL)
		goto out;
	memcpy(tok, pay, plen);
	tok[plen] = '\0';
	if ((s2 = jwt_sign(FUZZ_SECRET, tok, FUZZ_NOW + 60, NULL, NULL)) != NULL) {
		err_clear(&e);
		rc = jwt_verify(s2, &lax, FUZZ_NOW, sub, &e);
		if ((rc == OK) != id_is_uuid(tok) || (rc == OK && strcasecmp(sub, tok) != 0))
			abort();
		free(s2);
	}
	/* ... and signed with the rules' iss and aud it passes them too. */
	if ((s2 = jwt_sign(FUZZ_SECRET, tok, FUZZ_NOW + 60, FUZZ_ISS, FUZZ_AUD)) != NULL) {
		err_clear(&e);
		rc = jwt_verify(s2, &strict, FUZZ_NOW, sub, &e);
		if ((rc == OK) != id_is_uuid(tok))
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
