/*
 * upload_text.h: text from outside (a file's tags, the API's or storage's
 * sentences) made safe to send and to print on a terminal.
 */
#ifndef MUSTORY_UPLOAD_TEXT_H
#define MUSTORY_UPLOAD_TEXT_H

#include <stddef.h>

/*
 * A malloc'd copy of s[0..len) that is well-formed UTF-8 (each ill-formed
 * part becomes U+FFFD), where every control character (C0, DEL, C1), bidi
 * control, Unicode White_Space and invisible (U+200B..U+200D, U+2060,
 * U+FEFF) becomes a space, runs of spaces become one, with none at either
 * end, and at most max_cps code points of s are read. NULL when nothing is
 * left (or out of memory).
 */
char *utext_clean(const char *s, size_t len, size_t max_cps);

#endif
