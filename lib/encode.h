/*
 * encode.h: byte encodings and hashes shared by the SigV4 signer, the S3
 * client and JWT: lowercase hex, base64 and base64url (strict decoders),
 * SHA-256 of a buffer or a file, HMAC-SHA256, and the URI encoding AWS
 * signs (RFC 3986 unreserved characters kept, everything else %XX).
 */
#ifndef MUSTORY_ENCODE_H
#define MUSTORY_ENCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define ENC_SHA256_LEN 32
#define ENC_SHA256_HEX_LEN 64 /* without the NUL */

/* Lowercase hex of buf into out, which must hold 2 * len + 1 bytes. */
void enc_hex(const void *buf, size_t len, char *out);

/* The value of one hex digit (either case), -1 for any other character. */
int enc_hexval(int c);

/*
 * Base64 (RFC 4648 section 4, with '=' padding). Returns a malloc'd,
 * NUL-terminated string, or NULL when out of memory.
 */
char *enc_base64(const void *buf, size_t len);

/*
 * Base64url (RFC 4648 section 5) without padding, as JWT uses it. Returns a
 * malloc'd string or NULL when out of memory.
 */
char *enc_base64url(const void *buf, size_t len);

/*
 * Strict decoders. base64: length a multiple of 4, '=' only as the last one
 * or two characters. base64url: no padding at all, length mod 4 != 1. Both
 * reject any character outside their alphabet (whitespace included) and
 * leftover bits that are not zero, so every byte string has exactly one
 * accepted encoding. On OK, *out is malloc'd (NUL-terminated for
 * convenience, not counted in *outlen). ERR_INVALID for bad input,
 * ERR_NOMEM when out of memory.
 */
enum result enc_base64_decode(const char *s, size_t slen, unsigned char **out,
    size_t *outlen);
enum result enc_base64url_decode(const char *s, size_t slen,
    unsigned char **out, size_t *outlen);

/* SHA-256 of buf: raw into out, or lowercase hex (65 bytes with NUL). */
void enc_sha256(const void *buf, size_t len, unsigned char out[ENC_SHA256_LEN]);
void enc_sha256_hex(const void *buf, size_t len, char out[ENC_SHA256_HEX_LEN + 1]);

/*
 * SHA-256 hex of a whole file, read in chunks (never whole in memory).
 * *size (may be NULL) gets the number of bytes hashed. ERR_IO with e naming
 * the path when it cannot be read.
 */
enum result enc_sha256_file_hex(const char *path, char out[ENC_SHA256_HEX_LEN + 1],
    long long *size, struct errbuf *e);

/* The same for an open descriptor, read from its current offset to EOF. */
enum result enc_sha256_fd_hex(int fd, char out[ENC_SHA256_HEX_LEN + 1],
    long long *size);

/* HMAC-SHA256(key, msg) into out. */
void enc_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[ENC_SHA256_LEN]);

/*
 * AWS's UriEncode(): every byte except A-Z a-z 0-9 '-' '.' '_' '~' becomes
 * %XX (uppercase hex); '/' is kept too when keep_slash. Bytes are encoded as
 * they are (UTF-8 stays UTF-8, '%' becomes %25: no double-decoding). Returns
 * a malloc'd string or NULL when out of memory.
 */
char *enc_uri(const char *s, size_t len, bool keep_slash);

/* Length enc_uri() would produce for s (without the NUL). */
size_t enc_uri_len(const char *s, size_t len, bool keep_slash);

/* Write enc_uri() of s into out, which holds enc_uri_len() + 1 bytes. */
void enc_uri_to(const char *s, size_t len, bool keep_slash, char *out);

#endif
