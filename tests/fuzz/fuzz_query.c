/*
 * fuzz_query: a query string through query_parse() (fcgi/query.c) with the
 * parameters of GET /tracks, then each value through the list's own
 * readers: track_cursor_decode() and track_status_parse_api() (lib/track.c).
 * Accepted values are UTF-8 without controls, within QUERY_VALUE_MAX; a
 * refusal names a field and says why, in UTF-8; a decoded cursor encodes
 * back to exactly the text it came from (one spelling per cursor).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "track.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct query_param *p);
static void check_cursor(const char *s);

static void
check_value(const struct query_param *p)
{
	size_t n = strnlen(p->value, sizeof(p->value)), i;

	if (n > QUERY_VALUE_MAX || (!p->present && n != 0) || !utf8_valid(p->value, n, NULL, NULL))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)p->value[i] < 0x20 || p->value[i] == 0x7f)
			abort();
}

static void
check_cursor(const char *s)
{
	struct track_cursor c;
	char enc[TRACK_CURSOR_LEN + 1];

	if (!track_cursor_decode(s, &c))
		return;
	if (c.created_us < 0 || !track_cursor_encode(&c, enc) || strcmp(enc, s) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_param p[3] = { { .name = "limit" }, { .name = "cursor" }, { .name = "status" } };
	struct query_error qe;
	enum track_status st;
	char *qs;
	size_t i;

	if ((qs = malloc(size + 1)) == NULL)
		return 0;
	memcpy(qs, data, size);
	qs[size] = '\0'; /* QUERY_STRING is a C string: a NUL ends it */
	memset(&qe, 0, sizeof(qe));
	if (query_parse(qs, p, 3, &qe) == OK) {
		for (i = 0; i < 3; i++)
			check_value(&p[i]);
		check_cursor(p[1].value);
		(void)track_status_parse_api(p[2].value, &st);
	} else if (qe.field[0] == '\0' || qe.detail[0] == '\0' ||
	    !utf8_valid(qe.field, strlen(qe.field), NULL, NULL) ||
	    !utf8_valid(qe.detail, strlen(qe.detail), NULL, NULL)) {
		abort();
	}
	/* The raw input as a cursor too. */
	check_cursor(qs);
	free(qs);
	return 0;
}
