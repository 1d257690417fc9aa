/*
 * query.h: the query string of a GET (QUERY_STRING), read strictly against
 * a table of the parameters a route takes. application/x-www-form-urlencoded
 * rules: pairs split on '&', name and value on the first '=', '+' is a
 * space, %XX a byte (two hex digits, nothing else after a '%'). Decoded
 * names and values are well-formed UTF-8 without control characters.
 * Refused, each with the parameter named: an unknown parameter, a repeated
 * one, one without '=', a value over QUERY_VALUE_MAX bytes; and, naming
 * "query", an empty pair ("a=1&&b=2", a leading or trailing '&'), an empty
 * name or a bad escape in a name.
 */
#ifndef MUSTORY_QUERY_H
#define MUSTORY_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define QUERY_VALUE_MAX 256 /* bytes of a decoded value */
#define QUERY_FIELD_MAX 64  /* bytes of the field an error names, NUL included */

/* One parameter a route takes: name set by the caller, the rest by query_parse. */
struct query_param {
	const char *name;                 /* static */
	bool present;
	char value[QUERY_VALUE_MAX + 1];  /* decoded, NUL-terminated ("" when absent) */
};

/* Why a query string was refused: the field to name and a sentence, UTF-8. */
struct query_error {
	char field[QUERY_FIELD_MAX];
	char detail[256];
};

/*
 * Parse qs (NULL or "" = no parameters) into p[0..n). ERR_INVALID with qe
 * filled when refused; p is then undefined.
 */
enum result query_parse(const char *qs, struct query_param *p, size_t n,
    struct query_error *qe);

#endif
