/*
 * ipallow.h: an allow list of client addresses (METRICS_ALLOW): loopback
 * (127.0.0.1 and ::1) always, plus a comma list of IPv4/IPv6 addresses and
 * CIDR blocks ("10.0.0.5, 192.168.0.0/16, fd00::/8"). A block's host bits
 * are ignored, as nginx's allow does (10.1.2.3/8 is 10.0.0.0/8). An IPv4
 * address written IPv4-mapped (::ffff:10.0.0.5, what a dual-stack socket
 * reports) is matched as the IPv4 address.
 */
#ifndef MUSTORY_IPALLOW_H
#define MUSTORY_IPALLOW_H

#include <stdbool.h>

#include "result.h"

/* Entries beyond the two loopback ones. */
#define IPALLOW_MAX 32

struct ipallow_net {
	unsigned char addr[16]; /* network order; IPv4 in the first 4 bytes */
	int family;             /* 4 or 6 */
	int prefix;             /* 0..32 or 0..128 */
};

struct ipallow {
	struct ipallow_net net[IPALLOW_MAX + 2];
	int n;
};

/*
 * Parse list (NULL or "" = loopback only) into a. Spaces around entries are
 * ignored; an empty entry, a bad address, a bad prefix or more than
 * IPALLOW_MAX entries is ERR_INVALID with e saying which entry and why
 * (the caller adds the variable's name).
 */
enum result ipallow_parse(struct ipallow *a, const char *list, struct errbuf *e);

/* Is addr (a textual address such as REMOTE_ADDR; NULL is not) on the list? */
bool ipallow_match(const struct ipallow *a, const char *addr);

#endif
