#!/usr/bin/env node
'use strict';
/*
 * devs3: a strict local S3 for the dev/test stack.
 *
 * s3rver stores objects but does not check SigV4 signatures, payload hashes or
 * POST policies, so a wrong signer passes every test against it and then fails
 * against AWS S3, R2 or MinIO. devs3 is a small front server that checks what
 * real S3 checks, then proxies the request to an s3rver listening on a private
 * unix socket. See README.md next to this file for what is and is not checked.
 *
 * Usage: node tools/devs3/server.js --dir D --port P --bucket B [--bucket B2]
 *          --access-key K --secret-key S [--host 127.0.0.1] [--region us-east-1]
 *          [--public-prefixes hls/,art/] [--cors-rule JSON|default|none] [--quiet]
 */

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { Transform } = require('stream');
const { pipeline } = require('stream/promises');

const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');
const { Cors } = require('./cors');
const { CONDITIONAL_HEADERS, evaluateConditions } = require('./conditions');
const { Multipart } = require('./multipart');
// busboy is s3rver's own multipart parser (pinned through s3rver 3.7.1); resolve
// it from s3rver so we parse forms exactly like the server we forward them to.
const Busboy = require(require.resolve('busboy', {
  paths: [path.dirname(require.resolve('s3rver/package.json'))],
}));

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_EXPIRES = 604800; // one week, as S3
const MAX_PUT_BYTES = 5 * 1024 ** 3; // S3's single PUT limit
const MAX_POST_PRE_DATA = 20 * 1024; // S3: form fields before the file
const MEMORY_BODY_MAX = 1024 * 1024; // a signed body up to this is kept in memory, not in a temp file
// What a bucket policy would grant everyone s3:GetObject on: the published
// HLS and artwork. Originals (tracks/) stay private.
const DEFAULT_PUBLIC_PREFIXES = 'hls/,art/';
// Presigned-URL query parameters that are auth, not part of the operation.
const QUERY_AUTH_PARAMS = new Set([
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
  'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
]);
const RESPONSE_OVERRIDES = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};
// Query parameters that make a GET/HEAD something other than "read the object".
const OBJECT_SUBRESOURCES = new Set([
  'acl', 'attributes', 'legal-hold', 'retention', 'select', 'tagging',
  'torrent', 'uploadId', 'uploads',
]);
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

// ---------------------------------------------------------------- errors

class S3Err extends Error {
  constructor(status, code, message, detail = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

const xmlEscape = s => String(s).replace(/[<>&]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]));

function errorXml(err, requestId) {
  const detail = Object.entries(err.detail)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
  return '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>` +
    `${detail}<RequestId>${requestId}</RequestId><HostId>devs3</HostId></Error>`;
}

const accessDenied = (message = 'Access Denied', detail) =>
  new S3Err(403, 'AccessDenied', message, detail);
const invalidArgument = (message, name, value) =>
  new S3Err(400, 'InvalidArgument', message,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' });

// ---------------------------------------------------------------- SigV4 pieces
// Written from the AWS docs ("Create a canonical request for Signature Version 4"
// and the S3 "Authenticating Requests (AWS Signature Version 4)" pages), on
// purpose without aws4: the tests sign with aws4, so the two cross-check.

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();
const sha256hex = data => crypto.createHash('sha256').update(data, 'utf8').digest('hex');

function signingKey(secret, date, region, service) {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), service), 'aws4_request');
}

/* S3's UriEncode(): every byte except A-Z a-z 0-9 - . _ ~ as %XY (upper hex). */
function uriEncode(str) {
  let out = '';
  for (const b of Buffer.from(str, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function decodeComponent(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Err(400, 'InvalidURI', "Couldn't parse the specified URI.", { URI: s });
  }
}

/*
 * S3 decodes the path to the key, then encodes it once, keeping '/' (so a
 * "%2F" sent inside a key is signed as "/"). No normalisation: "//" and "."
 * stay as they are.
 */
function canonicalUri(rawPath) {
  return decodeComponent(rawPath).split('/').map(uriEncode).join('/');
}

/* Raw query "a=1&b" -> [[name, value], ...] decoded ('+' stays a literal '+'). */
function parseQuery(rawQuery) {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map(pair => {
    const i = pair.indexOf('=');
    return i < 0 ? [decodeComponent(pair), '', pair]
      : [decodeComponent(pair.slice(0, i)), decodeComponent(pair.slice(i + 1)), pair];
  });
}

function canonicalQuery(pairs, omit) {
  return pairs.filter(([name]) => name !== omit)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(req, name) {
  const values = req.headersDistinct[name];
  if (!values) return '';
  return values.map(v => v.trim().replace(/\s+/g, ' ')).join(',');
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const d = new Date(t);
  // reject 20240231T... style dates that Date.UTC silently rolls over
  if (d.getUTCDate() !== +m[3] || d.getUTCMonth() !== +m[2] - 1) return null;
  return t;
}

const isoSeconds = t => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

function timingSafeHexEqual(a, b) {
  if (typeof a !== 'string' || !/^[0-9a-f]{64}$/.test(a)) return false;
  return crypto.timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/*
 * Check "AKID/YYYYMMDD/region/s3/aws4_request" against our config and the
 * request's date. fail(message) builds the error in the caller's style.
 */
function checkCredential(cfg, credential, amzDate, fail) {
  const parts = (credential || '').split('/');
  if (parts.length !== 5 || !/^\d{8}$/.test(parts[1])) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [akid, date, region, service, terminal] = parts;
  if (akid !== cfg.accessKey) {
    throw new S3Err(403, 'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
  }
  if (date !== amzDate.slice(0, 8)) {
    throw fail('Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  if (region !== cfg.region) {
    throw fail(`the region '${region}' is wrong; expecting '${cfg.region}'`, { Region: cfg.region });
  }
  if (service !== 's3') {
    throw fail(`incorrect service "${service}". This endpoint belongs to "s3".`);
  }
  if (terminal !== 'aws4_request') {
    throw fail(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  }
  return { date, region, service };
}

/* Host and every x-amz-* header sent must be signed, as S3 requires. */
function checkSignedHeaders(req, signed) {
  const missing = Object.keys(req.headers)
    .filter(h => (h === 'host' || h.startsWith('x-amz-')) && !signed.includes(h));
  if (!signed.includes('host') && !missing.includes('host')) missing.unshift('host');
  if (missing.length) {
    throw accessDenied('There were headers present in the request which were not signed',
      { HeadersNotSigned: missing.join(', ') });
  }
}

function verifySignature(cfg, req, r, a) {
  // a: { amzDate, scope, signedHeaders (array, as sent), signature, payloadHash, omitQuery }
  const signed = [...new Set(a.signedHeaders)].sort();
  const canonicalRequest = [
    req.method,
    canonicalUri(r.rawPath),
    canonicalQuery(r.query, a.omitQuery),
    signed.map(h => `${h}:${headerValue(req, h)}\n`).join(''),
    signed.join(';'),
    a.payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, a.amzDate,
    `${a.scope.date}/${a.scope.region}/${a.scope.service}/aws4_request`,
    sha256hex(canonicalRequest)].join('\n');
  const key = signingKey(cfg.secretKey, a.scope.date, a.scope.region, a.scope.service);
  const expected = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  if (!timingSafeHexEqual(a.signature, expected)) {
    // Like S3, hand back what we signed so a wrong signer can be debugged.
    throw new S3Err(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.', {
        AWSAccessKeyId: cfg.accessKey,
        StringToSign: stringToSign,
        CanonicalRequest: canonicalRequest,
      });
  }
}

// Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...
function verifyHeaderAuth(cfg, req, r) {
  const auth = req.headers.authorization;
  const m = /^(\S+)\s+(.*)$/s.exec(auth);
  if (!m || m[1] !== ALGORITHM) {
    if (m && m[1] === 'AWS') throw unsupportedMechanism();
    throw invalidArgument('Unsupported Authorization Type', 'Authorization', auth);
  }
  const malformed = (msg, detail) =>
    new S3Err(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${msg}`, detail);
  const comp = new Map();
  for (const part of m[2].split(',')) {
    const i = part.indexOf('=');
    if (i > 0) comp.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  if (comp.size !== 3 || !['Credential', 'SignedHeaders', 'Signature'].every(k => comp.has(k))) {
    throw malformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const amzDate = req.headers['x-amz-date'];
  const t = parseAmzDate(amzDate);
  if (t === null) throw accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  const scope = checkCredential(cfg, comp.get('Credential'), amzDate, malformed);
  if (Math.abs(Date.now() - t) > MAX_SKEW_MS) {
    throw new S3Err(403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.', {
        RequestTime: amzDate, ServerTime: isoSeconds(Date.now()), MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
      });
  }
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash === undefined) {
    throw new S3Err(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  checkPayloadHashValue(payloadHash);
  const signedHeaders = comp.get('SignedHeaders').split(';');
  checkSignedHeaders(req, signedHeaders);
  verifySignature(cfg, req, r, {
    amzDate, scope, signedHeaders, signature: comp.get('Signature'), payloadHash,
  });
  return payloadHash;
}

function checkPayloadHashValue(v) {
  if (v === 'UNSIGNED-PAYLOAD' || /^[0-9a-fA-F]{64}$/.test(v)) return;
  if (v.startsWith('STREAMING-')) {
    throw new S3Err(501, 'NotImplemented',
      `devs3 does not implement aws-chunked uploads (x-amz-content-sha256: ${v}); ` +
      'send a hex SHA-256 or UNSIGNED-PAYLOAD.');
  }
  throw invalidArgument('x-amz-content-sha256 must be UNSIGNED-PAYLOAD, ' +
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.', 'x-amz-content-sha256', v);
}

// Presigned URL: X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature
function verifyQueryAuth(cfg, req, r) {
  const q = r.q;
  const qerr = msg => new S3Err(400, 'AuthorizationQueryParametersError', msg);
  if (q['X-Amz-Algorithm'] !== ALGORITHM) {
    throw qerr('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  for (const p of ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires']) {
    if (q[p] === undefined) {
      throw qerr('Query-string authentication version 4 requires the X-Amz-Algorithm, ' +
        'X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
    }
  }
  const amzDate = q['X-Amz-Date'];
  const t = parseAmzDate(amzDate);
  if (t === null) throw qerr('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  const scope = checkCredential(cfg, q['X-Amz-Credential'], amzDate,
    (msg, detail) => new S3Err(400, 'AuthorizationQueryParametersError',
      `Error parsing the X-Amz-Credential parameter; ${msg}`, detail));
  const expiresStr = q['X-Amz-Expires'];
  if (!/^\d+$/.test(expiresStr)) throw qerr('X-Amz-Expires should be a number');
  const expires = Number(expiresStr);
  if (expires > MAX_PRESIGN_EXPIRES) {
    throw qerr('X-Amz-Expires must be less than a week (in seconds); that is, the given ' +
      'X-Amz-Expires must be less than 604800 seconds');
  }
  const now = Date.now();
  if (t - now > MAX_SKEW_MS) throw accessDenied('Request is not valid yet');
  if (now > t + expires * 1000) {
    throw accessDenied('Request has expired', {
      'X-Amz-Expires': expiresStr, Expires: isoSeconds(t + expires * 1000), ServerTime: isoSeconds(now),
    });
  }
  const signedHeaders = q['X-Amz-SignedHeaders'].split(';');
  checkSignedHeaders(req, signedHeaders);
  const payloadHash = q['X-Amz-Content-Sha256'] ?? req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
  checkPayloadHashValue(payloadHash);
  verifySignature(cfg, req, r, {
    amzDate, scope, signedHeaders, signature: q['X-Amz-Signature'], payloadHash, omitQuery: 'X-Amz-Signature',
  });
  return payloadHash;
}

function internalError(err) {
  console.error('devs3: internal error:', err);
  return new S3Err(500, 'InternalError', 'We encountered an internal error. Please try again.');
}

const unsupportedMechanism = () => new S3Err(400, 'InvalidRequest',
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');

// ---------------------------------------------------------------- POST policy

function parseCondition(c) {
  const bad = () => new S3Err(400, 'InvalidPolicyDocument',
    `Invalid Policy: Invalid Condition: ${JSON.stringify(c)}`);
  if (c && typeof c === 'object' && !Array.isArray(c)) {
    const entries = Object.entries(c);
    if (entries.length !== 1 || typeof entries[0][1] !== 'string') throw bad();
    const [name, value] = entries[0];
    return { op: 'eq', field: name.replace(/^\$/, '').toLowerCase(), value, text: ['eq', `$${name}`, value] };
  }
  if (!Array.isArray(c) || c.length !== 3 || typeof c[0] !== 'string') throw bad();
  const op = c[0].toLowerCase();
  if (op === 'content-length-range') {
    const [min, max] = [Number(c[1]), Number(c[2])];
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || min > max) throw bad();
    return { op, min, max, text: c };
  }
  if ((op === 'eq' || op === 'starts-with') && typeof c[1] === 'string' &&
      c[1].startsWith('$') && typeof c[2] === 'string') {
    return { op, field: c[1].slice(1).toLowerCase(), value: c[2], text: c };
  }
  throw bad();
}

/*
 * Everything a POST form is checked for that does not need the file's size.
 * fields: Map lower-case name -> { name, value }. Returns { min, max } bytes.
 */
function checkPostForm(cfg, bucket, fields) {
  const get = n => fields.get(n)?.value;
  const authFields = ['policy', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'];
  if (fields.has('awsaccesskeyid') || fields.has('signature')) throw unsupportedMechanism();
  if (!authFields.some(n => fields.has(n))) throw accessDenied(); // anonymous POST
  for (const n of [...authFields, 'key']) {
    if (!fields.has(n)) {
      throw invalidArgument(`Bucket POST must contain a field named '${n}'.  If it is specified, ` +
        'please check the order of the fields.', n, '');
    }
  }
  if (get('key') === '') throw invalidArgument('User key must have a length greater than 0.', 'key', '');
  if (get('x-amz-algorithm') !== ALGORITHM) {
    throw invalidArgument(`X-Amz-Algorithm only supports "${ALGORITHM}"`, 'x-amz-algorithm', get('x-amz-algorithm'));
  }
  const amzDate = get('x-amz-date');
  if (parseAmzDate(amzDate) === null) {
    throw invalidArgument('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"',
      'x-amz-date', amzDate);
  }
  const scope = checkCredential(cfg, get('x-amz-credential'), amzDate,
    msg => invalidArgument(`Error parsing the X-Amz-Credential field; ${msg}`,
      'x-amz-credential', get('x-amz-credential')));

  const policyB64 = get('policy');
  const key = signingKey(cfg.secretKey, scope.date, scope.region, scope.service);
  const expected = crypto.createHmac('sha256', key).update(policyB64, 'utf8').digest('hex');
  if (!timingSafeHexEqual(get('x-amz-signature'), expected)) {
    throw new S3Err(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.', { AWSAccessKeyId: cfg.accessKey, StringToSign: policyB64 });
  }

  const invalidPolicy = msg => new S3Err(400, 'InvalidPolicyDocument', `Invalid Policy: ${msg}`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(policyB64) || policyB64.length % 4) {
    throw invalidPolicy('Invalid Base64 encoding.');
  }
  let policy;
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw invalidPolicy('Invalid JSON.');
  if (policy.expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const exp = typeof policy.expiration === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(policy.expiration)
    ? Date.parse(policy.expiration) : NaN;
  if (Number.isNaN(exp)) throw invalidPolicy(`Invalid 'expiration' value: '${policy.expiration}'`);
  if (!Array.isArray(policy.conditions)) throw invalidPolicy('Policy missing conditions.');
  if (Date.now() > exp) throw accessDenied('Invalid according to Policy: Policy expired.');

  const conditions = policy.conditions.map(parseCondition);
  const covered = new Set();
  let min = 0;
  let max = Infinity;
  for (const c of conditions) {
    if (c.op === 'content-length-range') {
      min = Math.max(min, c.min);
      max = Math.min(max, c.max);
      continue;
    }
    covered.add(c.field);
    const actual = c.field === 'bucket' ? bucket : (get(c.field) ?? '');
    const ok = c.op === 'eq' ? actual === c.value
      // S3 allows a comma-separated Content-Type list; every entry must match
      : c.field === 'content-type' ? actual.split(',').every(v => v.trim().startsWith(c.value))
        : actual.startsWith(c.value);
    if (!ok) {
      throw accessDenied('Invalid according to Policy: Policy Condition failed: ' +
        `[${c.text.map(v => JSON.stringify(v)).join(', ')}]`);
    }
  }
  for (const [lname, { name }] of fields) {
    if (lname === 'policy' || lname === 'x-amz-signature' || lname === 'file' ||
        lname.startsWith('x-ignore-') || covered.has(lname)) continue;
    throw accessDenied(`Invalid according to Policy: Extra input fields: ${name}`);
  }
  return { min, max };
}

// ---------------------------------------------------------------- server

function parseTarget(req) {
  if (!req.url.startsWith('/')) {
    throw new S3Err(400, 'InvalidURI', "Couldn't parse the specified URI.", { URI: req.url });
  }
  const qi = req.url.indexOf('?');
  const rawPath = qi < 0 ? req.url : req.url.slice(0, qi);
  const rawQuery = qi < 0 ? '' : req.url.slice(qi + 1);
  const query = parseQuery(rawQuery);
  const q = {};
  for (const [name, value] of query) if (!(name in q)) q[name] = value;
  const segs = rawPath.split('/');
  const bucket = decodeComponent(segs[1] || '');
  const key = segs.slice(2).map(decodeComponent).join('/');
  return { rawPath, query, q, bucket, key };
}

/*
 * Anonymous reads: the key must start with a public prefix ('*' = every key)
 * and hold no '.' or '..' segment: s3rver maps keys to files with path.join,
 * which would resolve "hls/../tracks/x" to "tracks/x".
 */
function isPublicKey(prefixes, key) {
  if (key.split('/').some(seg => seg === '.' || seg === '..')) return false;
  return prefixes.some(p => p === '*' || key.startsWith(p));
}

/* response-* query parameters -> { Header: value }; an unknown one is 400. */
function responseOverrides(query) {
  const overrides = {};
  for (const [name, value] of query) {
    if (!name.startsWith('response-')) continue;
    if (!RESPONSE_OVERRIDES[name]) {
      throw invalidArgument(`${name} is not in the set of overridable response headers. ` +
        'Please refer to the S3 API documentation for a complete list of overridable response headers.',
        name, value);
    }
    overrides[RESPONSE_OVERRIDES[name]] = value;
  }
  return overrides;
}

function hasBody(req) {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] || 0) > 0;
}

class DevS3 {
  constructor(cfg) {
    this.cfg = { publicPrefixes: parsePrefixes(DEFAULT_PUBLIC_PREFIXES), cors: Cors.fromOption(), ...cfg };
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devs3-'));
    this.sock = path.join(this.tmp, 's3rver.sock');
    this.agent = new http.Agent({ keepAlive: true });
    this.seq = 0;
  }

  async start() {
    fs.mkdirSync(this.cfg.dir, { recursive: true });
    this.s3rver = new S3rver({
      directory: this.cfg.dir,
      silent: true,
      vhostBuckets: false, // path-style only: /bucket/key
      configureBuckets: this.cfg.buckets.map(name => ({ name })),
    });
    await this.s3rver.configureBuckets();
    this.multipart = new Multipart({
      dir: path.join(this.cfg.dir, '.devs3-multipart'), store: this.s3rver.store,
      buckets: this.cfg.buckets, S3Err,
    });
    this.inner = await this.s3rver.listen(this.sock);
    this.s3rver.httpServer = this.inner;

    this.server = http.createServer((req, res) => this.handle(req, res, false));
    this.server.on('checkContinue', (req, res) => this.handle(req, res, true));
    this.server.requestTimeout = 0; // big uploads on slow test machines
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.cfg.port, this.cfg.host, resolve);
    });
    return this.server.address();
  }

  async stop() {
    if (this.server) {
      this.server.close();
      this.server.closeAllConnections();
    }
    this.agent.destroy();
    if (this.inner) {
      this.inner.closeAllConnections();
      await new Promise(resolve => this.inner.close(() => resolve()));
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  tmpFile() {
    return path.join(this.tmp, `body-${process.pid}-${++this.seq}`);
  }

  async handle(req, res, expectContinue) {
    const ctx = {
      started: Date.now(), requestId: crypto.randomBytes(8).toString('hex').toUpperCase(),
      expectContinue, continued: false, code: '', files: [],
    };
    res.setHeader('x-amz-request-id', ctx.requestId);
    if (req.method !== 'OPTIONS') {
      for (const [name, value] of Object.entries(this.cfg.cors.actual(req))) res.setHeader(name, value);
    }
    res.once('close', () => {
      for (const f of ctx.files) fs.rm(f, { force: true }, () => {});
      if (!this.cfg.quiet) {
        const p = req.url.split('?')[0]; // never the query: it may hold a signature
        const status = res.writableFinished ? `${res.statusCode}${ctx.code ? ' ' + ctx.code : ''}`
          : `${res.headersSent ? res.statusCode : '-'} (client closed the connection)`;
        process.stdout.write(`${new Date().toISOString()} ${req.method} ${p} ${status} ` +
          `${Date.now() - ctx.started}ms\n`);
      }
    });
    try {
      await this.route(req, res, ctx);
    } catch (err) {
      if (err instanceof S3Err) {
        this.sendError(req, res, ctx, err);
      } else if (err.clientGone || req.destroyed || res.destroyed) {
        ctx.code = 'ClientGone'; // client went away mid-request; nobody to answer
      } else {
        this.sendError(req, res, ctx, internalError(err));
      }
    }
  }

  continueBody(req, res, ctx) {
    if (ctx.expectContinue && !ctx.continued) {
      ctx.continued = true;
      res.writeContinue();
    }
  }

  sendError(req, res, ctx, err) {
    ctx.code = err.code;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = errorXml(err, ctx.requestId);
    const write = () => {
      res.writeHead(err.status, {
        'Content-Type': 'application/xml',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    req.unpipe();
    if (hasBody(req) && !req.complete && !req.destroyed) {
      if (ctx.expectContinue && !ctx.continued) {
        // the client is waiting for 100 Continue: answer now, never read the body
        res.setHeader('Connection', 'close');
        write();
      } else {
        // read and drop the rest of the body so the connection stays usable
        req.on('end', write);
        req.on('error', () => {});
        req.resume();
      }
    } else {
      write();
    }
  }

  async route(req, res, ctx) {
    const r = parseTarget(req);
    if (req.method === 'OPTIONS') return this.preflight(req, res, r);
    const isBucketPost = req.method === 'POST' && r.bucket && !r.key && r.query.length === 0;
    if (isBucketPost) return this.handlePostForm(req, res, ctx, r);

    const mechanisms = [
      req.headers.authorization !== undefined,
      r.q['X-Amz-Algorithm'] !== undefined,
      r.q.Signature !== undefined || r.q.AWSAccessKeyId !== undefined,
    ].filter(Boolean).length;
    if (mechanisms > 1) {
      throw invalidArgument('Only one auth mechanism allowed; only the X-Amz-Algorithm query ' +
        'parameter, Signature query string parameter or the Authorization header should be specified',
        'Authorization', req.headers.authorization || '');
    }
    let payloadHash = null;
    if (req.headers.authorization !== undefined) {
      payloadHash = verifyHeaderAuth(this.cfg, req, r);
    } else if (r.q['X-Amz-Algorithm'] !== undefined) {
      payloadHash = verifyQueryAuth(this.cfg, req, r);
    } else if (mechanisms) {
      throw unsupportedMechanism();
    }

    const overrides = responseOverrides(r.query);
    const read = (req.method === 'GET' || req.method === 'HEAD') && r.bucket && r.key &&
      !r.query.some(([n]) => OBJECT_SUBRESOURCES.has(n));
    if (payloadHash === null) return this.anonymous(req, res, ctx, r, read, overrides);

    // Signed. Take the body (if any) into a temp file, hashing it on the way, so
    // that a bad hash or an interrupted upload never reaches storage.
    const isObjectPut = req.method === 'PUT' && r.key;
    const length = req.headers['content-length'];
    if (isObjectPut && length === undefined) {
      throw new S3Err(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    }
    if (isObjectPut && Number(length) > MAX_PUT_BYTES) {
      throw new S3Err(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size',
        { ProposedSize: length, MaxSizeAllowed: MAX_PUT_BYTES });
    }
    const contentMd5 = req.headers['content-md5'];
    const h = crypto.createHash('sha256');
    const m = crypto.createHash('md5'); // Content-MD5, and a part's ETag
    let body = null;
    const mpOp = Multipart.operation(req.method, r);
    if (hasBody(req) && !mpOp && length !== undefined && Number(length) <= MEMORY_BODY_MAX) {
      // small (an HLS segment, a playlist): hashed into memory, no temp file to
      // write, read back and remove; still complete and checked before it is stored
      this.continueBody(req, res, ctx);
      const chunks = [];
      let size = 0;
      for await (const chunk of req) {
        h.update(chunk);
        m.update(chunk);
        size += chunk.length;
        chunks.push(chunk);
      }
      if (!req.complete) throw Object.assign(new Error('client aborted'), { clientGone: true });
      body = { buf: Buffer.concat(chunks, size), size };
    } else if (hasBody(req)) {
      this.continueBody(req, res, ctx);
      const file = this.tmpFile();
      ctx.files.push(file);
      let size = 0;
      await pipeline(req, new Transform({
        transform(chunk, enc, cb) {
          h.update(chunk);
          m.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }), fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
      body = { file, size };
    }
    const sha = h.digest('hex');
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash.toLowerCase() !== sha) {
      throw new S3Err(400, 'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: sha });
    }
    const md5 = m.digest();
    if (body) body.md5 = md5.toString('hex');
    if (contentMd5 !== undefined) {
      if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) {
        throw new S3Err(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', { 'Content-MD5': contentMd5 });
      }
      if (contentMd5 !== md5.toString('base64')) {
        throw new S3Err(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.',
          { ExpectedDigest: contentMd5, CalculatedDigest: md5.toString('base64') });
      }
    }
    if (mpOp) return this.multipart.handle(mpOp, req, res, ctx, r, body);
    if (body && body.buf && await this.storesDirectly(req, r)) return this.putDirect(req, res, ctx, r, body);
    return this.forward(req, res, ctx, r, {
      body, overrides, dropQuery: n => n.startsWith('response-'), conditional: read,
    });
  }

  /*
   * A plain PUT Object of a body in memory to an existing bucket: what
   * s3rver's putObject would do (the same store call, the same S3Object
   * metadata), without its HTTP and koa layers in between. Anything else
   * (copy, storage class, a key s3rver's router reads otherwise, a browser's
   * request) goes through s3rver.
   */
  async storesDirectly(req, r) {
    return req.method === 'PUT' && r.key !== '' && !r.key.endsWith('/') && r.query.length === 0 &&
      !('x-amz-copy-source' in req.headers) && !('x-amz-storage-class' in req.headers) &&
      req.headers.origin === undefined && // s3rver's own CORS rules, if a client set some, apply
      this.cfg.buckets.includes(r.bucket) && (await this.s3rver.store.getBucket(r.bucket)) !== null;
  }

  async putDirect(req, res, ctx, r, body) {
    // s3rver's FilesystemStore.putObject, with the MD5 taken on the way in
    // (route) instead of a second pass, and the buffer written in one call
    const store = this.s3rver.store;
    const object = new S3Object(r.bucket, r.key, body.buf, req.headers);
    const file = store.getResourcePath(r.bucket, r.key, 'object');
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, body.buf);
    await store.putMetadata(r.bucket, r.key, object.metadata, body.md5);
    // s3rver's answer: koa's empty text body with the ETag
    res.writeHead(200, {
      etag: JSON.stringify(body.md5), 'content-type': 'text/plain; charset=utf-8', 'content-length': 0,
    });
    res.end();
  }

  /*
   * Anonymous: only GET/HEAD of an object under a public prefix, as a bucket
   * policy granting s3:GetObject on "hls/*" and "art/*" would allow.
   */
  anonymous(req, res, ctx, r, read, overrides) {
    if (!read) throw accessDenied();
    if (!this.cfg.buckets.includes(r.bucket)) {
      throw new S3Err(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: r.bucket });
    }
    if (!isPublicKey(this.cfg.publicPrefixes, r.key)) throw accessDenied();
    if (Object.keys(overrides).length) {
      throw new S3Err(400, 'InvalidRequest',
        'Request specific response headers cannot be used for anonymous GET requests.');
    }
    return this.forward(req, res, ctx, r, { conditional: true });
  }

  /* A CORS preflight: answered here, from the configured rule, without auth (as S3). */
  preflight(req, res, r) {
    if (r.bucket && !this.cfg.buckets.includes(r.bucket)) {
      throw new S3Err(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: r.bucket });
    }
    let headers;
    try {
      headers = this.cfg.cors.preflight(req, r.key ? 'OBJECT' : 'BUCKET');
    } catch (err) {
      throw new S3Err(err.status, err.code, err.message, err.detail);
    }
    res.writeHead(200, { ...headers, 'Content-Length': 0 });
    res.end();
  }

  /* Browser-style POST upload: policy + SigV4 fields, then the file. */
  async handlePostForm(req, res, ctx, r) {
    if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] || '')) {
      throw new S3Err(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold',
        { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
    }
    let busboy;
    try {
      busboy = new Busboy({ headers: req.headers, limits: { fieldSize: 1024 * 1024, fields: 1000, parts: 2000 } });
    } catch {
      throw new S3Err(400, 'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.');
    }
    this.continueBody(req, res, ctx);

    const file = this.tmpFile();
    ctx.files.push(file);
    const spool = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
    const spoolDone = new Promise((resolve, reject) => spool.on('close', resolve).on('error', reject));
    const stopSpool = () => {
      if (spool.writableEnded) return;
      req.unpipe(spool);
      spool.end();
    };

    const fields = new Map();
    let preData = 0;
    let fileSeen = false;
    let fileSize = 0;
    let limits = null;
    let error = null; // first failure; we still read the whole body, then answer
    const fail = err => {
      if (!error) error = err;
      stopSpool();
    };
    const addField = (name, value) => {
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (preData > MAX_POST_PRE_DATA) {
        fail(new S3Err(400, 'MaxPostPreDataLengthExceededError',
          'Your POST request fields preceeding the upload file was too large.'));
      } else if (fields.has(name.toLowerCase())) {
        fail(invalidArgument(`devs3: the form field '${name}' appears more than once.`, name, value));
      } else {
        fields.set(name.toLowerCase(), { name, value });
      }
    };

    busboy.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (fileSeen || error) return; // S3 ignores everything after the file
      if (name.toLowerCase() === 'file') {
        // busboy reports a part without filename= as a plain field; s3rver would
        // store it as UTF-8 text and mangle binary data, so refuse it loudly.
        fileSeen = true;
        fail(invalidArgument('devs3: the form part "file" must have a filename ' +
          '(Content-Disposition: form-data; name="file"; filename="...").', 'file', ''));
        return;
      }
      if (valueTruncated) {
        fail(new S3Err(400, 'MaxPostPreDataLengthExceededError',
          'Your POST request fields preceeding the upload file was too large.'));
        return;
      }
      addField(name, value);
    });
    busboy.on('file', (name, stream) => {
      if (fileSeen || error) {
        stream.resume();
        return;
      }
      if (name.toLowerCase() !== 'file') {
        // a file-typed part before the file is still a form field
        const chunks = [];
        stream.on('data', c => chunks.push(c));
        stream.on('end', () => addField(name, Buffer.concat(chunks).toString('utf8')));
        return;
      }
      fileSeen = true;
      try {
        limits = checkPostForm(this.cfg, r.bucket, fields);
      } catch (err) {
        fail(err instanceof S3Err ? err : internalError(err));
      }
      stream.on('data', c => {
        fileSize += c.length;
        if (limits && fileSize > limits.max) stopSpool(); // no need to keep it
      });
    });

    // One pass over the body: a copy to disk (for s3rver) and the parser.
    // Not stream.pipeline(): on a parse error it would destroy the socket
    // before we could answer.
    const parsed = new Promise((resolve, reject) => {
      busboy.on('finish', resolve);
      busboy.on('error', err => reject(new S3Err(400, 'MalformedPOSTRequest',
        `The body of your POST request is not well-formed multipart/form-data. (${err.message})`)));
      req.on('aborted', () => reject(Object.assign(new Error('client aborted'), { clientGone: true })));
    });
    req.pipe(spool);
    req.pipe(busboy);
    try {
      await parsed;
    } catch (err) {
      req.unpipe();
      stopSpool();
      throw err;
    }
    stopSpool();
    await spoolDone;

    if (error) throw error;
    if (!fileSeen) {
      throw new S3Err(400, 'IncorrectNumberOfFilesInPostRequest', 'POST requires exactly one file upload per request.');
    }
    if (fileSize > limits.max) {
      throw new S3Err(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size',
        { ProposedSize: fileSize, MaxSizeAllowed: limits.max });
    }
    if (fileSize < limits.min) {
      throw new S3Err(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size',
        { ProposedSize: fileSize, MinSizeAllowed: limits.min });
    }
    const size = fs.statSync(file).size;
    return this.forward(req, res, ctx, r, { body: { file, size } });
  }

  /* Proxy to s3rver on the private socket, without our auth (it checked nothing anyway). */
  forward(req, res, ctx, r, { body = null, overrides = {}, dropQuery = () => false, conditional = false }) {
    const query = r.query.filter(([name]) => !QUERY_AUTH_PARAMS.has(name) && !dropQuery(name))
      .map(p => p[2]).join('&');
    const headers = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (HOP_BY_HOP.has(name) || name === 'authorization' || name === 'expect' ||
          name === 'content-length' || (conditional && CONDITIONAL_HEADERS.has(name))) continue;
      headers[name] = value;
    }
    if (body) headers['content-length'] = String(body.size);
    else if (req.method === 'PUT' || req.method === 'POST') headers['content-length'] = '0';

    return new Promise((resolve, reject) => {
      const up = http.request({
        socketPath: this.sock, agent: this.agent, method: req.method,
        path: r.rawPath + (query ? '?' + query : ''), headers,
      });
      up.on('response', ur => {
        const verdict = conditional && (ur.statusCode === 200 || ur.statusCode === 206)
          ? evaluateConditions(req.headers, ur.headers.etag, ur.headers['last-modified']) : null;
        if (verdict) {
          ur.on('error', () => {});
          ur.destroy(); // not this body
          if (verdict.status === 412) {
            reject(new S3Err(412, 'PreconditionFailed',
              'At least one of the pre-conditions you specified did not hold', { Condition: verdict.condition }));
            return;
          }
          res.writeHead(304, { ETag: ur.headers.etag, 'Last-Modified': ur.headers['last-modified'] });
          res.end();
          resolve();
          return;
        }
        const out = {};
        for (const [name, value] of Object.entries(ur.headers)) {
          if (!HOP_BY_HOP.has(name)) out[name] = value;
        }
        if (ur.statusCode < 300) {
          for (const [name, value] of Object.entries(overrides)) out[name.toLowerCase()] = value;
        }
        out['x-amz-request-id'] = ctx.requestId;
        res.writeHead(ur.statusCode, out);
        pipeline(ur, res).then(resolve, err => {
          if (res.destroyed) resolve(); // client left mid-download
          else reject(err);
        });
      });
      up.on('error', err => reject(res.headersSent ? err : new S3Err(500, 'InternalError',
        `devs3: the storage backend (s3rver) failed: ${err.message}`)));
      if (body && body.buf) {
        up.end(body.buf);
      } else if (body) {
        pipeline(fs.createReadStream(body.file), up).catch(() => {}); // errors surface on `up`
      } else {
        up.end();
      }
      res.on('close', () => {
        if (!res.writableFinished) up.destroy();
      });
    });
  }
}

// ---------------------------------------------------------------- CLI

const USAGE = `usage: node tools/devs3/server.js --dir DIR --port PORT --bucket NAME [--bucket NAME...]
         --access-key KEY --secret-key SECRET [--host 127.0.0.1] [--region us-east-1]
         [--public-prefixes ${DEFAULT_PUBLIC_PREFIXES}] [--cors-rule JSON|default|none] [--quiet]

A local S3 (s3rver storage) that checks SigV4 signatures, payload hashes and POST
policies like AWS S3 does. Loopback only; --port 0 picks a free port (printed).
The keys may also come from DEVS3_ACCESS_KEY / DEVS3_SECRET_KEY, the public
prefixes (comma-separated; '' none, '*' every key) from DEVS3_PUBLIC_PREFIXES and
the CORS rule (an S3 CORSRule as JSON) from DEVS3_CORS_RULE.`;

/* "hls/, art/" -> ['hls/', 'art/']; '' -> [] */
function parsePrefixes(list) {
  return list.split(',').map(s => s.trim()).filter(Boolean);
}

function parseArgs(argv) {
  const cfg = {
    dir: null, host: '127.0.0.1', port: null, buckets: [], region: 'us-east-1', quiet: false,
    accessKey: process.env.DEVS3_ACCESS_KEY || null, secretKey: process.env.DEVS3_SECRET_KEY || null,
    publicPrefixes: process.env.DEVS3_PUBLIC_PREFIXES ?? DEFAULT_PUBLIC_PREFIXES,
    cors: process.env.DEVS3_CORS_RULE,
  };
  const die = msg => {
    process.stderr.write(`devs3: ${msg}\n${USAGE}\n`);
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) die(`${name} needs a value`);
      return argv[++i];
    };
    switch (name) {
      case '--dir': cfg.dir = path.resolve(value()); break;
      case '--host': cfg.host = value(); break;
      case '--port': cfg.port = value(); break;
      case '--bucket': cfg.buckets.push(value()); break;
      case '--access-key': cfg.accessKey = value(); break;
      case '--secret-key': cfg.secretKey = value(); break;
      case '--region': cfg.region = value(); break;
      case '--public-prefixes': cfg.publicPrefixes = value(); break;
      case '--cors-rule': cfg.cors = value(); break;
      case '--quiet': cfg.quiet = true; break;
      case '-h': case '--help': process.stdout.write(USAGE + '\n'); process.exit(0); break;
      default: die(`unknown argument ${arg}`);
    }
  }
  if (!cfg.dir) die('--dir is required');
  if (cfg.port === null || !/^\d+$/.test(cfg.port) || Number(cfg.port) > 65535) die('--port must be 0..65535');
  cfg.port = Number(cfg.port);
  if (!cfg.buckets.length) die('at least one --bucket is required');
  for (const b of cfg.buckets) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b) || b.includes('..')) die(`invalid bucket name: ${b}`);
  }
  if (!cfg.accessKey || !cfg.secretKey) die('--access-key and --secret-key are required');
  if (!/^[a-z0-9-]+$/.test(cfg.region)) die(`invalid region: ${cfg.region}`);
  cfg.publicPrefixes = parsePrefixes(cfg.publicPrefixes);
  try {
    cfg.cors = Cors.fromOption(cfg.cors);
  } catch (err) {
    die(err.message);
  }
  const loopback = cfg.host === 'localhost' || cfg.host === '::1' ||
    (net.isIPv4(cfg.host) && cfg.host.startsWith('127.'));
  if (!loopback) die(`refusing to listen on ${cfg.host}: devs3 is for loopback only`);
  return cfg;
}

async function main() {
  const cfg = parseArgs(process.argv.slice(2));
  const devs3 = new DevS3(cfg);
  let stopping = false;
  const stop = async sig => {
    if (stopping) return;
    stopping = true;
    if (!cfg.quiet) process.stdout.write(`devs3: ${sig}, stopping\n`);
    try {
      await devs3.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('exit', () => fs.rmSync(devs3.tmp, { recursive: true, force: true }));
  let addr;
  try {
    addr = await devs3.start();
  } catch (err) {
    process.stderr.write(`devs3: cannot start: ${err.message}\n`);
    await devs3.stop().catch(() => {});
    process.exit(1);
  }
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  process.stdout.write(`devs3 listening on http://${host}:${addr.port} ` +
    `(buckets: ${cfg.buckets.join(', ')}; region ${cfg.region}; ` +
    `public: ${cfg.publicPrefixes.join(', ') || 'nothing'}; data ${cfg.dir})\n`);
}

if (require.main === module) {
  main();
}

module.exports = { DevS3, canonicalUri, canonicalQuery, parseQuery, uriEncode, signingKey };
