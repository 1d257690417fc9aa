/*
 * publish.h: upload one attempt's HLS output under a fresh prefix
 * (hls/<track>/<attempt>/..., keys from storage_layout.h) in three steps:
 *  1. publish_segments(), while ffmpeg still encodes: every segment ffmpeg
 *     has finished (seg N is finished once seg N+1 exists, or its process
 *     has exited: ffmpeg 5.1's fMP4 HLS muxer opens, writes and closes each
 *     segment whole before it opens the next, and with -hls_playlist_type
 *     vod writes the playlist only at the end);
 *  2. publish_upload(), once every process is done: the tail (segments not
 *     up yet, the init files), then the media playlists; the master is
 *     written from the measured segments (playlist.h) but not uploaded;
 *  3. publish_master(): the master LAST, so a player that can see the
 *     master can see everything it names. It is the point of no return.
 * A failed or stopped attempt removes what it uploaded (publish_remove()).
 * One killed -9 cannot: every key is first written to a journal file in
 * its work directory, and publish_sweep() removes them later (stages.h).
 */
#ifndef MUSTORY_JOBS_PUBLISH_H
#define MUSTORY_JOBS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "s3.h"
#include "storage_layout.h"
#include "transcode.h"

#define PUBLISH_TYPE_PLAYLIST "application/vnd.apple.mpegurl"
#define PUBLISH_TYPE_SEGMENT "audio/mp4"
#define PUBLISH_CACHE_SEGMENT "public, max-age=31536000, immutable"
#define PUBLISH_CACHE_PLAYLIST "public, max-age=300"

struct publish {
	char prefix[STORAGE_KEY_MAX]; /* "hls/<track>/<attempt>" (storage_layout.h) */
	char track[64];               /* the track id */
	char attempt[STORAGE_ATTEMPT_HEX + 1]; /* the attempt id, art/ shares it */
	char **keys;          /* owned: every key uploaded (or tried), for cleanup */
	size_t nkeys;
	double duration_s;    /* of the shortest rendition, from its playlist */
	int next_seg[TRANSCODE_MAX_RUNGS]; /* per rung: segments 0..next-1 are up */
	char *master;         /* owned: made by publish_upload(), sent by publish_master() */
	FILE *journal;        /* owned: every key, written before it is uploaded; or NULL */
};

/*
 * Pick the fresh prefix for track_id. journal (may be NULL) is the file
 * that lists "track <id> <prefix>" and then each key before it is uploaded.
 */
enum result publish_init(struct publish *p, const char *track_id, const char *journal,
    struct errbuf *e);

/* The attempt is published: close the journal and unlink it (path as given to init). */
void publish_forget(struct publish *p, const char *journal);

/*
 * Remove the keys a journal lists (an attempt that was killed), the last
 * first, unless published(arg, track, prefix) says they are a track's
 * output. OK when nothing is left to remove (then the journal may go).
 */
enum result publish_sweep(const char *journal, struct s3 *s3,
    enum result (*published)(void *arg, const char *track, const char *prefix, bool *yes),
    void *arg);

/*
 * Upload rung k's finished segments from outdir/a<kbps>/ (done[k]: its
 * ffmpeg has exited cleanly, so its last segment is finished too), those
 * not up yet, in order. Call it as often as wanted while encoding.
 */
enum result publish_segments(struct publish *p, struct s3 *s3, const char *outdir,
    const struct ladder *l, const bool done[TRANSCODE_MAX_RUNGS], struct errbuf *e);

/*
 * Once every rendition is done: measure them (playlists), upload what is
 * not up yet (segments, init files), then the media playlists, and write
 * the master into p->master. progress (may be NULL) gets 0..1.
 */
enum result publish_upload(struct publish *p, struct s3 *s3, const char *outdir,
    const struct ladder *l, void (*progress)(void *, double), void *arg, struct errbuf *e);

/*
 * The master playlist, last. still_ours() is asked first; false stops with
 * ERR_LEASE_LOST.
 */
enum result publish_master(struct publish *p, struct s3 *s3, bool (*still_ours)(void *),
    void *arg, struct errbuf *e);

/*
 * Upload the checked cover at path (Content-Type type) as
 * art/<track>/<attempt>/<name>, one of the attempt's public artwork files; its
 * key goes into key (STORAGE_KEY_MAX bytes) and into p's list, so it is
 * removed with the rest when the attempt is abandoned. Call it before
 * publish_upload: the master goes up last.
 */
enum result publish_artwork(struct publish *p, struct s3 *s3, const char *path,
    const char *type, const char *name, char *key, struct errbuf *e);

/*
 * Upload the waveform (audiowaveform JSON at path) as
 * hls/<track>/<attempt>/waveform.json, beside the renditions; its key into
 * key (STORAGE_KEY_MAX bytes) and p's list. Before publish_upload.
 */
enum result publish_waveform(struct publish *p, struct s3 *s3, const char *path, char *key,
    struct errbuf *e);

/* The master playlist's key, written into buf (NULL when it does not fit). */
const char *publish_master_key(const struct publish *p, char *buf, size_t len);

/* Best effort: delete everything uploaded (the attempt is abandoned); the first failure. */
enum result publish_remove(struct publish *p, struct s3 *s3);
void publish_free(struct publish *p);

#endif
