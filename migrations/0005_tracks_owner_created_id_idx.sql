-- GET /tracks (issue 15) pages through one owner's tracks newest first with
-- the keyset (created_at, id): ORDER BY created_at DESC, id DESC and
-- (created_at, id) < (cursor). With only (owner_id, created_at DESC) the
-- planner sorts every page; this index serves the order and the row
-- comparison as an index range. It has the old index's leading columns, so
-- it serves every query that one did, and the old one goes.
CREATE INDEX IF NOT EXISTS tracks_owner_created_id_idx
    ON tracks (owner_id, created_at DESC, id DESC);
DROP INDEX IF EXISTS tracks_owner_created_idx;
