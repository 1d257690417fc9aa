#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_name = "mustory";
static enum log_level log_min = LOG_LEVEL_INFO;

static void log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap);

void
log_init(const char *name, enum log_level min)
{
	log_name = name;
	log_min = min;
}

int
log_level_parse(const char *s)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static void
log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	static const char *const lvls[] = { "debug", "info", "warn", "error" };
	char msg[2048], out[4096 + 128], ts[32];
	size_t i, o = 0;
	struct tm tm;
	time_t now;

	if (lvl < log_min)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (i = 0; msg[i] != '\0' && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (errnum != 0)
		fprintf(stderr, "%s %s[%ld] %s: %s: %s\n", ts, log_name,
		    (long)getpid(), lvls[lvl], out, strerror(errnum));
	else
		fprintf(stderr, "%s %s[%ld] %s: %s\n", ts, log_name,
		    (long)getpid(), lvls[lvl], out);
}

#define LOG_FN(fn, lvl, useerr)                                   \
	void fn(const char *fmt, ...)                             \
	{                                                         \
		int saved = errno;                                \
		va_list ap;                                       \
		va_start(ap, fmt);                                \
		log_emit(lvl, (useerr) ? saved : 0, fmt, ap);     \
		va_end(ap);                                       \
		errno = saved;                                    \
	}

LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_errx, LOG_LEVEL_ERROR, 0)
