#include "track.h"

#include <stdio.h>
#include <string.h>

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

bool
track_status_parse(const char *sql_label, enum track_status *s)
{
	int i;

	for (i = 0; i < TRACK_STATUS__MAX; i++) {
		if (strcmp(track_sql_names[i], sql_label) == 0) {
			*s = (enum track_status)i;
			return true;
		}
	}
	return false;
}

enum result
track_insert(struct db *db, const struct track_new *t, long long max_pending,
    struct errbuf *e)
{
	char size[32], max[32];
	const char *params[] = { t->id, t->owner_id, t->title, t->artist_name,
		t->file_extension, size, t->content_type, t->audio_key, t->audio_url,
		t->artwork_extension, t->artwork_key, max, track_status_sql(TRACK_PENDING) };
	PGresult *res = NULL;
	enum result rc;

	snprintf(size, sizeof(size), "%lld", t->file_size);
	snprintf(max, sizeof(max), "%lld", max_pending);
	if ((rc = db_begin(db, e)) != OK)
		return rc;
	/* One owner's inits take turns; the count below then sees every committed one. */
	if ((rc = db_exec(db, NULL, "SELECT pg_advisory_xact_lock(hashtextextended("
	    "'mustory.pending:' || $1, 0))", 1, &t->owner_id, e)) != OK)
		goto fail;
	if ((rc = db_exec(db, &res,
	    "INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size,"
	    " content_type, original_audio_key, original_audio_url, artwork_extension, artwork_key)"
	    " SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
	    " WHERE (SELECT count(*) FROM tracks WHERE owner_id = $2"
	    " AND processing_status = $13::track_processing_status) < $12::bigint",
	    13, params, e)) != OK)
		goto fail;
	if (PQcmdTuples(res)[0] == '0') {
		PQclear(res);
		db_rollback(db);
		return ERR_LIMIT;
	}
	PQclear(res);
	return db_commit(db, e);
fail:
	db_rollback(db);
	return rc;
}

enum result
track_get(struct db *db, const char *id, const char *owner_id, PGresult **res,
    struct errbuf *e)
{
	const char *params[] = { id, owner_id };
	enum result rc;

	rc = db_exec(db, res,
	    "SELECT t.id, t.title, t.artist_name, t.file_extension, t.file_size,"
	    " t.processing_status::text, t.processing_error, t.duration_seconds,"
	    " t.hls_url, t.artwork_url,"
	    " to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " coalesce(j.progress, 0), t.original_audio_key"
	    " FROM tracks t LEFT JOIN jobs j ON j.track_id = t.id AND j.kind = 'transcode_hls'"
	    " WHERE t.id = $1 AND t.owner_id = $2",
	    2, params, e);
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
	enum track_status s = TRACK_PENDING;

	(void)track_status_parse(PQgetvalue(res, 0, TC_STATUS), &s);
	return s;
}
