#!/usr/bin/env bash
# Apply schema.sql (idempotent) and then every migrations/NNNN_*.sql not yet
# recorded in schema_migrations, each in its own transaction, in order.
# usage: DATABASE_URL=postgresql://... scripts/migrate.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?DATABASE_URL is not set}"
psql=(psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL")
# The baseline once: re-running it on a live database would take table locks
# (CREATE INDEX IF NOT EXISTS locks before it looks) that deadlock with the
# API's transactions. Later changes are migrations, so a database that has
# schema_migrations has the baseline.
if [ -z "$("${psql[@]}" -tAc "select to_regclass('public.schema_migrations')")" ]; then
	"${psql[@]}" -1 -f "$ROOT/schema.sql"
fi
shopt -s nullglob
for f in "$ROOT"/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
	v=$(basename "$f" .sql)
	if [ -z "$("${psql[@]}" -tAc "select 1 from schema_migrations where version = '$v'")" ]; then
		echo "migrate: applying $v"
		"${psql[@]}" -1 -f "$f" -c "insert into schema_migrations (version) values ('$v')"
	fi
done
echo "migrate: schema is current"
