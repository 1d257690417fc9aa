#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "playlist.h"

#define PUBLISH_PARALLEL 8

/* One upload list: keys and paths owned here, puts point into them. */
struct putlist {
	struct s3_put *puts;
	char **paths;
	size_t n, cap;
};

static enum result pub_add(struct publish *p, struct putlist *pl, const char *key,
    const char *path, const char *type, const char *cache);
static enum result pub_file(struct publish *p, struct putlist *pl, bool playlist,
    const char *dir, int kbps, const char *file, struct errbuf *e);
static void putlist_free(struct putlist *pl);
static enum result pub_key(struct publish *p, const char *key);

enum result
publish_init(struct publish *p, const char *track_id, struct errbuf *e)
{
	memset(p, 0, sizeof(*p));
	if (storage_attempt_id(p->attempt) != OK) {
		err_set(e, "no random bytes for the output prefix");
		return ERR_IO;
	}
	snprintf(p->track, sizeof(p->track), "%s", track_id);
	if (strlen(track_id) >= sizeof(p->track) ||
	    storage_key_hls_prefix(p->prefix, sizeof(p->prefix), track_id, p->attempt) == NULL) {
		err_set(e, "track id %.64s is too long for an output prefix", track_id);
		return ERR_INVALID;
	}
	return OK;
}

enum result
publish_artwork(struct publish *p, struct s3 *s3, const char *path, const char *type,
    const char *ext, char *key, struct errbuf *e)
{
	struct s3_put put = { key, path, type, PUBLISH_CACHE_SEGMENT };
	char prefix[STORAGE_KEY_MAX], name[32];

	snprintf(name, sizeof(name), "artwork.%s", ext);
	if (storage_key_art_prefix(prefix, sizeof(prefix), p->track, p->attempt) == NULL ||
	    storage_key_art_file(key, STORAGE_KEY_MAX, prefix, name) == NULL) {
		err_set(e, "track id %.64s is too long for an artwork key", p->track);
		return ERR_INVALID;
	}
	if (pub_key(p, key) != OK) {
		err_set(e, "out of memory");
		return ERR_NOMEM;
	}
	return s3_put_files(s3, &put, 1, 1, e);
}

const char *
publish_master_key(const struct publish *p, char *buf, size_t len)
{
	return storage_key_hls_master(buf, len, p->prefix);
}

/* Remember key for cleanup; the copy is owned by p. */
static enum result
pub_key(struct publish *p, const char *key)
{
	char **nk, *k;

	if ((k = strdup(key)) == NULL)
		return ERR_NOMEM;
	if ((nk = realloc(p->keys, (p->nkeys + 1) * sizeof(*nk))) == NULL) {
		free(k);
		return ERR_NOMEM;
	}
	p->keys = nk;
	p->keys[p->nkeys++] = k;
	return OK;
}

static enum result
pub_add(struct publish *p, struct putlist *pl, const char *key, const char *path,
    const char *type, const char *cache)
{
	struct s3_put *np;
	char **npath, *pc;

	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 64;
		if ((np = realloc(pl->puts, cap * sizeof(*np))) == NULL)
			return ERR_NOMEM;
		pl->puts = np;
		if ((npath = realloc(pl->paths, cap * sizeof(*npath))) == NULL)
			return ERR_NOMEM;
		pl->paths = npath;
		pl->cap = cap;
	}
	if ((pc = strdup(path)) == NULL)
		return ERR_NOMEM;
	if (pub_key(p, key) != OK) {
		free(pc);
		return ERR_NOMEM;
	}
	pl->paths[pl->n] = pc;
	pl->puts[pl->n].key = p->keys[p->nkeys - 1]; /* borrowed from p */
	pl->puts[pl->n].path = pc;
	pl->puts[pl->n].content_type = type;
	pl->puts[pl->n].cache_control = cache;
	pl->n++;
	return OK;
}

/*
 * Add rendition kbps's file (in local dir) to pl under its key, typed and
 * cached as a playlist or as media (init file, segment).
 */
static enum result
pub_file(struct publish *p, struct putlist *pl, bool playlist, const char *dir, int kbps,
    const char *file, struct errbuf *e)
{
	char key[STORAGE_KEY_MAX], path[4096];
	int pn;

	pn = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (storage_key_hls_file(key, sizeof(key), p->prefix, kbps, file) == NULL || pn < 0 ||
	    (size_t)pn >= sizeof(path)) {
		err_set(e, "rendition %dk: file name %.64s is too long to publish", kbps, file);
		return ERR_INVALID;
	}
	if (pub_add(p, pl, key, path, playlist ? PUBLISH_TYPE_PLAYLIST : PUBLISH_TYPE_SEGMENT,
	    playlist ? PUBLISH_CACHE_PLAYLIST : PUBLISH_CACHE_SEGMENT) != OK) {
		err_set(e, "out of memory");
		return ERR_NOMEM;
	}
	return OK;
}

static void
putlist_free(struct putlist *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		free(pl->paths[i]);
	free(pl->paths);
	free(pl->puts);
	memset(pl, 0, sizeof(*pl));
}

enum result
publish_upload(struct publish *p, struct s3 *s3, const char *outdir, const struct ladder *l,
    bool (*still_ours)(void *), void (*progress)(void *, double), void *arg,
    struct errbuf *e)
{
	struct media_playlist pls[TRANSCODE_MAX_RUNGS];
	struct pl_variant v[TRANSCODE_MAX_RUNGS];
	struct putlist media = { 0 }, lists = { 0 };
	char uris[TRANSCODE_MAX_RUNGS][32], dir[2048], key[STORAGE_KEY_MAX];
	char *master = NULL;
	size_t k, i;
	double d;
	enum result rc = OK;

	memset(pls, 0, sizeof(pls));
	p->duration_s = 0;
	for (k = 0; k < l->n; k++) {
		storage_hls_uri(uris[k], sizeof(uris[k]), l->kbps[k], "index.m3u8");
		snprintf(dir, sizeof(dir), "%s/a%d", outdir, l->kbps[k]);
		if ((rc = playlist_load_dir(dir, "index.m3u8", &pls[k], e)) != OK)
			goto out;
		playlist_measure(&pls[k], &v[k].peak_bps, &v[k].avg_bps);
		v[k].uri = uris[k];
		d = playlist_duration(&pls[k]);
		if (k == 0 || d < p->duration_s)
			p->duration_s = d;
		log_debug("rendition %dk: %zu segments, %.3f s, BANDWIDTH %lld, AVERAGE %lld",
		    l->kbps[k], pls[k].nseg, d, v[k].peak_bps, v[k].avg_bps);
		if (pls[k].map_uri != NULL &&
		    (rc = pub_file(p, &media, false, dir, l->kbps[k], pls[k].map_uri, e)) != OK)
			goto out;
		for (i = 0; i < pls[k].nseg; i++)
			if ((rc = pub_file(p, &media, false, dir, l->kbps[k], pls[k].seg[i].uri, e)) != OK)
				goto out;
		if ((rc = pub_file(p, &lists, true, dir, l->kbps[k], "index.m3u8", e)) != OK)
			goto out;
	}
	if ((master = playlist_master(v, l->n)) == NULL)
		goto nomem;
	/* 1. segments and init files, 2. media playlists, 3. the master. */
	if ((rc = s3_put_files(s3, media.puts, media.n, PUBLISH_PARALLEL, e)) != OK)
		goto out;
	if (progress != NULL)
		progress(arg, 0.8);
	if ((rc = s3_put_files(s3, lists.puts, lists.n, PUBLISH_PARALLEL, e)) != OK)
		goto out;
	if (still_ours != NULL && !still_ours(arg)) {
		err_set(e, "the lease was lost before the master playlist went up");
		rc = ERR_LEASE_LOST;
		goto out;
	}
	if (publish_master_key(p, key, sizeof(key)) == NULL) {
		err_set(e, "the output prefix %s is too long for the master playlist", p->prefix);
		rc = ERR_INVALID;
		goto out;
	}
	if ((rc = pub_key(p, key)) != OK)
		goto nomem;
	if ((rc = s3_put_buffer(s3, key, master, strlen(master), PUBLISH_TYPE_PLAYLIST,
	    PUBLISH_CACHE_PLAYLIST, e)) != OK)
		goto out;
	if (progress != NULL)
		progress(arg, 1.0);
	goto out;
nomem:
	err_set(e, "out of memory");
	rc = ERR_NOMEM;
out:
	for (k = 0; k < l->n; k++)
		playlist_media_free(&pls[k]);
	putlist_free(&media);
	putlist_free(&lists);
	free(master);
	return rc;
}

void
publish_remove(struct publish *p, struct s3 *s3)
{
	struct errbuf e;
	size_t i;
	enum result rc;

	/*
	 * The master first: then no player can find the rest. Stop at the
	 * first storage failure (it is down: the rest would fail too); what is
	 * left is an unreferenced prefix with no master, never played.
	 */
	for (i = p->nkeys; i > 0; i--) {
		err_clear(&e);
		rc = s3_delete(s3, p->keys[i - 1], &e);
		if (rc != OK && rc != ERR_NOT_FOUND) {
			log_warnx("could not delete %s (%s); %zu objects may be left under %s",
			    p->keys[i - 1], err_msg(&e), i, p->prefix);
			return;
		}
	}
}

void
publish_free(struct publish *p)
{
	size_t i;

	for (i = 0; i < p->nkeys; i++)
		free(p->keys[i]);
	free(p->keys);
	p->keys = NULL;
	p->nkeys = 0;
}
