/*
 * test_utf8.c: the strict UTF-8 decoder (lib/utf8.c). The byte cases are
 * those of the Unicode Standard's table 3-7 and its edges, Markus Kuhn's
 * UTF-8 decoder stress test (overlongs, surrogates, beyond U+10FFFF,
 * truncations), and the examples (C0 AF, E0 80 80, ED A0 80,
 * F4 90 80 80).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *name;
	const char *s;
	size_t len;
	enum utf8_error want;
	size_t bad;  /* offset of the first ill-formed sequence */
} cases[] = {
	{ "empty", S(""), UTF8_VALID, 0 },
	{ "ASCII", S("hello"), UTF8_VALID, 0 },
	{ "NUL is U+0000", S("a\0b"), UTF8_VALID, 0 },
	{ "U+0080, first of two bytes", S("\xc2\x80"), UTF8_VALID, 0 },
	{ "U+07FF, last of two bytes", S("\xdf\xbf"), UTF8_VALID, 0 },
	{ "U+0800, first of three bytes", S("\xe0\xa0\x80"), UTF8_VALID, 0 },
	{ "U+D7FF, just below the surrogates", S("\xed\x9f\xbf"), UTF8_VALID, 0 },
	{ "U+E000, just above the surrogates", S("\xee\x80\x80"), UTF8_VALID, 0 },
	{ "U+FFFD", S("\xef\xbf\xbd"), UTF8_VALID, 0 },
	{ "U+FFFF (a noncharacter, but well-formed)", S("\xef\xbf\xbf"), UTF8_VALID, 0 },
	{ "U+10000, first of four bytes", S("\xf0\x90\x80\x80"), UTF8_VALID, 0 },
	{ "U+10FFFF, the last code point", S("\xf4\x8f\xbf\xbf"), UTF8_VALID, 0 },
	{ "mixed text", S("Ünïcødé 曲 \xf0\x9f\x8e\xb5"), UTF8_VALID, 0 },

	{ "overlong '/' in two bytes (C0 AF)", S("a\xc0\xaf"), UTF8_OVERLONG, 1 },
	{ "overlong U+007F (C1 BF)", S("\xc1\xbf"), UTF8_OVERLONG, 0 },
	{ "overlong NUL in three bytes (E0 80 80)", S("x\xe0\x80\x80"), UTF8_OVERLONG, 1 },
	{ "overlong U+07FF in three bytes (E0 9F BF)", S("\xe0\x9f\xbf"), UTF8_OVERLONG, 0 },
	{ "overlong '/' in four bytes (F0 80 80 AF)", S("\xf0\x80\x80\xaf"), UTF8_OVERLONG, 0 },
	{ "overlong U+FFFF in four bytes (F0 8F BF BF)", S("\xf0\x8f\xbf\xbf"), UTF8_OVERLONG, 0 },
	{ "high surrogate U+D800 (ED A0 80)", S("ab\xed\xa0\x80"), UTF8_SURROGATE, 2 },
	{ "low surrogate U+DFFF (ED BF BF)", S("\xed\xbf\xbf"), UTF8_SURROGATE, 0 },
	{ "surrogate pair encoded as two (CESU-8)", S("\xed\xa0\xbd\xed\xb8\x80"), UTF8_SURROGATE, 0 },
	{ "U+110000 (F4 90 80 80)", S("\xf4\x90\x80\x80"), UTF8_TOO_LARGE, 0 },
	{ "F5 lead (would be > U+13FFFF)", S("\xf5\x80\x80\x80"), UTF8_TOO_LARGE, 0 },
	{ "F7 BF BF BF", S("\xf7\xbf\xbf\xbf"), UTF8_TOO_LARGE, 0 },
	{ "five-byte form (F8 88 80 80 80)", S("\xf8\x88\x80\x80\x80"), UTF8_BAD_BYTE, 0 },
	{ "six-byte form (FC 84 80 80 80 80)", S("\xfc\x84\x80\x80\x80\x80"), UTF8_BAD_BYTE, 0 },
	{ "FE", S("\xfe"), UTF8_BAD_BYTE, 0 },
	{ "FF FE (a UTF-16 BOM)", S("\xff\xfe"), UTF8_BAD_BYTE, 0 },
	{ "lone continuation byte", S("ok\x80"), UTF8_BAD_BYTE, 2 },
	{ "continuation after a whole character", S("\xc3\xa9\xa9"), UTF8_BAD_BYTE, 2 },
	{ "two-byte lead at the end", S("abc\xc3"), UTF8_TRUNCATED, 3 },
	{ "three-byte lead, one continuation, end", S("\xe2\x82"), UTF8_TRUNCATED, 0 },
	{ "four-byte lead, two continuations, end", S("\xf0\x9f\x8e"), UTF8_TRUNCATED, 0 },
	{ "lead followed by ASCII", S("\xc3" "A"), UTF8_TRUNCATED, 0 },
	{ "three-byte lead, then ASCII in third place", S("\xe2\x82" "A"), UTF8_TRUNCATED, 0 },
	{ "lead followed by a lead", S("\xe2\xe2\x82\xac"), UTF8_TRUNCATED, 0 },
	{ "truncated surrogate start (ED A0)", S("\xed\xa0"), UTF8_SURROGATE, 0 },
	{ "first error is reported", S("\xc3\xa9\xed\xa0\x80\xc0\xaf"), UTF8_SURROGATE, 2 },
};

static void
valid_follows_the_case_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum utf8_error err = UTF8_TRUNCATED;
		size_t bad = 999;
		bool ok = utf8_valid(cases[i].s, cases[i].len, &bad, &err);

		if (ok != (cases[i].want == UTF8_VALID) || err != cases[i].want)
			fail_msg("%s: got %s (%s), want %s", cases[i].name, ok ? "valid" : "invalid",
			    utf8_error_str(err), utf8_error_str(cases[i].want));
		if (!ok && bad != cases[i].bad)
			fail_msg("%s: bad at %zu, want %zu", cases[i].name, bad, cases[i].bad);
		/* And NULs for the outputs are allowed. */
		assert_int_equal(utf8_valid(cases[i].s, cases[i].len, NULL, NULL), ok);
	}
}

static const struct {
	const char *s;
	size_t len;
	uint32_t cp;     /* when n > 0 */
	size_t n;        /* 0: ill-formed */
	size_t skip;     /* when n == 0: the maximal subpart */
} decodes[] = {
	{ S("A"), 0x41, 1, 0 },
	{ S("\xc3\xa9"), 0xe9, 2, 0 },
	{ S("\xe2\x80\xae"), 0x202e, 3, 0 },
	{ S("\xef\xbb\xbf"), 0xfeff, 3, 0 },
	{ S("\xf0\x9f\x8e\xb5" "tail"), 0x1f3b5, 4, 0 },
	{ S("\xf4\x8f\xbf\xbf"), 0x10ffff, 4, 0 },
	{ S("\xc0\xaf"), 0, 0, 1 },
	{ S("\xe0\x80\x80"), 0, 0, 1 },
	{ S("\xed\xa0\x80"), 0, 0, 1 },
	{ S("\xf4\x90\x80\x80"), 0, 0, 1 },
	{ S("\xe2\x82"), 0, 0, 2 },
	{ S("\xe2\x82" "A"), 0, 0, 2 },
	{ S("\xf0\x9f\x8e"), 0, 0, 3 },
	{ S("\xf0\x9f\x8e" "A"), 0, 0, 3 },
	{ S("\x80"), 0, 0, 1 },
};

static void
decode_gives_code_points_and_maximal_subparts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decodes) / sizeof(decodes[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t skip = 99;
		size_t n = utf8_decode(decodes[i].s, decodes[i].len, &cp, NULL, &skip);

		if (n != decodes[i].n)
			fail_msg("case %zu: length %zu, want %zu", i, n, decodes[i].n);
		if (n > 0 && cp != decodes[i].cp)
			fail_msg("case %zu: U+%04X, want U+%04X", i, (unsigned)cp, (unsigned)decodes[i].cp);
		if (n == 0 && skip != decodes[i].skip)
			fail_msg("case %zu: skip %zu, want %zu", i, skip, decodes[i].skip);
	}
}

/* Every scalar value encodes and decodes back; surrogates and > U+10FFFF do not encode. */
static void
every_code_point_round_trips(void **state)
{
	uint32_t cp;
	char buf[4];

	(void)state;
	for (cp = 0; cp <= 0x110000; cp++) {
		size_t n = utf8_encode(cp, buf);
		uint32_t back = 0;

		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
		assert_int_equal(utf8_decode(buf, n, &back, NULL, NULL), n);
		assert_int_equal(back, cp);
		assert_true(utf8_valid(buf, n, NULL, NULL));
	}
}

/*
 * Every two- and three-byte sequence against the arithmetic definition: the
 * bit pattern is right, the value needs that many bytes, and it is a scalar
 * value. An independent check of the table.
 */
static int
reference_len(const unsigned char *b, size_t len)
{
	uint32_t cp;
	size_t n, i;

	if (b[0] < 0x80)
		return 1;
	n = (b[0] & 0xe0) == 0xc0 ? 2 : (b[0] & 0xf0) == 0xe0 ? 3 : (b[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || n > len)
		return 0;
	cp = b[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (b[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return (int)n;
}

static void
short_sequences_agree_with_the_arithmetic(void **state)
{
	unsigned char b[3];
	uint32_t i, cp;

	(void)state;
	for (i = 0; i < 0x1000000; i++) {
		b[0] = (unsigned char)(i >> 16);
		b[1] = (unsigned char)(i >> 8);
		b[2] = (unsigned char)i;
		if (b[0] < 0xc0 && (i & 0xffff) != 0)
			continue; /* ASCII and stray continuations: one look each */
		if (utf8_decode((const char *)b, 3, &cp, NULL, NULL) != (size_t)reference_len(b, 3))
			fail_msg("%02x %02x %02x: decoder and arithmetic disagree", b[0], b[1], b[2]);
	}
}

static void
four_byte_sequences_agree_with_the_arithmetic(void **state)
{
	static const unsigned char tails[] = { 0x80, 0xbf, 0x41, 0xc3 };
	unsigned char b[4];
	unsigned lead, second, t3, t4;
	uint32_t cp;

	(void)state;
	for (lead = 0xf0; lead <= 0xff; lead++)
		for (second = 0; second <= 0xff; second++)
			for (t3 = 0; t3 < sizeof(tails); t3++)
				for (t4 = 0; t4 < sizeof(tails); t4++) {
					b[0] = (unsigned char)lead;
					b[1] = (unsigned char)second;
					b[2] = tails[t3];
					b[3] = tails[t4];
					if (utf8_decode((const char *)b, 4, &cp, NULL, NULL) !=
					    (size_t)reference_len(b, 4))
						fail_msg("%02x %02x %02x %02x: decoder and arithmetic disagree",
						    b[0], b[1], b[2], b[3]);
				}
}

static void
truncate_stops_on_character_boundaries(void **state)
{
	static const struct {
		const char *s;
		size_t len, max, want;
	} c[] = {
		{ S("abcdef"), 3, 3 },
		{ S("abc"), 10, 3 },
		{ S("ab\xc3\xa9"), 3, 2 },           /* é would be cut */
		{ S("ab\xc3\xa9"), 4, 4 },
		{ S("\xe6\x9b\xb2\xe6\x9b\xb2"), 5, 3 }, /* 曲曲 */
		{ S("\xf0\x9f\x8e\xb5x"), 3, 0 },
		{ S("\xf0\x9f\x8e\xb5x"), 4, 4 },
		{ S("a\xff\xfe"), 2, 2 },            /* an ill-formed byte is a unit */
		{ S("a\xe2\x82"), 2, 1 },            /* E2 82 is one ill-formed unit */
		{ S("abc"), 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (utf8_truncate(c[i].s, c[i].len, c[i].max) != c[i].want)
			fail_msg("case %zu: %zu, want %zu", i, utf8_truncate(c[i].s, c[i].len, c[i].max),
			    c[i].want);
}

static void
copy_valid_replaces_and_cuts_whole_characters(void **state)
{
	static const struct {
		const char *s;
		size_t len, dstsize;
		const char *want;
		bool whole;
	} c[] = {
		{ S("plain"), 16, "plain", true },
		{ S("/tracks/x/\xff\xfe"), 32, "/tracks/x/\xef\xbf\xbd\xef\xbf\xbd", true },
		{ S("\xc0\xaf"), 16, "\xef\xbf\xbd\xef\xbf\xbd", true },
		{ S("\xed\xa0\x80"), 16, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", true },
		{ S("\xe2\x82" "A"), 16, "\xef\xbf\xbd" "A", true },
		{ S("\xf0\x9f\x8e"), 16, "\xef\xbf\xbd", true },
		{ S("ab\xc3\xa9"), 4, "ab", false },
		{ S("ab\xc3\xa9"), 5, "ab\xc3\xa9", true },
		{ S("a\xff"), 4, "a", false },       /* U+FFFD needs 3 bytes */
		{ S("abc"), 1, "", false },
		{ S(""), 1, "", true },
	};
	char dst[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool whole;

		memset(dst, 'Z', sizeof(dst));
		whole = utf8_copy_valid(dst, c[i].dstsize, c[i].s, c[i].len);
		if (strcmp(dst, c[i].want) != 0 || whole != c[i].whole)
			fail_msg("case %zu: \"%s\" (%d), want \"%s\" (%d)", i, dst, whole, c[i].want,
			    c[i].whole);
		assert_true(utf8_valid(dst, strlen(dst), NULL, NULL));
		assert_true(strlen(dst) < c[i].dstsize);
	}
}

static void
excerpt_marks_a_cut(void **state)
{
	char dst[8];

	(void)state;
	assert_string_equal(utf8_excerpt(dst, sizeof(dst), S("short")), "short");
	assert_string_equal(utf8_excerpt(dst, sizeof(dst), S("1234567")), "1234567");
	assert_string_equal(utf8_excerpt(dst, sizeof(dst), S("12345678")), "1234...");
	/* 曲 is 3 bytes: before the "..." only one fits. */
	assert_string_equal(utf8_excerpt(dst, sizeof(dst), S("\xe6\x9b\xb2\xe6\x9b\xb2\xe6\x9b\xb2")),
	    "\xe6\x9b\xb2...");
	assert_string_equal(utf8_excerpt(dst, sizeof(dst), S("\xff\xff\xff")), "\xef\xbf\xbd...");
}

static void
white_space_is_the_unicode_property(void **state)
{
	static const uint32_t yes[] = { 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680,
		0x2000, 0x2005, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000 };
	static const uint32_t no[] = { 0x00, 0x08, 0x0e, 0x1f, 0x21, 0x7f, 0x84, 0x86, 0x9f, 0xa1,
		0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x202e, 0x3001, 0x10ffff };
	uint32_t cp;
	size_t i, count = 0;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!utf8_is_white_space(yes[i]))
			fail_msg("U+%04X is White_Space", (unsigned)yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (utf8_is_white_space(no[i]))
			fail_msg("U+%04X is not White_Space", (unsigned)no[i]);
	for (cp = 0; cp <= 0x10ffff; cp++)
		count += utf8_is_white_space(cp);
	assert_int_equal(count, 25); /* PropList.txt: 25 code points */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_follows_the_case_table),
		cmocka_unit_test(decode_gives_code_points_and_maximal_subparts),
		cmocka_unit_test(every_code_point_round_trips),
		cmocka_unit_test(short_sequences_agree_with_the_arithmetic),
		cmocka_unit_test(four_byte_sequences_agree_with_the_arithmetic),
		cmocka_unit_test(truncate_stops_on_character_boundaries),
		cmocka_unit_test(copy_valid_replaces_and_cuts_whole_characters),
		cmocka_unit_test(excerpt_marks_a_cut),
		cmocka_unit_test(white_space_is_the_unicode_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
