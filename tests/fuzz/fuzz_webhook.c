/*
 * fuzz_webhook: what lib/webhook.c reads from outside the code: the
 * WEBHOOK_SECRET and WEBHOOK_URLS settings, and a webhook job's payload
 * (jsonb text). The input (up to its first NUL) is given to each.
 * A secret that parses has 24..64 bytes, is exactly "whsec_" + their
 * canonical base64, and signs; one that does not leaves the key zeroed and
 * a message that never repeats it. A URL list that parses has 1..16
 * distinct http(s) URLs of printable ASCII without spaces. A payload that
 * parses has an id without '.', and writes back to a payload that parses
 * to the same delivery.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_secret(const char *s)
{
	struct webhook_key k;
	struct errbuf e;
	char sig[WEBHOOK_SIGNATURE_SIZE], *b64;
	size_t i;

	err_clear(&e);
	if (webhook_secret_parse(s, &k, &e) == OK) {
		if (k.len < WEBHOOK_KEY_MIN || k.len > WEBHOOK_KEY_MAX)
			abort();
		if ((b64 = enc_base64(k.b, k.len)) == NULL)
			abort();
		if (strncmp(s, "whsec_", 6) != 0 || strcmp(s + 6, b64) != 0)
			abort();
		free(b64);
		if (webhook_sign(&k, "msg_x", 1, s, strlen(s), sig) != OK || strlen(sig) != 47)
			abort();
		return;
	}
	for (i = 0; i < sizeof(k.b); i++)
		if (k.b[i] != 0)
			abort();
	if (k.len != 0 || err_msg(&e)[0] == '\0')
		abort();
	/* the message never holds the secret (when it is long enough to tell) */
	if (strlen(s) >= 12 && strstr(err_msg(&e), s) != NULL)
		abort();
}

static void
check_urls(const char *s)
{
	struct webhook_urls u;
	struct errbuf e;
	size_t i, j, k;

	err_clear(&e);
	if (webhook_urls_parse(s, &u, &e) != OK) {
		if (u.buf != NULL || u.n != 0 || err_msg(&e)[0] == '\0')
			abort();
		return;
	}
	if (u.n > WEBHOOK_MAX_URLS)
		abort();
	for (i = 0; i < u.n; i++) {
		const char *url = u.url[i];

		if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
			abort();
		if (strlen(url) > WEBHOOK_URL_MAX)
			abort();
		for (k = 0; url[k] != '\0'; k++)
			if ((unsigned char)url[k] <= 0x20 || (unsigned char)url[k] >= 0x7f ||
			    url[k] == ',')
				abort();
		for (j = 0; j < i; j++)
			if (strcmp(u.url[j], url) == 0)
				abort();
	}
	webhook_urls_free(&u);
}

static void
check_payload(const char *s)
{
	struct webhook_delivery d, back;
	struct errbuf e;
	char *p;

	err_clear(&e);
	if (webhook_payload_parse(s, &d, &e) != OK) {
		if (d.url != NULL || d.body != NULL || err_msg(&e)[0] == '\0')
			abort();
		return;
	}
	if (strchr(d.webhook_id, '.') != NULL || d.webhook_id[0] == '\0')
		abort();
	if ((p = webhook_payload(&d)) == NULL)
		abort();
	if (webhook_payload_parse(p, &back, &e) != OK)
		abort();
	if (strcmp(back.url, d.url) != 0 || strcmp(back.webhook_id, d.webhook_id) != 0 ||
	    strcmp(back.type, d.type) != 0 || strcmp(back.body, d.body) != 0 ||
	    (d.track_id == NULL) != (back.track_id == NULL) ||
	    (d.track_id != NULL && strcmp(d.track_id, back.track_id) != 0))
		abort();
	free(p);
	webhook_delivery_free(&back);
	webhook_delivery_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_secret(s);
	check_urls(s);
	check_payload(s);
	free(s);
	return 0;
}
