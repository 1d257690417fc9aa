/*
 * test_sigv4_crosscheck.c: lib/sigv4 against an independent SigV4
 * implementation, the aws4 npm module (tests/crosscheck/sigv4-aws4.js).
 *
 * A seeded PRNG makes a few hundred requests (header-signed and presigned;
 * keys with spaces, UTF-8, '+', '=', '~', '%', "//", "." and ".."; queries
 * with repeated and empty parameters and reserved characters; headers with
 * odd case and runs of spaces and tabs; several hosts, regions, keys and
 * dates). lib/sigv4 signs each; the script signs the same wire request with
 * aws4 (service "s3"); canonical request, string to sign and signature must
 * all match. See the script for the one place aws4's S3 mode departs from
 * AWS's documented rule (repeated query names) and how that is handled.
 *
 * Needs node and node_modules/aws4: if either is missing the test FAILS,
 * it does not skip. CROSSCHECK_SEED and CROSSCHECK_COUNT override the
 * defaults. Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "encode.h"
#include "sigv4.h"

#define SCRIPT "tests/crosscheck/sigv4-aws4.js"
#define DEFAULT_SEED 20240601ULL
#define DEFAULT_COUNT 400
#define MAX_PARAMS 6
#define MAX_HEADERS 5

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* splitmix64: tiny, seedable, good enough to pick test inputs */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
pick(size_t n)
{
	return (size_t)(rng() % n);
}

#define PICK(a) ((a)[pick(sizeof(a) / sizeof((a)[0]))])

static const char *const methods[] = { "GET", "PUT", "HEAD", "DELETE", "POST" };
static const char *const hosts[] = {
	"127.0.0.1:9000", "mustory-audio.s3.eu-west-1.amazonaws.com", "s3.amazonaws.com",
	"[::1]:4599", "acct.r2.cloudflarestorage.com", "localhost",
};
static const char *const regions[] = { "us-east-1", "eu-west-1", "auto", "ap-southeast-2" };
static const char *const access_keys[] = { "AKIAIOSFODNN7EXAMPLE", "S3RVER", "minioadmin" };
static const char *const secrets[] = {
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "S3RVER", "a+b/c=d~e%f g",
};
/* Path segments: every class of character S3 keys meet. */
static const char *const segments[] = {
	"tracks", "mustory-audio", "original.mp3", "a b", "two  spaces", "x+y", "k=v",
	"~tilde", "100%", "%2F", "%20", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8e\xb5",
	"semi;colon", "q?mark", "hash#", "amp&", "star*", "paren(1)", "!bang", "'quote'",
	"dollar$", "comma,", "at@", "colon:", "[brackets]", "back\\slash", ".", "..", "",
	"UPPER", "mixed-Case_09", "seg_000.m4s", "master.m3u8", "\"dq\"", "<lt>", "^caret|pipe`",
};
static const char *const param_names[] = {
	"prefix", "max-keys", "uploads", "partNumber", "uploadId", "a", "A", "a b", "x+y",
	"k=", "%", "\xc3\xa9", "list-type", "delimiter", "~", "response-content-type", "Z",
};
static const char *const param_values[] = {
	"", "J", "2", "a b  c", "+", "=", "&", "/", "%", "%20", "\xc3\xa9\xe2\x82\xac",
	"~._-", "a=b&c=d", "text/plain; charset=utf-8", "1 + 1 = 2", "*", "!'()", NULL,
};
static const char *const header_names[] = {
	"Content-Type", "Cache-Control", "x-amz-meta-title", "X-Amz-Meta-Artist",
	"x-amz-storage-class", "Range", "Content-MD5", "X-AMZ-ACL", "Date",
	"Content-Disposition", "x-amz-meta-empty", "If-None-Match",
};
static const char *const header_values[] = {
	"audio/mpeg", "  padded  ", "inner   spaces   here", "\ttab\tseparated ",
	"max-age=31536000, immutable", "bytes=0-9", "attachment; filename=\"a  b.mp3\"",
	"", "   ", "REDUCED_REDUNDANCY", "Fri, 24 May 2013 00:00:00 GMT", "\"etag\" ,  *",
};

/* One generated request; strings point into the tables above or into owned buffers. */
struct gen {
	bool presign;
	struct sigv4_creds creds;
	struct sigv4_request req;
	struct sigv4_pair query[MAX_PARAMS];
	struct sigv4_pair headers[MAX_HEADERS];
	char path[512];
	char payload[65];
	time_t now;
	long long expires;
};

static void
generate(struct gen *g)
{
	size_t nseg, i, j, nq, nh;

	memset(g, 0, sizeof(*g));
	g->presign = pick(3) == 0;
	g->creds = (struct sigv4_creds){ PICK(access_keys), PICK(secrets), PICK(regions), "s3" };
	g->now = (time_t)(1356998400LL + (long long)pick(18ULL * 365 * 86400)); /* 2013..2030 */
	g->expires = 1 + (long long)pick(604800);

	nseg = pick(6);
	for (i = 0; i < nseg; i++) {
		strcat(g->path, "/");
		strcat(g->path, PICK(segments));
	}
	if (nseg == 0 || pick(8) == 0)
		strcat(g->path, "/");

	/* Distinct names, but one request in five repeats one on purpose. */
	nq = pick(MAX_PARAMS + 1);
	for (i = 0, j = 0; i < nq; i++) {
		const char *name = PICK(param_names);
		size_t k;

		for (k = 0; k < j; k++)
			if (strcmp(g->query[k].name, name) == 0)
				break;
		if (k < j)
			continue;
		g->query[j].name = name;
		g->query[j++].value = PICK(param_values);
	}
	if (j > 0 && j < MAX_PARAMS && pick(5) == 0) {
		g->query[j].name = g->query[pick(j)].name;
		g->query[j++].value = PICK(param_values);
	}
	nq = j;
	nh = pick(MAX_HEADERS + 1);
	for (i = 0, j = 0; i < nh; i++) {
		const char *name = PICK(header_names);
		size_t k;
		bool dup = false;

		for (k = 0; k < j; k++)
			if (strcasecmp(g->headers[k].name, name) == 0)
				dup = true;
		if (dup)
			continue;
		g->headers[j].name = name;
		g->headers[j++].value = PICK(header_values);
	}

	switch (pick(3)) {
	case 0:
		strcpy(g->payload, SIGV4_EMPTY_SHA256);
		break;
	case 1:
		strcpy(g->payload, SIGV4_UNSIGNED_PAYLOAD);
		break;
	default: {
		uint64_t body[4] = { rng(), rng(), rng(), rng() };

		enc_sha256_hex(body, sizeof(body), g->payload);
	}
	}
	g->req = (struct sigv4_request){ PICK(methods), PICK(hosts), g->path, g->query, nq,
		g->headers, j, g->presign ? NULL : g->payload };
}

/* The JSON line the script reads for g, signed as s. Owned. */
static json_object *
request_json(int id, const struct gen *g, const struct sigv4_signed *s)
{
	json_object *o = json_object_new_object(), *h = json_object_new_object();
	const char *sigparam;
	char *query;
	size_t i;

	json_object_object_add(o, "id", json_object_new_int(id));
	json_object_object_add(o, "mode", json_object_new_string(g->presign ? "query" : "header"));
	json_object_object_add(o, "method", json_object_new_string(g->req.method));
	json_object_object_add(o, "host", json_object_new_string(g->req.host));
	json_object_object_add(o, "path", json_object_new_string(s->path));
	/* The wire query, less the signature (which aws4 is to compute). */
	query = strdup(s->query);
	assert_non_null(query);
	if (g->presign) {
		sigparam = strstr(query, "&X-Amz-Signature=");
		assert_non_null(sigparam);
		query[sigparam - query] = '\0';
	}
	json_object_object_add(o, "query", json_object_new_string(query));
	free(query);
	json_object_object_add(h, "host", json_object_new_string(g->req.host));
	if (!g->presign) {
		json_object_object_add(h, "x-amz-date", json_object_new_string(s->amz_date));
		json_object_object_add(h, "x-amz-content-sha256", json_object_new_string(s->payload_hash));
	}
	for (i = 0; i < g->req.nheaders; i++)
		json_object_object_add(h, g->headers[i].name, json_object_new_string(g->headers[i].value));
	json_object_object_add(o, "headers", h);
	json_object_object_add(o, "region", json_object_new_string(g->creds.region));
	json_object_object_add(o, "access_key", json_object_new_string(g->creds.access_key));
	json_object_object_add(o, "secret_key", json_object_new_string(g->creds.secret_key));
	return o;
}

static const char *
str_field(json_object *o, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static void
signatures_match_the_aws4_module_for_generated_requests(void **state)
{
	const char *env;
	uint64_t seed = DEFAULT_SEED;
	int count = DEFAULT_COUNT, i, status, mismatches = 0, general = 0, presigned = 0;
	int repeated_differs = 0;
	char inpath[] = "/tmp/sigv4-crosscheck.XXXXXX", cmd[512], *line = NULL;
	struct sigv4_signed *signed_ = NULL;
	size_t cap = 0;
	FILE *in, *out;
	int fd;

	(void)state;
	if ((env = getenv("CROSSCHECK_SEED")) != NULL)
		seed = strtoull(env, NULL, 10);
	if ((env = getenv("CROSSCHECK_COUNT")) != NULL)
		count = atoi(env);
	assert_true(count > 0);
	rng_state = seed;
	if (access(SCRIPT, R_OK) != 0)
		fail_msg("%s not found: run the unit tests from the repository root", SCRIPT);

	fd = mkstemp(inpath);
	assert_true(fd >= 0);
	in = fdopen(fd, "w");
	assert_non_null(in);
	signed_ = calloc((size_t)count, sizeof(*signed_));
	assert_non_null(signed_);
	for (i = 0; i < count; i++) {
		struct gen g;
		struct errbuf e;
		json_object *o;
		enum result rc;

		generate(&g);
		err_clear(&e);
		rc = g.presign ? sigv4_presign(&g.creds, &g.req, g.now, g.expires, &signed_[i], &e) :
		    sigv4_sign_headers(&g.creds, &g.req, g.now, &signed_[i], &e);
		if (rc != OK)
			fail_msg("request %d: lib/sigv4 refused it: %s", i, err_msg(&e));
		presigned += g.presign;
		o = request_json(i, &g, &signed_[i]);
		fprintf(in, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
	assert_int_equal(fclose(in), 0);

	snprintf(cmd, sizeof(cmd), "node %s < %s", SCRIPT, inpath);
	out = popen(cmd, "r");
	assert_non_null(out);
	for (i = 0; getline(&line, &cap, out) > 0; i++) {
		json_object *r = json_tokener_parse(line), *v;
		const struct sigv4_signed *s;

		if (r == NULL || i >= count)
			fail_msg("unexpected output line %d from %s: %s", i, SCRIPT, line);
		s = &signed_[i];
		if (json_object_object_get_ex(r, "general_query", &v) && json_object_get_boolean(v)) {
			general++;
			if (strcmp(str_field(r, "s3_mode_signature"), s->signature) != 0)
				repeated_differs++;
		}
		if (strcmp(str_field(r, "canonical_request"), s->canonical_request) != 0 ||
		    strcmp(str_field(r, "string_to_sign"), s->string_to_sign) != 0 ||
		    strcmp(str_field(r, "signature"), s->signature) != 0) {
			if (mismatches++ < 5)
				print_error("request %d differs\n--- lib/sigv4 canonical request ---\n%s\n"
				    "--- aws4 ---\n%s\n--- signatures: %s vs %s ---\n", i,
				    s->canonical_request, str_field(r, "canonical_request"),
				    s->signature, str_field(r, "signature"));
		}
		json_object_put(r);
	}
	free(line);
	status = pclose(out);
	unlink(inpath);
	for (int k = 0; k < count; k++)
		sigv4_signed_free(&signed_[k]);
	free(signed_);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("'%s' failed (exit %d): node and the aws4 npm module are required "
		    "for this test (apt install nodejs; npm install in the repo root)", cmd,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (i != count)
		fail_msg("%s answered %d of %d requests", SCRIPT, i, count);
	print_message("crosscheck (seed %llu): %d requests (%d presigned), %d mismatches; "
	    "%d with repeated query names signed by aws4's general query rule (its S3 mode "
	    "alone gave a different signature for %d)\n", (unsigned long long)seed, count,
	    presigned, mismatches, general, repeated_differs);
	assert_int_equal(mismatches, 0);
	assert_true(presigned > 0 && presigned < count);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signatures_match_the_aws4_module_for_generated_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
