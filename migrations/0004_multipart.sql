-- Resumable uploads (issue 14): a track is uploaded either with one presigned
-- POST ('post', every existing row) or as an S3 multipart upload
-- ('multipart'), whose storage upload id and part size the API keeps to list,
-- re-sign and complete the parts. Additive: a constant default, two nullable
-- columns, and a CHECK that every existing row meets at once.
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS upload_mode text NOT NULL DEFAULT 'post';
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS multipart_upload_id text;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS multipart_part_size bigint;
ALTER TABLE tracks ADD CONSTRAINT tracks_upload_mode_check CHECK (
    (upload_mode = 'post' AND multipart_upload_id IS NULL AND multipart_part_size IS NULL)
    OR (upload_mode = 'multipart' AND multipart_upload_id IS NOT NULL
        AND multipart_part_size >= 5242880));
