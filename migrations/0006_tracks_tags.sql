-- The file's own tags (title, artist, album, track/disc numbers, ReplayGain,
-- ...), read by the runner from ffprobe and exposed as `tags` in
-- GET /tracks/{id}. NULL until the track is processed.
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS tags jsonb;
