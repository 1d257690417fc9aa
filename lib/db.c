#include "db.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum result db_connect(struct db *db, struct errbuf *e);
static void db_drop(struct db *db);
static int db_prepare(struct db *db, const char *sql, int nparams, char name[16],
    PGresult **err);
static PGresult *db_run(struct db *db, const char *sql, int nparams, const char *const *params);
static enum result db_failed(struct db *db, const PGresult *r, struct errbuf *e);
static enum result db_pipeline_read(struct db *db, struct db_stmt *st, size_t n,
    struct errbuf *e);
static const char *db_errline(PGconn *conn, const PGresult *res);

static const char *
db_errline(PGconn *conn, const PGresult *res)
{
	static char line[256];
	const char *m = res != NULL ? PQresultErrorMessage(res) : NULL;
	size_t n;

	if (m == NULL || *m == '\0')
		m = conn != NULL ? PQerrorMessage(conn) : "no connection";
	snprintf(line, sizeof(line), "%s", m);
	n = strcspn(line, "\n");
	line[n] = '\0';
	return line;
}

static void
db_drop(struct db *db)
{
	size_t i;

	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = false;
	/* Prepared statements die with their connection. */
	for (i = 0; i < DB_MAX_PREPARED; i++) {
		free(db->prepared[i]);
		db->prepared[i] = NULL;
	}
}

/*
 * The name sql is prepared under on this connection ("mp<i>" in name),
 * preparing it now if need be: 1. The cache is full (or out of memory): 0,
 * run it unnamed. The PREPARE failed: -1, *err is its result.
 */
static int
db_prepare(struct db *db, const char *sql, int nparams, char name[16], PGresult **err)
{
	PGresult *p;
	size_t i;

	for (i = 0; i < DB_MAX_PREPARED && db->prepared[i] != NULL; i++) {
		if (strcmp(db->prepared[i], sql) == 0) {
			snprintf(name, 16, "mp%zu", i);
			return 1;
		}
	}
	if (i == DB_MAX_PREPARED)
		return 0;
	snprintf(name, 16, "mp%zu", i);
	p = PQprepare(db->conn, name, sql, nparams, NULL);
	if (PQresultStatus(p) != PGRES_COMMAND_OK) {
		*err = p;
		return -1;
	}
	PQclear(p);
	if ((db->prepared[i] = strdup(sql)) == NULL)
		return 0;
	return 1;
}

/*
 * Run sql, prepared by name when it has parameters. The result is the
 * statement's (or the failed PREPARE's) result.
 */
static PGresult *
db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	char name[16];
	PGresult *p = NULL;

	if (nparams == 0)
		return PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	switch (db_prepare(db, sql, nparams, name, &p)) {
	case 1:
		return PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
	case 0:
		return PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	default:
		return p;
	}
}

/* A statement's error: e, db->transient, and ERR_CONFLICT for a unique violation. */
static enum result
db_failed(struct db *db, const PGresult *r, struct errbuf *e)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	db->transient = state != NULL && (strncmp(state, "40", 2) == 0 ||
	    strncmp(state, "53", 2) == 0 || strcmp(state, "55P03") == 0 ||
	    strncmp(state, "57", 2) == 0);
	err_set(e, "database error: %s", db_errline(db->conn, r));
	return (state != NULL && strcmp(state, "23505") == 0) ? ERR_CONFLICT : ERR_DB;
}

static enum result
db_connect(struct db *db, struct errbuf *e)
{
	char timeout[16];
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
		"keepalives", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "tcp_user_timeout", NULL };
	const char *vals[] = { db->url, timeout, db->app_name, "1", "10", "5",
		"3", "10000", NULL };
	PGresult *res;

	db_drop(db);
	snprintf(timeout, sizeof(timeout), "%d", db->connect_timeout_s);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		err_set(e, "cannot connect to the database: %s", db_errline(db->conn, NULL));
		db_drop(db);
		return ERR_DB;
	}
	if (db->on_connect_sql != NULL) {
		res = PQexec(db->conn, db->on_connect_sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK) {
			err_set(e, "database set-up failed: %s", db_errline(db->conn, res));
			PQclear(res);
			db_drop(db);
			return ERR_DB;
		}
		PQclear(res);
	}
	return OK;
}

enum result
db_open(struct db *db, const char *url, int connect_timeout_s,
    const char *app_name, const char *on_connect_sql, struct errbuf *e)
{
	memset(db, 0, sizeof(*db));
	db->connect_timeout_s = connect_timeout_s > 0 ? connect_timeout_s : 3;
	db->url = strdup(url);
	db->app_name = strdup(app_name != NULL ? app_name : "mustory");
	if (on_connect_sql != NULL)
		db->on_connect_sql = strdup(on_connect_sql);
	if (db->url == NULL || db->app_name == NULL ||
	    (on_connect_sql != NULL && db->on_connect_sql == NULL)) {
		err_set(e, "out of memory");
		return ERR_NOMEM;
	}
	return db_connect(db, e);
}

void
db_close(struct db *db)
{
	db_drop(db);
	free(db->url);
	free(db->on_connect_sql);
	free(db->app_name);
	memset(db, 0, sizeof(*db));
}

bool
db_is_down(const struct db *db)
{
	return db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK;
}

void
db_check_idle(struct db *db)
{
	struct pollfd p;

	if (db->conn == NULL || db->in_tx || PQstatus(db->conn) != CONNECTION_OK)
		return;
	p.fd = PQsocket(db->conn);
	p.events = POLLIN;
	p.revents = 0;
	/* nothing to read: the usual case, one poll() */
	if (p.fd < 0 || poll(&p, 1, 0) <= 0)
		return;
	/*
	 * An idle connection that does not LISTEN hears from the server only
	 * when it is going away: the FATAL of a shutdown or a terminated
	 * backend, then the end of the stream (which libpq notices only on a
	 * later read). Either way it is done for: start afresh.
	 */
	log_warnx("database connection closed by the server while idle; reconnecting");
	db_drop(db);
}

enum result
db_ensure(struct db *db, struct errbuf *e)
{
	if (!db_is_down(db))
		return OK;
	if (db->conn != NULL)
		log_warnx("database connection lost; reconnecting");
	return db_connect(db, e);
}

enum result
db_exec(struct db *db, PGresult **res, const char *sql, int nparams,
    const char *const *params, struct errbuf *e)
{
	PGresult *r;
	ExecStatusType st;
	int attempt;
	enum result rc;

	if (res != NULL)
		*res = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_is_down(db)) {
			if (db->in_tx) {
				err_set(e, "database connection lost inside a transaction");
				db_drop(db);
				return ERR_DB;
			}
			if ((rc = db_ensure(db, e)) != OK)
				return rc;
		}
		db->transient = false;
		r = db_run(db, sql, nparams, params);
		st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			if (res != NULL)
				*res = r;
			else
				PQclear(r);
			return OK;
		}
		if (PQstatus(db->conn) != CONNECTION_OK) {
			/* The server went away (restart, failover): try once more. */
			PQclear(r);
			if (db->in_tx) {
				err_set(e, "database connection lost inside a transaction");
				db_drop(db);
				return ERR_DB;
			}
			log_warnx("database connection lost; reconnecting");
			db_drop(db);
			continue;
		}
		rc = db_failed(db, r, e);
		PQclear(r);
		return rc;
	}
	err_set(e, "database unavailable");
	return ERR_DB;
}

bool
db_is_transient(const struct db *db)
{
	return db->transient;
}

enum result
db_begin(struct db *db, struct errbuf *e)
{
	enum result rc;

	if ((rc = db_exec(db, NULL, "BEGIN", 0, NULL, e)) == OK)
		db->in_tx = true;
	return rc;
}

enum result
db_commit(struct db *db, struct errbuf *e)
{
	enum result rc = db_exec(db, NULL, "COMMIT", 0, NULL, e);

	db->in_tx = false;
	return rc;
}

void
db_rollback(struct db *db)
{
	PGresult *r;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		r = PQexec(db->conn, "ROLLBACK");
		PQclear(r);
	}
	db->in_tx = false;
}

/*
 * The pipeline's answers: each statement's result then its NULL, then the
 * sync, which comes once the implicit transaction has committed (or rolled
 * back). The first error wins; the statements after it were not run.
 */
static enum result
db_pipeline_read(struct db *db, struct db_stmt *st, size_t n, struct errbuf *e)
{
	enum result rc = OK;
	ExecStatusType s;
	PGresult *r;
	size_t i;

	for (i = 0; i < n; i++) {
		while ((r = PQgetResult(db->conn)) != NULL) {
			s = PQresultStatus(r);
			if (rc == OK && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) &&
			    st[i].res == NULL) {
				st[i].res = r;
				continue;
			}
			if (rc == OK && s != PGRES_PIPELINE_ABORTED)
				rc = db_failed(db, r, e);
			else if (rc == OK) {
				err_set(e, "database error: pipeline aborted");
				rc = ERR_DB;
			}
			PQclear(r);
		}
		if (PQstatus(db->conn) != CONNECTION_OK)
			break;
	}
	if (PQstatus(db->conn) == CONNECTION_OK) {
		r = PQgetResult(db->conn);
		s = PQresultStatus(r);
		PQclear(r);
		if (s != PGRES_PIPELINE_SYNC && rc == OK) {
			err_set(e, "database error: no end of pipeline (%s)", PQresStatus(s));
			rc = ERR_DB;
		}
	}
	if (PQstatus(db->conn) != CONNECTION_OK || PQexitPipelineMode(db->conn) != 1) {
		if (rc == OK)
			err_set(e, "database connection lost: %s", db_errline(db->conn, NULL));
		db_drop(db);
		return ERR_DB;
	}
	return rc;
}

enum result
db_pipeline(struct db *db, struct db_stmt *st, size_t n, struct errbuf *e)
{
	char names[DB_PIPELINE_MAX][16];
	int named[DB_PIPELINE_MAX];
	PGresult *p = NULL;
	enum result rc;
	size_t i;
	int ok;

	for (i = 0; i < n; i++)
		st[i].res = NULL;
	if (db->in_tx || n == 0 || n > DB_PIPELINE_MAX) {
		err_set(e, "db_pipeline: %zu statements%s", n, db->in_tx ? " inside a transaction" : "");
		return ERR_INVALID;
	}
	if ((rc = db_ensure(db, e)) != OK)
		return rc;
	db->transient = false;
	/* PREPARE is a round trip of its own: once per connection, before the pipeline. */
	for (i = 0; i < n; i++) {
		named[i] = st[i].nparams > 0 ? db_prepare(db, st[i].sql, st[i].nparams, names[i], &p) : 0;
		if (named[i] < 0) {
			rc = db_failed(db, p, e);
			PQclear(p);
			return rc;
		}
	}
	if (PQenterPipelineMode(db->conn) != 1) {
		err_set(e, "database error: %s", db_errline(db->conn, NULL));
		return ERR_DB;
	}
	for (i = 0, ok = 1; ok && i < n; i++) {
		if (named[i] == 1)
			ok = PQsendQueryPrepared(db->conn, names[i], st[i].nparams, st[i].params, NULL,
			    NULL, 0);
		else
			ok = PQsendQueryParams(db->conn, st[i].sql, st[i].nparams, NULL, st[i].params,
			    NULL, NULL, 0);
	}
	if (!ok || PQpipelineSync(db->conn) != 1) {
		err_set(e, "database error: %s", db_errline(db->conn, NULL));
		db_drop(db);
		return ERR_DB;
	}
	if ((rc = db_pipeline_read(db, st, n, e)) != OK)
		for (i = 0; i < n; i++) {
			PQclear(st[i].res);
			st[i].res = NULL;
		}
	return rc;
}
