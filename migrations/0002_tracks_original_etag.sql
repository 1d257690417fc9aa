-- Issue 11, item 9: a presigned POST can be used again after complete, so
-- the original could be swapped for other bytes of the same size before the
-- runner reads it. complete records the ETag storage gave the original it
-- checked; the runner reads the original with If-Match on it, and a changed
-- object fails the job. Nullable: tracks completed before this (and storage
-- that sends no ETag) are read without the condition.
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS original_etag text;
