'use strict';
// devs3: browser-style POST uploads (SigV4 POST policy).
// Run: node --test tests/devs3/

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, describe, test } = require('node:test');
const {
  BUCKET, OTHER_BUCKET, startServer, request, sign, postForm, postUpload,
} = require('./harness');

describe('devs3 POST policy uploads', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv.stop();
  });

  const exists = async key => (await request(srv, sign(srv, { method: 'HEAD', path: `/${BUCKET}/${key}` }))).status;

  test('a correct POST upload succeeds and the object is readable with its type', async () => {
    const key = 'originals/track-1/audio.mp3';
    const file = crypto.randomBytes(1000);
    const res = await postUpload(srv, postForm({ key, contentType: 'audio/mpeg', max: 1000 }), file);
    assert.equal(res.status, 204, res.text);
    const get = await request(srv, sign(srv, { path: `/${BUCKET}/${key}` }));
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, file);
    assert.equal(get.headers['content-type'], 'audio/mpeg');
  });

  test('a file larger than content-length-range is 400 EntityTooLarge and stores nothing', async () => {
    const key = 'originals/too-big/audio.mp3';
    const res = await postUpload(srv, postForm({ key, max: 1000 }), Buffer.alloc(1001));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'EntityTooLarge');
    assert.match(res.text, /<ProposedSize>1001<\/ProposedSize>/);
    assert.equal(await exists(key), 404);
  });

  test('a much larger file is rejected without being kept', async () => {
    const key = 'originals/way-too-big/audio.mp3';
    const res = await postUpload(srv, postForm({ key, max: 1024 }), Buffer.alloc(8 * 1024 * 1024));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'EntityTooLarge');
    assert.equal(await exists(key), 404);
  });

  test('a file smaller than content-length-range is 400 EntityTooSmall', async () => {
    const key = 'originals/too-small/audio.mp3';
    const res = await postUpload(srv, postForm({ key, min: 10, max: 1000 }), Buffer.alloc(9));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'EntityTooSmall');
    assert.equal(await exists(key), 404);
  });

  test('a field not covered by the policy is 403 Extra input fields', async () => {
    const key = 'originals/extra/audio.mp3';
    const fields = postForm({ key, extraFields: { 'x-amz-meta-title': 'hello' } });
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.equal(res.message, 'Invalid according to Policy: Extra input fields: x-amz-meta-title');
    assert.equal(await exists(key), 404);
  });

  test('x-ignore- fields and fields after the file are not checked', async () => {
    const key = 'originals/ignored/audio.mp3';
    const fields = postForm({ key, extraFields: { 'x-ignore-tracking': '1' } });
    const res = await postUpload(srv, fields, Buffer.alloc(10), { after: { 'x-amz-meta-late': 'ignored' } });
    assert.equal(res.status, 204, res.text);
  });

  test('a covered extra field is accepted', async () => {
    const key = 'originals/covered/audio.mp3';
    const fields = postForm({
      key, extraFields: { success_action_status: '201' },
      extraConditions: [['starts-with', '$success_action_status', '20']],
    });
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 201, res.text);
    assert.match(res.text, /<Key>originals\/covered\/audio\.mp3<\/Key>/);
  });

  test('a key other than the policy\'s is 403 Policy Condition failed', async () => {
    const fields = postForm({ key: 'originals/mine/audio.mp3', formKey: 'originals/theirs/audio.mp3' });
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.match(res.message, /^Invalid according to Policy: Policy Condition failed: \["eq", "\$key", "originals\/mine\/audio\.mp3"\]$/);
    assert.equal(await exists('originals/theirs/audio.mp3'), 404);
  });

  test('a Content-Type other than the policy\'s fails', async () => {
    const fields = postForm({ key: 'originals/ct/audio.mp3', contentType: 'audio/mpeg' });
    fields['Content-Type'] = 'text/html';
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
  });

  test('an expired policy is 403 Policy expired', async () => {
    const key = 'originals/expired/audio.mp3';
    const fields = postForm({ key, expiration: new Date(Date.now() - 1000) });
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.equal(res.message, 'Invalid according to Policy: Policy expired.');
    assert.equal(await exists(key), 404);
  });

  test('a policy signed with the wrong secret is 403 SignatureDoesNotMatch', async () => {
    const key = 'originals/badsig/audio.mp3';
    const res = await postUpload(srv, postForm({ key, secret: 'wrong' }), Buffer.alloc(10));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });

  test('a policy edited after signing is 403 SignatureDoesNotMatch', async () => {
    const fields = postForm({ key: 'originals/edited/audio.mp3', max: 10 });
    const policy = JSON.parse(Buffer.from(fields.policy, 'base64').toString());
    policy.conditions[3] = ['content-length-range', 1, 1e9];
    fields.policy = Buffer.from(JSON.stringify(policy)).toString('base64');
    const res = await postUpload(srv, fields, Buffer.alloc(100));
    assert.equal(res.status, 403);
    assert.equal(res.code, 'SignatureDoesNotMatch');
  });

  test('a policy for another bucket fails', async () => {
    const fields = postForm({ key: 'originals/bucket/audio.mp3', bucket: BUCKET });
    const res = await postUpload(srv, fields, Buffer.alloc(10), {}, OTHER_BUCKET);
    assert.equal(res.status, 403);
    assert.equal(res.code, 'AccessDenied');
    assert.match(res.message, /Policy Condition failed: \["eq", "\$bucket", "test-bucket"\]/);
  });

  test('a missing signature field is 400 InvalidArgument; no auth at all is 403', async () => {
    const fields = postForm({ key: 'originals/nosig/audio.mp3' });
    delete fields['x-amz-signature'];
    const res = await postUpload(srv, fields, Buffer.alloc(10));
    assert.equal(res.status, 400);
    assert.equal(res.code, 'InvalidArgument');

    const anon = await postUpload(srv, { key: 'originals/anon/audio.mp3' }, Buffer.alloc(10));
    assert.equal(anon.status, 403);
    assert.equal(anon.code, 'AccessDenied');
  });

  test('a form without a file is 400', async () => {
    const res = await postUpload(srv, postForm({ key: 'originals/nofile/audio.mp3' }), undefined);
    assert.equal(res.status, 400);
    assert.equal(res.code, 'IncorrectNumberOfFilesInPostRequest');
  });

  test('a body that is not multipart/form-data is refused', async () => {
    const res = await request(srv, {
      method: 'POST', path: `/${BUCKET}`, body: 'key=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 412);
    assert.equal(res.code, 'PreconditionFailed');
  });
});
