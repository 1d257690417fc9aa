#include "fcgi_conn.h"

#include <stdlib.h>
#include <string.h>

/* The specification's numbers (FastCGI 1.0, section 8). */
enum {
	FCGI_VERSION_1 = 1,
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST = 2,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_GET_VALUES = 9,
	FCGI_GET_VALUES_RESULT = 10,
	FCGI_UNKNOWN_TYPE = 11,
	FCGI_KEEP_CONN = 1,
	FCGI_RESPONDER = 1,
	FCGI_REQUEST_COMPLETE = 0,
	FCGI_CANT_MPX_CONN = 1,
	FCGI_UNKNOWN_ROLE = 3,
	FCGI_HEADER_LEN = 8,
	FCGI_MAX_CONTENT = 65535,
};

enum fc_state {
	FC_IDLE,   /* between requests */
	FC_RECV,   /* a request begun: parameters and stdin arriving */
	FC_READY,  /* handed out, waiting for the answer */
};

/* Flags of the request being received, in state. */
#define FC_PARAMS_DONE 0x100
#define FC_STDIN_DONE 0x200
#define FC_STATE(s) ((s) & 0xff)

static bool fc_grow(unsigned char **buf, size_t *cap, size_t need, size_t max);
static bool fc_put(struct fcgi_conn *c, const void *p, size_t n);
static bool fc_record(struct fcgi_conn *c, int type, uint16_t id, const void *content,
    size_t len);
static bool fc_end_request(struct fcgi_conn *c, uint16_t id, int protocol_status);
static void fc_shrink(unsigned char **buf, size_t *cap);
static void fc_request_reset(struct fcgi_conn *c);
static bool fc_pair(const unsigned char *p, size_t n, size_t *off, const unsigned char **name,
    size_t *nlen, const unsigned char **value, size_t *vlen);
static bool fc_envp_build(struct fcgi_conn *c);
static bool fc_get_values(struct fcgi_conn *c, const unsigned char *p, size_t n);
static enum fcgi_feed fc_fail(struct fcgi_conn *c, const char *why);
static enum fcgi_feed fc_begin(struct fcgi_conn *c, uint16_t id, const unsigned char *p,
    size_t n);
static enum fcgi_feed fc_stream(struct fcgi_conn *c, int type, const unsigned char *p,
    size_t n);
static enum fcgi_feed fc_handle(struct fcgi_conn *c, int type, uint16_t id,
    const unsigned char *p, size_t n);

void
fcgi_conn_init(struct fcgi_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->state = FC_IDLE;
}

/* Buffers over this are given back after each request (a worker may hold 256 connections). */
#define FC_KEEP_CAP 8192

static void
fc_shrink(unsigned char **buf, size_t *cap)
{
	if (*cap > FC_KEEP_CAP) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
}

static void
fc_request_reset(struct fcgi_conn *c)
{
	fc_shrink((unsigned char **)&c->params, &c->params_cap);
	fc_shrink((unsigned char **)&c->bodybuf, &c->body_cap);
	free(c->envp);
	c->envp = NULL;
	c->body = NULL;
	c->body_len = 0;
	c->body_over = false;
	c->params_len = 0;
	c->state = FC_IDLE;
	c->id = 0;
}

void
fcgi_conn_free(struct fcgi_conn *c)
{
	fc_request_reset(c);
	free(c->in);
	free(c->out);
	free(c->params);
	free(c->bodybuf);
	fcgi_conn_init(c);
}

/* Room for need bytes in *buf (at most max); false when over max or out of memory. */
static bool
fc_grow(unsigned char **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap != 0 ? *cap : 4096;
	unsigned char *p;

	if (need <= *cap)
		return true;
	if (need > max)
		return false;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if ((p = realloc(*buf, ncap)) == NULL)
		return false;
	*buf = p;
	*cap = ncap;
	return true;
}

static bool
fc_put(struct fcgi_conn *c, const void *p, size_t n)
{
	/* the answer is ours: no cap but memory */
	if (!fc_grow(&c->out, &c->out_cap, c->out_len + n, (size_t)-1 / 2))
		return false;
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return true;
}

static bool
fc_record(struct fcgi_conn *c, int type, uint16_t id, const void *content, size_t len)
{
	unsigned char h[FCGI_HEADER_LEN] = { FCGI_VERSION_1, (unsigned char)type,
		(unsigned char)(id >> 8), (unsigned char)id, (unsigned char)(len >> 8),
		(unsigned char)len, 0, 0 };

	return fc_put(c, h, sizeof(h)) && (len == 0 || fc_put(c, content, len));
}

static bool
fc_end_request(struct fcgi_conn *c, uint16_t id, int protocol_status)
{
	/* appStatus 0 (the HTTP status is in the answer's Status: header) */
	unsigned char body[8] = { 0, 0, 0, 0, (unsigned char)protocol_status, 0, 0, 0 };

	return fc_record(c, FCGI_END_REQUEST, id, body, sizeof(body));
}

static enum fcgi_feed
fc_fail(struct fcgi_conn *c, const char *why)
{
	c->err = why;
	c->closing = true;
	return FCGI_FEED_CLOSE;
}

/* One name-value pair at p[*off]: lengths of 1 byte (< 128) or 4 (high bit set). */
static bool
fc_pair(const unsigned char *p, size_t n, size_t *off, const unsigned char **name,
    size_t *nlen, const unsigned char **value, size_t *vlen)
{
	size_t len[2], i = *off;
	int k;

	for (k = 0; k < 2; k++) {
		if (i >= n)
			return false;
		if (p[i] < 0x80)
			len[k] = p[i++];
		else {
			if (n - i < 4)
				return false;
			len[k] = ((size_t)(p[i] & 0x7f) << 24) | ((size_t)p[i + 1] << 16) |
			    ((size_t)p[i + 2] << 8) | p[i + 3];
			i += 4;
		}
	}
	if (len[0] > n - i || len[1] > n - i - len[0])
		return false;
	*name = p + i;
	*nlen = len[0];
	*value = p + i + len[0];
	*vlen = len[1];
	*off = i + len[0] + len[1];
	return true;
}

/*
 * The parameters as "NAME=VALUE" strings, in the order sent, in one block:
 * the pointers, then the strings. A name that is empty or holds '=' or NUL
 * cannot be looked up and is dropped; a value is cut at a NUL.
 */
static bool
fc_envp_build(struct fcgi_conn *c)
{
	const unsigned char *p = (const unsigned char *)c->params, *nm, *val;
	size_t n = c->params_len, off = 0, count = 0, nlen, vlen, i;
	char *s, **envp;

	while (off < n) {
		if (!fc_pair(p, n, &off, &nm, &nlen, &val, &vlen))
			return false;
		count++;
	}
	/* each pair grows by '=' and NUL: the strings take at most n + 2 * count bytes */
	if ((envp = malloc((count + 1) * sizeof(char *) + n + 2 * count)) == NULL)
		return false;
	s = (char *)(envp + count + 1);
	for (off = 0, i = 0; off < n;) {
		(void)fc_pair(p, n, &off, &nm, &nlen, &val, &vlen);
		if (nlen == 0 || memchr(nm, '=', nlen) != NULL || memchr(nm, '\0', nlen) != NULL)
			continue;
		envp[i++] = s;
		memcpy(s, nm, nlen);
		s[nlen] = '=';
		memcpy(s + nlen + 1, val, vlen);
		s[nlen + 1 + vlen] = '\0';
		s += nlen + vlen + 2;
	}
	envp[i] = NULL;
	free(c->envp);
	c->envp = envp;
	return true;
}

/* FCGI_GET_VALUES: answer the variables we know, in the order asked. */
static bool
fc_get_values(struct fcgi_conn *c, const unsigned char *p, size_t n)
{
	static const struct { const char *name, *value; } known[] = {
		{ "FCGI_MAX_CONNS", "256" },
		{ "FCGI_MAX_REQS", "256" },
		{ "FCGI_MPXS_CONNS", "0" },
	};
	unsigned char res[256];
	const unsigned char *nm, *val;
	size_t off = 0, nlen, vlen, r = 0, k, vl;

	while (off < n && fc_pair(p, n, &off, &nm, &nlen, &val, &vlen)) {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
			if (nlen != strlen(known[k].name) || memcmp(nm, known[k].name, nlen) != 0)
				continue;
			vl = strlen(known[k].value);
			if (r + 2 + nlen + vl > sizeof(res))
				break;
			res[r++] = (unsigned char)nlen;
			res[r++] = (unsigned char)vl;
			memcpy(res + r, nm, nlen);
			memcpy(res + r + nlen, known[k].value, vl);
			r += nlen + vl;
		}
	}
	return fc_record(c, FCGI_GET_VALUES_RESULT, 0, res, r);
}

static enum fcgi_feed
fc_begin(struct fcgi_conn *c, uint16_t id, const unsigned char *p, size_t n)
{
	int role;
	bool keep;

	if (n != 8)
		return fc_fail(c, "an FCGI_BEGIN_REQUEST record of the wrong size");
	role = p[0] << 8 | p[1];
	keep = (p[2] & FCGI_KEEP_CONN) != 0;
	if (FC_STATE(c->state) != FC_IDLE) {
		if (id == c->id)
			return fc_fail(c, "FCGI_BEGIN_REQUEST for the request in hand");
		/* one request at a time on a connection */
		return fc_end_request(c, id, FCGI_CANT_MPX_CONN) ? FCGI_FEED_MORE :
		    fc_fail(c, "out of memory");
	}
	if (role != FCGI_RESPONDER) {
		if (!fc_end_request(c, id, FCGI_UNKNOWN_ROLE))
			return fc_fail(c, "out of memory");
		if (!keep)
			c->closing = true;
		return c->closing ? FCGI_FEED_CLOSE : FCGI_FEED_MORE;
	}
	fc_request_reset(c);
	c->state = FC_RECV;
	c->id = id;
	c->keep = keep;
	return FCGI_FEED_MORE;
}

/* FCGI_PARAMS or FCGI_STDIN of the request being received. */
static enum fcgi_feed
fc_stream(struct fcgi_conn *c, int type, const unsigned char *p, size_t n)
{
	size_t room;

	if (type == FCGI_PARAMS) {
		if (c->state & FC_PARAMS_DONE)
			return fc_fail(c, "FCGI_PARAMS after the parameters ended");
		if (n == 0) {
			if (!fc_envp_build(c))
				return fc_fail(c, "malformed parameters (or out of memory)");
			c->state |= FC_PARAMS_DONE;
		} else if (!fc_grow((unsigned char **)&c->params, &c->params_cap,
		    c->params_len + n, FCGI_CONN_MAX_PARAMS))
			return fc_fail(c, "the parameters are too large");
		else {
			memcpy(c->params + c->params_len, p, n);
			c->params_len += n;
		}
	} else {
		if (c->state & FC_STDIN_DONE)
			return fc_fail(c, "FCGI_STDIN after the body ended");
		if (n == 0)
			c->state |= FC_STDIN_DONE;
		room = FCGI_CONN_MAX_BODY - c->body_len;
		if (n > room) {
			c->body_over = true;
			n = room;
		}
		if (n > 0) {
			if (!fc_grow((unsigned char **)&c->bodybuf, &c->body_cap, c->body_len + n,
			    FCGI_CONN_MAX_BODY))
				return fc_fail(c, "out of memory");
			memcpy(c->bodybuf + c->body_len, p, n);
			c->body_len += n;
		}
	}
	if ((c->state & (FC_PARAMS_DONE | FC_STDIN_DONE)) == (FC_PARAMS_DONE | FC_STDIN_DONE)) {
		c->state = FC_READY;
		c->body = c->bodybuf != NULL ? c->bodybuf : "";
		return FCGI_FEED_READY;
	}
	return FCGI_FEED_MORE;
}

static enum fcgi_feed
fc_handle(struct fcgi_conn *c, int type, uint16_t id, const unsigned char *p, size_t n)
{
	unsigned char t[8] = { 0 };

	if (id == 0) { /* management records */
		if (type == FCGI_GET_VALUES)
			return fc_get_values(c, p, n) ? FCGI_FEED_MORE : fc_fail(c, "out of memory");
		t[0] = (unsigned char)type;
		return fc_record(c, FCGI_UNKNOWN_TYPE, 0, t, sizeof(t)) ? FCGI_FEED_MORE :
		    fc_fail(c, "out of memory");
	}
	if (type == FCGI_BEGIN_REQUEST)
		return fc_begin(c, id, p, n);
	/* records of a request not in hand: ignored (the specification says so) */
	if (FC_STATE(c->state) != FC_RECV || id != c->id)
		return FCGI_FEED_MORE;
	if (type == FCGI_ABORT_REQUEST) {
		fc_request_reset(c);
		if (!fc_end_request(c, id, FCGI_REQUEST_COMPLETE))
			return fc_fail(c, "out of memory");
		if (!c->keep)
			c->closing = true;
		return c->closing ? FCGI_FEED_CLOSE : FCGI_FEED_MORE;
	}
	if (type == FCGI_PARAMS || type == FCGI_STDIN)
		return fc_stream(c, type, p, n);
	return FCGI_FEED_MORE; /* FCGI_DATA (the filter role's) and the unknown */
}

enum fcgi_feed
fcgi_conn_feed(struct fcgi_conn *c, const void *data, size_t n)
{
	enum fcgi_feed f = FCGI_FEED_MORE;
	size_t pos = 0, clen, plen;
	const unsigned char *h;

	if (c->closing)
		return FCGI_FEED_CLOSE;
	if (n > 0) {
		/* nothing is parsed while a request is in hand: at most a read's worth waits */
		if (!fc_grow(&c->in, &c->in_cap, c->in_len + n, 2 * FCGI_CONN_MAX_INPUT))
			return fc_fail(c, "too much input while a request is in hand");
		memcpy(c->in + c->in_len, data, n);
		c->in_len += n;
	}
	while (FC_STATE(c->state) != FC_READY && c->in_len - pos >= FCGI_HEADER_LEN) {
		h = c->in + pos;
		if (h[0] != FCGI_VERSION_1)
			return fc_fail(c, "not FastCGI version 1");
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		if (c->in_len - pos < FCGI_HEADER_LEN + clen + plen)
			break;
		f = fc_handle(c, h[1], (uint16_t)(h[2] << 8 | h[3]), h + FCGI_HEADER_LEN, clen);
		pos += FCGI_HEADER_LEN + clen + plen;
		if (f == FCGI_FEED_CLOSE)
			return f;
	}
	memmove(c->in, c->in + pos, c->in_len - pos);
	c->in_len -= pos;
	return FC_STATE(c->state) == FC_READY ? FCGI_FEED_READY : FCGI_FEED_MORE;
}

bool
fcgi_conn_respond(struct fcgi_conn *c, const void *resp, size_t len)
{
	const unsigned char *p = resp;
	size_t k;
	bool ok = true;

	if (FC_STATE(c->state) != FC_READY)
		return false;
	while (ok && len > 0) {
		k = len > FCGI_MAX_CONTENT ? FCGI_MAX_CONTENT : len;
		ok = fc_record(c, FCGI_STDOUT, c->id, p, k);
		p += k;
		len -= k;
	}
	ok = ok && fc_record(c, FCGI_STDOUT, c->id, NULL, 0) &&
	    fc_end_request(c, c->id, FCGI_REQUEST_COMPLETE);
	if (!ok || !c->keep)
		c->closing = true;
	if (!ok)
		c->err = "out of memory";
	fc_request_reset(c);
	return ok;
}

void
fcgi_conn_written(struct fcgi_conn *c)
{
	c->out_off = c->out_len = 0;
	fc_shrink(&c->out, &c->out_cap);
	if (c->in_len == 0)
		fc_shrink(&c->in, &c->in_cap);
}

bool
fcgi_conn_closing(const struct fcgi_conn *c)
{
	return c->closing;
}

bool
fcgi_conn_busy(const struct fcgi_conn *c)
{
	return FC_STATE(c->state) == FC_RECV || c->in_len > 0;
}

const char *
fcgi_param(char **envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}
