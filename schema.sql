-- Mustory track upload service: baseline schema.
-- Idempotent: applying it again changes nothing. Later changes go in
-- migrations/NNNN_name.sql (applied once each by `make migrate`, never edited
-- after they land).

SET client_min_messages = warning;

DO $$ BEGIN
    CREATE TYPE track_processing_status AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN
    CREATE TYPE job_state AS ENUM ('queued', 'running', 'succeeded', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE TABLE IF NOT EXISTS tracks (
    id                  uuid PRIMARY KEY,
    owner_id            uuid NOT NULL,
    title               text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    artist_name         text NOT NULL CHECK (char_length(artist_name) BETWEEN 1 AND 200),
    file_extension      text NOT NULL,
    file_size           bigint NOT NULL CHECK (file_size > 0),
    content_type        text NOT NULL,
    original_audio_key  text NOT NULL,
    original_audio_url  text NOT NULL,
    artwork_extension   text,
    artwork_key         text,
    artwork_url         text,
    processing_status   track_processing_status NOT NULL DEFAULT 'PENDING',
    processing_error    text,
    duration_seconds    double precision,
    hls_prefix          text,
    hls_url             text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tracks_owner_created_idx ON tracks (owner_id, created_at DESC);

-- The queue. One row per (track, kind): a repeated complete can never make a
-- second job. A failed job stays here for an operator to see and retry.
CREATE TABLE IF NOT EXISTS jobs (
    id                bigserial PRIMARY KEY,
    kind              text NOT NULL DEFAULT 'transcode_hls',
    track_id          uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    state             job_state NOT NULL DEFAULT 'queued',
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts      integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    run_at            timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_expires_at  timestamptz,
    progress          smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    CONSTRAINT jobs_one_per_track_kind UNIQUE (track_id, kind)
);
-- Claiming: the due queued jobs, oldest first.
CREATE INDEX IF NOT EXISTS jobs_due_idx ON jobs (run_at, id) WHERE state = 'queued';
-- Rescue: running jobs whose lease ran out.
CREATE INDEX IF NOT EXISTS jobs_lease_idx ON jobs (lease_expires_at) WHERE state = 'running';

-- The record of every attempt: who ran it, when, and how it ended.
CREATE TABLE IF NOT EXISTS job_runs (
    id           bigserial PRIMARY KEY,
    job_id       bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      integer NOT NULL,
    runner       text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      text CHECK (outcome IN ('succeeded', 'retry', 'failed', 'lease_lost', 'handed_back')),
    message      text
);
CREATE INDEX IF NOT EXISTS job_runs_job_idx ON job_runs (job_id, id);

-- Wake runners when a job becomes due now (insert, or an operator's retry).
CREATE OR REPLACE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'queued' AND NEW.run_at <= now() THEN
        PERFORM pg_notify('jobs', NEW.id::text);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS jobs_notify_insert ON jobs;
CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_notify();
DROP TRIGGER IF EXISTS jobs_notify_requeue ON jobs;
CREATE TRIGGER jobs_notify_requeue AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (NEW.state = 'queued' AND OLD.state IS DISTINCT FROM 'queued')
    EXECUTE FUNCTION jobs_notify();

-- Migrations applied after this baseline (see scripts/migrate.sh).
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
