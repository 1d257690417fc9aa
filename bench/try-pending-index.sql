-- Trial (bench only): the janitor's PENDING index made one the pending count
-- cannot use (its predicate names expired_at, which the count does not), so
-- the count can only take the owner's index.
DROP INDEX tracks_pending_created_idx;
CREATE INDEX tracks_pending_created_idx ON tracks (created_at, id)
    WHERE processing_status = 'PENDING' AND expired_at IS NULL;
