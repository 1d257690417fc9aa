/*
 * tags.h: the file's own tags (ID3, Vorbis comments, MP4 atoms, RIFF INFO),
 * as ffprobe reports them, made into the `tags` object of a track:
 *   {"title", "artist", "album", "album_artist", "genre", "composer",
 *    "date", "year", "isrc", "track": {"number", "total"},
 *    "disc": {"number", "total"}, "replaygain": {"track_gain_db",
 *    "track_peak", "album_gain_db", "album_peak"}}
 * (a key is absent when the file has no value for it).
 *
 * Keys are case-folded (ID3 keys come lower case, Vorbis/FLAC upper case)
 * and their spellings mapped (TRACKNUMBER -> track, "album artist" ->
 * album_artist). The text is untrusted: it is made valid UTF-8 (U+FFFD for
 * ill-formed bytes), control characters are removed, each value is capped at
 * TAGS_VALUE_MAX characters, and at most TAGS_KEYS_MAX tags of the file are
 * looked at. The stream's tags fill what the container's do not (Ogg keeps
 * them on the stream).
 */
#ifndef MUSTORY_JOBS_TAGS_H
#define MUSTORY_JOBS_TAGS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define TAGS_VALUE_MAX 500 /* characters (code points) of one value */
#define TAGS_KEYS_MAX 64   /* tags of one file looked at */

/*
 * Pure: the tags object from ffprobe's -print_format json output (root,
 * borrowed). Always returns a new object (maybe empty), owned by the caller;
 * NULL only when out of memory.
 */
json_object *tags_from_probe(json_object *root);

#ifdef UNITTEST
/* "3/10" -> 3 and 10; "07" -> 7 and 0. False when it does not start with a number. */
bool tags_number_total(const char *s, int *number, int *total);
/* A value made safe: valid UTF-8, no controls, trimmed, capped. Caller frees. */
char *tags_clean(const char *s, size_t len);
#endif

#endif
