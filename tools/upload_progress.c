/*
 * upload_progress.c: the progress bar and the plain step lines (see
 * upload_progress.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "upload_progress.h"

#define DRAW_EVERY_S 0.1
#define NAME_COLS 24
#define MIN_BAR 10
#define MAX_COLS 160

static double mono(void);
static int columns(void);
static void bar(char *buf, int width, double frac);
static void draw(struct uprog *p, const char *line);
static const char *base(const char *path);
static void vline(struct uprog *p, const char *prefix, const char *fmt, va_list ap);

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col < MAX_COLS ? ws.ws_col : MAX_COLS;
	return 80;
}

/* Borrowed: the last part of path, what a bar has room for. */
static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL && b[1] != '\0' ? b + 1 : path;
}

void
uprog_init(struct uprog *p, FILE *out, bool tty)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->tty = tty;
	p->name = "";
	p->last_pct = -1;
}

void
uprog_file(struct uprog *p, const char *name)
{
	uprog_close(p);
	p->name = name;
	p->last_pct = -1;
	p->last_status[0] = '\0';
}

const char *
uprog_size(char *buf, size_t n, double bytes)
{
	if (bytes < 1024)
		snprintf(buf, n, "%.0f B", bytes);
	else if (bytes < 1024.0 * 1024)
		snprintf(buf, n, "%.1f KiB", bytes / 1024);
	else if (bytes < 1024.0 * 1024 * 1024)
		snprintf(buf, n, "%.1f MiB", bytes / (1024.0 * 1024));
	else
		snprintf(buf, n, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
	return buf;
}

/* "[#####-----]" of width cells inside the brackets. */
static void
bar(char *buf, int width, double frac)
{
	int i, full;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)(frac * width + 0.5);
	buf[0] = '[';
	for (i = 0; i < width; i++)
		buf[1 + i] = i < full ? '#' : '-';
	buf[1 + width] = ']';
	buf[2 + width] = '\0';
}

/* Redraw the open line: carriage return, the text, clear to the end. */
static void
draw(struct uprog *p, const char *line)
{
	fprintf(p->out, "\r%s\033[K", line);
	fflush(p->out);
	p->open = true;
}

void
uprog_close(struct uprog *p)
{
	if (p->open) {
		fputc('\n', p->out);
		fflush(p->out);
		p->open = false;
	}
}

__attribute__((format(printf, 3, 0))) static void
vline(struct uprog *p, const char *prefix, const char *fmt, va_list ap)
{
	uprog_close(p);
	fprintf(p->out, "%s%s: ", prefix, p->name);
	vfprintf(p->out, fmt, ap);
	fputc('\n', p->out);
	fflush(p->out);
}

void
uprog_step(struct uprog *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, "", fmt, ap);
	va_end(ap);
}

void
uprog_error(struct uprog *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, "mustory-upload: ", fmt, ap);
	va_end(ap);
}

void
uprog_transfer_start(struct uprog *p)
{
	uprog_transfer_from(p, 0);
}

void
uprog_transfer_from(struct uprog *p, long long from)
{
	p->t0 = mono();
	p->last_draw = 0;
	p->last_now = -1;
	p->from = from;
}

double
uprog_elapsed(const struct uprog *p)
{
	return mono() - p->t0;
}

void
uprog_bytes(struct uprog *p, long long now, long long total)
{
	char line[MAX_COLS * 2], b[MAX_COLS + 3], sn[16], st[16], sr[16], eta[32];
	double t = mono(), el = t - p->t0, rate;
	int cols = columns(), width;

	if (!p->tty || (now == p->last_now && total > now) ||
	    (t - p->last_draw < DRAW_EVERY_S && (total == 0 || now < total)))
		return;
	p->last_draw = t;
	p->last_now = now;
	rate = el > 0.05 && now > p->from ? (double)(now - p->from) / el : 0;
	if (rate > 0 && total > now)
		snprintf(eta, sizeof(eta), "ETA %d:%02d", (int)((total - now) / rate) / 60,
		    (int)((total - now) / rate) % 60);
	else
		snprintf(eta, sizeof(eta), "ETA -:--");
	uprog_size(sn, sizeof(sn), (double)now);
	uprog_size(st, sizeof(st), (double)(total > 0 ? total : now));
	uprog_size(sr, sizeof(sr), rate);
	/* name(24) ' ' bar ' ' "100%  " sizes  rate/s  ETA */
	width = cols - NAME_COLS - 2 - (int)(strlen(sn) + strlen(st) + strlen(sr) + strlen(eta)) - 20;
	if (width < MIN_BAR)
		width = MIN_BAR;
	bar(b, width, total > 0 ? (double)now / (double)total : 0);
	snprintf(line, sizeof(line), "%-*.*s %s %3d%%  %s / %s  %s/s  %s", NAME_COLS, NAME_COLS,
	    base(p->name), b, total > 0 ? (int)(now * 100 / total) : 0, sn, st, sr, eta);
	draw(p, line);
}

void
uprog_processing(struct uprog *p, const char *status, int pct)
{
	char line[MAX_COLS * 2], b[MAX_COLS + 3];
	int width;

	if (pct == p->last_pct && strcmp(status, p->last_status) == 0)
		return;
	if (!p->tty) {
		/* "failed" is said by the error line that follows. */
		if (strcmp(status, p->last_status) != 0 && strcmp(status, "failed") != 0)
			uprog_step(p, "%s %d%%", status, pct);
	} else {
		width = columns() - NAME_COLS - 20;
		if (width < MIN_BAR)
			width = MIN_BAR;
		bar(b, width, pct / 100.0);
		snprintf(line, sizeof(line), "%-*.*s %-10s %s %3d%%", NAME_COLS, NAME_COLS,
		    base(p->name), status, b, pct);
		draw(p, line);
	}
	p->last_pct = pct;
	snprintf(p->last_status, sizeof(p->last_status), "%s", status);
}
