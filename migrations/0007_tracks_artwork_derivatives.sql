-- The cover's public derivatives: artwork_url is the large one, and
-- artwork_thumbnails maps sizes ("600", "300") to their URLs; artwork_error
-- says why a cover that was offered (uploaded or embedded) is not published.
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS artwork_thumbnails jsonb;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS artwork_error text;
