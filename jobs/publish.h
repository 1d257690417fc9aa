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
 */
#ifndef MUSTORY_JOBS_PUBLISH_H
#define MUSTORY_JOBS_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include "s3.h"
#include "storage_layout.h"
#include "transcode.h"

#define PUBLISH_TYPE_PLAYLIST "application/vnd.apple.mpegurl"
#define PUBLISH_TYPE_SEGMENT "audio/mp4"
#define PUBLISH_CACHE_SEGMENT "public, max-age=31536000, immutable"
#define PUBLISH_CACHE_PLAYLIST "public, max-age=300"

struct publish {
	char prefix[STORAGE_KEY_MAX]; /* "hls/<track>/<attempt>" (storage_layout.h) */
	char **keys;          /* owned: every key uploaded (or tried), for cleanup */
	size_t nkeys;
	double duration_s;    /* of the shortest rendition, from its playlist */
	int next_seg[TRANSCODE_MAX_RUNGS]; /* per rung: segments 0..next-1 are up */
	char *master;         /* owned: made by publish_upload(), sent by publish_master() */
};

/* Pick the fresh prefix for track_id. */
enum result publish_init(struct publish *p, const char *track_id, struct errbuf *e);

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

/* The master playlist's key, written into buf (NULL when it does not fit). */
const char *publish_master_key(const struct publish *p, char *buf, size_t len);

/* Best effort: delete everything uploaded (the attempt is abandoned). */
void publish_remove(struct publish *p, struct s3 *s3);
void publish_free(struct publish *p);

#endif
