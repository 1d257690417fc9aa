#include "track.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "ids.h"

/* The columns of track_get and track_list, in enum track_col's order. */
#define TRACK_COLUMNS                                                             \
	"SELECT t.id, t.title, t.artist_name, t.file_extension, t.file_size,"      \
	" t.processing_status::text, t.processing_error, t.duration_seconds,"      \
	" t.hls_url, t.artwork_url,"                                               \
	" to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"   \
	" to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"   \
	" coalesce(j.progress, 0), t.original_audio_key,"                          \
	" (extract(epoch FROM t.created_at) * 1000000)::bigint,"                   \
	" CASE WHEN t.upload_mode = 'multipart' THEN t.multipart_upload_id END,"   \
	" t.multipart_part_size, t.tags::text, t.artwork_thumbnails::text,"        \
	" t.artwork_error, t.loudness::text, t.waveform_url"                       \
	" FROM tracks t LEFT JOIN jobs j ON j.track_id = t.id AND j.kind = 'transcode_hls'"

/*
 * What GET status shows (id, status, error, progress) in the same columns,
 * the others NULL: no formatting of times or JSON for the call polled most,
 * and the job's progress looked up only where it is shown (processing, failed).
 */
#define TRACK_STATUS_COLUMNS                                                      \
	"SELECT t.id, NULL, NULL, NULL, NULL, t.processing_status::text,"          \
	" t.processing_error, NULL, NULL, NULL, NULL, NULL,"                       \
	" CASE WHEN t.processing_status IN ('PROCESSING', 'FAILED') THEN coalesce((SELECT"      \
	" j.progress FROM jobs j WHERE j.track_id = t.id AND j.kind = 'transcode_hls'), 0)" \
	" ELSE 0 END, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"          \
	" FROM tracks t"

#define CURSOR_VERSION 1
#define CURSOR_BYTES 25                   /* version, 8 bytes created_us, 16 bytes id */
#define CURSOR_MAX_US 253402300799999999LL /* 9999-12-31T23:59:59.999999Z */

static bool uuid_bytes(const char *id, unsigned char out[16]);
static enum result track_one_row(enum result rc, PGresult **res);

static const char *const track_sql_names[TRACK_STATUS__MAX] = {
	[TRACK_PENDING] = "PENDING",
	[TRACK_PROCESSING] = "PROCESSING",
	[TRACK_COMPLETED] = "COMPLETED",
	[TRACK_FAILED] = "FAILED",
};

static const char *const track_api_names[TRACK_STATUS__MAX] = {
	[TRACK_PENDING] = "pending",
	[TRACK_PROCESSING] = "processing",
	[TRACK_COMPLETED] = "completed",
	[TRACK_FAILED] = "failed",
};

const char *
track_status_sql(enum track_status s)
{
	return (int)s >= 0 && s < TRACK_STATUS__MAX ? track_sql_names[s] : "UNKNOWN";
}

const char *
track_status_str(enum track_status s)
{
	return (int)s >= 0 && s < TRACK_STATUS__MAX ? track_api_names[s] : "unknown";
}

/* name's index in one of the name tables into *s; false when it is none. */
static bool
status_lookup(const char *const names[TRACK_STATUS__MAX], const char *name,
    enum track_status *s)
{
	int i;

	for (i = 0; i < TRACK_STATUS__MAX; i++) {
		if (strcmp(names[i], name) == 0) {
			*s = (enum track_status)i;
			return true;
		}
	}
	return false;
}

bool
track_status_parse(const char *sql_label, enum track_status *s)
{
	return status_lookup(track_sql_names, sql_label, s);
}

enum result
track_insert(struct db *db, const struct track_new *t, long long max_pending,
    struct errbuf *e)
{
	char size[32], max[32], part[32];
	const char *params[] = { t->id, t->owner_id, t->title, t->artist_name,
		t->file_extension, size, t->content_type, t->audio_key, t->audio_url,
		t->artwork_extension, t->artwork_key, max, track_status_sql(TRACK_PENDING),
		t->multipart_upload_id != NULL ? "multipart" : "post", t->multipart_upload_id,
		t->multipart_upload_id != NULL ? part : NULL };
	/*
	 * One owner's inits take turns: the lock is held to the commit, and the
	 * INSERT, a statement after it with a snapshot of its own, counts every
	 * init committed before. Both in one round trip, one transaction.
	 */
	struct db_stmt st[] = {
		{ "SELECT pg_advisory_xact_lock(hashtextextended('mustory.pending:' || $1, 0))",
		  1, &t->owner_id, NULL },
		{ "INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size,"
		  " content_type, original_audio_key, original_audio_url, artwork_extension, artwork_key,"
		  " upload_mode, multipart_upload_id, multipart_part_size)"
		  " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $14, $15, $16::bigint"
		  " WHERE (SELECT count(*) FROM tracks WHERE owner_id = $2"
		  " AND processing_status = $13::track_processing_status AND deleted_at IS NULL)"
		  " < $12::bigint",
		  16, params, NULL },
	};
	enum result rc;

	snprintf(size, sizeof(size), "%lld", t->file_size);
	snprintf(max, sizeof(max), "%lld", max_pending);
	snprintf(part, sizeof(part), "%lld", t->multipart_part_size);
	if ((rc = db_pipeline(db, st, 2, e)) != OK)
		return rc;
	/* Nothing inserted, the empty transaction committed: the owner is at the limit. */
	if (PQcmdTuples(st[1].res)[0] == '0')
		rc = ERR_LIMIT;
	PQclear(st[0].res);
	PQclear(st[1].res);
	return rc;
}

enum result
track_get(struct db *db, const char *id, const char *owner_id, PGresult **res,
    struct errbuf *e)
{
	return track_get_view(db, id, owner_id, false, res, e);
}

enum result
track_get_view(struct db *db, const char *id, const char *owner_id, bool status_only,
    PGresult **res, struct errbuf *e)
{
	const char *params[] = { id, owner_id };
	enum result rc;

#define TRACK_MINE " WHERE t.id = $1 AND t.owner_id = $2 AND t.deleted_at IS NULL"
	rc = db_exec(db, res, status_only ? TRACK_STATUS_COLUMNS TRACK_MINE :
	    TRACK_COLUMNS TRACK_MINE, 2, params, e);
#undef TRACK_MINE
	return track_one_row(rc, res);
}

enum result
track_get_by_id(struct db *db, const char *id, PGresult **res, struct errbuf *e)
{
	return track_one_row(db_exec(db, res, TRACK_COLUMNS " WHERE t.id = $1", 1, &id, e), res);
}

/* A load's result: OK with *res one row, or ERR_NOT_FOUND (*res cleared) when none. */
static enum result
track_one_row(enum result rc, PGresult **res)
{
	if (rc != OK)
		return rc;
	if (PQntuples(*res) != 1) {
		PQclear(*res);
		*res = NULL;
		return ERR_NOT_FOUND;
	}
	return OK;
}

enum track_status
track_row_status(const PGresult *res)
{
	return track_row_status_at(res, 0);
}

enum track_status
track_row_status_at(const PGresult *res, int row)
{
	enum track_status s = TRACK_PENDING;

	(void)track_status_parse(PQgetvalue(res, row, TC_STATUS), &s);
	return s;
}

bool
track_status_parse_api(const char *api_name, enum track_status *s)
{
	return status_lookup(track_api_names, api_name, s);
}

/* A lowercase UUID's 16 bytes; false when id is not one. */
static bool
uuid_bytes(const char *id, unsigned char out[16])
{
	char norm[37];
	size_t i, o = 0;

	if (!id_uuid_normalize(id, norm) || strcmp(norm, id) != 0)
		return false;
	for (i = 0; norm[i] != '\0'; i++) {
		if (norm[i] == '-')
			continue;
		unsigned v = (unsigned)(norm[i] <= '9' ? norm[i] - '0' : norm[i] - 'a' + 10);
		if (o % 2 == 0)
			out[o / 2] = (unsigned char)(v << 4);
		else
			out[o / 2] |= (unsigned char)v;
		o++;
	}
	return o == 32;
}

bool
track_cursor_encode(const struct track_cursor *c, char out[TRACK_CURSOR_LEN + 1])
{
	unsigned char b[CURSOR_BYTES];
	uint64_t us = (uint64_t)c->created_us;
	char *s;
	int i;

	if (c->created_us < 0 || c->created_us > CURSOR_MAX_US || !uuid_bytes(c->id, b + 9))
		return false;
	b[0] = CURSOR_VERSION;
	for (i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(us >> (56 - 8 * i));
	if ((s = enc_base64url(b, sizeof(b))) == NULL)
		return false;
	if (strlen(s) != TRACK_CURSOR_LEN) {
		free(s);
		return false;
	}
	memcpy(out, s, TRACK_CURSOR_LEN + 1);
	free(s);
	return true;
}

bool
track_cursor_decode(const char *s, struct track_cursor *c)
{
	unsigned char *b = NULL;
	size_t n = 0, i;
	uint64_t us = 0;
	char hex[33];
	bool ok = false;

	if (strlen(s) != TRACK_CURSOR_LEN ||
	    enc_base64url_decode(s, TRACK_CURSOR_LEN, &b, &n) != OK)
		return false;
	if (n != CURSOR_BYTES || b[0] != CURSOR_VERSION)
		goto out;
	for (i = 0; i < 8; i++)
		us = us << 8 | b[1 + i];
	if (us > (uint64_t)CURSOR_MAX_US)
		goto out;
	enc_hex(b + 9, 16, hex);
	snprintf(c->id, sizeof(c->id), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
	c->created_us = (long long)us;
	ok = true;
out:
	free(b);
	return ok;
}

enum result
track_list(struct db *db, const char *owner_id, enum track_status status,
    const struct track_cursor *after, int limit, PGresult **res, struct errbuf *e)
{
	/* Four statements, not one with "$n IS NULL OR": each plans as an index range. */
#define LIST_AFTER " AND (t.created_at, t.id) < ('epoch'::timestamptz +" \
	" $3::bigint * interval '1 microsecond', $4::uuid)"
#define LIST_STATUS(n) " AND t.processing_status = $" #n "::track_processing_status"
#define LIST_LIVE " AND t.deleted_at IS NULL" /* a deleted track is gone at once */
#define LIST_ORDER " ORDER BY t.created_at DESC, t.id DESC LIMIT $2::int"
	static const char *const sql[2][2] = {
		{ TRACK_COLUMNS " WHERE t.owner_id = $1" LIST_LIVE LIST_ORDER,
		  TRACK_COLUMNS " WHERE t.owner_id = $1" LIST_LIVE LIST_STATUS(3) LIST_ORDER },
		{ TRACK_COLUMNS " WHERE t.owner_id = $1" LIST_LIVE LIST_AFTER LIST_ORDER,
		  TRACK_COLUMNS " WHERE t.owner_id = $1" LIST_LIVE LIST_AFTER LIST_STATUS(5)
		      LIST_ORDER },
	};
#undef LIST_AFTER
#undef LIST_STATUS
#undef LIST_ORDER
#undef LIST_LIVE
	char lim[16], us[32];
	const char *params[5];
	bool by_status = status != TRACK_STATUS__MAX;
	int n = 2;

	if (limit < 1 || limit > TRACK_LIST_MAX) {
		err_set(e, "list: limit %d is not 1 to %d", limit, TRACK_LIST_MAX);
		return ERR_INVALID;
	}
	snprintf(lim, sizeof(lim), "%d", limit + 1);
	params[0] = owner_id;
	params[1] = lim;
	if (after != NULL) {
		snprintf(us, sizeof(us), "%lld", after->created_us);
		params[n++] = us;
		params[n++] = after->id;
	}
	if (by_status)
		params[n++] = track_status_sql(status);
	return db_exec(db, res, sql[after != NULL][by_status], n, params, e);
}

bool
track_row_multipart(const PGresult *res)
{
	return !PQgetisnull(res, 0, TC_MP_UPLOAD_ID);
}

enum result
track_lock(struct db *db, const char *id, const char *owner_id, enum track_status *status,
    struct errbuf *e)
{
	const char *params[] = { id, owner_id };
	PGresult *res = NULL;
	enum result rc;

	*status = TRACK_PENDING;
	rc = db_exec(db, &res, "SELECT processing_status::text FROM tracks"
	    " WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL FOR UPDATE", 2, params, e);
	if (rc != OK)
		return rc;
	if (PQntuples(res) != 1)
		rc = ERR_NOT_FOUND;
	else
		(void)track_status_parse(PQgetvalue(res, 0, 0), status);
	PQclear(res);
	return rc;
}
