/*
 * log.h: one-line logs on stderr, err(3) style.
 * log_warn appends strerror(errno); log_warnx does not. Control characters in
 * the formatted message are escaped, so untrusted text cannot forge lines.
 * Never pass secrets (keys, tokens, signatures) to these functions.
 */
#ifndef MUSTORY_LOG_H
#define MUSTORY_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

/* name is borrowed for the life of the process. */
void log_init(const char *name, enum log_level min);
/* Parse "debug"/"info"/"warn"/"error"; returns -1 when unknown. */
int log_level_parse(const char *s);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
