/*
 * s3_list.h: what is stored under a prefix (ListObjectsV2, every page),
 * and deleting it. Prefixes come from lib/storage_layout.h (a track's
 * tracks/<id>/, hls/<id>/, art/<id>/), never from user text. The answer's
 * XML is parsed here (s3_list_parse): storage is trusted for what it
 * stores, not for the shape of what it sends, so the parser is strict and
 * fuzzed (tests/fuzz/fuzz_s3_list.c).
 */
#ifndef MUSTORY_S3_LIST_H
#define MUSTORY_S3_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "s3.h"

#define S3_LIST_PAGE_MAX (4 * 1024 * 1024) /* bytes of one page's answer we read */
#define S3_LIST_KEYS_MAX 1000000           /* keys under one prefix we handle */

/* One object: its key and size. Return OK to go on; anything else stops
 * the walk and is returned. */
typedef enum result (*s3_list_cb)(const char *key, long long size, void *ctx);

/*
 * Every object under prefix (non-empty; keys in storage's order), cb per
 * object. Errors as s3.h's; ERR_STORAGE also when an answer is not a
 * listing we understand (named in e).
 */
enum result s3_list(struct s3 *s3, const char *prefix, s3_list_cb cb, void *ctx,
    struct errbuf *e);

/*
 * Delete every object under prefix except those under keep (NULL: none):
 * the keys are listed first, then deleted one by one (a listing is never
 * walked while it changes). cb (may be NULL) is called per key removed —
 * or, with dry_run, per key that would be, and nothing is deleted.
 * *deleted (may be NULL) gets how many. A key already gone counts as
 * deleted. The first error stops it (what was deleted stays deleted:
 * calling it again finishes the work).
 */
enum result s3_delete_prefix(struct s3 *s3, const char *prefix, const char *keep,
    bool dry_run, s3_list_cb cb, void *ctx, long long *deleted, struct errbuf *e);

/* One page of a ListObjectsV2 answer. Strings owned; s3_list_page_free. */
struct s3_list_page {
	char **keys;
	long long *sizes;
	size_t n;
	bool truncated;
	char *next_token; /* NextContinuationToken; NULL when none */
};

/*
 * Parse one ListObjectsV2 answer (len bytes, not NUL-terminated needed).
 * ERR_INVALID (e says why) when it is not a ListBucketResult, a Contents
 * has no Key or a bad Size, an entity is unknown, or a truncated page has
 * no token; ERR_NOMEM. Keys are returned decoded (XML entities).
 */
enum result s3_list_parse(const char *xml, size_t len, struct s3_list_page *p,
    struct errbuf *e);
void s3_list_page_free(struct s3_list_page *p);

#endif
