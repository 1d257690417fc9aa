/*
 * utf8.h: strict UTF-8 (RFC 3629; the Unicode Standard's table 3-7 of
 * well-formed byte sequences). Overlong forms, surrogates (U+D800..DFFF),
 * code points above U+10FFFF and truncated sequences are all refused, so
 * what passes here is what PostgreSQL's UTF8 encoding accepts.
 *
 * Strings are byte ranges (s, len): they may hold NUL bytes, which are
 * U+0000 here like any other code point.
 */
#ifndef MUSTORY_UTF8_H
#define MUSTORY_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum utf8_error {
	UTF8_VALID = 0,
	UTF8_BAD_BYTE,    /* F8..FF, or a continuation byte with no lead */
	UTF8_OVERLONG,    /* C0, C1, E0 80..9F, F0 80..8F: a longer form than needed */
	UTF8_SURROGATE,   /* ED A0..BF: U+D800..DFFF, which UTF-8 never encodes */
	UTF8_TOO_LARGE,   /* F4 90..BF, F5..F7: beyond U+10FFFF */
	UTF8_TRUNCATED,   /* a lead byte without all its continuation bytes */
};

/* Static: a few words for err ("an overlong encoding", ...). */
const char *utf8_error_str(enum utf8_error err);

/*
 * Decode the character at s[0..len), len > 0. Returns its length (1..4) and
 * sets *cp; or returns 0 when the bytes there are ill-formed, with *err
 * saying why (err may be NULL) and *skip (may be NULL) the length of the
 * ill-formed part (1..3: the Unicode "maximal subpart", what one U+FFFD
 * replaces).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp, enum utf8_error *err,
    size_t *skip);

/*
 * Is s[0..len) well-formed UTF-8? When not, *bad (may be NULL) is the byte
 * offset of the first ill-formed sequence and *err (may be NULL) says why.
 */
bool utf8_valid(const char *s, size_t len, size_t *bad, enum utf8_error *err);

/* Encode cp (not a surrogate, <= U+10FFFF) into out; returns 1..4, or 0. */
size_t utf8_encode(uint32_t cp, char out[4]);

/*
 * The longest prefix of s[0..len) of at most max bytes that does not end
 * inside a character (an ill-formed byte counts as one character of its
 * own). Returns its length.
 */
size_t utf8_truncate(const char *s, size_t len, size_t max);

/*
 * Copy s[0..len) into dst (dstsize >= 1) as well-formed UTF-8: each
 * ill-formed part becomes U+FFFD, and the copy stops before the first
 * character that does not fit. dst is always NUL-terminated. Returns true
 * when all of s was copied, false when it was cut. dstsize = 3 * len + 1
 * always suffices.
 */
bool utf8_copy_valid(char *dst, size_t dstsize, const char *s, size_t len);

/*
 * dst (dstsize >= 4) = s[0..len) for quoting in a message: as
 * utf8_copy_valid(), and when cut it ends in "..." (still within dstsize).
 * Returns dst.
 */
const char *utf8_excerpt(char *dst, size_t dstsize, const char *s, size_t len);

/* Unicode's White_Space property (PropList.txt: 25 code points). */
bool utf8_is_white_space(uint32_t cp);

#endif
