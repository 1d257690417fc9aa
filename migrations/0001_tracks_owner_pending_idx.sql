-- init counts the owner's PENDING tracks (MAX_PENDING_UPLOADS_PER_USER) on
-- every call: a partial index keeps that count to the few pending rows,
-- however many tracks the owner has.
CREATE INDEX IF NOT EXISTS tracks_owner_pending_idx ON tracks (owner_id)
    WHERE processing_status = 'PENDING';
