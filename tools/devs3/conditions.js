'use strict';
/*
 * Conditional GET and HEAD, as S3 evaluates them (the GetObject page of the S3
 * API reference, which follows RFC 7232): If-Match, If-None-Match,
 * If-Modified-Since and If-Unmodified-Since against the object's ETag and
 * Last-Modified. s3rver ignores If-Match and If-Unmodified-Since and compares
 * dates to the millisecond, so devs3 takes these headers off the request it
 * forwards and decides itself from the headers of s3rver's answer.
 *
 * - If-Match: the ETag must be in the list ("*" matches any): else 412.
 * - If-Unmodified-Since (only without If-Match): modified after it: 412.
 * - If-None-Match: the ETag is in the list ("*" matches any): 304.
 * - If-Modified-Since (only without If-None-Match): not modified since: 304.
 * 412 wins over 304. A date that does not parse is ignored, as is an
 * If-Modified-Since in the future.
 */

const CONDITIONAL_HEADERS = new Set(['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']);

/* 'W/"a", "b", c' -> ['"a"', '"b"', '"c"']; '*' stays '*'. */
function etagList(value) {
  return value.split(',').map(s => s.trim()).filter(Boolean)
    .map(s => s.replace(/^W\//, ''))
    .map(s => (s === '*' || s.startsWith('"') ? s : `"${s}"`));
}

const listHas = (value, etag) => etagList(value).some(t => t === '*' || t === etag);

/* An HTTP date -> whole seconds since the epoch, or null. */
function seconds(value) {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

/*
 * headers: the request's (lower-case names); etag (quoted) and lastModified
 * (an HTTP date): the object's. Returns null (serve the object),
 * { status: 304 } or { status: 412, condition: 'If-Match' | 'If-Unmodified-Since' }.
 */
function evaluateConditions(headers, etag, lastModified, now = Date.now()) {
  const mtime = seconds(lastModified);
  if (headers['if-match'] !== undefined) {
    if (!listHas(headers['if-match'], etag)) return { status: 412, condition: 'If-Match' };
  } else {
    const since = seconds(headers['if-unmodified-since']);
    if (since !== null && mtime !== null && mtime > since) return { status: 412, condition: 'If-Unmodified-Since' };
  }
  if (headers['if-none-match'] !== undefined) {
    if (listHas(headers['if-none-match'], etag)) return { status: 304 };
  } else {
    const since = seconds(headers['if-modified-since']);
    if (since !== null && since <= now / 1000 && mtime !== null && mtime <= since) return { status: 304 };
  }
  return null;
}

module.exports = { CONDITIONAL_HEADERS, evaluateConditions };
