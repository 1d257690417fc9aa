'use strict';
// devs3: header-signed and presigned requests, anonymous access, lifecycle.
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, describe, test } = require('node:test');
const {
  BUCKET, startServer, request, sign, presign, amzDate,
} = require('./harness');

const sha256 = b => crypto.createHash('sha256').update(b).digest('hex');

describe('devs3 header-signed and anonymous requests', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv.stop();
  });

  test('startup', t => {
    t.diagnostic(`devs3 ready in ${srv.startupMs.toFixed(0)} ms`);
    assert.ok(srv.startupMs < 10000);
  });

  test('signed PUT, GET, HEAD, DELETE succeed; Content-Type and Cache-Control are kept', async () => {
    const key = `/${BUCKET}/hls/track-1/master.m3u8`;
    const body = Buffer.from('#EXTM3U\n#EXT-X-VERSION:7\n');
    const put = await request(srv, sign(srv, {
      method: 'PUT', path: key, body,
      headers: { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'public, max-age=60' },
    }));
    assert.equal(put.status, 200, put.text);
    assert.match(put.headers.etag, /^"[0-9a-f]{32}"$/);

    const get = await request(srv, sign(srv, { path: key }));
    assert.equal(get.status, 200, get.text);
    assert.deepEqual(get.body, body);
    assert.equal(get.headers['content-type'], 'application/vnd.apple.mpegurl');
    assert.equal(get.headers['cache-control'], 'public, max-age=60');

    const head = await request(srv, sign(srv, { method: 'HEAD', path: key }));
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(body.length));
    assert.equal(head.headers['cache-control'], 'public, max-age=60');

    const del = await request(srv, sign(srv, { method: 'DELETE', path: key }));
    assert.equal(del.status, 204, del.text);
    const gone = await request(srv, sign(srv, { path: key }));
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 'NoSuchKey');
  });

  test('UNSIGNED-PAYLOAD PUT succeeds; keys with reserved characters sign correctly', async () => {
    const key = `/${BUCKET}/odd/${encodeURIComponent("a b+c!(1)'*é.txt")}`;
    const put = await request(srv, sign(srv, {
      method: 'PUT', path: key, body: 'x',
      headers: { 'Content-Type': 'text/plain', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    }));
    assert.equal(put.status, 200, put.text);
    const get = await request(srv, sign(srv, { path: key }));
    assert.equal(get.status, 200);
    assert.equal(get.text, 'x');

    // an encoded slash is signed as '/', like S3 (and aws4) do
    const slash = await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/odd/a%2Fb`, body: 'y', headers: { 'Content-Type': 'text/plain' },
    }));
    assert.equal(slash.status, 200, slash.text);
    assert.equal((await request(srv, sign(srv, { path: `/${BUCKET}/odd/a/b` }))).text, 'y');
  });

  test('signed listing with a query string (canonical query sorted and encoded)', async () => {
    await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/list/a b/1.ts`.replace(/ /g, '%20'), body: '1',
      headers: { 'Content-Type': 'video/mp2t' },
    }));
    const res = await request(srv, sign(srv, { path: `/${BUCKET}?prefix=list%2Fa%20b%2F&delimiter=%2F&max-keys=10` }));
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /<Key>list\/a b\/1\.ts<\/Key>/);
  });

  test('a tampered signature is SignatureDoesNotMatch (403) and shows the canonical request', async () => {
    const req = sign(srv, { method: 'PUT', path: `/${BUCKET}/t/tampered`, body: 'abc', headers: { 'Content-Type': 'text/plain' } });
    req.headers.Authorization = req.headers.Authorization.replace(/.$/, c => (c === '0' ? '1' : '0'));
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
    assert.match(res.text, /<CanonicalRequest>PUT\n\/test-bucket\/t\/tampered\n/);
    const stored = await request(srv, sign(srv, { path: `/${BUCKET}/t/tampered` }));
    assert.equal(stored.status, 404, 'a rejected PUT stores nothing');
  });

  test('a signature made with the wrong secret is SignatureDoesNotMatch', async () => {
    const aws4 = require('aws4');
    const opts = aws4.sign({
      host: '127.0.0.1', port: srv.port, path: `/${BUCKET}/x`, service: 's3', region: 'us-east-1',
    }, { accessKeyId: 'devs3-test-key', secretAccessKey: 'not-the-secret' });
    const res = await request(srv, { path: opts.path, headers: opts.headers });
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });

  test('a request whose signed headers changed in transit is rejected', async () => {
    const req = sign(srv, { method: 'PUT', path: `/${BUCKET}/t/ct`, body: 'abc', headers: { 'Content-Type': 'text/plain' } });
    req.headers['Content-Type'] = 'text/html';
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });

  test('a missing x-amz-content-sha256 is 400 InvalidRequest', async () => {
    // Correctly signed (aws4 falls back to hashing the body), just without the header.
    const req = sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/nohash`, body: 'abc',
      headers: { 'Content-Type': 'text/plain', 'X-Amz-Date': amzDate() }, doNotModifyHeaders: true,
    });
    assert.equal(req.headers['X-Amz-Content-Sha256'], undefined);
    const res = await request(srv, { ...req, headers: { ...req.headers, 'Content-Length': 3 } });
    assert.equal(res.status, 400);
    assert.equal(res.code, 'InvalidRequest');
    assert.equal(res.message, 'Missing required header for this request: x-amz-content-sha256');
  });

  test('an x-amz-content-sha256 left out of SignedHeaders is 403 AccessDenied', async () => {
    const req = sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/unsignedhash`, body: 'abc', headers: { 'Content-Type': 'text/plain' },
      extraHeadersToIgnore: { 'x-amz-content-sha256': true },
    });
    assert.doesNotMatch(req.headers.Authorization, /x-amz-content-sha256/);
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.match(res.text, /<HeadersNotSigned>x-amz-content-sha256<\/HeadersNotSigned>/);
  });

  test('an x-amz-date left out of SignedHeaders is 403 AccessDenied', async () => {
    const req = sign(srv, {
      path: `/${BUCKET}/x`, extraHeadersToIgnore: { 'x-amz-date': true },
    });
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
  });

  test('a malformed x-amz-content-sha256 is 400', async () => {
    const res = await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/badhash`, body: 'abc',
      headers: { 'Content-Type': 'text/plain', 'X-Amz-Content-Sha256': 'abc123' },
    }));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'InvalidArgument');
  });

  test('a payload that does not match x-amz-content-sha256 is 400 XAmzContentSHA256Mismatch', async () => {
    const res = await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/mismatch`, body: 'the real body',
      headers: { 'Content-Type': 'text/plain', 'X-Amz-Content-Sha256': sha256('another body') },
    }));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'XAmzContentSHA256Mismatch');
    assert.match(res.text, new RegExp(`<S3ComputedContentSHA256>${sha256('the real body')}<`));
    const stored = await request(srv, sign(srv, { path: `/${BUCKET}/t/mismatch` }));
    assert.equal(stored.status, 404, 'a rejected PUT stores nothing');
  });

  test('a GET signed with a non-empty payload hash fails', async () => {
    const res = await request(srv, sign(srv, {
      path: `/${BUCKET}/x`, headers: { 'X-Amz-Content-Sha256': sha256('x') },
    }));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'XAmzContentSHA256Mismatch');
  });

  test('an x-amz-date 20 minutes off is 403 RequestTimeTooSkewed', async () => {
    const res = await request(srv, sign(srv, {
      path: `/${BUCKET}/x`, headers: { 'X-Amz-Date': amzDate(Date.now() - 20 * 60e3) },
    }));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'RequestTimeTooSkewed');
  });

  test('a wrong region in the credential scope is 400 AuthorizationHeaderMalformed', async () => {
    const res = await request(srv, sign(srv, { path: `/${BUCKET}/x`, region: 'eu-west-1' }));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'AuthorizationHeaderMalformed');
    assert.match(res.message, /region 'eu-west-1' is wrong; expecting 'us-east-1'/);
  });

  test('an unknown access key is 403 InvalidAccessKeyId', async () => {
    const req = sign(srv, { path: `/${BUCKET}/x` });
    req.headers.Authorization = req.headers.Authorization.replace('devs3-test-key', 'someone-else');
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'InvalidAccessKeyId');
  });

  test('an unsigned x-amz-meta header is 403 AccessDenied', async () => {
    const req = sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/meta`, body: 'abc', headers: { 'Content-Type': 'text/plain' },
    });
    req.headers['x-amz-meta-owner'] = 'me';
    const res = await request(srv, req);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
  });

  test('a PUT without Content-Length is 411 MissingContentLength', async () => {
    const req = sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/chunked`, headers: { 'Content-Type': 'text/plain', 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    });
    const res = await request(srv, { ...req, headers: { ...req.headers, 'Transfer-Encoding': 'chunked' }, body: 'abc' });
    assert.equal(res.status, 411);
    assert.equal(res.code, 'MissingContentLength');
  });

  test('a bad signature with Expect: 100-continue is refused before the body is sent', async () => {
    const req = sign(srv, {
      method: 'PUT', path: `/${BUCKET}/t/expect`, body: Buffer.alloc(1024),
      headers: { 'Content-Type': 'application/octet-stream', Expect: '100-continue' },
    });
    req.headers.Authorization = req.headers.Authorization.replace(/.$/, c => (c === '0' ? '1' : '0'));
    const res = await request(srv, { ...req, expectContinue: true });
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });

  test('a good signature with Expect: 100-continue uploads', async () => {
    const body = crypto.randomBytes(3 * 1024 * 1024);
    const res = await request(srv, {
      ...sign(srv, {
        method: 'PUT', path: `/${BUCKET}/t/expect-ok`, body,
        headers: { 'Content-Type': 'audio/mp4', Expect: '100-continue' },
      }),
      expectContinue: true,
    });
    assert.equal(res.status, 200, res.text);
    const get = await request(srv, sign(srv, { path: `/${BUCKET}/t/expect-ok` }));
    assert.equal(sha256(get.body), sha256(body));
  });

  test('presigned GET works; expired or tampered presigned URLs fail', async () => {
    await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/p/obj`, body: 'presigned', headers: { 'Content-Type': 'text/plain' },
    }));
    const ok = await request(srv, { path: presign(srv, { path: `/${BUCKET}/p/obj` }) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.text, 'presigned');

    const overridden = await request(srv, {
      path: presign(srv, { path: `/${BUCKET}/p/obj?response-content-type=application%2Fjson` }),
    });
    assert.equal(overridden.status, 200, overridden.text);
    assert.equal(overridden.headers['content-type'], 'application/json');

    const old = amzDate(Date.now() - 120e3);
    const expired = await request(srv, { path: presign(srv, { path: `/${BUCKET}/p/obj`, expires: 60, date: old }) });
    assert.equal(expired.status, 403);
    assert.equal(expired.code, 'AccessDenied');
    assert.equal(expired.message, 'Request has expired');

    const tampered = presign(srv, { path: `/${BUCKET}/p/obj` }).replace('/p/obj', '/p/other');
    const bad = await request(srv, { path: tampered });
    assert.equal(bad.status, 403);
    assert.equal(bad.code, 'SignatureDoesNotMatch');

    const longer = presign(srv, { path: `/${BUCKET}/p/obj` }).replace('X-Amz-Expires=300', 'X-Amz-Expires=3000');
    const bad2 = await request(srv, { path: longer });
    assert.equal(bad2.status, 403);
    assert.equal(bad2.code, 'SignatureDoesNotMatch');
  });

  test('presigned PUT works', async () => {
    const path = presign(srv, { method: 'PUT', path: `/${BUCKET}/p/put` });
    const res = await request(srv, { method: 'PUT', path, body: 'via url', headers: { 'Content-Length': 7 } });
    assert.equal(res.status, 200, res.text);
    const get = await request(srv, sign(srv, { path: `/${BUCKET}/p/put` }));
    assert.equal(get.text, 'via url');
  });

  test('anonymous GET and HEAD of an object under hls/ work', async () => {
    await request(srv, sign(srv, {
      method: 'PUT', path: `/${BUCKET}/hls/seg.m4s`, body: 'segment',
      headers: { 'Content-Type': 'audio/mp4', 'Cache-Control': 'max-age=31536000, immutable' },
    }));
    const get = await request(srv, { path: `/${BUCKET}/hls/seg.m4s` });
    assert.equal(get.status, 200);
    assert.equal(get.text, 'segment');
    assert.equal(get.headers['content-type'], 'audio/mp4');
    assert.equal(get.headers['cache-control'], 'max-age=31536000, immutable');
    const head = await request(srv, { method: 'HEAD', path: `/${BUCKET}/hls/seg.m4s` });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '7');
    const range = await request(srv, { path: `/${BUCKET}/hls/seg.m4s`, headers: { Range: 'bytes=1-3' } });
    assert.equal(range.status, 206);
    assert.equal(range.text, 'egm');
  });

  test('anonymous PUT, DELETE, listing and bucket creation are 403 AccessDenied', async () => {
    for (const req of [
      { method: 'PUT', path: `/${BUCKET}/anon`, body: 'x', headers: { 'Content-Type': 'text/plain' } },
      { method: 'DELETE', path: `/${BUCKET}/hls/seg.m4s` },
      { method: 'GET', path: `/${BUCKET}` },
      { method: 'GET', path: '/' },
      { method: 'PUT', path: '/new-bucket' },
      { method: 'GET', path: `/${BUCKET}/hls/seg.m4s?acl` },
    ]) {
      const res = await request(srv, req);
      assert.equal(res.status, 403, `${req.method} ${req.path}`);
      assert.equal(res.code, 'AccessDenied', `${req.method} ${req.path}`);
    }
    const still = await request(srv, { path: `/${BUCKET}/hls/seg.m4s` });
    assert.equal(still.status, 200);
    const notStored = await request(srv, sign(srv, { path: `/${BUCKET}/anon` }));
    assert.equal(notStored.status, 404);
  });

  test('anonymous GET cannot override response headers', async () => {
    const res = await request(srv, { path: `/${BUCKET}/hls/seg.m4s?response-content-type=text%2Fhtml` });
    assert.equal(res.status, 400);
    assert.equal(res.code, 'InvalidRequest');
  });

  test('Signature Version 2 is refused', async () => {
    const res = await request(srv, {
      path: `/${BUCKET}/x`, headers: { Authorization: 'AWS devs3-test-key:c2lnbmF0dXJl' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.code, 'InvalidRequest');
  });
});

describe('devs3 process', () => {
  test('logs one line per request without secrets or signatures, and exits 0 on SIGTERM', async () => {
    const srv = await startServer({ quiet: false });
    try {
      const req = sign(srv, { path: `/${BUCKET}/missing?prefix=x` });
      const res = await request(srv, req);
      assert.equal(res.status, 404);
      await request(srv, { path: presign(srv, { path: `/${BUCKET}/missing` }) });
      await new Promise(resolve => setTimeout(resolve, 100));
    } finally {
      const { code, signal } = await srv.stop();
      assert.equal(code, 0, `exit code (signal ${signal})`);
    }
    const out = srv.output();
    assert.match(out, /^devs3 listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, / GET \/test-bucket\/missing 404 /);
    assert.doesNotMatch(out, /devs3-test-secret|Signature|X-Amz-Credential/);
    assert.match(out, /SIGTERM/);
  });

  test('refuses a non-loopback host', async () => {
    const { spawnSync } = require('node:child_process');
    const { SERVER } = require('./harness');
    const r = spawnSync(process.execPath, [SERVER, '--dir', '/nonexistent', '--host', '0.0.0.0', '--port', '0',
      '--bucket', 'abc', '--access-key', 'a', '--secret-key', 'b'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /loopback only/);
  });
});
