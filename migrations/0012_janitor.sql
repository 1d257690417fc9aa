-- The janitor (issue 15, section 2; lib/janitor.c). Additive: two nullable
-- columns (no rewrite) and partial indexes, so that each of its passes reads
-- only the rows it has work for, however many tracks and runs there are.
--
-- expired_at: when the janitor failed a PENDING track whose upload was never
-- completed (UPLOAD_TTL_SECONDS after created_at). Such a track stays visible
-- (FAILED, "the upload was never completed") for another UPLOAD_TTL_SECONDS,
-- then its row is removed. NULL for every other track: a track failed by its
-- job stays for the operator.
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS expired_at timestamptz;
-- hls_swept_prefix: the hls_prefix of the attempt whose predecessors the
-- janitor has removed from storage (hls/<id>/<other>/, art/<id>/<other>/).
-- A COMPLETED track whose hls_prefix differs is still to be looked at; most
-- have one attempt and are only marked (no storage listing).
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS hls_swept_prefix text;

-- Expiry: the PENDING tracks, oldest first.
CREATE INDEX IF NOT EXISTS tracks_pending_created_idx ON tracks (created_at, id)
    WHERE processing_status = 'PENDING';
-- Removal: the expired tracks, by when they expired.
CREATE INDEX IF NOT EXISTS tracks_expired_idx ON tracks (expired_at, id)
    WHERE expired_at IS NOT NULL;
-- Superseded attempts: the completed tracks not swept since their last
-- attempt (a few: each is marked once it is looked at).
CREATE INDEX IF NOT EXISTS tracks_unswept_idx ON tracks (id)
    WHERE processing_status = 'COMPLETED' AND hls_swept_prefix IS DISTINCT FROM hls_prefix;
-- History: runs by when they finished, oldest first, pruned in batches.
CREATE INDEX IF NOT EXISTS job_runs_finished_idx ON job_runs (finished_at)
    WHERE finished_at IS NOT NULL;
