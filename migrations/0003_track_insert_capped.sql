-- init in one round trip. Before, POST /tracks/upload/init made four
-- (BEGIN, the owner's advisory lock, the capped INSERT, COMMIT); the same
-- steps now run inside the server in one call. A VOLATILE plpgsql function
-- takes a fresh snapshot for each statement under READ COMMITTED, so the
-- count after the lock sees every init of the owner committed before it,
-- as the separate statements did: MAX_PENDING_UPLOADS_PER_USER still holds
-- under concurrent inits. Returns false when the owner is at the cap (no row).
CREATE OR REPLACE FUNCTION mustory_track_insert_capped(
    p_id uuid, p_owner text, p_title text, p_artist text, p_ext text, p_size bigint,
    p_content_type text, p_audio_key text, p_audio_url text, p_artwork_ext text,
    p_artwork_key text, p_max bigint, p_pending track_processing_status)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('mustory.pending:' || p_owner, 0));
    INSERT INTO tracks (id, owner_id, title, artist_name, file_extension, file_size,
        content_type, original_audio_key, original_audio_url, artwork_extension, artwork_key)
    SELECT p_id, p_owner::uuid, p_title, p_artist, p_ext, p_size, p_content_type, p_audio_key,
        p_audio_url, p_artwork_ext, p_artwork_key
    WHERE (SELECT count(*) FROM tracks WHERE owner_id = p_owner::uuid
        AND processing_status = p_pending) < p_max;
    RETURN FOUND;
END $$;
