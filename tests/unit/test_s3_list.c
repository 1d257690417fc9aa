/*
 * test_s3_list.c: lib/s3_list.c's reader of ListObjectsV2 answers: AWS's
 * documented example, pages and tokens, entities, and what is refused.
 * No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "s3_list.h"

static enum result
parse(const char *xml, struct s3_list_page *pg)
{
	struct errbuf e;

	err_clear(&e);
	return s3_list_parse(xml, strlen(xml), pg, &e);
}

/* The example answer of AWS's ListObjectsV2 reference (one page, one key). */
static void
aws_example_is_read(void **state)
{
	static const char xml[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
	    "    <Name>bucket</Name>\n    <Prefix/>\n    <KeyCount>205</KeyCount>\n"
	    "    <MaxKeys>1000</MaxKeys>\n    <IsTruncated>false</IsTruncated>\n"
	    "    <Contents>\n        <Key>my-image.jpg</Key>\n"
	    "        <LastModified>2009-10-12T17:50:30.000Z</LastModified>\n"
	    "        <ETag>\"fba9dede5f27731c9771645a39863328\"</ETag>\n"
	    "        <Size>434234</Size>\n        <StorageClass>STANDARD</StorageClass>\n"
	    "    </Contents>\n</ListBucketResult>\n";
	struct s3_list_page pg;

	(void)state;
	assert_int_equal(parse(xml, &pg), OK);
	assert_int_equal(pg.n, 1);
	assert_string_equal(pg.keys[0], "my-image.jpg");
	assert_int_equal(pg.sizes[0], 434234);
	assert_false(pg.truncated);
	assert_null(pg.next_token);
	s3_list_page_free(&pg);
}

static void
truncated_page_has_token_and_entities_decoded(void **state)
{
	static const char xml[] =
	    "<ListBucketResult><IsTruncated>true</IsTruncated>"
	    "<Contents><Key>hls/a/x&amp;y</Key><Size>0</Size></Contents>"
	    "<Contents><Size>7</Size><Key>hls/a/&#x41;&#66;&lt;&gt;&quot;&apos;</Key></Contents>"
	    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
	    "<!-- a comment --></ListBucketResult>";
	struct s3_list_page pg;

	(void)state;
	assert_int_equal(parse(xml, &pg), OK);
	assert_int_equal(pg.n, 2);
	assert_string_equal(pg.keys[0], "hls/a/x&y");
	assert_int_equal(pg.sizes[0], 0);
	assert_string_equal(pg.keys[1], "hls/a/AB<>\"'");
	assert_int_equal(pg.sizes[1], 7);
	assert_true(pg.truncated);
	assert_string_equal(pg.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	s3_list_page_free(&pg);
}

static void
empty_listing_is_read(void **state)
{
	struct s3_list_page pg;

	(void)state;
	assert_int_equal(parse("<ListBucketResult><KeyCount>0</KeyCount>"
	    "<IsTruncated>false</IsTruncated></ListBucketResult>", &pg), OK);
	assert_int_equal(pg.n, 0);
	s3_list_page_free(&pg);
}

static void
malformed_answers_refused(void **state)
{
	static const char *bad[] = {
		"",
		"<Error><Code>AccessDenied</Code></Error>",
		"<ListBucketResult>",
		"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key></Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>1x</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Key>b</Key></Contents></ListBucketResult>",
		"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
		"<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a&bogus;</Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a&#0;</Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a&#x0a;</Key></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Contents></Key></ListBucketResult>",
		"<ListBucketResult></ListBucketResult><ListBucketResult></ListBucketResult>",
		"<!DOCTYPE x><ListBucketResult></ListBucketResult>",
		"<ListBucketResult><!-- open </ListBucketResult>",
	};
	static const char nul[] = "<ListBucketResult><Contents><Key>a\0b</Key>"
	    "</Contents></ListBucketResult>";
	struct s3_list_page pg;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		if (s3_list_parse(bad[i], strlen(bad[i]), &pg, &e) == OK)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err_msg(&e)[0] != '\0');
	}
	/* A NUL inside the text is refused too (the input is not a C string). */
	err_clear(&e);
	assert_int_not_equal(s3_list_parse(nul, sizeof(nul) - 1, &pg, &e), OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aws_example_is_read),
		cmocka_unit_test(truncated_page_has_token_and_entities_decoded),
		cmocka_unit_test(empty_listing_is_read),
		cmocka_unit_test(malformed_answers_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
