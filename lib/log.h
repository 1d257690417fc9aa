/*
 * log.h: one-line logs on stderr, err(3) style.
 * log_warn appends strerror(errno); log_warnx does not. Control characters in
 * the formatted message are escaped, so untrusted text cannot forge lines.
 * Never pass secrets (keys, tokens, signatures) to these functions.
 *
 * Two formats (LOG_FORMAT): text (the default)
 *   2026-12-01T20:00:00Z mustory-api[123] warn: message
 * and json, one object per line:
 *   {"time":"2026-12-01T20:00:00.123Z","level":"warn","program":"mustory-api",
 *    "pid":123,"message":"...","request_id":"...","track_id":"...","job_id":7}
 * where request_id, track_id and job_id appear when the context
 * (log_context_set) knows them. The message is well-formed UTF-8 (ill-formed
 * bytes become U+FFFD) with '"', '\' and control characters escaped.
 */
#ifndef MUSTORY_LOG_H
#define MUSTORY_LOG_H

#include <stddef.h>
#include <time.h>

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* name is borrowed for the life of the process. */
void log_init(const char *name, enum log_level min);
/* Parse "debug"/"info"/"warn"/"error"; returns -1 when unknown. */
int log_level_parse(const char *s);
/* Parse "text"/"json"; returns -1 when unknown. */
int log_format_parse(const char *s);
void log_set_format(enum log_format f);

/*
 * What the lines that follow are about, until log_context_clear: the
 * request (nginx's $request_id), the track, the job. NULL, "" or "-" (and
 * job_id 0) mean not known. Copied. Set by the API per request and by the
 * runner per job; the text format does not show it.
 */
void log_context_set(const char *request_id, const char *track_id, long long job_id);
void log_context_clear(void);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef UNITTEST
/*
 * The JSON line for msg (any bytes, NUL-terminated) at lvl, time ts, with
 * the current context, into out (size >= 256), newline included; an over-long
 * message is cut between characters. Returns the length.
 */
size_t log_render_json(char *out, size_t size, enum log_level lvl, const char *msg,
    const struct timespec *ts);
#endif

#endif
