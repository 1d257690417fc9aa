'use strict';
// devs3: conditional GET and HEAD (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since) answered as S3 does, signed or anonymous.
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');
const { BUCKET, startServer, request, sign, presign } = require('./harness');
const { evaluateConditions } = require('../../tools/devs3/conditions');

const KEY = `/${BUCKET}/tracks/c1/original.mp3`;
const PUBLIC = `/${BUCKET}/hls/c1/a1/seg_000.m4s`;

describe('devs3 conditional requests', () => {
  let srv;
  let etag;
  let lastModified;
  before(async () => {
    srv = await startServer();
    for (const key of [KEY, PUBLIC]) {
      const put = await request(srv, sign(srv, {
        method: 'PUT', path: key, body: 'the original', headers: { 'Content-Type': 'audio/mpeg' },
      }));
      assert.equal(put.status, 200, put.text);
      etag = put.headers.etag;
    }
    const head = await request(srv, sign(srv, { method: 'HEAD', path: KEY }));
    lastModified = head.headers['last-modified'];
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.ok(lastModified);
  });
  after(async () => {
    await srv.stop();
  });

  const get = (headers, { method = 'GET', path = KEY } = {}) =>
    request(srv, sign(srv, { method, path, headers }));

  test('If-Match with the ETag serves the object (quoted, in a list, or *)', async () => {
    for (const value of [etag, `"0123", ${etag}`, '*', etag.slice(1, -1)]) {
      const res = await get({ 'If-Match': value });
      assert.equal(res.status, 200, value);
      assert.equal(res.text, 'the original');
      assert.equal(res.headers.etag, etag);
    }
  });

  test('If-Match with another ETag is 412 PreconditionFailed, S3 XML, on GET and HEAD', async () => {
    const res = await get({ 'If-Match': '"00000000000000000000000000000000"' });
    assert.equal(res.status, 412);
    assert.equal(res.code, 'PreconditionFailed');
    assert.equal(res.message, 'At least one of the pre-conditions you specified did not hold');
    assert.match(res.text, /<Condition>If-Match<\/Condition>/);
    assert.match(res.headers['content-type'], /^application\/xml/);
    assert.doesNotMatch(res.text, /the original/);
    const head = await get({ 'If-Match': '"00000000000000000000000000000000"' }, { method: 'HEAD' });
    assert.equal(head.status, 412);
    assert.equal(head.body.length, 0);
  });

  test('a replaced object no longer matches the old ETag', async () => {
    const key = `/${BUCKET}/tracks/c2/original.mp3`;
    const first = await request(srv, sign(srv, { method: 'PUT', path: key, body: 'version one' }));
    const second = await request(srv, sign(srv, { method: 'PUT', path: key, body: 'version two' }));
    assert.notEqual(first.headers.etag, second.headers.etag);
    const stale = await request(srv, sign(srv, { path: key, headers: { 'If-Match': first.headers.etag } }));
    assert.equal(stale.status, 412);
    assert.equal(stale.code, 'PreconditionFailed');
    const fresh = await request(srv, sign(srv, { path: key, headers: { 'If-Match': second.headers.etag } }));
    assert.equal(fresh.status, 200);
    assert.equal(fresh.text, 'version two');
  });

  test('If-Match on a missing key is 404 NoSuchKey', async () => {
    const res = await request(srv, sign(srv, { path: `/${BUCKET}/tracks/none/original.mp3`, headers: { 'If-Match': '*' } }));
    assert.equal(res.status, 404);
    assert.equal(res.code, 'NoSuchKey');
  });

  test('If-Match works with Range, presigned and anonymous reads', async () => {
    const range = await get({ 'If-Match': etag, Range: 'bytes=4-11' });
    assert.equal(range.status, 206);
    assert.equal(range.text, 'original');
    const rangeBad = await get({ 'If-Match': '"1"', Range: 'bytes=4-11' });
    assert.equal(rangeBad.status, 412);
    const pre = await request(srv, { path: presign(srv, { path: KEY }), headers: { 'If-Match': '"1"' } });
    assert.equal(pre.status, 412);
    assert.equal(pre.code, 'PreconditionFailed');
    const anon = await request(srv, { path: PUBLIC, headers: { 'If-Match': '"1"' } });
    assert.equal(anon.status, 412);
    const anonOk = await request(srv, { path: PUBLIC, headers: { 'If-Match': etag } });
    assert.equal(anonOk.status, 200);
  });

  test('If-None-Match: 304 with the ETag (or *), 200 otherwise', async () => {
    for (const value of [etag, `W/${etag}`, '*', `"1", ${etag}`]) {
      const res = await get({ 'If-None-Match': value });
      assert.equal(res.status, 304, value);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers.etag, etag);
      assert.equal(res.headers['last-modified'], lastModified);
    }
    const other = await get({ 'If-None-Match': '"1"' });
    assert.equal(other.status, 200);
    assert.equal(other.text, 'the original');
  });

  test('If-Modified-Since / If-Unmodified-Since at second precision', async () => {
    const before = new Date(Date.parse(lastModified) - 60e3).toUTCString();
    assert.equal((await get({ 'If-Modified-Since': lastModified })).status, 304);
    assert.equal((await get({ 'If-Modified-Since': before })).status, 200);
    assert.equal((await get({ 'If-Modified-Since': 'not a date' })).status, 200);
    assert.equal((await get({ 'If-Unmodified-Since': lastModified })).status, 200);
    const res = await get({ 'If-Unmodified-Since': before });
    assert.equal(res.status, 412);
    assert.match(res.text, /<Condition>If-Unmodified-Since<\/Condition>/);
  });

  test('S3 precedence: If-Match beats If-Unmodified-Since, If-None-Match beats If-Modified-Since', async () => {
    const before = new Date(Date.parse(lastModified) - 60e3).toUTCString();
    assert.equal((await get({ 'If-Match': etag, 'If-Unmodified-Since': before })).status, 200);
    assert.equal((await get({ 'If-None-Match': etag, 'If-Modified-Since': before })).status, 304);
    assert.equal((await get({ 'If-None-Match': '"1"', 'If-Modified-Since': lastModified })).status, 200);
    assert.equal((await get({ 'If-Match': '"1"', 'If-None-Match': etag })).status, 412, '412 wins over 304');
  });

  test('evaluateConditions ignores an If-Modified-Since in the future', () => {
    const lm = 'Tue, 01 Dec 2026 10:00:00 GMT';
    const now = Date.parse('Tue, 01 Dec 2026 12:00:00 GMT');
    assert.equal(evaluateConditions({ 'if-modified-since': 'Tue, 01 Dec 2026 11:00:00 GMT' }, '"e"', lm, now).status, 304);
    assert.equal(evaluateConditions({ 'if-modified-since': 'Tue, 01 Dec 2026 13:00:00 GMT' }, '"e"', lm, now), null);
  });
});
