/*
 * media.h: the file types the service accepts. One table in media.c says,
 * for each accepted audio format, its extension and content type (what the
 * API checks at upload) and the ffmpeg demuxer and codecs the runner lets
 * through (what jobs/probe.c checks on the file itself).
 */
#ifndef MUSTORY_MEDIA_H
#define MUSTORY_MEDIA_H

#include <stdbool.h>

/*
 * Look up an extension (case-insensitive, no dot). Returns the canonical
 * lowercase extension (static) and sets *content_type (static), or NULL.
 */
const char *media_audio_ext(const char *ext, const char **content_type);
const char *media_image_ext(const char *ext, const char **content_type);

/* Static, human lists for error messages: "mp3, wav, ...". */
const char *media_audio_list(void);
const char *media_image_list(void);

/*
 * May the ffmpeg demuxer (forced with -f, e.g. "mov") carry codec (ffprobe's
 * codec_name, e.g. "alac")? False for a demuxer no accepted format uses.
 */
bool media_codec_ok(const char *demuxer, const char *codec);

#endif
