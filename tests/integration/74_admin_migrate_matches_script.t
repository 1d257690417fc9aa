#!/usr/bin/env bash
# mustory-admin migrate (libpq, no psql) on a fresh database gives the schema
# scripts/migrate.sh gives, byte for byte in pg_dump --schema-only, and the
# same schema_migrations versions; run again it applies nothing; a failing
# migration leaves nothing of itself behind and is not recorded.
. "$(dirname "$0")/../lib/flow.sh"
ADMIN=$BIN/mustory-admin
su_psql() { psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "$1"; }
url() { echo "postgresql://mustory@127.0.0.1:$PG_PORT/$1"; }
DBS=(mustory_t74_script mustory_t74_admin mustory_t74_bad)
cleanup() { for d in "${DBS[@]}"; do su_psql "drop database if exists $d" >/dev/null 2>&1; done; rm -rf "$TMP"; }
trap cleanup EXIT
for d in "${DBS[@]}"; do su_psql "drop database if exists $d" >/dev/null 2>&1; su_psql "create database $d owner mustory" >/dev/null; done
dump() { pg_dump --schema-only --no-comments "$(url "$1")" |
	grep -v -e '^-- Dumped \(from\|by\)' -e '^\\\(un\)\?restrict '; } # \restrict: a random key per dump
versions() { psql -X -q -tA "$(url "$1")" -c "select string_agg(version, ',' order by version) from schema_migrations"; }

DATABASE_URL=$(url mustory_t74_script) "$ROOT/scripts/migrate.sh" >/dev/null
is "$?" 0 "scripts/migrate.sh on a fresh database"
out=$(DATABASE_URL=$(url mustory_t74_admin) "$ADMIN" migrate --dir "$ROOT")
is "$?" 0 "mustory-admin migrate on a fresh database"
like "$out" "applied schema.sql" "it applied the baseline"
is "$(grep -c '^migrate: applying ' <<<"$out")" "$(ls "$ROOT"/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l)" "and every migration"
dump mustory_t74_script > "$TMP/script.sql"
dump mustory_t74_admin > "$TMP/admin.sql"
cmp_ok "$(wc -l < "$TMP/admin.sql")" -gt 50 "the dump has the schema"
ok "pg_dump --schema-only: the same schema" cmp -s "$TMP/script.sql" "$TMP/admin.sql" || diff "$TMP/script.sql" "$TMP/admin.sql" | head -20 >&2
is "$(versions mustory_t74_admin)" "$(versions mustory_t74_script)" "the same migrations recorded"

out=$(DATABASE_URL=$(url mustory_t74_admin) "$ADMIN" migrate --dir "$ROOT")
is "$?:$out" "0:migrate: schema is current" "run again: nothing applied"
dump mustory_t74_admin > "$TMP/admin2.sql"
ok "run again: the schema is unchanged" cmp -s "$TMP/admin.sql" "$TMP/admin2.sql"
is "$(DATABASE_URL=$(url mustory_t74_admin) "$ADMIN" --json migrate --dir "$ROOT" | jq -c .)" '{"applied":0}' "--json: applied 0"
# The compiled-in directory of a dev build is this tree.
is "$(DATABASE_URL=$(url mustory_t74_admin) "$ADMIN" migrate)" "migrate: schema is current" "without --dir: the build's tree"

# A migration that fails halfway: none of it stays, it is not recorded, the next run tries again.
mkdir -p "$TMP/tree/migrations"
cp "$ROOT/schema.sql" "$TMP/tree/"
cp "$ROOT"/migrations/*.sql "$TMP/tree/migrations/"
printf 'CREATE TABLE t74_partial (x int);\nSELECT 1/0;\n' > "$TMP/tree/migrations/9999_bad.sql"
DATABASE_URL=$(url mustory_t74_bad) "$ADMIN" migrate --dir "$TMP/tree" >/dev/null 2>"$TMP/err"
is "$?" 1 "a failing migration: exit 1"
like "$(cat "$TMP/err")" "9999_bad.sql: .*division by zero" "it names the file and the error"
is "$(psql -X -q -tA "$(url mustory_t74_bad)" -c "select to_regclass('t74_partial') is null")" t "nothing of it stays"
is "$(versions mustory_t74_bad)" "$(versions mustory_t74_script)" "the good ones are recorded, the bad one not"
printf 'CREATE TABLE t74_partial (x int);\n' > "$TMP/tree/migrations/9999_bad.sql"
out=$(DATABASE_URL=$(url mustory_t74_bad) "$ADMIN" migrate --dir "$TMP/tree")
is "$?:$(grep -c applying <<<"$out")" "0:1" "fixed, the next run applies just it"
DATABASE_URL=$(url mustory_t74_bad) "$ADMIN" migrate --dir "$TMP/nowhere" >/dev/null 2>&1
is "$?" 1 "a missing directory: exit 1"

done_testing
