#include "tags.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* What a key of the file means here. */
enum tag_kind {
	TK_TEXT,        /* copied as a string under its name */
	TK_NUMBER,      /* "3/10": {"number": 3, "total": 10} under its name */
	TK_TOTAL,       /* the total of a TK_NUMBER given on its own (TRACKTOTAL) */
	TK_YEAR,        /* a year, also taken from the first four digits of a date */
	TK_GAIN,        /* ReplayGain "-6.54 dB" -> -6.54 under replaygain */
	TK_PEAK,        /* ReplayGain peak "0.988" -> 0.988 under replaygain */
};

static const struct {
	const char *key;  /* case-folded key of the file */
	const char *name; /* ours */
	enum tag_kind kind;
} tag_map[] = {
	{ "title", "title", TK_TEXT },
	{ "artist", "artist", TK_TEXT },
	{ "album", "album", TK_TEXT },
	{ "album_artist", "album_artist", TK_TEXT },
	{ "album artist", "album_artist", TK_TEXT },
	{ "albumartist", "album_artist", TK_TEXT },
	{ "genre", "genre", TK_TEXT },
	{ "composer", "composer", TK_TEXT },
	{ "isrc", "isrc", TK_TEXT },
	{ "tsrc", "isrc", TK_TEXT },
	{ "date", "date", TK_TEXT },
	{ "year", "year", TK_YEAR },
	{ "track", "track", TK_NUMBER },
	{ "tracknumber", "track", TK_NUMBER },
	{ "tracktotal", "track", TK_TOTAL },
	{ "totaltracks", "track", TK_TOTAL },
	{ "disc", "disc", TK_NUMBER },
	{ "discnumber", "disc", TK_NUMBER },
	{ "disctotal", "disc", TK_TOTAL },
	{ "totaldiscs", "disc", TK_TOTAL },
	{ "replaygain_track_gain", "track_gain_db", TK_GAIN },
	{ "replaygain_track_peak", "track_peak", TK_PEAK },
	{ "replaygain_album_gain", "album_gain_db", TK_GAIN },
	{ "replaygain_album_peak", "album_peak", TK_PEAK },
};
#define TAG_MAP_N (sizeof(tag_map) / sizeof(tag_map[0]))

#ifndef UNITTEST
static bool tags_number_total(const char *s, int *number, int *total);
static char *tags_clean(const char *s, size_t len);
#endif
static int tags_find(const char *key);
static void tags_add_stream(json_object *out, json_object *tags);
static void tags_put(json_object *out, int m, const char *value);
static bool tags_is_control(uint32_t cp);
static bool tags_real(const char *s, double *v);
static json_object *tags_sub(json_object *out, const char *name);

/* C0, DEL, C1 and the bidi controls a title must not carry. */
static bool
tags_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

#ifndef UNITTEST
static
#endif
char *
tags_clean(const char *s, size_t len)
{
	char *valid, *out, *o;
	const char *p, *end, *last = NULL;
	size_t vlen, chars = 0, n;
	uint32_t cp;

	if ((valid = malloc(3 * len + 1)) == NULL)
		return NULL;
	(void)utf8_copy_valid(valid, 3 * len + 1, s, len);
	vlen = strlen(valid);
	if ((out = malloc(vlen + 1)) == NULL) {
		free(valid);
		return NULL;
	}
	o = out;
	end = valid + vlen;
	for (p = valid; p < end && chars < TAGS_VALUE_MAX; p += n) {
		if ((n = utf8_decode(p, (size_t)(end - p), &cp, NULL, NULL)) == 0)
			break; /* cannot happen: valid is well-formed */
		if (tags_is_control(cp))
			continue;
		if (o == out && utf8_is_white_space(cp))
			continue; /* leading space */
		memcpy(o, p, n);
		o += n;
		chars++;
		if (!utf8_is_white_space(cp))
			last = o;
	}
	*(last != NULL ? (char *)last : out) = '\0'; /* trailing space goes too */
	free(valid);
	return out;
}

#ifndef UNITTEST
static
#endif
bool
tags_number_total(const char *s, int *number, int *total)
{
	char *end;
	long n, t = 0;

	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n < 0 || n > 100000)
		return false;
	while (*end == ' ')
		end++;
	if (*end == '/') {
		t = strtol(end + 1, &end, 10);
		if (errno != 0 || t < 0 || t > 100000)
			t = 0;
	}
	*number = (int)n;
	*total = (int)t;
	return true;
}

/* A finite number at the start of s ("-6.54 dB" -> -6.54). */
static bool
tags_real(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && errno == 0 && isfinite(*v) && fabs(*v) < 1000;
}

static int
tags_find(const char *key)
{
	char folded[32];
	size_t i, n = strlen(key);

	if (n >= sizeof(folded))
		return -1;
	for (i = 0; i <= n; i++)
		folded[i] = (char)tolower((unsigned char)key[i]);
	for (i = 0; i < TAG_MAP_N; i++)
		if (strcmp(tag_map[i].key, folded) == 0)
			return (int)i;
	return -1;
}

/* out[name] as an object, made when missing. Borrowed. */
static json_object *
tags_sub(json_object *out, const char *name)
{
	json_object *o;

	if (json_object_object_get_ex(out, name, &o))
		return o;
	o = json_object_new_object();
	json_object_object_add(out, name, o);
	return o;
}

/* Put one value of the file under tag_map[m]; the first value of a key wins. */
static void
tags_put(json_object *out, int m, const char *value)
{
	const char *name = tag_map[m].name;
	json_object *sub;
	int number, total;
	double v;

	switch (tag_map[m].kind) {
	case TK_TEXT:
		if (!json_object_object_get_ex(out, name, NULL) && value[0] != '\0')
			json_object_object_add(out, name, json_object_new_string(value));
		if (strcmp(name, "date") == 0 && !json_object_object_get_ex(out, "year", NULL) &&
		    tags_number_total(value, &number, &total) && number >= 1000 && number <= 9999 &&
		    strlen(value) >= 4)
			json_object_object_add(out, "year", json_object_new_int(number));
		break;
	case TK_YEAR:
		if (!json_object_object_get_ex(out, name, NULL) &&
		    tags_number_total(value, &number, &total) && number >= 1000 && number <= 9999)
			json_object_object_add(out, name, json_object_new_int(number));
		break;
	case TK_NUMBER:
		if (!tags_number_total(value, &number, &total) || number == 0)
			break;
		sub = tags_sub(out, name);
		if (!json_object_object_get_ex(sub, "number", NULL))
			json_object_object_add(sub, "number", json_object_new_int(number));
		if (total > 0 && !json_object_object_get_ex(sub, "total", NULL))
			json_object_object_add(sub, "total", json_object_new_int(total));
		break;
	case TK_TOTAL:
		if (!tags_number_total(value, &number, &total) || number == 0)
			break;
		sub = tags_sub(out, name);
		if (!json_object_object_get_ex(sub, "total", NULL))
			json_object_object_add(sub, "total", json_object_new_int(number));
		break;
	case TK_GAIN:
	case TK_PEAK:
		if (!tags_real(value, &v) || (tag_map[m].kind == TK_PEAK && v < 0))
			break;
		sub = tags_sub(out, "replaygain");
		if (!json_object_object_get_ex(sub, name, NULL))
			json_object_object_add(sub, name, json_object_new_double(v));
		break;
	}
}

/* Every tag of one tags object (format's or a stream's), within the caps. */
static void
tags_add_stream(json_object *out, json_object *tags)
{
	int seen = 0, m;
	char *clean;

	if (tags == NULL || !json_object_is_type(tags, json_type_object))
		return;
	json_object_object_foreach(tags, key, val) {
		if (++seen > TAGS_KEYS_MAX)
			break;
		if ((m = tags_find(key)) < 0 || !json_object_is_type(val, json_type_string))
			continue;
		clean = tags_clean(json_object_get_string(val), (size_t)json_object_get_string_len(val));
		if (clean == NULL)
			continue;
		tags_put(out, m, clean);
		free(clean);
	}
}

json_object *
tags_from_probe(json_object *root)
{
	json_object *out = json_object_new_object(), *format, *streams, *tags;
	size_t i, n;

	if (out == NULL || root == NULL)
		return out;
	if (json_object_object_get_ex(root, "format", &format) &&
	    json_object_object_get_ex(format, "tags", &tags))
		tags_add_stream(out, tags);
	if (json_object_object_get_ex(root, "streams", &streams) &&
	    json_object_is_type(streams, json_type_array)) {
		n = json_object_array_length(streams);
		for (i = 0; i < n && i < 8; i++) {
			json_object *s = json_object_array_get_idx(streams, i), *type;

			if (json_object_object_get_ex(s, "codec_type", &type) &&
			    strcmp(json_object_get_string(type), "audio") == 0 &&
			    json_object_object_get_ex(s, "tags", &tags)) {
				tags_add_stream(out, tags);
				break;
			}
		}
	}
	return out;
}
