'use strict';
// devs3: ListObjectsV2 pages past 1,000 keys with a continuation token, as
// S3 does (the purge and the janitor walk a track's prefixes this way).
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');
const { BUCKET, startServer, request, sign } = require('./harness');

const N = 1005;

describe('devs3 ListObjectsV2', () => {
  let srv;
  before(async () => {
    srv = await startServer();
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, j) => {
        const key = `/${BUCKET}/hls/l1/a/${String(i + j).padStart(4, '0')}.m4s`;
        return request(srv, sign(srv, { method: 'PUT', path: key, body: 'x' })).then(r =>
          assert.equal(r.status, 200, r.text));
      }));
    }
    const other = await request(srv, sign(srv, { method: 'PUT', path: `/${BUCKET}/hls/l2/x`, body: 'y' }));
    assert.equal(other.status, 200);
  });
  after(async () => {
    await srv.stop();
  });

  const list = token => request(srv, sign(srv, {
    method: 'GET',
    path: `/${BUCKET}?list-type=2&prefix=${encodeURIComponent('hls/l1/')}` +
      (token ? `&continuation-token=${encodeURIComponent(token)}` : ''),
  }));

  test('every key under the prefix, in pages of 1,000, with a token between them', async () => {
    const first = await list();
    assert.equal(first.status, 200, first.text);
    assert.match(first.text, /<IsTruncated>true<\/IsTruncated>/);
    const token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(first.text)[1];
    const second = await list(token);
    assert.equal(second.status, 200, second.text);
    assert.match(second.text, /<IsTruncated>false<\/IsTruncated>/);
    const keys = [first, second].flatMap(r => [...r.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map(m => m[1]));
    assert.equal(keys.length, N);
    assert.equal(new Set(keys).size, N);
    assert.ok(keys.every(k => k.startsWith('hls/l1/')));
  });

  test('a listing is signed like any request: anonymous is refused', async () => {
    const res = await request(srv, { method: 'GET', path: `/${BUCKET}?list-type=2&prefix=hls%2F` });
    assert.equal(res.status, 403);
  });
});
