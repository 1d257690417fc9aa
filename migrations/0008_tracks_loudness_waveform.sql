-- What the runner measures beside the ladder: EBU R128 loudness
-- ({integrated_lufs, range_lu, true_peak_dbtp, gain_db}) and the public URL
-- of the waveform (audiowaveform JSON v2, hls/<id>/<attempt>/waveform.json).
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS loudness jsonb;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS waveform_url text;
