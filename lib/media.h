/*
 * media.h: the file types the service accepts, by extension.
 */
#ifndef MUSTORY_MEDIA_H
#define MUSTORY_MEDIA_H

/*
 * Look up an extension (case-insensitive, no dot). Returns the canonical
 * lowercase extension (static) and sets *content_type (static), or NULL.
 */
const char *media_audio_ext(const char *ext, const char **content_type);
const char *media_image_ext(const char *ext, const char **content_type);

/* Static, human lists for error messages: "mp3, wav, ...". */
const char *media_audio_list(void);
const char *media_image_list(void);

#endif
