/*
 * upload_tags.h: the title and artist mustory-upload sends when none is
 * given: the file's tags (ffprobe), else its name ("Artist - Title.mp3").
 */
#ifndef MUSTORY_UPLOAD_TAGS_H
#define MUSTORY_UPLOAD_TAGS_H

#include "result.h"

/* What init's title and artist_name accept (code points). */
#define UTAGS_TEXT_MAX 200
#define UTAGS_UNKNOWN_ARTIST "Unknown artist"

/*
 * *title / *artist (malloc'd, caller frees): the file's "title" and "artist"
 * (or "album_artist") tags, read by running ffprobe (FFPROBE_PATH, default
 * "ffprobe") with an argv, never a shell; NULL each when there is no such
 * tag or ffprobe cannot read the file. Text is made well-formed UTF-8
 * without control characters, trimmed, at most UTAGS_TEXT_MAX code points.
 */
enum result utags_probe(const char *path, char **title, char **artist);

/*
 * The same from ffprobe's JSON (-of json -show_entries format_tags:stream_tags):
 * the format's tags, else the first stream's; keys in any case. Text that is
 * not JSON, or has no such tags, gives NULLs and OK.
 */
enum result utags_parse(const char *json, char **title, char **artist);

/*
 * From the file name alone: "Artist - Title.ext" gives both; otherwise the
 * name without its extension is the title and the artist is
 * UTAGS_UNKNOWN_ARTIST. Both malloc'd.
 */
enum result utags_from_name(const char *path, char **title, char **artist);

/* Cleaned copy of s (utext_clean, UTAGS_TEXT_MAX), or NULL when nothing is left. */
char *utags_clean(const char *s);

#endif
