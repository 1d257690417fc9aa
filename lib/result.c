#include "result.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const result_names[ERR__MAX] = {
	[OK] = "ok",
	[ERR_NOMEM] = "out of memory",
	[ERR_INVALID] = "invalid input",
	[ERR_NOT_FOUND] = "not found",
	[ERR_CONFLICT] = "conflict",
	[ERR_AUTH] = "not authorized",
	[ERR_TOO_LARGE] = "too large",
	[ERR_DB] = "database error",
	[ERR_STORAGE] = "storage error",
	[ERR_IO] = "i/o error",
	[ERR_TIMEOUT] = "timed out",
	[ERR_PERMANENT] = "permanent failure",
	[ERR_LEASE_LOST] = "lease lost",
	[ERR_ABORTED] = "aborted",
	[ERR_LIMIT] = "limit reached",
	[ERR_CANCELLED] = "cancelled",
	[ERR_REMOTE] = "remote endpoint error",
};

const char *
result_str(enum result r)
{
	if ((int)r < 0 || r >= ERR__MAX)
		return "unknown error";
	return result_names[r];
}

void
err_clear(struct errbuf *e)
{
	if (e != NULL) {
		e->msg[0] = '\0';
		e->pub[0] = '\0';
	}
}

void
err_set(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->msg[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void
err_public(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->pub[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(e->pub, sizeof(e->pub), fmt, ap);
	va_end(ap);
}

const char *
err_msg(const struct errbuf *e)
{
	return e == NULL ? "" : e->msg;
}

const char *
err_pub(const struct errbuf *e)
{
	return e == NULL ? "" : e->pub;
}
