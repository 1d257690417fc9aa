/*
 * GET /tracks?limit=&cursor=&status=: the caller's tracks, newest first,
 * a page at a time. Keyset pagination on (created_at, id): next_cursor
 * names the last track of the page, and the next page starts after it, so
 * inserts between pages make no track skip or repeat. Each item is the
 * JSON of GET /tracks/{id}.
 */
#include "routes.h"
#include "query.h"
#include "track_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT_LIMIT 20

enum { QP_LIMIT, QP_CURSOR, QP_STATUS, QP__MAX };

static bool list_limit(const char *s, int *out);
static bool list_args(struct req *r, int *limit, struct track_cursor *after, bool *has_after,
    enum track_status *status);
static json_object *list_json(const PGresult *res, int limit);

/* "1".."100", digits only, no sign, no leading zero. */
static bool
list_limit(const char *s, int *out)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 3 || s[0] == '0')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	*out = atoi(s);
	return *out >= 1 && *out <= TRACK_LIST_MAX;
}

/* The query string's parameters; on false the 422 is sent. */
static bool
list_args(struct req *r, int *limit, struct track_cursor *after, bool *has_after,
    enum track_status *status)
{
	struct query_param p[QP__MAX] = {
		[QP_LIMIT] = { .name = "limit" },
		[QP_CURSOR] = { .name = "cursor" },
		[QP_STATUS] = { .name = "status" },
	};
	struct query_error qe;

	if (query_parse(http_param(r, "QUERY_STRING"), p, QP__MAX, &qe) != OK) {
		http_error_field(r, qe.field, qe.detail);
		return false;
	}
	*limit = LIST_DEFAULT_LIMIT;
	if (p[QP_LIMIT].present && !list_limit(p[QP_LIMIT].value, limit)) {
		http_error_field(r, "limit", "limit must be a whole number from 1 to 100.");
		return false;
	}
	*has_after = p[QP_CURSOR].present;
	if (*has_after && !track_cursor_decode(p[QP_CURSOR].value, after)) {
		http_error_field(r, "cursor", "cursor is not one this API handed out: pass the "
		    "next_cursor of the previous page unchanged.");
		return false;
	}
	*status = TRACK_STATUS__MAX;
	if (p[QP_STATUS].present && !track_status_parse_api(p[QP_STATUS].value, status)) {
		http_error_field(r, "status",
		    "status must be one of pending, processing, completed, failed.");
		return false;
	}
	return true;
}

/* {"tracks": [...], "next_cursor": ...}; caller owns. NULL when out of memory. */
static json_object *
list_json(const PGresult *res, int limit)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	int n = PQntuples(res), i;
	struct track_cursor c;
	char cur[TRACK_CURSOR_LEN + 1];

	if (o == NULL || a == NULL) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(o, "tracks", a);
	for (i = 0; i < n && i < limit; i++)
		json_object_array_add(a, track_full_json_at(res, i));
	json_object_object_add(o, "next_cursor", NULL);
	if (n > limit) {
		/* The page's last track: the next page starts after it. */
		c.created_us = strtoll(PQgetvalue(res, limit - 1, TC_CREATED_US), NULL, 10);
		snprintf(c.id, sizeof(c.id), "%s", PQgetvalue(res, limit - 1, TC_ID));
		if (!track_cursor_encode(&c, cur)) {
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(o, "next_cursor", json_object_new_string(cur));
	}
	return o;
}

void
route_list(struct req *r, const char *id)
{
	struct track_cursor after;
	enum track_status status;
	PGresult *res = NULL;
	json_object *o = NULL;
	struct errbuf e;
	bool has_after;
	int limit;
	enum result rc;

	(void)id;
	if (!list_args(r, &limit, &after, &has_after, &status))
		return;
	err_clear(&e);
	rc = track_list(&r->w->db, r->user, status, has_after ? &after : NULL, limit, &res, &e);
	if (rc != OK) {
		http_error_db(r, rc, &e);
		goto out;
	}
	if ((o = list_json(res, limit)) == NULL) {
		http_error(r, 500, "internal", "Internal error while writing the list (request %s).",
		    r->request_id);
		goto out;
	}
	http_send_json(r, 200, o);
out:
	json_object_put(o);
	PQclear(res);
}
