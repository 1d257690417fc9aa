#include "media.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MEDIA_MAX_CODECS 8

struct media_type {
	const char *ext;
	const char *content_type;
	const char *demuxer;                  /* audio: the ffmpeg demuxer probe forces */
	const char *codecs[MEDIA_MAX_CODECS]; /* audio: what it may carry; "pcm_" = every pcm_* */
};

/*
 * The accepted audio formats. The runner checks the file's content, not its
 * name: a demuxer's codecs are those of every row that uses it.
 */
static const struct media_type audio_types[] = {
	{ "mp3", "audio/mpeg", "mp3", { "mp3", "mp2", "mp1", NULL } },
	{ "wav", "audio/wav", "wav", { "pcm_", "mp3", NULL } },
	{ "flac", "audio/flac", "flac", { "flac", NULL } },
	{ "m4a", "audio/mp4", "mov", { "aac", "alac", "mp3", NULL } },
	{ "aac", "audio/aac", "aac", { "aac", NULL } },
	{ "ogg", "audio/ogg", "ogg", { "vorbis", "opus", "flac", NULL } },
	{ "opus", "audio/opus", "ogg", { "vorbis", "opus", "flac", NULL } },
};

static const struct media_type image_types[] = {
	{ "jpg", "image/jpeg", NULL, { NULL } },
	{ "jpeg", "image/jpeg", NULL, { NULL } },
	{ "png", "image/png", NULL, { NULL } },
	{ "webp", "image/webp", NULL, { NULL } },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *media_find(const struct media_type *t, size_t n, const char *ext,
    const char **content_type);
static const char *media_list(const struct media_type *t, size_t n, char *buf, size_t size);
static bool media_codec_in(const struct media_type *t, const char *codec);

static const char *
media_find(const struct media_type *t, size_t n, const char *ext, const char **content_type)
{
	size_t i;

	for (i = 0; ext != NULL && i < n; i++) {
		if (strcasecmp(t[i].ext, ext) == 0) {
			if (content_type != NULL)
				*content_type = t[i].content_type;
			return t[i].ext;
		}
	}
	return NULL;
}

/* "a, b, c" of the table's extensions, made once into buf (static storage). */
static const char *
media_list(const struct media_type *t, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i > 0 ? ", " : "", t[i].ext);
	return buf;
}

static bool
media_codec_in(const struct media_type *t, const char *codec)
{
	size_t k;

	for (k = 0; k < MEDIA_MAX_CODECS && t->codecs[k] != NULL; k++) {
		if (strcmp(t->codecs[k], "pcm_") == 0 ? strncmp(codec, "pcm_", 4) == 0 :
		    strcmp(t->codecs[k], codec) == 0)
			return true;
	}
	return false;
}

const char *
media_audio_ext(const char *ext, const char **content_type)
{
	return media_find(audio_types, NELEM(audio_types), ext, content_type);
}

const char *
media_image_ext(const char *ext, const char **content_type)
{
	return media_find(image_types, NELEM(image_types), ext, content_type);
}

const char *
media_audio_list(void)
{
	static char buf[128];

	return media_list(audio_types, NELEM(audio_types), buf, sizeof(buf));
}

const char *
media_image_list(void)
{
	static char buf[64];

	return media_list(image_types, NELEM(image_types), buf, sizeof(buf));
}

bool
media_codec_ok(const char *demuxer, const char *codec)
{
	size_t i;

	if (demuxer == NULL || codec == NULL)
		return false;
	for (i = 0; i < NELEM(audio_types); i++)
		if (strcmp(audio_types[i].demuxer, demuxer) == 0 &&
		    media_codec_in(&audio_types[i], codec))
			return true;
	return false;
}
