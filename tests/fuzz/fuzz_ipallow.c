/*
 * fuzz_ipallow: METRICS_ALLOW through ipallow_parse() (lib/ipallow.c), and
 * the same bytes as a client address through ipallow_match(). A parsed
 * list holds loopback first, at most IPALLOW_MAX more entries, each with a
 * prefix in range and no host bit set past it, and each entry's own
 * network address matches it; a refusal has a message. An address matches
 * the default list only when it is loopback.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipallow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_net(const struct ipallow *a, const struct ipallow_net *n);

static void
check_net(const struct ipallow *a, const struct ipallow_net *n)
{
	char text[INET6_ADDRSTRLEN];
	int bits = n->family == 4 ? 32 : 128, i;

	if ((n->family != 4 && n->family != 6) || n->prefix < 0 || n->prefix > bits)
		abort();
	for (i = n->prefix; i < 128; i++)
		if (n->addr[i / 8] & (0x80 >> (i % 8)))
			abort();
	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, text, sizeof(text)) == NULL ||
	    !ipallow_match(a, text))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipallow a, loop;
	struct errbuf e;
	char *s;
	int i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0'; /* an environment variable ends at a NUL */
	err_clear(&e);
	if (ipallow_parse(&a, s, &e) == OK) {
		if (a.n < 2 || a.n > IPALLOW_MAX + 2 || !ipallow_match(&a, "127.0.0.1") ||
		    !ipallow_match(&a, "::1"))
			abort();
		for (i = 0; i < a.n; i++)
			check_net(&a, &a.net[i]);
	} else if (err_msg(&e)[0] == '\0') {
		abort();
	}
	if (ipallow_parse(&loop, NULL, &e) != OK)
		abort();
	if (ipallow_match(&loop, s) && strcmp(s, "127.0.0.1") != 0 && strcmp(s, "::1") != 0) {
		struct ipallow_net n;
		unsigned char v4[4] = { 127, 0, 0, 1 }, v6[16] = { [15] = 1 };

		/* another spelling of loopback (::ffff:127.0.0.1, 0:0::1) and nothing else */
		memset(&n, 0, sizeof(n));
		if (inet_pton(AF_INET6, s, n.addr) == 1) {
			if (memcmp(n.addr, v6, 16) != 0 && !(n.addr[10] == 0xff && n.addr[11] == 0xff &&
			    memcmp(n.addr + 12, v4, 4) == 0))
				abort();
		} else if (inet_pton(AF_INET, s, n.addr) != 1 || memcmp(n.addr, v4, 4) != 0) {
			abort();
		}
	}
	free(s);
	return 0;
}
