-- POST /tracks/upload/init counts the owner's PENDING tracks (lib/track.c
-- track_insert) and must read only that owner's rows, through
-- tracks_owner_pending_idx. The janitor's tracks_pending_created_idx (0012)
-- had the very same predicate, so when the statistics said hardly any track
-- was PENDING (an analyse while few were) the planner took the janitor's
-- index for the count too and read every PENDING row of every owner: 2,300
-- heap blocks per init on 1M tracks (bench/README.md, issue 13 part 4). The
-- janitor's index now names expired_at, which a PENDING track never has and
-- which the count does not mention, so only the janitor's expiry pass (which
-- says expired_at IS NULL: lib/janitor.c pass_expire) can use it.
-- The build takes a SHARE lock on tracks (writes wait) while it scans it: a
-- second or so per million tracks.
DROP INDEX IF EXISTS tracks_pending_created_idx;
CREATE INDEX IF NOT EXISTS tracks_pending_created_idx ON tracks (created_at, id)
    WHERE processing_status = 'PENDING' AND expired_at IS NULL;
