/*
 * publish.h: upload one attempt's HLS output under a fresh prefix
 * (hls/<track>/<attempt>/..., keys from storage_layout.h), segments and init files first (parallel),
 * then the media playlists, the master playlist LAST, so a player that can
 * see the master can see everything it names. The master is written here
 * from the measured segments (playlist.h).
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
	char track[64];               /* the track id */
	char attempt[STORAGE_ATTEMPT_HEX + 1]; /* the attempt id, art/ shares it */
	char **keys;          /* owned: every key uploaded (or tried), for cleanup */
	size_t nkeys;
	double duration_s;    /* of the shortest rendition, from its playlist */
};

/* Pick the fresh prefix for track_id. */
enum result publish_init(struct publish *p, const char *track_id, struct errbuf *e);

/*
 * Measure and upload outdir's renditions and the master. still_ours() is
 * asked before the master goes up; false stops with ERR_LEASE_LOST. progress
 * (may be NULL) gets 0..1.
 */
enum result publish_upload(struct publish *p, struct s3 *s3, const char *outdir,
    const struct ladder *l, bool (*still_ours)(void *), void (*progress)(void *, double),
    void *arg, struct errbuf *e);

/*
 * Upload the checked cover at path (Content-Type type) as
 * art/<track>/<attempt>/artwork.<ext>, the attempt's public artwork; its
 * key goes into key (STORAGE_KEY_MAX bytes) and into p's list, so it is
 * removed with the rest when the attempt is abandoned. Call it before
 * publish_upload: the master goes up last.
 */
enum result publish_artwork(struct publish *p, struct s3 *s3, const char *path,
    const char *type, const char *ext, char *key, struct errbuf *e);

/* The master playlist's key, written into buf (NULL when it does not fit). */
const char *publish_master_key(const struct publish *p, char *buf, size_t len);

/* Best effort: delete everything uploaded (the attempt is abandoned). */
void publish_remove(struct publish *p, struct s3 *s3);
void publish_free(struct publish *p);

#endif
