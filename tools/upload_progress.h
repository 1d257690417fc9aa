/*
 * upload_progress.h: what mustory-upload shows on standard error. On a
 * terminal, a bar redrawn in place (bytes sent / total, rate, ETA; then the
 * processing percentage); otherwise one plain line per step, for logs.
 */
#ifndef MUSTORY_UPLOAD_PROGRESS_H
#define MUSTORY_UPLOAD_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

struct uprog {
	FILE *out;          /* stderr */
	bool tty;           /* draw bars */
	const char *name;   /* borrowed: the file's name as shown */
	double t0;          /* when the current transfer started (monotonic s) */
	double last_draw;   /* when the bar was last drawn */
	long long last_now; /* bytes at the last draw */
	long long from;     /* bytes already sent when the transfer started */
	int last_pct;       /* processing: the last percentage shown, -1 none */
	char last_status[16];
	bool open;          /* a bar line is on screen without its newline */
};

void uprog_init(struct uprog *p, FILE *out, bool tty);
/* A new file: name is borrowed until the next uprog_file(). */
void uprog_file(struct uprog *p, const char *name);
/* A finished step, one line: "name: <message>". */
void uprog_step(struct uprog *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error line (closes any open bar first): "mustory-upload: name: ..." */
void uprog_error(struct uprog *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A transfer starts / sent now of total bytes (total 0: unknown). */
void uprog_transfer_start(struct uprog *p);
/* The same when from bytes are already there (a resumed upload): the rate
 * counts only what is sent from now on. */
void uprog_transfer_from(struct uprog *p, long long from);
void uprog_bytes(struct uprog *p, long long now, long long total);
/* Seconds since uprog_transfer_start(). */
double uprog_elapsed(const struct uprog *p);
/* Processing as the status poll says: status ("pending", "processing"...) and 0..100. */
void uprog_processing(struct uprog *p, const char *status, int pct);
/* Close the bar line on screen, if one is open. */
void uprog_close(struct uprog *p);

/* "4.5 MiB" into buf. */
const char *uprog_size(char *buf, size_t n, double bytes);

#endif
