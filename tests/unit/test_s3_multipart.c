/*
 * test_s3_multipart.c: the pure parts of lib/s3_multipart.c: how a file is
 * cut into parts, the presigned UploadPart URL (content-length signed), the
 * CompleteMultipartUpload body, and the readers of S3's ListParts,
 * CreateMultipartUpload and <Error> answers (AWS's documented examples).
 * No network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "s3_multipart.h"

#define MiB (1024LL * 1024)
#define NOW ((time_t)1700000000) /* 2023-11-14T22:13:20Z */
#define KEY "tracks/0b9e1f7a-3c1d-4e6f-8a2b-5c4d3e2f1a0b/original.wav"

static struct config
test_config(void)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.storage_endpoint = (char *)"http://127.0.0.1:9000";
	c.storage_access_key = (char *)"AKID";
	c.storage_secret_key = (char *)"secret-key-never-shown";
	c.storage_bucket = (char *)"mustory-audio";
	c.storage_region = (char *)"us-east-1";
	c.storage_public_url = (char *)"";
	c.storage_path_style = true;
	c.storage_timeout_s = 30;
	return c;
}

static void
plan_cuts_files(void **state)
{
	static const struct {
		long long size, part, want_part;
		int count;
		long long last;
	} cases[] = {
		{ 1, 8 * MiB, 8 * MiB, 1, 1 },
		{ 5 * MiB - 1, 8 * MiB, 8 * MiB, 1, 5 * MiB - 1 },
		{ 8 * MiB, 8 * MiB, 8 * MiB, 1, 8 * MiB },
		{ 8 * MiB + 1, 8 * MiB, 8 * MiB, 2, 1 },
		{ 200 * MiB, 8 * MiB, 8 * MiB, 25, 8 * MiB },
		{ 16320078, 5 * MiB, 5 * MiB, 4, 16320078 - 15 * MiB },
		/* 10,000 parts at most: the part grows */
		{ 100000 * MiB, 5 * MiB, 10 * MiB, 10000, 10 * MiB },
		{ 100000 * MiB + 1, 5 * MiB, 10 * MiB + 1, 10000, 100000 * MiB + 1 - 9999 * (10 * MiB + 1) },
	};
	struct s3mp_plan p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(s3mp_plan_make(cases[i].size, cases[i].part, &p), OK);
		assert_int_equal(p.part_size, cases[i].want_part);
		assert_int_equal(p.count, cases[i].count);
		assert_true(p.count <= S3MP_MAX_PARTS);
		assert_int_equal(s3mp_plan_part_size(&p, 1), p.count == 1 ? cases[i].size : p.part_size);
		assert_int_equal(s3mp_plan_part_size(&p, p.count), cases[i].last);
		assert_int_equal(s3mp_plan_part_size(&p, 0), -1);
		assert_int_equal(s3mp_plan_part_size(&p, p.count + 1), -1);
	}
	assert_int_equal(s3mp_plan_make(0, 8 * MiB, &p), ERR_INVALID);
	assert_int_equal(s3mp_plan_make(10, 5 * MiB - 1, &p), ERR_INVALID);
}

static void
presigned_part_signs_content_length(void **state)
{
	struct config c = test_config();
	char *a = NULL, *b = NULL, *d = NULL;
	struct errbuf e;

	(void)state;
	err_clear(&e);
	assert_int_equal(s3mp_presign_part(&c, KEY, "up/load+id=", 3, 5 * MiB, 900, NOW, &a, &e), OK);
	assert_non_null(strstr(a, "http://127.0.0.1:9000/mustory-audio/" KEY "?"));
	assert_non_null(strstr(a, "X-Amz-SignedHeaders=content-length%3Bhost&"));
	assert_non_null(strstr(a, "&partNumber=3&"));
	assert_non_null(strstr(a, "&uploadId=up%2Fload%2Bid%3D&"));
	assert_non_null(strstr(a, "X-Amz-Expires=900&"));
	assert_non_null(strstr(a, "X-Amz-Date=20231114T221320Z&"));
	assert_non_null(strstr(a, "&X-Amz-Signature="));
	/* Another size or another part: another signature. */
	assert_int_equal(s3mp_presign_part(&c, KEY, "up/load+id=", 3, 5 * MiB + 1, 900, NOW, &b, &e), OK);
	assert_int_equal(s3mp_presign_part(&c, KEY, "up/load+id=", 4, 5 * MiB, 900, NOW, &d, &e), OK);
	assert_string_not_equal(strstr(a, "X-Amz-Signature="), strstr(b, "X-Amz-Signature="));
	assert_string_not_equal(strstr(a, "X-Amz-Signature="), strstr(d, "X-Amz-Signature="));
	assert_null(strstr(a, "secret-key"));
	free(a);
	free(b);
	free(d);
	assert_int_equal(s3mp_presign_part(&c, KEY, "id", 0, 10, 900, NOW, &a, &e), ERR_INVALID);
	assert_null(a);
	assert_int_equal(s3mp_presign_part(&c, KEY, "id", 10001, 10, 900, NOW, &a, &e), ERR_INVALID);
}

static void
complete_body_is_s3s_xml(void **state)
{
	struct s3mp_part v[] = {
		{ 1, 5 * MiB, "\"a54357aff0632cce46d942af68356b38\"" },
		{ 2, 10, "\"0c78aef83f66abc1fa1e8477f296d394\"" },
	};
	struct s3mp_parts ps = { v, 2, 2 };
	char *xml;

	(void)state;
	xml = s3mp_complete_xml(&ps);
	assert_string_equal(xml, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;</ETag></Part>"
	    "<Part><PartNumber>2</PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag></Part>"
	    "</CompleteMultipartUpload>");
	free(xml);
	snprintf(v[1].etag, sizeof(v[1].etag), "\"a\nb\"");
	assert_null(s3mp_complete_xml(&ps));
}

/* AWS's ListParts example response (API reference), trimmed to two parts. */
static const char list_page[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Bucket>example-bucket</Bucket>\n  <Key>example-object</Key>\n"
    "  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>\n"
    "  <Initiator><ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID>"
    "<DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName></Initiator>\n"
    "  <StorageClass>STANDARD</StorageClass>\n"
    "  <PartNumberMarker>1</PartNumberMarker>\n"
    "  <NextPartNumberMarker>3</NextPartNumberMarker>\n"
    "  <MaxParts>2</MaxParts>\n  <IsTruncated>true</IsTruncated>\n"
    "  <Part>\n    <PartNumber>2</PartNumber>\n    <LastModified>2010-11-10T20:48:34.000Z</LastModified>\n"
    "    <ETag>\"7778aef83f66abc1fa1e8477f296d394\"</ETag>\n    <Size>10485760</Size>\n  </Part>\n"
    "  <Part>\n    <PartNumber>3</PartNumber>\n    <LastModified>2010-11-10T20:48:33.000Z</LastModified>\n"
    "    <ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag>\n    <Size>10485760</Size>\n  </Part>\n"
    "</ListPartsResult>";

static void
list_page_is_read(void **state)
{
	static const char page2[] = "<ListPartsResult><IsTruncated>false</IsTruncated>"
	    "<Part><PartNumber>4</PartNumber><ETag>&#34;x&#x22;</ETag><Size>1</Size></Part>"
	    "</ListPartsResult>";
	struct s3mp_parts ps = { 0 };
	bool truncated;
	int next;

	(void)state;
	assert_int_equal(s3mp_parse_list(list_page, strlen(list_page), &ps, &truncated, &next), OK);
	assert_true(truncated);
	assert_int_equal(next, 3);
	assert_int_equal(ps.n, 2);
	assert_int_equal(ps.v[0].number, 2);
	assert_int_equal(ps.v[0].size, 10485760);
	assert_string_equal(ps.v[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
	assert_int_equal(ps.v[1].number, 3);
	assert_string_equal(ps.v[1].etag, "\"aaaa18db4cc2f85cedef654fccc4a4x8\"");
	/* A second page appends. */
	assert_int_equal(s3mp_parse_list(page2, strlen(page2), &ps, &truncated, &next), OK);
	assert_false(truncated);
	assert_int_equal(next, 0);
	assert_int_equal(ps.n, 3);
	assert_string_equal(ps.v[2].etag, "\"x\"");
	s3mp_parts_free(&ps);
}

static void
bad_list_pages_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"<Error><Code>NoSuchUpload</Code></Error>",
		"<ListPartsResult><Part><PartNumber>0</PartNumber><ETag>\"a\"</ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>10001</PartNumber><ETag>\"a\"</ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag></ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag><Size>-1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1x</PartNumber><ETag>\"a\"</ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>&#1;</ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>&bogus;</ETag><Size>1</Size></Part></ListPartsResult>",
		"<ListPartsResult><Part><PartNumber>1</PartNumber>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct s3mp_parts ps = { 0 };
		bool truncated;
		int next;

		assert_int_not_equal(s3mp_parse_list(bad[i], strlen(bad[i]), &ps, &truncated, &next), OK);
		s3mp_parts_free(&ps);
	}
}

static void
create_result_gives_the_upload_id(void **state)
{
	static const char ok[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Bucket>example-bucket</Bucket><Key>example-object</Key>"
	    "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
	    "</InitiateMultipartUploadResult>";
	static const char empty[] = "<InitiateMultipartUploadResult><UploadId></UploadId>"
	    "</InitiateMultipartUploadResult>";
	static const char denied[] = "<Error><Code>AccessDenied</Code></Error>";
	char id[S3MP_UPLOAD_ID_MAX], tiny[8];

	(void)state;
	assert_int_equal(s3mp_parse_create(ok, strlen(ok), id, sizeof(id)), OK);
	assert_string_equal(id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
	assert_int_equal(s3mp_parse_create(ok, strlen(ok), tiny, sizeof(tiny)), ERR_INVALID);
	assert_string_equal(tiny, "");
	assert_int_equal(s3mp_parse_create(empty, strlen(empty), id, sizeof(id)), ERR_INVALID);
	assert_int_equal(s3mp_parse_create(denied, strlen(denied), id, sizeof(id)), ERR_INVALID);
}

static void
error_documents_are_recognized(void **state)
{
	/* CompleteMultipartUpload can answer 200, whitespace, then an error. */
	static const char in200[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n      "
	    "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try "
	    "again.</Message><RequestId>656c76696e6727732072657175657374</RequestId></Error>";
	static const char result[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>"
	    "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>";
	static const char odd[] = "<Error><Code> Invalid-Part\n</Code></Error>";
	char code[64];

	(void)state;
	assert_true(s3mp_parse_error(in200, strlen(in200), code, sizeof(code)));
	assert_string_equal(code, "InternalError");
	assert_false(s3mp_parse_error(result, strlen(result), code, sizeof(code)));
	assert_true(s3mp_parse_error(odd, strlen(odd), code, sizeof(code)));
	assert_string_equal(code, "InvalidPart");
	assert_false(s3mp_parse_error("<ErrorX/>", 9, code, sizeof(code)));
	assert_false(s3mp_parse_error("", 0, code, sizeof(code)));
}

static void
answers_map_to_results(void **state)
{
	static const struct {
		long status;
		const char *body;
		enum result want;
	} cases[] = {
		{ 200, "<?xml version=\"1.0\"?>\n  <CompleteMultipartUploadResult><ETag>\"a-2\"</ETag>"
		    "</CompleteMultipartUploadResult>", OK },
		{ 200, "<?xml version=\"1.0\"?>\n   <Error><Code>InternalError</Code></Error>", ERR_STORAGE },
		{ 200, "\n <Error><Code>InvalidPart</Code></Error>", ERR_CONFLICT },
		{ 200, "<Error><Code>NoSuchUpload</Code></Error>", ERR_NOT_FOUND },
		{ 400, "<Error><Code>InvalidPart</Code></Error>", ERR_CONFLICT },
		{ 400, "<Error><Code>InvalidPartOrder</Code></Error>", ERR_CONFLICT },
		{ 400, "<Error><Code>EntityTooSmall</Code></Error>", ERR_CONFLICT },
		{ 400, "<Error><Code>MalformedXML</Code></Error>", ERR_STORAGE },
		{ 404, "<Error><Code>NoSuchUpload</Code></Error>", ERR_NOT_FOUND },
		{ 404, "<Error><Code>NoSuchBucket</Code></Error>", ERR_NOT_FOUND },
		{ 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>", ERR_AUTH },
		{ 503, "<Error><Code>SlowDown</Code></Error>", ERR_STORAGE },
		{ 204, "", OK },
	};
	struct config c = test_config();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf e;
		enum result rc;

		err_clear(&e);
		rc = s3mp_answer(&c, "POST", KEY, "completing the multipart upload of",
		    cases[i].status, cases[i].body, strlen(cases[i].body), &e);
		if (rc != cases[i].want)
			fail_msg("case %zu (%ld): %s, want %s (%s)", i, cases[i].status,
			    result_str(rc), result_str(cases[i].want), err_msg(&e));
		assert_true(rc == OK || err_msg(&e)[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_cuts_files),
		cmocka_unit_test(presigned_part_signs_content_length),
		cmocka_unit_test(complete_body_is_s3s_xml),
		cmocka_unit_test(list_page_is_read),
		cmocka_unit_test(bad_list_pages_are_refused),
		cmocka_unit_test(create_result_gives_the_upload_id),
		cmocka_unit_test(error_documents_are_recognized),
		cmocka_unit_test(answers_map_to_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
