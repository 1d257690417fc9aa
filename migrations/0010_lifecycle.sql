-- Deleting a track and cancelling its job (issue 15, part 1).
--
-- DELETE /tracks/{id} soft-deletes: tracks.deleted_at is set and every
-- statement of the API and the runner leaves such a row out, so the track is
-- gone from the API at once; the row (and its jobs' record) stays until the
-- purge job has removed every object of the track from storage, then the
-- purge deletes it (its transcode job and runs cascade).
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS deleted_at timestamptz;

-- A job can be cancelled: a queued one at once, a running one by asking its
-- runner (cancel_requested_at), which sees it at its next heartbeat, stops,
-- removes what it had uploaded and records the run as 'cancelled'. The new
-- enum value is only used by later statements (not in this file).
ALTER TYPE job_state ADD VALUE IF NOT EXISTS 'cancelled';
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cancel_requested_at timestamptz;

-- How a run may end, now also: 'cancelled' (its job was cancelled while it
-- ran) and 'deferred' (a purge that must wait: the track's transcode job is
-- still running, or the track's upload forms have not expired yet; the
-- attempt is not counted). Widened, so every existing row meets it.
ALTER TABLE job_runs DROP CONSTRAINT IF EXISTS job_runs_outcome_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check CHECK (outcome IN
    ('succeeded', 'retry', 'failed', 'lease_lost', 'handed_back', 'cancelled', 'deferred'));

-- One purge per track. A purge job has no track_id (it deletes the track
-- row, which would cascade it away with its record): the track's id is in
-- its payload, {"track_id": "<uuid>"}.
CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_purge_per_track ON jobs ((payload ->> 'track_id'))
    WHERE kind = 'purge';
