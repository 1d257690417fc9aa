#include "media.h"

#include <stddef.h>
#include <strings.h>

struct media_type {
	const char *ext;
	const char *content_type;
};

static const struct media_type audio_types[] = {
	{ "mp3", "audio/mpeg" },
	{ "wav", "audio/wav" },
	{ "flac", "audio/flac" },
	{ "m4a", "audio/mp4" },
	{ "aac", "audio/aac" },
	{ "ogg", "audio/ogg" },
	{ "opus", "audio/opus" },
};

static const struct media_type image_types[] = {
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "png", "image/png" },
	{ "webp", "image/webp" },
};

static const char *media_find(const struct media_type *t, size_t n, const char *ext,
    const char **content_type);

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

const char *
media_audio_ext(const char *ext, const char **content_type)
{
	return media_find(audio_types, sizeof(audio_types) / sizeof(audio_types[0]), ext,
	    content_type);
}

const char *
media_image_ext(const char *ext, const char **content_type)
{
	return media_find(image_types, sizeof(image_types) / sizeof(image_types[0]), ext,
	    content_type);
}

const char *
media_audio_list(void)
{
	return "mp3, wav, flac, m4a, aac, ogg, opus";
}

const char *
media_image_list(void)
{
	return "jpg, jpeg, png, webp";
}
