/*
 * fuzz_sigv4_query: SigV4's canonical query (lib/sigv4.c) from arbitrary
 * raw parameters, and the same parameters through sigv4_presign() and
 * sigv4_sign_headers() (as query parameters, and as extra headers), plus
 * sigv4_canonical_uri() of the whole input as a path.
 *
 * Input: parameters separated by '\n'; in each, the first '=' splits name
 * from value; no '=' means value NULL ("" per the header). NUL bytes end a
 * name or value early, as they would in a C string.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#define MAXP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encoded parameters are unreserved characters and %XX, joined by & and =. */
static void
check_query(const char *q, size_t n, bool names_only)
{
	size_t amps = 0, i;

	for (i = 0; q[i] != '\0'; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c == '&') {
			amps++;
			continue;
		}
		if (c == '%') {
			if (!strchr("0123456789ABCDEF", q[i + 1]) || q[i + 1] == '\0' ||
			    !strchr("0123456789ABCDEF", q[i + 2]) || q[i + 2] == '\0')
				abort();
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '='))
			abort();
	}
	if (names_only && (n == 0 ? amps != 0 || i != 0 : amps != n - 1))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sigv4_creds creds = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "s3" };
	struct sigv4_pair p[MAXP];
	struct sigv4_request req;
	struct sigv4_signed out;
	struct errbuf e;
	char *buf, *s, *q;
	size_t n = 0;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	if ((q = sigv4_canonical_uri(buf)) == NULL)
		abort();
	free(q);

	for (s = buf; n < MAXP; ) {
		char *nl = strchr(s, '\n'), *eq;

		if (nl != NULL)
			*nl = '\0';
		p[n].name = s;
		p[n].value = NULL;
		if ((eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			p[n].value = eq + 1;
		}
		n++;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	if (size == 0)
		n = 0;

	if ((q = sigv4_canonical_query(p, n)) == NULL)
		abort();
	check_query(q, n, true);
	free(q);

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.host = "bucket.s3.amazonaws.com";
	req.path = "/tracks/a b.mp3";
	req.query = p;
	req.nquery = n;
	err_clear(&e);
	if (sigv4_presign(&creds, &req, 1369353600, 900, &out, &e) == OK) {
		if (out.query == NULL || strstr(out.query, "X-Amz-Signature=") == NULL)
			abort();
		check_query(out.query, 0, false);
		sigv4_signed_free(&out);
	} else if (err_msg(&e)[0] == '\0' || out.query != NULL) {
		abort();
	}
	err_clear(&e);
	if (sigv4_sign_headers(&creds, &req, 1369353600, &out, &e) == OK) {
		check_query(out.query, n, true);
		sigv4_signed_free(&out);
	} else if (err_msg(&e)[0] == '\0') {
		abort();
	}

	/* The same pairs as headers to sign. */
	req.query = NULL;
	req.nquery = 0;
	req.headers = p;
	req.nheaders = n;
	err_clear(&e);
	if (sigv4_sign_headers(&creds, &req, 1369353600, &out, &e) == OK) {
		if (out.authorization == NULL || strchr(out.canonical_request, '\r') != NULL)
			abort();
		sigv4_signed_free(&out);
	} else if (err_msg(&e)[0] == '\0') {
		abort();
	}
	free(buf);
	return 0;
}
