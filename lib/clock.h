/*
 * clock.h: the monotonic clock, for durations and deadlines (never for
 * wall-clock times: those come from time(2) or the database).
 */
#ifndef MUSTORY_CLOCK_H
#define MUSTORY_CLOCK_H

/* Seconds since an arbitrary fixed point, with nanosecond resolution. */
double clock_now_s(void);
/* The same clock in whole milliseconds. */
long long clock_now_ms(void);

#endif
