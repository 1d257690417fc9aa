/*
 * s3_post.c: presigned browser POST uploads (AWS "Browser-Based Uploads
 * Using POST"): the policy document, its signature (lib/sigv4) and the form
 * fields, in the shape boto3's generate_presigned_post returns. Pure.
 */
#include "s3_post.h"
#include "sigv4.h"
#include "storage_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum result post_check(const char *key, const char *content_type,
    long long min_bytes, long long max_bytes, long long expires_s, struct errbuf *e);
static json_object *post_policy(const struct config *cfg, const char *key,
    const char *content_type, long long min_bytes, long long max_bytes,
    const char *expiration, const char *credential, const char *amz_date);
static enum result post_fields(struct s3_post *out, const char *key,
    const char *content_type, const char *credential, const char *amz_date,
    const char *policy_b64, const char *signature);

bool
s3_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return false;
	return true;
}

static enum result
post_check(const char *key, const char *content_type, long long min_bytes,
    long long max_bytes, long long expires_s, struct errbuf *e)
{
	if (key == NULL || *key == '\0' || content_type == NULL || *content_type == '\0' ||
	    !s3_value_ok(content_type) || !s3_value_ok(key)) {
		err_set(e, "cannot presign an upload without a key and a content type");
		return ERR_INVALID;
	}
	if (min_bytes < 0 || max_bytes < min_bytes) {
		err_set(e, "cannot presign %s: size range %lld to %lld is empty", key,
		    min_bytes, max_bytes);
		return ERR_INVALID;
	}
	if (expires_s < 1 || expires_s > SIGV4_MAX_EXPIRES) {
		err_set(e, "cannot presign %s: expiry must be 1 to %d seconds", key,
		    SIGV4_MAX_EXPIRES);
		return ERR_INVALID;
	}
	return OK;
}

/* Every field the client sends, but policy and signature, is a condition.
 * Owned; NULL when out of memory. */
static json_object *
post_policy(const struct config *cfg, const char *key, const char *content_type,
    long long min_bytes, long long max_bytes, const char *expiration,
    const char *credential, const char *amz_date)
{
	json_object *policy, *conds, *c, *range;

	if ((policy = json_object_new_object()) == NULL)
		return NULL;
	if ((conds = json_object_new_array()) == NULL)
		goto oom;
	json_object_object_add(policy, "expiration", json_object_new_string(expiration));
	json_object_object_add(policy, "conditions", conds);
#define COND(name, value)                                                      \
	do {                                                                   \
		if ((c = json_object_new_object()) == NULL)                    \
			goto oom;                                              \
		json_object_array_add(conds, c);                               \
		json_object_object_add(c, name, json_object_new_string(value)); \
	} while (0)
	COND("bucket", cfg->storage_bucket);
	COND("key", key);
	COND("Content-Type", content_type);
	if ((range = json_object_new_array()) == NULL)
		goto oom;
	json_object_array_add(conds, range);
	json_object_array_add(range, json_object_new_string("content-length-range"));
	json_object_array_add(range, json_object_new_int64(min_bytes));
	json_object_array_add(range, json_object_new_int64(max_bytes));
	COND("x-amz-algorithm", SIGV4_ALGORITHM);
	COND("x-amz-credential", credential);
	COND("x-amz-date", amz_date);
#undef COND
	return policy;
oom:
	json_object_put(policy);
	return NULL;
}

static enum result
post_fields(struct s3_post *out, const char *key, const char *content_type,
    const char *credential, const char *amz_date, const char *policy_b64,
    const char *signature)
{
	json_object *f;

	if ((out->fields = f = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	json_object_object_add(f, "key", json_object_new_string(key));
	json_object_object_add(f, "Content-Type", json_object_new_string(content_type));
	json_object_object_add(f, "x-amz-algorithm", json_object_new_string(SIGV4_ALGORITHM));
	json_object_object_add(f, "x-amz-credential", json_object_new_string(credential));
	json_object_object_add(f, "x-amz-date", json_object_new_string(amz_date));
	json_object_object_add(f, "policy", json_object_new_string(policy_b64));
	json_object_object_add(f, "x-amz-signature", json_object_new_string(signature));
	return json_object_object_length(f) == 7 ? OK : ERR_NOMEM;
}

enum result
s3_presign_post(const struct config *cfg, const char *key,
    const char *content_type, long long min_bytes, long long max_bytes,
    long long expires_s, time_t now, struct s3_post *out, struct errbuf *e)
{
	const struct sigv4_creds creds = { cfg->storage_access_key,
		cfg->storage_secret_key, cfg->storage_region, "s3" };
	char expiration[32], amz_date[17], signature[65];
	char *credential = NULL, *policy_b64 = NULL;
	json_object *policy = NULL;
	const char *policy_json;
	time_t exp_t;
	struct tm tm;
	enum result rc;

	memset(out, 0, sizeof(*out));
	if ((rc = post_check(key, content_type, min_bytes, max_bytes, expires_s, e)) != OK)
		return rc;
	if ((rc = storage_url_form(cfg, &out->url, e)) != OK)
		return rc;
	rc = ERR_NOMEM;
	exp_t = now + (time_t)expires_s;
	if (gmtime_r(&exp_t, &tm) == NULL ||
	    strftime(expiration, sizeof(expiration), "%Y-%m-%dT%H:%M:%S.000Z", &tm) == 0) {
		err_set(e, "cannot presign %s: bad expiry time", key);
		rc = ERR_INVALID;
		goto out;
	}
	sigv4_amz_date(now, amz_date);
	if ((credential = sigv4_credential(&creds, now)) == NULL)
		goto out;
	if ((policy = post_policy(cfg, key, content_type, min_bytes, max_bytes, expiration,
	    credential, amz_date)) == NULL)
		goto out;
	policy_json = json_object_to_json_string_ext(policy,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (policy_json == NULL ||
	    sigv4_sign_policy(&creds, policy_json, strlen(policy_json), now,
	    &policy_b64, signature) != OK)
		goto out;
	rc = post_fields(out, key, content_type, credential, amz_date, policy_b64, signature);
out:
	if (rc == ERR_NOMEM)
		err_set(e, "cannot presign %s: out of memory", key);
	if (rc != OK)
		s3_post_free(out);
	json_object_put(policy);
	free(credential);
	free(policy_b64);
	return rc;
}

void
s3_post_free(struct s3_post *p)
{
	if (p == NULL)
		return;
	free(p->url);
	json_object_put(p->fields);
	memset(p, 0, sizeof(*p));
}
