'use strict';
// devs3: multipart uploads as the S3 API reference documents them:
// CreateMultipartUpload, UploadPart (header-signed and presigned, with a
// signed content-length that storage enforces), ListParts with pagination,
// CompleteMultipartUpload (EntityTooSmall, InvalidPart, InvalidPartOrder,
// the multipart ETag) and AbortMultipartUpload.
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const crypto = require('crypto');
const { after, before, describe, test } = require('node:test');
const aws4 = require('aws4');
const { BUCKET, CREDS, REGION, startServer, request, sign } = require('./harness');

const MiB = 1024 * 1024;
const md5 = b => crypto.createHash('md5').update(b).digest('hex');
const tag = (text, name) => (new RegExp(`<${name}>([^<]*)</${name}>`).exec(text) || [])[1];
const unq = s => s.replace(/&quot;/g, '"');

/* A presigned UploadPart path whose X-Amz-SignedHeaders include content-length. */
function presignPart(srv, key, uploadId, partNumber, size, expires = 300) {
  return aws4.sign({
    host: '127.0.0.1', port: srv.port, method: 'PUT',
    path: `${key}?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}&X-Amz-Expires=${expires}`,
    headers: { 'Content-Length': String(size) }, service: 's3', region: REGION, signQuery: true,
  }, CREDS).path;
}

const completeXml = parts => '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  parts.map(p => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('') +
  '</CompleteMultipartUpload>';

describe('devs3 multipart uploads', () => {
  let srv;
  let n = 0;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv.stop();
  });

  const newKey = () => `/${BUCKET}/tracks/mp${++n}/original.wav`;
  const create = async (key, headers = { 'Content-Type': 'audio/wav' }) => {
    const res = await request(srv, sign(srv, { method: 'POST', path: `${key}?uploads`, headers }));
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /<InitiateMultipartUploadResult/);
    return tag(res.text, 'UploadId');
  };
  const putPart = async (key, id, number, body) => {
    const res = await request(srv, sign(srv, {
      method: 'PUT', path: `${key}?partNumber=${number}&uploadId=${id}`, body,
    }));
    assert.equal(res.status, 200, res.text);
    return res.headers.etag;
  };
  const list = (key, id, extra = '') =>
    request(srv, sign(srv, { path: `${key}?uploadId=${id}${extra}` }));
  const complete = (key, id, parts) => request(srv, sign(srv, {
    method: 'POST', path: `${key}?uploadId=${id}`, body: completeXml(parts),
    headers: { 'Content-Type': 'application/xml' },
  }));

  test('parts, ListParts, complete: the object is the parts in order, its ETag md5(md5s)-N', async () => {
    const key = newKey();
    const id = await create(key);
    const parts = [crypto.randomBytes(5 * MiB), crypto.randomBytes(5 * MiB), crypto.randomBytes(1000)];
    const etags = [];
    for (let i = 0; i < parts.length; i++) etags.push(await putPart(key, id, i + 1, parts[i]));
    assert.deepEqual(etags, parts.map(p => `"${md5(p)}"`));
    const l = await list(key, id);
    assert.equal(l.status, 200, l.text);
    assert.equal(tag(l.text, 'IsTruncated'), 'false');
    const listed = [...l.text.matchAll(/<Part><PartNumber>(\d+)<\/PartNumber>.*?<ETag>([^<]*)<\/ETag><Size>(\d+)<\/Size>/g)]
      .map(m => [Number(m[1]), unq(m[2]), Number(m[3])]);
    assert.deepEqual(listed, parts.map((p, i) => [i + 1, etags[i], p.length]));
    const res = await complete(key, id, etags.map((etag, i) => ({ number: i + 1, etag })));
    assert.equal(res.status, 200, res.text);
    const md5s = Buffer.concat(parts.map(p => crypto.createHash('md5').update(p).digest()));
    const want = `"${md5(md5s)}-3"`;
    assert.match(res.text, /<CompleteMultipartUploadResult/);
    assert.equal(unq(tag(res.text, 'ETag')), want);
    const get = await request(srv, sign(srv, { path: key }));
    assert.equal(get.status, 200);
    assert.ok(get.body.equals(Buffer.concat(parts)), 'the object is the parts joined');
    assert.equal(get.headers.etag, want);
    assert.equal(get.headers['content-type'], 'audio/wav');
    const gone = await list(key, id);
    assert.equal(gone.status, 404);
    assert.equal(gone.code, 'NoSuchUpload');
  });

  test('a presigned part with a signed content-length: the right size is stored, another refused', async () => {
    const key = newKey();
    const id = await create(key);
    const body = crypto.randomBytes(4096);
    const ok = await request(srv, { method: 'PUT', path: presignPart(srv, key, id, 1, body.length), body,
      headers: { 'Content-Length': body.length } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers.etag, `"${md5(body)}"`);
    // The URL signed 4096 bytes for part 2; 4097 (an honest Content-Length) is refused.
    const big = crypto.randomBytes(4097);
    const bad = await request(srv, { method: 'PUT', path: presignPart(srv, key, id, 2, 4096), body: big,
      headers: { 'Content-Length': big.length } });
    assert.equal(bad.status, 403, bad.text);
    assert.equal(bad.code, 'SignatureDoesNotMatch');
    const small = await request(srv, { method: 'PUT', path: presignPart(srv, key, id, 2, 4096),
      body: body.subarray(0, 100), headers: { 'Content-Length': 100 } });
    assert.equal(small.status, 403, small.text);
    const l = await list(key, id);
    assert.deepEqual([...l.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => m[1]), ['1'],
      'the refused parts were not stored');
  });

  test('an expired presigned part URL is refused', async () => {
    const key = newKey();
    const id = await create(key);
    const path = presignPart(srv, key, id, 1, 10, 1);
    await new Promise(r => setTimeout(r, 2100));
    const res = await request(srv, { method: 'PUT', path, body: Buffer.alloc(10), headers: { 'Content-Length': 10 } });
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.match(res.message, /expired/);
  });

  test('ListParts pages with max-parts and part-number-marker', async () => {
    const key = newKey();
    const id = await create(key);
    for (let i = 1; i <= 5; i++) await putPart(key, id, i, `part ${i}`);
    const pages = [];
    let marker = 0;
    for (;;) {
      const l = await list(key, id, `&max-parts=2&part-number-marker=${marker}`);
      assert.equal(l.status, 200, l.text);
      assert.equal(tag(l.text, 'MaxParts'), '2');
      assert.equal(tag(l.text, 'PartNumberMarker'), String(marker));
      pages.push([...l.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => Number(m[1])));
      if (tag(l.text, 'IsTruncated') !== 'true') break;
      marker = Number(tag(l.text, 'NextPartNumberMarker'));
    }
    assert.deepEqual(pages, [[1, 2], [3, 4], [5]]);
    const capped = await list(key, id, '&max-parts=5000');
    assert.equal(tag(capped.text, 'MaxParts'), '1000');
    const bad = await list(key, id, '&max-parts=x');
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'InvalidArgument');
  });

  test('complete refuses EntityTooSmall, InvalidPart, InvalidPartOrder, MalformedXML; the upload stays', async () => {
    const key = newKey();
    const id = await create(key);
    const a = await putPart(key, id, 1, crypto.randomBytes(1000));
    const b = await putPart(key, id, 2, crypto.randomBytes(1000));
    const cases = [
      [[{ number: 1, etag: a }, { number: 2, etag: b }], 'EntityTooSmall'],
      [[{ number: 1, etag: '"00000000000000000000000000000000"' }], 'InvalidPart'],
      [[{ number: 1, etag: a }, { number: 3, etag: b }], 'InvalidPart'],
      [[{ number: 2, etag: b }, { number: 1, etag: a }], 'InvalidPartOrder'],
      [[], 'MalformedXML'],
    ];
    for (const [parts, code] of cases) {
      const res = await complete(key, id, parts);
      assert.equal(res.status, 400, `${code}: ${res.text}`);
      assert.equal(res.code, code);
    }
    const junk = await request(srv, sign(srv, { method: 'POST', path: `${key}?uploadId=${id}`, body: '<nope' }));
    assert.equal(junk.code, 'MalformedXML');
    assert.equal((await list(key, id)).status, 200, 'the upload is still there');
    // One small part alone is a whole object (the last part may be small).
    const one = await complete(key, id, [{ number: 1, etag: a }]);
    assert.equal(one.status, 200, one.text);
    assert.match(one.text, /-1&quot;<\/ETag>/);
  });

  test('abort: 204, then the upload is gone for list, part and complete', async () => {
    const key = newKey();
    const id = await create(key);
    const a = await putPart(key, id, 1, 'x');
    const res = await request(srv, sign(srv, { method: 'DELETE', path: `${key}?uploadId=${id}` }));
    assert.equal(res.status, 204, res.text);
    for (const r of [
      await list(key, id),
      await request(srv, sign(srv, { method: 'PUT', path: `${key}?partNumber=1&uploadId=${id}`, body: 'x' })),
      await complete(key, id, [{ number: 1, etag: a }]),
      await request(srv, sign(srv, { method: 'DELETE', path: `${key}?uploadId=${id}` })),
    ]) {
      assert.equal(r.status, 404, r.text);
      assert.equal(r.code, 'NoSuchUpload');
    }
  });

  test('an upload id is bound to its key; bad part numbers are refused', async () => {
    const key = newKey();
    const id = await create(key);
    const other = await list(newKey(), id);
    assert.equal(other.code, 'NoSuchUpload');
    for (const pn of ['0', '10001', 'x']) {
      const res = await request(srv, sign(srv, { method: 'PUT', path: `${key}?partNumber=${pn}&uploadId=${id}`, body: 'x' }));
      assert.equal(res.status, 400, pn);
      assert.equal(res.code, 'InvalidArgument');
    }
  });

  test('multipart requests are signed like any other: anonymous 403, a wrong key SignatureDoesNotMatch', async () => {
    const key = newKey();
    const id = await create(key);
    const anon = await request(srv, { method: 'POST', path: `${key}?uploads` });
    assert.equal(anon.status, 403);
    assert.equal((await request(srv, { path: `${key}?uploadId=${id}` })).status, 403);
    const forged = aws4.sign({ host: '127.0.0.1', port: srv.port, method: 'GET', path: `${key}?uploadId=${id}`,
      service: 's3', region: REGION }, { ...CREDS, secretAccessKey: 'not-the-secret' });
    const res = await request(srv, { path: forged.path, headers: forged.headers });
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });
});
