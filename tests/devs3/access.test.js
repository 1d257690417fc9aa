'use strict';
// devs3: anonymous reads only under the public prefixes (default hls/ and art/),
// as a bucket policy granting s3:GetObject on them would; signed reads of
// everything. Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');
const { BUCKET, startServer, request, sign, presign } = require('./harness');

async function put(srv, key, body = 'data') {
  const res = await request(srv, sign(srv, {
    method: 'PUT', path: `/${BUCKET}/${key}`, body, headers: { 'Content-Type': 'application/octet-stream' },
  }));
  assert.equal(res.status, 200, res.text);
}

describe('devs3 public prefixes (default)', () => {
  let srv;
  before(async () => {
    srv = await startServer({ quiet: false });
    for (const key of ['hls/t1/a1/master.m3u8', 'art/t1/a1/cover.jpg', 'tracks/t1/original.mp3',
      'tracks/t1/artwork.jpg', 'hlsx/file', 'other/hls/file']) {
      await put(srv, key, `body of ${key}`);
    }
  });
  after(async () => {
    await srv.stop();
  });

  test('the ready line names the public prefixes', () => {
    assert.match(srv.output(), /public: hls\/, art\//);
  });

  test('anonymous GET and HEAD under hls/ and art/ work', async () => {
    for (const key of ['hls/t1/a1/master.m3u8', 'art/t1/a1/cover.jpg']) {
      const get = await request(srv, { path: `/${BUCKET}/${key}` });
      assert.equal(get.status, 200, key);
      assert.equal(get.text, `body of ${key}`);
      const head = await request(srv, { method: 'HEAD', path: `/${BUCKET}/${key}` });
      assert.equal(head.status, 200, key);
    }
  });

  test('a missing object under a public prefix is 404 NoSuchKey', async () => {
    const res = await request(srv, { path: `/${BUCKET}/hls/t1/a1/missing.m4s` });
    assert.equal(res.status, 404);
    assert.equal(res.code, 'NoSuchKey');
  });

  test('anonymous GET and HEAD of anything else are 403 AccessDenied, S3 XML', async () => {
    for (const key of ['tracks/t1/original.mp3', 'tracks/t1/artwork.jpg', 'tracks/t1/missing.mp3',
      'hlsx/file', 'other/hls/file', 'HLS/t1/a1/master.m3u8']) {
      const get = await request(srv, { path: `/${BUCKET}/${key}` });
      assert.equal(get.status, 403, key);
      assert.equal(get.code, 'AccessDenied', key);
      assert.equal(get.message, 'Access Denied');
      assert.match(get.headers['content-type'], /^application\/xml/);
      assert.match(get.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code>/);
      assert.doesNotMatch(get.text, /body of/);
      const head = await request(srv, { method: 'HEAD', path: `/${BUCKET}/${key}` });
      assert.equal(head.status, 403, `HEAD ${key}`);
      assert.equal(head.body.length, 0);
    }
  });

  test('dot segments cannot climb out of a public prefix', async () => {
    for (const p of ['hls/../tracks/t1/original.mp3', 'hls/%2E%2E/tracks/t1/original.mp3',
      'hls%2F..%2Ftracks%2Ft1%2Foriginal.mp3', 'art/./../tracks/t1/original.mp3', 'hls/t1/../../tracks/t1/original.mp3']) {
      const res = await request(srv, { path: `/${BUCKET}/${p}` });
      assert.equal(res.status, 403, p);
      assert.equal(res.code, 'AccessDenied', p);
    }
  });

  test('an anonymous read of an unknown bucket is 404 NoSuchBucket', async () => {
    for (const p of ['/no-such-bucket/hls/x', `/../${BUCKET}/hls/t1/a1/master.m3u8`]) {
      const res = await request(srv, { path: p });
      assert.equal(res.status, 404, p);
      assert.equal(res.code, 'NoSuchBucket', p);
    }
  });

  test('signed and presigned reads of private objects work as before', async () => {
    const key = `/${BUCKET}/tracks/t1/original.mp3`;
    const signed = await request(srv, sign(srv, { path: key }));
    assert.equal(signed.status, 200, signed.text);
    assert.equal(signed.text, 'body of tracks/t1/original.mp3');
    const head = await request(srv, sign(srv, { method: 'HEAD', path: key }));
    assert.equal(head.status, 200);
    const presigned = await request(srv, { path: presign(srv, { path: key }) });
    assert.equal(presigned.status, 200, presigned.text);
    assert.equal(presigned.text, 'body of tracks/t1/original.mp3');
  });

  test('a bad signature on a public object is still refused', async () => {
    const req = sign(srv, { path: `/${BUCKET}/hls/t1/a1/master.m3u8` });
    req.headers.Authorization = req.headers.Authorization.replace(/.$/, c => (c === '0' ? '1' : '0'));
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });
});

describe('devs3 public prefixes (configured)', () => {
  test('--public-prefixes sets the list', async () => {
    const srv = await startServer({ args: ['--public-prefixes', 'tracks/t1/'] });
    try {
      await put(srv, 'tracks/t1/original.mp3');
      await put(srv, 'hls/t1/master.m3u8');
      assert.equal((await request(srv, { path: `/${BUCKET}/tracks/t1/original.mp3` })).status, 200);
      assert.equal((await request(srv, { path: `/${BUCKET}/hls/t1/master.m3u8` })).status, 403);
    } finally {
      await srv.stop();
    }
  });

  test('DEVS3_PUBLIC_PREFIXES sets it too; empty makes everything private, * everything public', async () => {
    for (const [value, hls, tracks] of [['', 403, 403], ['*', 200, 200], [' art/ , hls/ ', 200, 403]]) {
      const srv = await startServer({ env: { DEVS3_PUBLIC_PREFIXES: value } });
      try {
        await put(srv, 'tracks/t1/original.mp3');
        await put(srv, 'hls/t1/master.m3u8');
        assert.equal((await request(srv, { path: `/${BUCKET}/hls/t1/master.m3u8` })).status, hls, `"${value}" hls`);
        assert.equal((await request(srv, { path: `/${BUCKET}/tracks/t1/original.mp3` })).status, tracks,
          `"${value}" tracks`);
      } finally {
        await srv.stop();
      }
    }
  });
});
