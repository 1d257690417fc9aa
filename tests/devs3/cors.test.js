'use strict';
// devs3: CORS like S3 for one configured rule (default: any origin, GET HEAD
// PUT POST, any header, ETag exposed). Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, describe, test } = require('node:test');
const { BUCKET, startServer, request, sign, postForm, postUpload } = require('./harness');

const ORIGIN = 'http://localhost:5173';
const OBJ = `/${BUCKET}/hls/cors/a1/master.m3u8`;

const preflight = (srv, path, headers) => request(srv, { method: 'OPTIONS', path, headers });

describe('devs3 CORS (default rule)', () => {
  let srv;
  before(async () => {
    srv = await startServer();
    const put = await request(srv, sign(srv, { method: 'PUT', path: OBJ, body: '#EXTM3U\n' }));
    assert.equal(put.status, 200, put.text);
  });
  after(async () => {
    await srv.stop();
  });

  test('a preflight for an object is answered with the rule, without auth', async () => {
    const res = await preflight(srv, OBJ, {
      Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'Range, If-Match',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, PUT, POST');
    assert.equal(res.headers['access-control-allow-headers'], 'range, if-match');
    assert.equal(res.headers['access-control-max-age'], '3000');
    assert.equal(res.headers['access-control-expose-headers'], 'ETag');
    assert.match(res.headers.vary, /Origin/);
    assert.equal(res.body.length, 0);
  });

  test('a preflight for a POST upload to the bucket (any header allowed)', async () => {
    const res = await preflight(srv, `/${BUCKET}`, {
      Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,x-anything',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-headers'], 'content-type, x-anything');
  });

  test('preflight errors: no Origin 400, no method 400, a method not in the rule 403', async () => {
    const noOrigin = await preflight(srv, OBJ, { 'Access-Control-Request-Method': 'GET' });
    assert.equal(noOrigin.status, 400);
    assert.equal(noOrigin.code, 'BadRequest');
    const noMethod = await preflight(srv, OBJ, { Origin: ORIGIN });
    assert.equal(noMethod.status, 400);
    assert.equal(noMethod.code, 'BadRequest');
    const del = await preflight(srv, OBJ, { Origin: ORIGIN, 'Access-Control-Request-Method': 'DELETE' });
    assert.equal(del.status, 403);
    assert.equal(del.code, 'AccessForbidden');
    assert.match(del.message, /^CORSResponse: This CORS request is not allowed/);
    assert.match(del.text, /<Method>DELETE<\/Method><ResourceType>OBJECT<\/ResourceType>/);
    assert.equal(del.headers['access-control-allow-origin'], undefined);
    const noBucket = await preflight(srv, '/no-such-bucket/x', { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' });
    assert.equal(noBucket.status, 404);
    assert.equal(noBucket.code, 'NoSuchBucket');
  });

  test('GET and HEAD with an Origin get Allow-Origin and Expose-Headers: ETag', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await request(srv, { method, path: OBJ, headers: { Origin: ORIGIN } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*', method);
      assert.equal(res.headers['access-control-expose-headers'], 'ETag', method);
      assert.match(res.headers.etag, /^"[0-9a-f]{32}"$/);
    }
  });

  test('signed PUT and POST uploads with an Origin get the CORS headers; errors too', async () => {
    const put = await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/hls/cors/a1/seg.m4s`, body: 'x', headers: { Origin: ORIGIN },
    }));
    assert.equal(put.status, 200, put.text);
    assert.equal(put.headers['access-control-allow-origin'], '*');
    assert.equal(put.headers['access-control-expose-headers'], 'ETag');

    const key = 'tracks/cors/original.mp3';
    const form = postForm({ key, max: 100 });
    const { body, contentType } = require('./harness').multipart(form, crypto.randomBytes(10));
    const post = await request(srv, {
      method: 'POST', path: `/${BUCKET}`, body,
      headers: { 'Content-Type': contentType, 'Content-Length': body.length, Origin: ORIGIN },
    });
    assert.equal(post.status, 204, post.text);
    assert.equal(post.headers['access-control-allow-origin'], '*');
    assert.equal(post.headers['access-control-expose-headers'], 'ETag');
    assert.ok(post.headers.etag);

    const denied = await request(srv, { path: `/${BUCKET}/tracks/cors/original.mp3`, headers: { Origin: ORIGIN } });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers['access-control-allow-origin'], '*', 'a browser can read the error');
  });

  test('no Origin, no CORS headers; a DELETE (not in the rule) gets none either', async () => {
    const plain = await request(srv, { path: OBJ });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    const del = await request(srv, sign(srv, { method: 'DELETE', path: `/${BUCKET}/hls/cors/a1/seg.m4s`, headers: { Origin: ORIGIN } }));
    assert.equal(del.status, 204);
    assert.equal(del.headers['access-control-allow-origin'], undefined);
  });

  test('a POST upload still works without an Origin (postUpload)', async () => {
    const res = await postUpload(srv, postForm({ key: 'tracks/cors/2.mp3', max: 100 }), Buffer.alloc(5));
    assert.equal(res.status, 204, res.text);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});

describe('devs3 CORS (configured)', () => {
  test('a rule for one origin pattern echoes the origin, with credentials', async () => {
    const rule = {
      AllowedOrigins: ['https://*.mustory.example'], AllowedMethods: ['GET'],
      AllowedHeaders: ['range', 'x-amz-*'], ExposeHeaders: ['ETag', 'Content-Range'], MaxAgeSeconds: 60,
    };
    const srv = await startServer({ args: ['--cors-rule', JSON.stringify(rule)] });
    try {
      const origin = 'https://app.mustory.example';
      const ok = await preflight(srv, OBJ, {
        Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'Range, X-Amz-Date',
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.headers['access-control-allow-origin'], origin);
      assert.equal(ok.headers['access-control-allow-credentials'], 'true');
      assert.equal(ok.headers['access-control-allow-methods'], 'GET');
      assert.equal(ok.headers['access-control-max-age'], '60');
      assert.equal(ok.headers['access-control-expose-headers'], 'ETag, Content-Range');
      for (const [o, m, h] of [['https://evil.example', 'GET', ''], [origin, 'PUT', ''], [origin, 'GET', 'authorization']]) {
        const res = await preflight(srv, OBJ, {
          Origin: o, 'Access-Control-Request-Method': m, ...(h ? { 'Access-Control-Request-Headers': h } : {}),
        });
        assert.equal(res.status, 403, `${o} ${m} ${h}`);
        assert.equal(res.code, 'AccessForbidden');
      }
      const get = await request(srv, { path: OBJ, headers: { Origin: 'https://evil.example' } });
      assert.equal(get.headers['access-control-allow-origin'], undefined);
    } finally {
      await srv.stop();
    }
  });

  test('--cors-rule none refuses every preflight; a bad rule stops start-up', async () => {
    const srv = await startServer({ env: { DEVS3_CORS_RULE: 'none' } });
    try {
      const res = await preflight(srv, OBJ, { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' });
      assert.equal(res.status, 403);
      assert.equal(res.code, 'AccessForbidden');
      assert.match(res.message, /CORS is not enabled for this bucket/);
    } finally {
      await srv.stop();
    }
    const { spawnSync } = require('node:child_process');
    const { SERVER } = require('./harness');
    for (const bad of ['{', '{"AllowedOrigins":["*"]}', '{"AllowedOrigins":["*"],"AllowedMethods":["PATCH"]}']) {
      const r = spawnSync(process.execPath, [SERVER, '--dir', '/nonexistent', '--port', '0', '--bucket', 'abc',
        '--access-key', 'a', '--secret-key', 'b', '--cors-rule', bad], { encoding: 'utf8' });
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /CORS rule/);
    }
  });
});
