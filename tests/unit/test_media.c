/* The accepted formats: one table answers the API's and the runner's questions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "media.h"

static void
extensions_and_content_types(void **state)
{
	static const struct { const char *ext, *canon, *type; } c[] = {
		{ "mp3", "mp3", "audio/mpeg" }, { "MP3", "mp3", "audio/mpeg" },
		{ "wav", "wav", "audio/wav" }, { "flac", "flac", "audio/flac" },
		{ "M4a", "m4a", "audio/mp4" }, { "aac", "aac", "audio/aac" },
		{ "ogg", "ogg", "audio/ogg" }, { "opus", "opus", "audio/opus" },
		{ "mp4", NULL, NULL }, { "", NULL, NULL }, { "mp3 ", NULL, NULL },
	};
	const char *type;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		type = NULL;
		if (c[i].canon == NULL) {
			assert_null(media_audio_ext(c[i].ext, &type));
			continue;
		}
		assert_string_equal(media_audio_ext(c[i].ext, &type), c[i].canon);
		assert_string_equal(type, c[i].type);
	}
	assert_null(media_audio_ext(NULL, &type));
	assert_string_equal(media_image_ext("JPEG", &type), "jpeg");
	assert_string_equal(type, "image/jpeg");
	assert_null(media_image_ext("gif", NULL));
	assert_null(media_audio_ext("png", NULL));
}

static void
lists_for_messages(void **state)
{
	(void)state;
	assert_string_equal(media_audio_list(), "mp3, wav, flac, m4a, aac, ogg, opus");
	assert_string_equal(media_image_list(), "jpg, jpeg, png, webp");
	assert_string_equal(media_audio_list(), "mp3, wav, flac, m4a, aac, ogg, opus");
}

static void
codecs_per_demuxer(void **state)
{
	static const struct { const char *demuxer, *codec; bool ok; } c[] = {
		{ "mp3", "mp3", true }, { "mp3", "mp2", true }, { "mp3", "mp1", true },
		{ "mp3", "aac", false },
		{ "aac", "aac", true }, { "aac", "mp3", false },
		{ "flac", "flac", true }, { "flac", "alac", false },
		{ "wav", "pcm_s16le", true }, { "wav", "pcm_f32le", true }, { "wav", "mp3", true },
		{ "wav", "pcm", false }, { "wav", "adpcm_ms", false },
		{ "ogg", "vorbis", true }, { "ogg", "opus", true }, { "ogg", "flac", true },
		{ "ogg", "theora", false },
		{ "mov", "aac", true }, { "mov", "alac", true }, { "mov", "mp3", true },
		{ "mov", "h264", false },
		{ "matroska", "opus", false }, { "hls", "aac", false }, { "", "aac", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (media_codec_ok(c[i].demuxer, c[i].codec) != c[i].ok)
			fail_msg("%s carrying %s: got %d", c[i].demuxer, c[i].codec, !c[i].ok);
	assert_false(media_codec_ok(NULL, "aac"));
	assert_false(media_codec_ok("mov", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extensions_and_content_types),
		cmocka_unit_test(lists_for_messages),
		cmocka_unit_test(codecs_per_demuxer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
