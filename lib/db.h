/*
 * db.h: one blocking libpq connection that heals itself. Every statement is
 * parameterized. When the server goes away, the next call reconnects (with a
 * short connect timeout) instead of crashing or hanging; callers answer 503
 * (API) or retry later (runner) on ERR_DB.
 */
#ifndef MUSTORY_DB_H
#define MUSTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "result.h"

#define DB_MAX_PREPARED 32
#define DB_PIPELINE_MAX 8 /* statements in one db_pipeline */

struct db {
	PGconn *conn;              /* owned; NULL when not connected */
	char *prepared[DB_MAX_PREPARED]; /* owned: SQL prepared on conn as "mp<i>" */
	char *url;                 /* owned copy of DATABASE_URL */
	int connect_timeout_s;
	char *on_connect_sql;      /* owned; run after every (re)connect, e.g. LISTEN */
	char *app_name;            /* owned; application_name for pg_stat_activity */
	bool in_tx;                /* inside BEGIN: no transparent retry */
	bool transient;            /* the last error is worth a retry (deadlock, shutdown...) */
};

/*
 * Set up db and try to connect. A down server is not fatal: ERR_DB is
 * returned and the next db_exec tries again. on_connect_sql may be NULL.
 */
enum result db_open(struct db *db, const char *url, int connect_timeout_s,
    const char *app_name, const char *on_connect_sql, struct errbuf *e);
void db_close(struct db *db);

/*
 * Before using a connection that sat idle (one that does not LISTEN): if
 * the server sent anything meanwhile, it was closing it (a restart, a
 * terminated backend): drop it now so that the next statement reconnects
 * instead of failing its request. One poll() when all is well.
 */
void db_check_idle(struct db *db);

/* Connect if not connected or the connection went bad. */
enum result db_ensure(struct db *db, struct errbuf *e);

/*
 * Run sql with text parameters (NULL entries are SQL NULL). Statements with
 * parameters are prepared once per connection (up to DB_MAX_PREPARED) and
 * then executed by name, so the server plans them once. On success
 * *res (when res is not NULL) is a result the caller must PQclear. Outside
 * a transaction a lost connection is re-made and the statement tried once
 * more. Errors: ERR_DB (server down or SQL error; e says which),
 * ERR_CONFLICT for a unique violation (SQLSTATE 23505).
 */
enum result db_exec(struct db *db, PGresult **res, const char *sql, int nparams,
    const char *const *params, struct errbuf *e);

/* One statement of db_pipeline: like db_exec's arguments; res is set on OK. */
struct db_stmt {
	const char *sql;
	int nparams;
	const char *const *params;
	PGresult *res; /* out, owned by the caller on OK (PQclear); NULL otherwise */
};

/*
 * Run st[0..n-1] (1 <= n <= DB_PIPELINE_MAX) in one round trip (libpq's pipeline mode) as one implicit
 * transaction: every statement runs, in order, each with a snapshot of its
 * own (READ COMMITTED), and they commit together once the last is done; the
 * first error rolls them all back and the rest do not run. OK only after
 * the commit (with synchronous_commit, once it is durable). Statements with
 * parameters are prepared once per connection, as db_exec's. Not inside
 * db_begin. A connection found lost before sending is re-made; one lost on
 * the way is ERR_DB (as for db_commit, the caller cannot tell whether it
 * committed). Errors as db_exec's.
 */
enum result db_pipeline(struct db *db, struct db_stmt *st, size_t n, struct errbuf *e);

enum result db_begin(struct db *db, struct errbuf *e);
enum result db_commit(struct db *db, struct errbuf *e);
/* Never fails: a rollback on a dead connection just drops the connection. */
void db_rollback(struct db *db);

/* True when the last error lost the connection (vs. an SQL error). */
bool db_is_down(const struct db *db);

/*
 * True when the last statement failed for a reason a retry may not meet:
 * SQLSTATE class 40 (deadlock, serialization), 53 (out of resources), 55P03
 * (lock not available), 57 (shutdown, cannot connect now).
 */
bool db_is_transient(const struct db *db);

#endif
