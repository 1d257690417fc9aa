/* The original's check: magic-byte sniffing and ffprobe JSON parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "probe.h"

#define B(s) (const unsigned char *)(s), sizeof(s) - 1

static void
sniff_table(void **state)
{
	static const unsigned char id3_then_mp3[] = { 'I', 'D', '3', 4, 0, 0, 0, 0, 0, 2, 0, 0,
		0xff, 0xfb, 0x90, 0x64 };
	static const struct {
		const unsigned char *b;
		size_t len;
		const char *demuxer, *looks;
	} cases[] = {
		{ B("fLaC\0\0\0\x22"), "flac", "a FLAC file" },
		{ B("OggS\0\x02"), "ogg", "an Ogg file" },
		{ B("RIFF\x24\0\0\0WAVEfmt "), "wav", "a WAV file" },
		{ B("\0\0\0\x1c" "ftypM4A \0\0\0\0"), "mov", "an MP4/M4A file" },
		{ B("\xff\xf1\x50\x80"), "aac", "an AAC (ADTS) file" },
		{ B("\xff\xfb\x90\x64"), "mp3", "an MP3 file" },
		{ id3_then_mp3, sizeof(id3_then_mp3), "mp3", "an MP3 file" },
		{ B("ID3\x04\0\0\0\0\x7f\x7f"), "mp3", "an MP3 file" }, /* tag longer than the head */
		{ B("\xff\xd8\xff\xe0\0\x10JFIF"), NULL, "a JPEG image" },
		{ B("\x89PNG\r\n\x1a\n\0\0"), NULL, "a PNG image" },
		{ B("RIFF\0\0\0\0WEBPVP8 "), NULL, "a WebP image" },
		{ B("GIF89a"), NULL, "a GIF image" },
		{ B("%PDF-1.7\n"), NULL, "a PDF document" },
		{ B("PK\x03\x04"), NULL, "a ZIP archive (or an Office document)" },
		{ B("\x1a\x45\xdf\xa3"), NULL, "a Matroska/WebM file" },
		{ B("\0\0\0\x18" "ftypheic"), NULL, "a HEIC/AVIF image" },
		{ B("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n"), NULL, "a text file (an HLS playlist)" },
		{ B("\xef\xbb\xbf  #EXTM3U\n"), NULL, "a text file (an HLS playlist)" },
		{ B("ffconcat version 1.0\nfile /etc/passwd\n"), NULL, "a text file (an ffconcat script)" },
		{ B("file '/etc/passwd'\n"), NULL, "a text file (a concat list)" },
		{ B("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"), NULL, "a text file (an SDP description)" },
		{ B("<?xml version=\"1.0\"?><MPD>"), NULL, "a text file (XML or HTML)" },
		{ B("hello, world\n"), NULL, "a text file" },
		{ B(""), NULL, "an empty file" },
		{ B("\x01\x02\x03\x00\x05"), NULL, "an unknown binary file" },
	};
	struct sniff s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		probe_sniff(cases[i].b, cases[i].len, &s);
		if ((cases[i].demuxer == NULL) != (s.demuxer == NULL) ||
		    (s.demuxer != NULL && strcmp(s.demuxer, cases[i].demuxer) != 0) ||
		    strcmp(s.looks, cases[i].looks) != 0)
			fail_msg("case %zu: got %s / %s, want %s / %s", i,
			    s.demuxer ? s.demuxer : "NULL", s.looks,
			    cases[i].demuxer ? cases[i].demuxer : "NULL", cases[i].looks);
	}
}

#define FMT(name, dur) "\"format\":{\"format_name\":\"" name "\",\"duration\":\"" dur "\",\"bit_rate\":\"128000\"}"
#define AUDIO(codec) "{\"index\":0,\"codec_name\":\"" codec "\",\"codec_type\":\"audio\",\"sample_rate\":\"44100\",\"channels\":2}"

static void
parse_table(void **state)
{
	static const struct {
		const char *json, *demuxer;
		enum result rc;
		const char *msg; /* substring of the error, or NULL */
	} cases[] = {
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("mp3", "180.5") "}", "mp3", OK, NULL },
		{ "{\"streams\":[{\"codec_type\":\"video\",\"codec_name\":\"h264\"}," AUDIO("aac") "],"
		    FMT("mov,mp4,m4a,3gp,3g2,mj2", "60") "}", "mov", OK, NULL },
		{ "{\"streams\":[" AUDIO("pcm_s24le") "]," FMT("wav", "10") "}", "wav", OK, NULL },
		{ "{\"streams\":[" AUDIO("opus") "]," FMT("ogg", "10") "}", "ogg", OK, NULL },
		{ "{\"streams\":[{\"codec_type\":\"video\",\"codec_name\":\"mjpeg\"}]," FMT("mp3", "1") "}",
		    "mp3", ERR_PERMANENT, "no audio stream" },
		{ "{\"streams\":[" AUDIO("ac3") "]," FMT("mov,mp4,m4a,3gp,3g2,mj2", "60") "}", "mov",
		    ERR_PERMANENT, "encoded as ac3" },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("mp3", "3600.5") "}", "mp3", ERR_PERMANENT,
		    "60 minutes 0 seconds long; the longest accepted is 60 minutes" },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("mp3", "0") "}", "mp3", ERR_PERMANENT,
		    "no playable audio" },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("mp3", "N/A") "}", "mp3", ERR_PERMANENT,
		    "no playable audio" },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("hls", "10") "}", "mp3", ERR_PERMANENT,
		    "could not be read as mp3" },
		{ "{\"streams\":[]," FMT("mp3", "10") "}", "mp3", ERR_PERMANENT, "no audio stream" },
		/* fuzz_probe_parse: a rate or channel count beyond int was UB to convert */
		{ "{\"streams\":[{\"codec_name\":\"mp3\",\"codec_type\":\"audio\",\"sample_rate\":\"4e11\","
		    "\"channels\":2}]," FMT("mp3", "10") "}", "mp3", ERR_PERMANENT, "no channels or sample rate" },
		{ "{\"streams\":[{\"codec_name\":\"mp3\",\"codec_type\":\"audio\",\"sample_rate\":44100,"
		    "\"channels\":-1e300}]," FMT("mp3", "10") "}", "mp3", ERR_PERMANENT, "no channels or sample rate" },
		{ "not json", "mp3", ERR_IO, "not JSON" },
		{ "{\"streams\":[" AUDIO("mp3") "]}", "mp3", ERR_IO, "no container" },
	};
	struct probe_info pi;
	struct errbuf e;
	enum result rc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		rc = probe_parse(cases[i].json, strlen(cases[i].json), cases[i].demuxer, 3600, &pi, &e);
		if (rc != cases[i].rc || (cases[i].msg != NULL && strstr(err_msg(&e), cases[i].msg) == NULL))
			fail_msg("case %zu: rc %d (%s), want %d (%s)", i, rc, err_msg(&e), cases[i].rc,
			    cases[i].msg ? cases[i].msg : "");
	}
	err_clear(&e);
	assert_int_equal(probe_parse(cases[0].json, strlen(cases[0].json), "mp3", 3600, &pi, &e), OK);
	assert_string_equal(pi.codec, "mp3");
	assert_int_equal(pi.channels, 2);
	assert_int_equal(pi.sample_rate, 44100);
	assert_true(pi.duration_s > 180.49 && pi.duration_s < 180.51);
	/* not NUL-terminated input is fine */
	assert_int_equal(probe_parse(cases[0].json, strlen(cases[0].json) - 1, "mp3", 3600, &pi, &e),
	    ERR_IO);
}

/* How long each container may decode: stated length + tolerance, or the cap. */
static void
decode_limit_by_container(void **state)
{
	static const struct {
		const char *json, *demuxer;
		double max_s;
		bool exact;
		double limit_s;
	} cases[] = {
		{ "{\"streams\":[" AUDIO("flac") "]," FMT("flac", "1") "}", "flac", 3600, true, 2 },
		{ "{\"streams\":[" AUDIO("flac") "]," FMT("flac", "300") "}", "flac", 3600, true, 303 },
		{ "{\"streams\":[" AUDIO("flac") "]," FMT("flac", "3599.5") "}", "flac", 3600, true, 3600 },
		{ "{\"streams\":[" AUDIO("pcm_s16le") "]," FMT("wav", "10") "}", "wav", 3600, true, 11 },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("wav", "10") "}", "wav", 3600, false, 3600 },
		{ "{\"streams\":[" AUDIO("aac") "]," FMT("mov,mp4,m4a,3gp,3g2,mj2", "60") "}", "mov",
		    3600, true, 61 },
		{ "{\"streams\":[" AUDIO("opus") "]," FMT("ogg", "10") "}", "ogg", 3600, true, 11 },
		{ "{\"streams\":[" AUDIO("mp3") "]," FMT("mp3", "29.4") "}", "mp3", 3600, false, 3600 },
		{ "{\"streams\":[" AUDIO("aac") "]," FMT("aac", "29.4") "}", "aac", 120, false, 120 },
	};
	struct probe_info pi;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		if (probe_parse(cases[i].json, strlen(cases[i].json), cases[i].demuxer, cases[i].max_s,
		    &pi, &e) != OK)
			fail_msg("case %zu: %s", i, err_msg(&e));
		if (pi.duration_exact != cases[i].exact || fabs(pi.decode_limit_s - cases[i].limit_s) > 1e-9)
			fail_msg("case %zu: exact %d limit %.3f, want %d %.3f", i, pi.duration_exact,
			    pi.decode_limit_s, cases[i].exact, cases[i].limit_s);
	}
}

static void
argv_restricts_input(void **state)
{
	struct config cfg;
	const char *argv[24];
	size_t i;
	bool wl = false, f = false;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ffprobe_path = "ffprobe";
	probe_argv(&cfg, "flac", "file:/w/x", argv, 24);
	for (i = 0; argv[i] != NULL; i++) {
		if (strcmp(argv[i], "-protocol_whitelist") == 0 && strcmp(argv[i + 1], "file") == 0)
			wl = true;
		if (strcmp(argv[i], "-f") == 0 && strcmp(argv[i + 1], "flac") == 0)
			f = true;
	}
	assert_true(wl);
	assert_true(f);
	assert_string_equal(argv[i - 1], "file:/w/x");
	assert_string_equal(argv[i - 2], "-i");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff_table),
		cmocka_unit_test(parse_table),
		cmocka_unit_test(decode_limit_by_container),
		cmocka_unit_test(argv_restricts_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
