-- Job kinds besides transcode_hls (issue 15): a purge of a deleted track's
-- objects, a webhook delivery. A kind about a track that may be purged before
-- the job runs (a delivery) keeps the track id in its payload and leaves
-- track_id NULL, so the purge's delete of the track does not cascade it away;
-- NULLs never conflict in jobs_one_per_track_kind, so that constraint stays
-- (a purge is one per track through it, like a transcode). Additive: a
-- nullable column, a dropped NOT NULL, and a CHECK that existing rows meet
-- (NOT VALID: no scan under lock; new rows are checked).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS payload jsonb;
ALTER TABLE jobs ALTER COLUMN track_id DROP NOT NULL;
ALTER TABLE jobs ADD CONSTRAINT jobs_track_or_payload
    CHECK (track_id IS NOT NULL OR payload IS NOT NULL) NOT VALID;
