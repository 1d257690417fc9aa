/*
 * result.h: the one result type of the project, and the error buffer that
 * keeps the first failure message (curl's Curl_failf idea).
 */
#ifndef MUSTORY_RESULT_H
#define MUSTORY_RESULT_H

#include <stddef.h>

#ifdef UNITTEST
#define STATIC
#else
#define STATIC static
#endif

enum result {
	OK = 0,
	ERR_NOMEM,      /* allocation failed */
	ERR_INVALID,    /* bad input: the caller's fault, never retried */
	ERR_NOT_FOUND,  /* the thing asked for does not exist */
	ERR_CONFLICT,   /* the thing is in the wrong state (or a unique violation) */
	ERR_AUTH,       /* missing, expired or forged credentials */
	ERR_TOO_LARGE,  /* input over a configured cap */
	ERR_DB,         /* the database is unreachable or failed */
	ERR_STORAGE,    /* storage is unreachable or answered 5xx */
	ERR_IO,         /* local file or process failure */
	ERR_TIMEOUT,    /* something took longer than allowed */
	ERR_PERMANENT,  /* a job failure that no retry can fix */
	ERR_LEASE_LOST, /* the runner no longer holds the job's lease */
	ERR_ABORTED,    /* work stopped on request (shutdown or a lost lease) */
	ERR_LIMIT,      /* a per-user limit is reached (not a size: ERR_TOO_LARGE) */
	ERR_CANCELLED,  /* the job was cancelled while it ran (e.g. its track deleted) */
	ERR_REMOTE,     /* another party's service (a webhook endpoint) failed: retry later */
	ERR__MAX
};

/* Static string naming the result ("ERR_DB" -> "database error"). */
const char *result_str(enum result r);

/*
 * An error context: holds the first message set, later ones are dropped so
 * the root cause is what gets logged and shown. Beside it, optionally, the
 * sentence for the person whose file it is (a job's processing_error): set
 * only where the cause is known and can be said without our internals (no
 * paths, hosts, keys, addresses or tool output); msg keeps the detail for
 * the operator.
 */
struct errbuf {
	char msg[512];
	char pub[256];
};

void err_clear(struct errbuf *e);
/* Set the message if none is set yet; printf-style. e may be NULL. */
void err_set(struct errbuf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Set the public sentence if none is set yet; printf-style. e may be NULL. */
void err_public(struct errbuf *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Borrowed: the message, or "" when none was set. */
const char *err_msg(const struct errbuf *e);
/* Borrowed: the public sentence, or "" when none was set. */
const char *err_pub(const struct errbuf *e);

#endif
