'use strict';
// Shared helpers for the devs3 tests: start/stop the server, send raw HTTP,
// sign with aws4 (an implementation independent of devs3's own), build POST
// policy forms with node's crypto.

const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const aws4 = require('aws4');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'tools', 'devs3', 'server.js');
const CREDS = { accessKeyId: 'devs3-test-key', secretAccessKey: 'devs3-test-secret/with+chars' };
const REGION = 'us-east-1';
const BUCKET = 'test-bucket';
const OTHER_BUCKET = 'other-bucket';

/* Start devs3 on a free loopback port in a fresh temp dir; args and env are extra. */
async function startServer({ quiet = true, args: extra = [], env = {} } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devs3-test-'));
  const args = ['--openssl-legacy-provider', SERVER, '--dir', path.join(tmp, 'data'), '--host', '127.0.0.1', '--port', '0',
    '--bucket', BUCKET, '--bucket', OTHER_BUCKET, '--access-key', CREDS.accessKeyId,
    '--secret-key', CREDS.secretAccessKey, '--region', REGION];
  if (quiet) args.push('--quiet');
  args.push(...extra);
  const started = process.hrtime.bigint();
  // the defaults unless a test says otherwise, whatever the caller's environment
  const { DEVS3_PUBLIC_PREFIXES, DEVS3_CORS_RULE, ...inherited } = process.env;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', d => (stderr += d));
  const exited = new Promise(resolve => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devs3 did not start: ${stderr}`)), 15000);
    child.stdout.on('data', d => {
      stdout += d;
      const m = /devs3 listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code }) => reject(new Error(`devs3 exited with ${code}: ${stderr}`)));
  });
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    port,
    host: `127.0.0.1:${port}`,
    dataDir: path.join(tmp, 'data'),
    startupMs,
    output: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await exited;
      fs.rmSync(tmp, { recursive: true, force: true });
      return result;
    },
  };
}

/*
 * One HTTP request. opts: { method, path, headers, body, expectContinue }.
 * Resolves { status, headers, body (Buffer), text, code } (code from an S3 XML error).
 */
function request(srv, { method = 'GET', path: p, headers = {}, body, expectContinue = false }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, method, path: p, headers, agent: false });
    req.on('error', reject);
    req.on('response', res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        const code = (/<Code>([^<]*)<\/Code>/.exec(text) || [])[1];
        const message = (/<Message>([^<]*)<\/Message>/.exec(text) || [])[1];
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text, code, message });
      });
    });
    if (expectContinue) {
      req.on('continue', () => req.end(body));
    } else {
      req.end(body);
    }
  });
}

/* Sign with aws4 (header auth); extra lets a test bend the signer. */
function sign(srv, { method = 'GET', path: p, headers = {}, body, ...extra }) {
  const opts = aws4.sign({
    host: '127.0.0.1', port: srv.port, method, path: p, headers: { ...headers }, body,
    service: 's3', region: REGION, ...extra,
  }, CREDS);
  return { method, path: opts.path, headers: opts.headers, body };
}

/* Presigned URL path (query auth) with aws4. */
function presign(srv, { method = 'GET', path: p, expires = 300, date }) {
  const query = `X-Amz-Expires=${expires}` + (date ? `&X-Amz-Date=${date}` : '');
  const opts = aws4.sign({
    host: '127.0.0.1', port: srv.port, method, path: `${p}${p.includes('?') ? '&' : '?'}${query}`,
    service: 's3', region: REGION, signQuery: true,
  }, CREDS);
  return opts.path;
}

const amzDate = (t = Date.now()) => new Date(t).toISOString().replace(/[-:]|\.\d{3}/g, '');

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/*
 * Build the fields of a SigV4 POST upload the way our C server does.
 * opts: key, contentType, min, max, expiration (Date), bucket, formKey (the key
 * actually sent), extraConditions, extraFields (sent, not in the policy), secret.
 */
function postForm({
  key, contentType = 'audio/mpeg', min = 1, max = 1024, expiration = new Date(Date.now() + 600e3),
  bucket = BUCKET, formKey = key, extraConditions = [], extraFields = {},
  secret = CREDS.secretAccessKey, now = Date.now(),
}) {
  const date = amzDate(now);
  const credential = `${CREDS.accessKeyId}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`;
  const policy = {
    expiration: expiration.toISOString(),
    conditions: [
      { bucket },
      ['eq', '$key', key],
      { 'Content-Type': contentType },
      ['content-length-range', min, max],
      { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
      { 'x-amz-credential': credential },
      { 'x-amz-date': date },
      ...extraConditions,
    ],
  };
  const policyB64 = Buffer.from(JSON.stringify(policy)).toString('base64');
  const kSigning = hmac(hmac(hmac(hmac('AWS4' + secret, date.slice(0, 8)), REGION), 's3'), 'aws4_request');
  const signature = crypto.createHmac('sha256', kSigning).update(policyB64).digest('hex');
  return {
    key: formKey,
    'Content-Type': contentType,
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': credential,
    'x-amz-date': date,
    ...extraFields,
    policy: policyB64,
    'x-amz-signature': signature,
  };
}

/* multipart/form-data body: fields in order, then the file part, then `after` fields. */
function multipart(fields, file, { filename = 'upload.bin', fileType = 'application/octet-stream', after = {} } = {}) {
  const boundary = '----devs3test' + crypto.randomBytes(8).toString('hex');
  const parts = [];
  const field = (name, value) => parts.push(Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [name, value] of Object.entries(fields)) field(name, value);
  if (file !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${filename}"\r\nContent-Type: ${fileType}\r\n\r\n`));
    parts.push(Buffer.from(file));
    parts.push(Buffer.from('\r\n'));
  }
  for (const [name, value] of Object.entries(after)) field(name, value);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function postUpload(srv, fields, file, opts = {}, bucket = BUCKET) {
  const { body, contentType } = multipart(fields, file, opts);
  return request(srv, {
    method: 'POST', path: `/${bucket}`, body,
    headers: { 'Content-Type': contentType, 'Content-Length': body.length },
  });
}

module.exports = {
  BUCKET, OTHER_BUCKET, CREDS, REGION, SERVER,
  startServer, request, sign, presign, amzDate, postForm, multipart, postUpload,
};
