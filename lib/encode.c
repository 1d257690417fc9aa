#include "encode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_encode(const void *buf, size_t len, const char *alphabet, bool pad);
static enum result b64_decode(const char *s, size_t slen, const char *alphabet,
    bool padded, unsigned char **out, size_t *outlen);
static int b64_value(const char *alphabet, char c);
static bool uri_unreserved(unsigned char c, bool keep_slash);

int
enc_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
enc_hex(const void *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static char *
b64_encode(const void *buf, size_t len, const char *alphabet, bool pad)
{
	const unsigned char *p = buf;
	size_t full = len / 3, rest = len % 3, outlen, i, o = 0;
	char *out;

	if (len > (SIZE_MAX / 4) * 3 - 3)
		return NULL;
	outlen = full * 4 + (rest == 0 ? 0 : (pad ? 4 : rest + 1));
	if ((out = malloc(outlen + 1)) == NULL)
		return NULL;
	for (i = 0; i < full * 3; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (rest != 0) {
		uint32_t v = (uint32_t)p[i] << 16 | (rest == 2 ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		if (rest == 2)
			out[o++] = alphabet[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

char *
enc_base64(const void *buf, size_t len)
{
	return b64_encode(buf, len, b64_std, true);
}

char *
enc_base64url(const void *buf, size_t len)
{
	return b64_encode(buf, len, b64_url, false);
}

static int
b64_value(const char *alphabet, char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

static enum result
b64_decode(const char *s, size_t slen, const char *alphabet, bool padded,
    unsigned char **out, size_t *outlen)
{
	size_t data = slen, i, o = 0, rest;
	unsigned char *buf;
	uint32_t acc = 0;
	int bits = 0;

	*out = NULL;
	*outlen = 0;
	if (padded) {
		if (slen % 4 != 0)
			return ERR_INVALID;
		/* Up to two '=' and only at the very end. */
		while (data > 0 && slen - data < 2 && s[data - 1] == '=')
			data--;
	}
	rest = data % 4;
	if (rest == 1)
		return ERR_INVALID;
	if (padded && rest != 0 && slen - data != 4 - rest)
		return ERR_INVALID;
	if ((buf = malloc(data / 4 * 3 + 3)) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < data; i++) {
		int v = b64_value(alphabet, s[i]);

		if (v < 0) {
			free(buf);
			return ERR_INVALID;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one encoding per byte string. */
	if (acc != 0) {
		free(buf);
		return ERR_INVALID;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return OK;
}

enum result
enc_base64_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
	return b64_decode(s, slen, b64_std, true, out, outlen);
}

enum result
enc_base64url_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
	return b64_decode(s, slen, b64_url, false, out, outlen);
}

void
enc_sha256(const void *buf, size_t len, unsigned char out[ENC_SHA256_LEN])
{
	unsigned int n = ENC_SHA256_LEN;

	if (EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) != 1)
		abort(); /* only fails when OpenSSL itself is broken */
}

void
enc_sha256_hex(const void *buf, size_t len, char out[ENC_SHA256_HEX_LEN + 1])
{
	unsigned char md[ENC_SHA256_LEN];

	enc_sha256(buf, len, md);
	enc_hex(md, sizeof(md), out);
}

enum result
enc_sha256_fd_hex(int fd, char out[ENC_SHA256_HEX_LEN + 1], long long *size)
{
	unsigned char chunk[65536], md[ENC_SHA256_LEN];
	unsigned int mdlen = sizeof(md);
	long long total = 0;
	EVP_MD_CTX *ctx;
	enum result rc = OK;
	ssize_t n;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_NOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1) {
			rc = ERR_NOMEM;
			goto out;
		}
		total += n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		rc = ERR_NOMEM;
		goto out;
	}
	enc_hex(md, mdlen, out);
	if (size != NULL)
		*size = total;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

enum result
enc_sha256_file_hex(const char *path, char out[ENC_SHA256_HEX_LEN + 1],
    long long *size, struct errbuf *e)
{
	enum result rc;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(e, "cannot open %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	rc = enc_sha256_fd_hex(fd, out, size);
	saved = errno;
	close(fd);
	if (rc == ERR_IO)
		err_set(e, "cannot read %s: %s", path, strerror(saved));
	else if (rc != OK)
		err_set(e, "cannot hash %s: out of memory", path);
	return rc;
}

void
enc_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[ENC_SHA256_LEN])
{
	unsigned int n = ENC_SHA256_LEN;

	if (keylen > INT32_MAX ||
	    HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &n) == NULL)
		abort(); /* only fails when OpenSSL itself is broken */
}

static bool
uri_unreserved(unsigned char c, bool keep_slash)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || (keep_slash && c == '/');
}

size_t
enc_uri_len(const char *s, size_t len, bool keep_slash)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += uri_unreserved((unsigned char)s[i], keep_slash) ? 1 : 3;
	return n;
}

void
enc_uri_to(const char *s, size_t len, bool keep_slash, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (uri_unreserved(c, keep_slash)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 0x0f];
		}
	}
	out[o] = '\0';
}

char *
enc_uri(const char *s, size_t len, bool keep_slash)
{
	size_t n;
	char *out;

	if (len > SIZE_MAX / 3 - 1)
		return NULL;
	n = enc_uri_len(s, len, keep_slash);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	enc_uri_to(s, len, keep_slash, out);
	return out;
}
