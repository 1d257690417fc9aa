/*
 * s3_list.c: ListObjectsV2 over s3_get_small, its XML answer parsed by a
 * small strict scanner (elements, text, entities; no DTD), and the delete
 * of a prefix built on it.
 */
#include "s3_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define LIST_DEPTH_MAX 8
#define LIST_NAME_MAX 64
#define LIST_TEXT_MAX 2048 /* a key is at most 1024 bytes in S3; a token not much more */
#define STORAGE_LIST_LABEL 600 /* "the listing of <prefix>" */

/* The scanner's state: where it is, the open elements, the current text. */
struct scan {
	const char *p, *end;
	char stack[LIST_DEPTH_MAX][LIST_NAME_MAX];
	int depth;
	char text[LIST_TEXT_MAX + 1];
	size_t tlen;
	bool text_long;
	/* the Contents being read */
	char *key;
	long long size;
	bool has_size;
	bool seen_root, truncated_set;
};

static enum result scan_entity(struct scan *s, struct errbuf *e);
static enum result scan_text(struct scan *s, struct errbuf *e);
static enum result scan_tag(struct scan *s, struct s3_list_page *pg, struct errbuf *e);
static enum result scan_close(struct scan *s, const char *name, struct s3_list_page *pg,
    struct errbuf *e);
static enum result page_add(struct s3_list_page *pg, char *key, long long size);

void
s3_list_page_free(struct s3_list_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->keys[i]);
	free(p->keys);
	free(p->sizes);
	free(p->next_token);
	memset(p, 0, sizeof(*p));
}

static enum result
page_add(struct s3_list_page *pg, char *key, long long size)
{
	char **k;
	long long *sz;

	if ((pg->n & (pg->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow to the next power */
		size_t cap = pg->n == 0 ? 16 : pg->n * 2;

		if ((k = realloc(pg->keys, cap * sizeof(*k))) == NULL)
			return ERR_NOMEM;
		pg->keys = k;
		if ((sz = realloc(pg->sizes, cap * sizeof(*sz))) == NULL)
			return ERR_NOMEM;
		pg->sizes = sz;
	}
	pg->keys[pg->n] = key;
	pg->sizes[pg->n] = size;
	pg->n++;
	return OK;
}

/* Append one byte of text (a longer text is only an error where it is kept). */
static void
text_add(struct scan *s, char c)
{
	if (s->tlen < LIST_TEXT_MAX)
		s->text[s->tlen++] = c;
	else
		s->text_long = true;
}

/* "&...;" at s->p: the five XML entities and numeric references (ASCII only). */
static enum result
scan_entity(struct scan *s, struct errbuf *e)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' },
	};
	const char *q = s->p + 1;
	size_t i, n = (size_t)(s->end - q);
	unsigned long v = 0;
	int digits = 0;
	bool hex;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t l = strlen(ents[i].name);

		if (n >= l && memcmp(q, ents[i].name, l) == 0) {
			text_add(s, ents[i].c);
			s->p = q + l;
			return OK;
		}
	}
	if (n > 1 && *q == '#') {
		hex = q[1] == 'x';
		for (q += hex ? 2 : 1; q < s->end && digits < 8 && *q != ';'; q++, digits++) {
			int d = *q >= '0' && *q <= '9' ? *q - '0' :
			    hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 :
			    hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10 : -1;

			if (d < 0)
				break;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (q < s->end && *q == ';' && digits > 0 && v >= 0x20 && v < 0x7f) {
			text_add(s, (char)v);
			s->p = q + 1;
			return OK;
		}
	}
	err_set(e, "the listing has an entity we do not read");
	return ERR_INVALID;
}

/* Text up to the next '<'. */
static enum result
scan_text(struct scan *s, struct errbuf *e)
{
	enum result rc;

	while (s->p < s->end && *s->p != '<') {
		if (*s->p == '&') {
			if ((rc = scan_entity(s, e)) != OK)
				return rc;
			continue;
		}
		if (*s->p == '\0') {
			err_set(e, "the listing has a NUL byte");
			return ERR_INVALID;
		}
		text_add(s, *s->p++);
	}
	return OK;
}

/* Is the text a usable key or token: non-empty, kept whole, no controls? */
static bool
text_plain(const struct scan *s)
{
	size_t i;

	if (s->text_long || s->tlen == 0)
		return false;
	for (i = 0; i < s->tlen; i++)
		if ((unsigned char)s->text[i] < 0x20 || s->text[i] == 0x7f)
			return false;
	return true;
}

/* A closed element: keep what a listing says. */
static enum result
scan_close(struct scan *s, const char *name, struct s3_list_page *pg, struct errbuf *e)
{
	const char *parent = s->depth >= 2 ? s->stack[s->depth - 2] : "";
	char *end;

	s->text[s->tlen] = '\0';
	if (s->depth == 3 && strcmp(parent, "Contents") == 0) {
		if (strcmp(name, "Key") == 0) {
			if (!text_plain(s) || s->key != NULL) {
				err_set(e, "the listing has an empty, repeated or overlong Key");
				return ERR_INVALID;
			}
			if ((s->key = strdup(s->text)) == NULL)
				return ERR_NOMEM;
		} else if (strcmp(name, "Size") == 0) {
			s->size = strtoll(s->text, &end, 10);
			if (s->tlen == 0 || *end != '\0' || s->size < 0 || s->text[0] == '-' ||
			    s->text[0] == '+' || s->text[0] == ' ') {
				err_set(e, "the listing has a bad Size");
				return ERR_INVALID;
			}
			s->has_size = true;
		}
	} else if (s->depth == 2 && strcmp(name, "Contents") == 0) {
		if (s->key == NULL) {
			err_set(e, "the listing has a Contents without a Key");
			return ERR_INVALID;
		}
		if (page_add(pg, s->key, s->has_size ? s->size : -1) != OK)
			return ERR_NOMEM;
		s->key = NULL;
		s->has_size = false;
	} else if (s->depth == 2 && strcmp(name, "IsTruncated") == 0) {
		if (strcmp(s->text, "true") != 0 && strcmp(s->text, "false") != 0) {
			err_set(e, "the listing's IsTruncated is neither true nor false");
			return ERR_INVALID;
		}
		pg->truncated = strcmp(s->text, "true") == 0;
		s->truncated_set = true;
	} else if (s->depth == 2 && strcmp(name, "NextContinuationToken") == 0) {
		if (!text_plain(s) || pg->next_token != NULL) {
			err_set(e, "the listing has an empty, repeated or overlong token");
			return ERR_INVALID;
		}
		if ((pg->next_token = strdup(s->text)) == NULL)
			return ERR_NOMEM;
	}
	return OK;
}

/* A tag at s->p ('<'): open, close, empty, prolog or comment. */
static enum result
scan_tag(struct scan *s, struct s3_list_page *pg, struct errbuf *e)
{
	const char *q = s->p + 1, *gt, *name;
	bool closing = false, empty;
	size_t nl;
	enum result rc;

	if ((gt = memchr(q, '>', (size_t)(s->end - q))) == NULL)
		goto bad;
	if (*q == '?' || (s->end - q >= 3 && memcmp(q, "!--", 3) == 0)) {
		if (*q == '!') { /* a comment ends at "-->" */
			for (gt = q + 3; gt + 2 < s->end && memcmp(gt, "-->", 3) != 0; gt++)
				;
			if (gt + 2 >= s->end)
				goto bad;
			gt += 2;
		}
		s->p = gt + 1;
		return OK;
	}
	if (*q == '!')
		goto bad; /* DOCTYPE, CDATA: not in a listing */
	if (*q == '/') {
		closing = true;
		q++;
	}
	name = q;
	while (q < gt && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n' && *q != '/')
		q++;
	nl = (size_t)(q - name);
	empty = gt[-1] == '/' && !closing;
	if (nl == 0 || nl >= LIST_NAME_MAX)
		goto bad;
	if (closing) {
		if (s->depth == 0 || strlen(s->stack[s->depth - 1]) != nl ||
		    memcmp(s->stack[s->depth - 1], name, nl) != 0)
			goto bad;
		if ((rc = scan_close(s, s->stack[s->depth - 1], pg, e)) != OK)
			return rc;
		s->depth--;
	} else {
		if (s->depth == LIST_DEPTH_MAX || (s->depth == 0 && s->seen_root))
			goto bad;
		if (s->depth == 0) {
			if (nl != 16 || memcmp(name, "ListBucketResult", 16) != 0) {
				err_set(e, "the answer is not a listing (<%.*s>)", (int)(nl > 40 ? 40 : nl),
				    name);
				return ERR_INVALID;
			}
			s->seen_root = true;
		}
		memcpy(s->stack[s->depth], name, nl);
		s->stack[s->depth][nl] = '\0';
		s->depth++;
		if (empty) {
			s->tlen = 0;
			if ((rc = scan_close(s, s->stack[s->depth - 1], pg, e)) != OK)
				return rc;
			s->depth--;
		}
	}
	s->tlen = 0;
	s->text_long = false;
	s->p = gt + 1;
	return OK;
bad:
	err_set(e, "the listing is not well-formed XML");
	return ERR_INVALID;
}

enum result
s3_list_parse(const char *xml, size_t len, struct s3_list_page *pg, struct errbuf *e)
{
	struct scan s;
	enum result rc = OK;

	memset(pg, 0, sizeof(*pg));
	memset(&s, 0, sizeof(s));
	s.p = xml;
	s.end = xml + len;
	while (rc == OK && s.p < s.end) {
		if (*s.p == '<')
			rc = scan_tag(&s, pg, e);
		else
			rc = scan_text(&s, e);
	}
	if (rc == OK && (!s.seen_root || s.depth != 0)) {
		err_set(e, "the answer is not a complete listing");
		rc = ERR_INVALID;
	}
	if (rc == OK && pg->truncated && pg->next_token == NULL) {
		err_set(e, "the listing is truncated but has no continuation token");
		rc = ERR_INVALID;
	}
	free(s.key);
	if (rc != OK)
		s3_list_page_free(pg);
	if (rc == ERR_NOMEM)
		err_set(e, "out of memory reading a listing");
	return rc;
}

/* One page under prefix after token (NULL: the first). */
static enum result
list_page(struct s3 *s3, const char *prefix, const char *token, struct s3_list_page *pg,
    struct errbuf *e)
{
	struct sigv4_pair q[3] = { { "list-type", "2" }, { "prefix", prefix },
		{ "continuation-token", token } };
	char label[STORAGE_LIST_LABEL];
	char *body = NULL;
	size_t len = 0;
	enum result rc;

	snprintf(label, sizeof(label), "the listing of %s", prefix);
	if ((rc = s3_get_small(s3, "", q, token != NULL ? 3 : 2, S3_LIST_PAGE_MAX, label, &body,
	    &len, e)) != OK)
		return rc;
	rc = s3_list_parse(body, len, pg, e);
	free(body);
	if (rc == ERR_INVALID) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err_msg(e));
		err_set(e, "storage answered %s with something we cannot read: %s", label, why);
		return ERR_STORAGE;
	}
	return rc;
}

enum result
s3_list(struct s3 *s3, const char *prefix, s3_list_cb cb, void *ctx, struct errbuf *e)
{
	struct s3_list_page pg;
	char *token = NULL;
	long long seen = 0;
	enum result rc;
	size_t i;

	if (prefix == NULL || prefix[0] == '\0') {
		err_set(e, "refusing to list the whole bucket");
		return ERR_INVALID;
	}
	for (;;) {
		rc = list_page(s3, prefix, token, &pg, e);
		free(token);
		token = NULL;
		if (rc != OK)
			return rc;
		for (i = 0; i < pg.n && rc == OK; i++) {
			if (strncmp(pg.keys[i], prefix, strlen(prefix)) != 0)
				continue; /* not ours to report: storage ignored the prefix */
			rc = cb(pg.keys[i], pg.sizes[i], ctx);
		}
		seen += (long long)pg.n;
		if (rc == OK && pg.truncated && (pg.n == 0 || seen > S3_LIST_KEYS_MAX)) {
			err_set(e, "the listing of %s does not end (%lld keys)", prefix, seen);
			rc = ERR_STORAGE;
		}
		if (rc != OK || !pg.truncated) {
			s3_list_page_free(&pg);
			return rc;
		}
		token = pg.next_token;
		pg.next_token = NULL;
		s3_list_page_free(&pg);
	}
}

/* The keys to delete, collected before any is. */
struct doomed {
	const char *keep;
	size_t keep_len;
	char **keys;
	size_t n, cap;
};

static enum result
doomed_add(const char *key, long long size, void *ctx)
{
	struct doomed *d = ctx;
	char **k;

	(void)size;
	if (d->keep != NULL && strncmp(key, d->keep, d->keep_len) == 0)
		return OK;
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 64 : d->cap * 2;
		if ((k = realloc(d->keys, d->cap * sizeof(*k))) == NULL)
			return ERR_NOMEM;
		d->keys = k;
	}
	if ((d->keys[d->n] = strdup(key)) == NULL)
		return ERR_NOMEM;
	d->n++;
	return OK;
}

enum result
s3_delete_prefix(struct s3 *s3, const char *prefix, const char *keep, bool dry_run,
    s3_list_cb cb, void *ctx, long long *deleted, struct errbuf *e)
{
	struct doomed d = { keep, keep != NULL ? strlen(keep) : 0, NULL, 0, 0 };
	enum result rc;
	size_t i;

	if (deleted != NULL)
		*deleted = 0;
	if ((rc = s3_list(s3, prefix, doomed_add, &d, e)) == ERR_NOMEM)
		err_set(e, "out of memory listing %s", prefix);
	for (i = 0; rc == OK && i < d.n; i++) {
		if (!dry_run) {
			rc = s3_delete(s3, d.keys[i], e);
			if (rc == ERR_NOT_FOUND)
				rc = OK;
			if (rc != OK)
				break;
		}
		if (deleted != NULL)
			(*deleted)++;
		if (cb != NULL)
			rc = cb(d.keys[i], -1, ctx);
	}
	for (i = 0; i < d.n; i++)
		free(d.keys[i]);
	free(d.keys);
	if (rc == OK && !dry_run && d.n > 0)
		log_info("storage: removed %zu object(s) under %s", d.n, prefix);
	return rc;
}
