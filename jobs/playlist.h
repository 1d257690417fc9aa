/*
 * playlist.h: HLS playlists. Reads the media playlists ffmpeg wrote,
 * measures each rendition from its real segment sizes, and writes the
 * master playlist ourselves (RFC 8216 / Apple's HLS authoring spec):
 * BANDWIDTH = peak segment bit rate (the largest bit rate of any run of
 * consecutive segments lasting 0.5 to 1.5 target durations, RFC 8216
 * 4.3.4.2), AVERAGE-BANDWIDTH = the whole rendition's bit rate,
 * CODECS="mp4a.40.2", and no RESOLUTION (audio only).
 */
#ifndef MUSTORY_JOBS_PLAYLIST_H
#define MUSTORY_JOBS_PLAYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

/* Caps on what we read back from ffmpeg's output. */
#define PLAYLIST_MAX_BYTES (4 * 1024 * 1024)
#define PLAYLIST_MAX_SEGMENTS 100000

struct pl_segment {
	double duration; /* EXTINF seconds */
	char *uri;       /* owned; a plain file name in the rendition's directory */
	long long bytes; /* filled by playlist_measure_dir(); 0 until then */
};

struct media_playlist {
	double target_duration; /* EXT-X-TARGETDURATION */
	char *map_uri;          /* owned; EXT-X-MAP URI (fMP4 init), NULL when none */
	struct pl_segment *seg; /* owned array of nseg */
	size_t nseg;
	bool endlist;           /* EXT-X-ENDLIST seen */
	bool vod;               /* EXT-X-PLAYLIST-TYPE:VOD seen */
};

/*
 * Parse a media playlist (len bytes, need not be NUL-terminated). URIs must
 * be plain names (no '/', no "..", no scheme): we only publish files we
 * made. ERR_INVALID with e saying what is wrong.
 */
enum result playlist_parse_media(const char *text, size_t len, struct media_playlist *pl,
    struct errbuf *e);
void playlist_media_free(struct media_playlist *pl);

/* Total duration of the segments, seconds. */
double playlist_duration(const struct media_playlist *pl);

/*
 * From the segments' durations and bytes (pure): *peak_bps per RFC 8216
 * 4.3.4.2 and *avg_bps = all bytes * 8 / all seconds, both rounded up.
 */
void playlist_measure(const struct media_playlist *pl, long long *peak_bps,
    long long *avg_bps);

/* Read dir/name, parse it, stat every segment into seg[i].bytes (and the map). */
enum result playlist_load_dir(const char *dir, const char *name, struct media_playlist *pl,
    struct errbuf *e);

struct pl_variant {
	const char *uri;    /* borrowed: relative URI of the media playlist */
	long long peak_bps; /* BANDWIDTH */
	long long avg_bps;  /* AVERAGE-BANDWIDTH */
};

/* The master playlist text (malloc'd, NUL-terminated), or NULL when out of memory. */
char *playlist_master(const struct pl_variant *v, size_t n);

#endif
