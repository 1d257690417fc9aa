#include "query.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static int hexval(char c);
static bool query_decode(const char *s, size_t len, char *out, size_t outsize, size_t *outlen,
    bool *too_long);
static bool text_ok(const char *s, size_t len);
static enum result query_fail(struct query_error *qe, const char *field, size_t flen,
    const char *fmt, const char *what);
static enum result query_pair(const char *s, size_t len, struct query_param *p, size_t n,
    struct query_error *qe);

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode s[0..len) ('+' and %XX) into out (outsize >= 1, NUL-terminated).
 * false on a bad escape; *too_long when the decoded text does not fit.
 */
static bool
query_decode(const char *s, size_t len, char *out, size_t outsize, size_t *outlen,
    bool *too_long)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	*too_long = false;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return false;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= outsize) {
			*too_long = true;
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	*outlen = o;
	return true;
}

/* Well-formed UTF-8 with no control character (NUL included). */
static bool
text_ok(const char *s, size_t len)
{
	size_t i;

	if (!utf8_valid(s, len, NULL, NULL))
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static enum result
query_fail(struct query_error *qe, const char *field, size_t flen, const char *fmt,
    const char *what)
{
	utf8_excerpt(qe->field, sizeof(qe->field), field, flen);
	snprintf(qe->detail, sizeof(qe->detail), fmt, qe->field, what);
	return ERR_INVALID;
}

/* One "name=value" pair, s[0..len), len > 0. */
static enum result
query_pair(const char *s, size_t len, struct query_param *p, size_t n, struct query_error *qe)
{
	const char *eq = memchr(s, '=', len);
	char name[QUERY_FIELD_MAX];
	size_t nlen, vlen, i;
	bool long_name, long_value;

	if (!query_decode(s, eq != NULL ? (size_t)(eq - s) : len, name, sizeof(name), &nlen,
	    &long_name) || !text_ok(name, nlen))
		return query_fail(qe, "query", 5, "The %s string has a parameter name that is not "
		    "percent-encoded UTF-8 text%s.", "");
	if (nlen == 0)
		return query_fail(qe, "query", 5, "The %s string has a parameter without a name%s.",
		    "");
	for (i = 0; i < n; i++)
		if (!long_name && strcmp(p[i].name, name) == 0)
			break;
	if (i == n)
		return query_fail(qe, name, nlen, "Unknown query parameter %s%s.", "");
	if (p[i].present)
		return query_fail(qe, name, nlen, "The query parameter %s is given twice%s; give "
		    "it once.", "");
	if (eq == NULL)
		return query_fail(qe, name, nlen, "The query parameter %s has no value; write "
		    "%s=VALUE.", name);
	if (!query_decode(eq + 1, len - (size_t)(eq + 1 - s), p[i].value, sizeof(p[i].value),
	    &vlen, &long_value))
		return query_fail(qe, name, nlen, "The query parameter %s has a bad percent-escape"
		    "%s (a %% must be followed by two hex digits).", "");
	if (long_value)
		return query_fail(qe, name, nlen, "The query parameter %s is too long%s.", "");
	if (!text_ok(p[i].value, vlen))
		return query_fail(qe, name, nlen, "The query parameter %s is not UTF-8 text%s "
		    "(control characters and invalid bytes are refused).", "");
	p[i].present = true;
	return OK;
}

enum result
query_parse(const char *qs, struct query_param *p, size_t n, struct query_error *qe)
{
	const char *s, *amp;
	size_t i, len;
	enum result rc;

	for (i = 0; i < n; i++) {
		p[i].present = false;
		p[i].value[0] = '\0';
	}
	if (qs == NULL || *qs == '\0')
		return OK;
	for (s = qs;; s = amp + 1) {
		amp = strchr(s, '&');
		len = amp != NULL ? (size_t)(amp - s) : strlen(s);
		if (len == 0)
			return query_fail(qe, "query", 5, "The %s string has an empty parameter%s "
			    "(\"&&\", or a '&' at its start or end).", "");
		if ((rc = query_pair(s, len, p, n, qe)) != OK)
			return rc;
		if (amp == NULL)
			return OK;
	}
}
