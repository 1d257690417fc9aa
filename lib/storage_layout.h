/*
 * storage_layout.h: where objects live. The one place that spells an object
 * key and puts a storage URL together; every other file asks here.
 *
 * Keys (made by the server, never from user text; <track> is the track's
 * UUID, <attempt> STORAGE_ATTEMPT_HEX random hex digits, fresh for each
 * processing attempt so a retry never overwrites what a player may be reading):
 *
 *   tracks/<track>/original.<ext>             the uploaded audio
 *   tracks/<track>/artwork.<ext>              the uploaded cover
 *   hls/<track>/<attempt>/master.m3u8         one attempt's HLS output: the
 *   hls/<track>/<attempt>/a<kbps>/<file>      master, and per rendition its
 *                                             index.m3u8, init and segments
 *   hls/<track>/<attempt>/waveform.json       (reserved for the analysis stage)
 *   art/<track>/<attempt>/<name>              (reserved: artwork derivatives)
 *
 * URLs, from STORAGE_ENDPOINT, STORAGE_BUCKET, STORAGE_PATH_STYLE and
 * STORAGE_PUBLIC_URL:
 *   bucket URL   path style:   <endpoint>/<bucket>
 *                virtual host: <scheme>://<bucket>.<host>[<base path>]
 *   form URL     the bucket URL (a browser POSTs the upload there)
 *   public URL   <STORAGE_PUBLIC_URL>/<key> when set, else <bucket URL>/<key>
 *   request URL  <origin><encoded path>[?<encoded query>] as the signer
 *                returns them, for the target below; also the presigned
 *                UploadPart URLs of a multipart upload to the original's
 *                key (?partNumber=N&uploadId=..., lib/s3_multipart.c)
 */
#ifndef MUSTORY_STORAGE_LAYOUT_H
#define MUSTORY_STORAGE_LAYOUT_H

#include <stddef.h>

#include "config.h"
#include "result.h"

#define STORAGE_ATTEMPT_HEX 16 /* hex digits in an attempt id (8 random bytes) */
#define STORAGE_KEY_MAX 512    /* a buffer this size holds any key made here */

/* A fresh attempt id: STORAGE_ATTEMPT_HEX lowercase hex digits. ERR_IO when
 * no random bytes. */
enum result storage_attempt_id(char out[STORAGE_ATTEMPT_HEX + 1]);

/*
 * Keys. Each writes into buf (len bytes) and returns buf, or NULL when the
 * key does not fit (never with a UUID, a known extension and
 * STORAGE_KEY_MAX). prefix is what storage_key_hls_prefix or
 * storage_key_art_prefix made.
 */
const char *storage_key_original(char *buf, size_t len, const char *track, const char *ext);
const char *storage_key_artwork(char *buf, size_t len, const char *track, const char *ext);
const char *storage_key_hls_prefix(char *buf, size_t len, const char *track,
    const char *attempt);
const char *storage_key_hls_master(char *buf, size_t len, const char *prefix);
/* "<prefix>/a<kbps>/<file>": a rendition's playlist, init file or segment. */
const char *storage_key_hls_file(char *buf, size_t len, const char *prefix, int kbps,
    const char *file);
const char *storage_key_hls_waveform(char *buf, size_t len, const char *prefix);
const char *storage_key_art_prefix(char *buf, size_t len, const char *track,
    const char *attempt);
const char *storage_key_art_file(char *buf, size_t len, const char *prefix, const char *name);

/*
 * Every object of a track lives under one of STORAGE_TRACK_PREFIXES
 * prefixes: i = 0 "tracks/<track>/" (original, artwork), 1 "hls/<track>/"
 * (every attempt), 2 "art/<track>/" (cover derivatives). With the trailing
 * '/', so no other track's keys share it. NULL when i is out of range or
 * it does not fit. (Deleting a track removes them all: jobs/purge.c.)
 */
#define STORAGE_TRACK_PREFIXES 3
#define STORAGE_PREFIX_UPLOADS 0 /* "tracks/<track>/": what the app uploaded (the
                                    janitor's sweep of an expired upload) */
const char *storage_track_prefix(char *buf, size_t len, const char *track, size_t i);

/*
 * "a<kbps>/<file>": a rendition's file relative to the HLS prefix, as the
 * master playlist names it (and as the transcoder lays out its output
 * directory).
 */
const char *storage_hls_uri(char *buf, size_t len, int kbps, const char *file);

/* Where a request for a key goes: the signed Host, scheme://host, raw path. */
struct storage_target {
	char *host;   /* owned: "127.0.0.1:9000", "bucket.s3.eu-west-1.amazonaws.com" */
	char *origin; /* owned: "http://127.0.0.1:9000" */
	char *path;   /* owned, raw (unencoded): "/bucket/tracks/x/original.mp3" in
	                 path style, "/tracks/x/original.mp3" in virtual-host style */
};

/*
 * The target for key (NULL or "" for the bucket itself). ERR_INVALID, with
 * the variable named (never its value: it may hold a password), when
 * STORAGE_ENDPOINT is not scheme://host[:port][/base] or STORAGE_BUCKET is
 * not a bucket name; ERR_NOMEM. t is zeroed on error.
 */
enum result storage_target_make(const struct config *cfg, const char *key,
    struct storage_target *t, struct errbuf *e);
void storage_target_free(struct storage_target *t);

/* Request URL: t's origin, the signer's encoded path and query ("" = none).
 * malloc'd, NULL when out of memory. */
char *storage_url_request(const struct storage_target *t, const char *enc_path,
    const char *enc_query);

/* The POST form action (the bucket URL) into *out (malloc'd). Errors as
 * storage_target_make. */
enum result storage_url_form(const struct config *cfg, char **out, struct errbuf *e);

/* The URL players and apps fetch key from. malloc'd, NULL when out of memory. */
char *storage_url_public(const struct config *cfg, const char *key);

#endif
