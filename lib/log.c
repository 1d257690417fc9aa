#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "result.h"
#include "utf8.h"

#define LOG_ID_MAX 64 /* bytes kept of a request or track id */

static const char *log_name = "mustory";
static enum log_level log_min = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static const char *const log_lvls[] = { "debug", "info", "warn", "error" };

/* The context: plain globals, set by the one thread that serves a request or job. */
static struct {
	char request_id[LOG_ID_MAX + 1];
	char track_id[LOG_ID_MAX + 1];
	long long job_id;
} log_ctx;

static void log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap);
static void ctx_copy(char dst[LOG_ID_MAX + 1], const char *s);
static size_t json_str(char *out, size_t size, const char *s);
static size_t room(size_t size, size_t o, size_t want, size_t tail);
STATIC size_t log_render_json(char *out, size_t size, enum log_level lvl, const char *msg,
    const struct timespec *ts);

void
log_init(const char *name, enum log_level min)
{
	log_name = name;
	log_min = min;
}

int
log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(log_lvls) / sizeof(log_lvls[0]); i++)
		if (strcasecmp(s, log_lvls[i]) == 0)
			return (int)i;
	return -1;
}

int
log_format_parse(const char *s)
{
	if (strcasecmp(s, "text") == 0)
		return LOG_FORMAT_TEXT;
	if (strcasecmp(s, "json") == 0)
		return LOG_FORMAT_JSON;
	return -1;
}

void
log_set_format(enum log_format f)
{
	log_fmt = f;
}

static void
ctx_copy(char dst[LOG_ID_MAX + 1], const char *s)
{
	if (s == NULL || strcmp(s, "-") == 0)
		s = "";
	snprintf(dst, LOG_ID_MAX + 1, "%s", s);
}

void
log_context_set(const char *request_id, const char *track_id, long long job_id)
{
	ctx_copy(log_ctx.request_id, request_id);
	ctx_copy(log_ctx.track_id, track_id);
	log_ctx.job_id = job_id > 0 ? job_id : 0;
}

void
log_context_clear(void)
{
	log_context_set(NULL, NULL, 0);
}

/*
 * s as a JSON string (quotes included) into out[0..size), size >= 3:
 * well-formed UTF-8 (ill-formed parts as U+FFFD), '"', '\' and controls
 * escaped; cut between characters when it does not fit. Returns the length.
 */
static size_t
json_str(char *out, size_t size, const char *s)
{
	static const char fffd[] = "\xef\xbf\xbd";
	size_t len = strlen(s), i = 0, o = 0, n, skip, need;
	char esc[8];
	const char *put;
	uint32_t cp;

	if (size < 3)
		return 0;
	out[o++] = '"';
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp, NULL, &skip);
		put = s + i;
		need = n;
		if (n == 0) {
			put = fffd;
			need = 3;
			n = skip;
		} else if (cp == '"' || cp == '\\') {
			snprintf(esc, sizeof(esc), "\\%c", (char)cp);
			put = esc;
			need = 2;
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			put = esc;
			need = 6;
		}
		if (o + need + 2 > size)
			break;
		memcpy(out + o, put, need);
		o += need;
		i += n;
	}
	out[o++] = '"';
	out[o] = '\0';
	return o;
}

/* Room for a JSON string of at most want bytes at out + o, keeping tail bytes free. */
static size_t
room(size_t size, size_t o, size_t want, size_t tail)
{
	size_t left = o + tail < size ? size - o - tail : 0;

	return want < left ? want : left;
}

STATIC size_t
log_render_json(char *out, size_t size, enum log_level lvl, const char *msg,
    const struct timespec *ts)
{
	char when[40], head[160];
	struct tm tm;
	size_t o;

	/* The fixed part is short: 'size >= 256' leaves room for it and the tail. */
	gmtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(head, sizeof(head), "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"program\":",
	    when, ts->tv_nsec / 1000000L, log_lvls[lvl]);
	o = (size_t)snprintf(out, size, "%s", head);
	o += json_str(out + o, room(size, o, 80, 120), log_name);
	o += (size_t)snprintf(out + o, size - o, ",\"pid\":%ld", (long)getpid());
	if (log_ctx.request_id[0] != '\0' && room(size, o, 20, 120) == 20) {
		o += (size_t)snprintf(out + o, size - o, ",\"request_id\":");
		o += json_str(out + o, room(size, o, 6 * LOG_ID_MAX + 3, 100), log_ctx.request_id);
	}
	if (log_ctx.track_id[0] != '\0' && room(size, o, 20, 100) == 20) {
		o += (size_t)snprintf(out + o, size - o, ",\"track_id\":");
		o += json_str(out + o, room(size, o, 6 * LOG_ID_MAX + 3, 80), log_ctx.track_id);
	}
	if (log_ctx.job_id > 0 && room(size, o, 40, 40) == 40)
		o += (size_t)snprintf(out + o, size - o, ",\"job_id\":%lld", log_ctx.job_id);
	o += (size_t)snprintf(out + o, size - o, ",\"message\":");
	/* Room for the closing brace, the newline and the NUL. */
	o += json_str(out + o, room(size, o, size, 2), msg);
	out[o++] = '}';
	out[o++] = '\n';
	out[o] = '\0';
	return o;
}

static void
log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	char msg[2048], out[4096 + 1024], ts[32];
	size_t i, o = 0;
	struct timespec now;
	struct tm tm;

	if (lvl < log_min)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &now);
	if (log_fmt == LOG_FORMAT_JSON) {
		if (errnum != 0) {
			o = strlen(msg);
			snprintf(msg + o, sizeof(msg) - o, ": %s", strerror(errnum));
		}
		o = log_render_json(out, sizeof(out), lvl, msg, &now);
		fwrite(out, 1, o, stderr);
		return;
	}
	for (i = 0; msg[i] != '\0' && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)msg[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (errnum != 0)
		fprintf(stderr, "%s %s[%ld] %s: %s: %s\n", ts, log_name,
		    (long)getpid(), log_lvls[lvl], out, strerror(errnum));
	else
		fprintf(stderr, "%s %s[%ld] %s: %s\n", ts, log_name,
		    (long)getpid(), log_lvls[lvl], out);
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
