'use strict';
// devs3: PUT Object. A small body is taken into memory and stored by devs3
// with s3rver's store call (server.js putDirect); a larger one, or a request
// s3rver must see itself, goes through a temp file and s3rver. Both must
// answer and store alike, and neither may store an interrupted upload.
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const http = require('node:http');
const { after, before, describe, test } = require('node:test');
const { BUCKET, OTHER_BUCKET, startServer, request, sign } = require('./harness');

const SMALL = crypto.randomBytes(100 * 1000);       // an HLS segment: memory, stored directly
const LARGE = crypto.randomBytes(2 * 1024 * 1024);  // over 1 MiB: temp file, through s3rver
const HEADERS = {
  'Content-Type': 'video/iso.segment', 'Cache-Control': 'public, max-age=31536000, immutable',
  'Content-Disposition': 'inline', 'x-amz-meta-track': 'abc',
};
// what may differ between two answers of the same kind (CORS: the Origin sent with one)
const VARYING = new Set(['x-amz-request-id', 'date', 'vary']);

const md5hex = b => crypto.createHash('md5').update(b).digest('hex');
const stable = headers => Object.fromEntries(Object.entries(headers)
  .filter(([n]) => !VARYING.has(n) && !n.startsWith('access-control-')));

/* Send the headers and half the body of a signed PUT, then drop the connection. */
function interruptedPut(srv, key, body) {
  const s = sign(srv, { method: 'PUT', path: key, body, headers: { 'Content-Type': 'text/plain' } });
  return new Promise(resolve => {
    const req = http.request({
      host: '127.0.0.1', port: srv.port, method: 'PUT', path: s.path,
      headers: { ...s.headers, 'Content-Length': body.length }, agent: false,
    });
    req.on('error', () => resolve());
    req.on('response', res => {
      res.resume();
      resolve(res.statusCode);
    });
    req.write(body.subarray(0, body.length >> 1), () => setTimeout(() => {
      req.destroy();
      setTimeout(resolve, 300); // let devs3 see the close
    }, 100));
  });
}

describe('devs3 PUT Object', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('a small body stored directly answers and reads back as one through s3rver', async () => {
    const direct = `/${BUCKET}/hls/t1/a64/seg_00000.m4s`;
    const via = `/${BUCKET}/hls/t1/a64/seg_00001.m4s`;
    const a = await request(srv, sign(srv, { method: 'PUT', path: direct, body: SMALL, headers: HEADERS }));
    // an Origin makes devs3 hand the PUT to s3rver (its own CORS rules would apply)
    const b = await request(srv, sign(srv, {
      method: 'PUT', path: via, body: SMALL, headers: { ...HEADERS, Origin: 'http://localhost:8080' },
    }));
    assert.equal(a.status, 200, a.text);
    assert.equal(b.status, 200, b.text);
    assert.equal(a.headers.etag, `"${md5hex(SMALL)}"`);
    assert.deepEqual(stable(a.headers), stable(b.headers));
    assert.equal(a.text, '');
    const ga = await request(srv, sign(srv, { path: direct }));
    const gb = await request(srv, sign(srv, { path: via }));
    assert.equal(ga.status, 200);
    assert.deepEqual(ga.body, SMALL);
    const { 'last-modified': la, ...ha } = stable(ga.headers);
    const { 'last-modified': lb, ...hb } = stable(gb.headers);
    assert.deepEqual(ha, hb);
    assert.ok(la && lb);
    assert.equal(ga.headers['content-type'], 'video/iso.segment');
    assert.equal(ga.headers['x-amz-meta-track'], 'abc');
    assert.equal(ga.headers['content-disposition'], 'inline');
  });

  test('a large body goes through s3rver and reads back whole', async () => {
    const key = `/${BUCKET}/tracks/u/large.bin`;
    const put = await request(srv, sign(srv, { method: 'PUT', path: key, body: LARGE, headers: HEADERS }));
    assert.equal(put.status, 200, put.text);
    assert.equal(put.headers.etag, `"${md5hex(LARGE)}"`);
    const get = await request(srv, sign(srv, { path: key }));
    assert.deepEqual(get.body, LARGE);
  });

  test('an interrupted PUT, small or large, leaves the object as it was', async () => {
    for (const [name, body] of [['small', SMALL], ['large', LARGE]]) {
      const key = `/${BUCKET}/hls/t2/${name}.m4s`;
      const old = Buffer.from(`old ${name}`);
      const put = await request(srv, sign(srv, { method: 'PUT', path: key, body: old }));
      assert.equal(put.status, 200, put.text);
      await interruptedPut(srv, key, body);
      const get = await request(srv, sign(srv, { path: key }));
      assert.equal(get.status, 200, `${name}: ${get.text}`);
      assert.deepEqual(get.body, old, name);
      const fresh = `/${BUCKET}/hls/t2/${name}-new.m4s`;
      await interruptedPut(srv, fresh, body);
      assert.equal((await request(srv, sign(srv, { path: fresh }))).status, 404, name);
    }
  });

  test('a wrong payload hash stores nothing, small or large', async () => {
    for (const body of [SMALL, LARGE]) {
      const key = `/${BUCKET}/hls/t3/seg-${body.length}.m4s`;
      const s = sign(srv, { method: 'PUT', path: key, body, headers: { 'x-amz-content-sha256': '0'.repeat(64) } });
      const put = await request(srv, s);
      assert.equal(put.status, 400);
      assert.equal(put.code, 'XAmzContentSHA256Mismatch');
      assert.equal((await request(srv, sign(srv, { path: key }))).status, 404);
    }
  });

  test('an unknown storage class is refused by s3rver, as before', async () => {
    const put = await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/hls/t4/x`, body: SMALL, headers: { 'x-amz-storage-class': 'CHEAP' },
    }));
    assert.equal(put.status, 400, put.text);
    assert.equal(put.code, 'InvalidStorageClass');
  });

  test('a PUT into a served bucket that was deleted is NoSuchBucket', async () => {
    const del = await request(srv, sign(srv, { method: 'DELETE', path: `/${OTHER_BUCKET}` }));
    assert.equal(del.status, 204, del.text);
    const put = await request(srv, sign(srv, { method: 'PUT', path: `/${OTHER_BUCKET}/hls/x`, body: SMALL }));
    assert.equal(put.status, 404, put.text);
    assert.equal(put.code, 'NoSuchBucket');
  });
});
