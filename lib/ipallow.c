#include "ipallow.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* The longest entry: an IPv6 address with an embedded IPv4 and "/128". */
#define IPALLOW_ENTRY_MAX (INET6_ADDRSTRLEN + 4)

static bool ipallow_addr(const char *s, struct ipallow_net *n);
static int ipallow_prefix(const char *s, int max);
static void ipallow_mask(struct ipallow_net *n);
static enum result ipallow_entry(struct ipallow *a, const char *s, size_t len, struct errbuf *e);
static bool ipallow_in(const struct ipallow_net *net, const struct ipallow_net *addr);

/* A plain address into n (prefix: the full length); false when it is none. */
static bool
ipallow_addr(const char *s, struct ipallow_net *n)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, s, n->addr) == 1) {
		n->family = 4;
		n->prefix = 32;
		return true;
	}
	if (inet_pton(AF_INET6, s, n->addr) != 1)
		return false;
	n->family = 6;
	n->prefix = 128;
	if (memcmp(n->addr, mapped, sizeof(mapped)) == 0) {
		memmove(n->addr, n->addr + 12, 4);
		memset(n->addr + 4, 0, 12);
		n->family = 4;
		n->prefix = 32;
	}
	return true;
}

/* "0".."max" in decimal without sign or leading zero; -1 otherwise. */
static int
ipallow_prefix(const char *s, int max)
{
	int v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Clear the host bits past n->prefix. */
static void
ipallow_mask(struct ipallow_net *n)
{
	int i, bits = n->prefix;

	for (i = 0; i < 16; i++, bits -= 8) {
		if (bits >= 8)
			continue;
		n->addr[i] &= bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
	}
}

/* One entry, s[0..len) without the spaces around it. */
static enum result
ipallow_entry(struct ipallow *a, const char *s, size_t len, struct errbuf *e)
{
	char buf[IPALLOW_ENTRY_MAX + 1], *slash;
	struct ipallow_net n;
	int prefix = -1;
	bool mapped_v4;

	if (len == 0) {
		err_set(e, "an entry is empty (two commas, or a comma at an end)");
		return ERR_INVALID;
	}
	if (len > IPALLOW_ENTRY_MAX) {
		err_set(e, "\"%.*s...\" is too long for an address", 24, s);
		return ERR_INVALID;
	}
	if (a->n >= IPALLOW_MAX + 2) {
		err_set(e, "more than %d entries", IPALLOW_MAX);
		return ERR_INVALID;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (!ipallow_addr(buf, &n)) {
		err_set(e, "\"%s\" is not an IPv4 or IPv6 address", buf);
		return ERR_INVALID;
	}
	/* ::ffff:a.b.c.d/N counts its prefix over the IPv6 form */
	mapped_v4 = n.family == 4 && strchr(buf, ':') != NULL;
	if (slash != NULL) {
		prefix = ipallow_prefix(slash + 1, n.family == 4 && !mapped_v4 ? 32 : 128);
		if (prefix < 0 || (mapped_v4 && prefix < 96)) {
			err_set(e, "\"%s/%s\": the prefix must be a number from %d to %d", buf,
			    slash + 1, mapped_v4 ? 96 : 0, n.family == 4 && !mapped_v4 ? 32 : 128);
			return ERR_INVALID;
		}
		n.prefix = mapped_v4 ? prefix - 96 : prefix;
	}
	ipallow_mask(&n);
	a->net[a->n++] = n;
	return OK;
}

enum result
ipallow_parse(struct ipallow *a, const char *list, struct errbuf *e)
{
	const char *p, *end, *b, *t;
	enum result rc;

	memset(a, 0, sizeof(*a));
	(void)ipallow_addr("127.0.0.1", &a->net[a->n++]);
	(void)ipallow_addr("::1", &a->net[a->n++]);
	if (list == NULL || list[strspn(list, " \t")] == '\0')
		return OK;
	for (p = list;; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		for (b = p; b < end && (*b == ' ' || *b == '\t'); b++)
			;
		for (t = end; t > b && (t[-1] == ' ' || t[-1] == '\t'); t--)
			;
		if ((rc = ipallow_entry(a, b, (size_t)(t - b), e)) != OK)
			return rc;
		if (*end == '\0')
			return OK;
	}
}

static bool
ipallow_in(const struct ipallow_net *net, const struct ipallow_net *addr)
{
	int full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != addr->family)
		return false;
	if (memcmp(net->addr, addr->addr, (size_t)full) != 0)
		return false;
	return rest == 0 ||
	    ((net->addr[full] ^ addr->addr[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

bool
ipallow_match(const struct ipallow *a, const char *addr)
{
	struct ipallow_net n;
	int i;

	if (addr == NULL || strlen(addr) > IPALLOW_ENTRY_MAX || !ipallow_addr(addr, &n))
		return false;
	for (i = 0; i < a->n; i++)
		if (ipallow_in(&a->net[i], &n))
			return true;
	return false;
}
