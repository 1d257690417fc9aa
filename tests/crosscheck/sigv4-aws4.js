#!/usr/bin/env node
/*
 * sigv4-aws4.js: sign requests with the aws4 npm module (an independent
 * SigV4 implementation) so tests/unit/test_sigv4_crosscheck.c can compare
 * lib/sigv4 against it.
 *
 * stdin: one JSON object per line:
 *   { id, mode: "header" | "query", method, host, path, query, headers,
 *     payload_hash, region, access_key, secret_key }
 *   path and query are exactly what goes on the wire (already encoded by
 *   lib/sigv4). For "header", headers include host, x-amz-date and
 *   x-amz-content-sha256; for "query", query holds X-Amz-Date and
 *   X-Amz-Expires (aws4 adds X-Amz-Algorithm, -Credential, -SignedHeaders).
 * stdout: one JSON object per line, same order:
 *   { id, signature, canonical_request, string_to_sign, general_query,
 *     s3_mode_signature }
 *
 * aws4 is used with service "s3", so it applies its S3 path rules: the path
 * is decoded and re-encoded once (not twice), not normalized ("//", ".",
 * ".." kept), and "%2F" is kept as "/". We hand it the path already encoded,
 * with no raw '+' (aws4's S3 mode would read '+' in a path as a space).
 *
 * One deliberate difference: in S3 mode aws4 signs only the FIRST value of a
 * query parameter given more than once (its firstValOnly). AWS's documented
 * rule ("Create a canonical request": sort by parameter name, and parameters
 * with the same name by value) signs every value, and so do botocore and
 * lib/sigv4. For such requests we take the canonical query line from aws4's
 * own general (non-S3) code path, which follows that rule, splice it into
 * aws4's S3 canonical request, and let aws4 hash and sign that
 * (general_query: true). s3_mode_signature is what aws4's S3 mode alone
 * would have produced, for the record.
 *
 * Exits non-zero (loudly) if aws4 cannot be loaded or a line is bad.
 */
'use strict';

let aws4;
try {
  aws4 = require('aws4');
} catch (err) {
  process.stderr.write('sigv4-aws4.js: cannot load the aws4 npm module (' +
    err.message + '); run npm install in the repository root\n');
  process.exit(3);
}
const readline = require('readline');

function options(r, service) {
  const headers = Object.assign({}, r.headers);
  const include = {};
  // aws4 never signs range, user-agent, expect...; lib/sigv4 signs what it
  // is given, so tell aws4 to include every header we pass.
  for (const name of Object.keys(headers)) include[name.toLowerCase()] = true;
  return {
    method: r.method,
    host: r.host,
    path: r.path + (r.query ? '?' + r.query : ''),
    headers,
    service,
    region: r.region,
    signQuery: r.mode === 'query',
    extraHeadersToInclude: include,
  };
}

function hasRepeatedName(query) {
  if (!query) return false;
  const seen = new Set();
  for (const part of query.split('&')) {
    const name = decodeURIComponent(part.split('=')[0]);
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

function sign(r) {
  const creds = { accessKeyId: r.access_key, secretAccessKey: r.secret_key };
  const signer = new aws4.RequestSigner(options(r, 's3'), creds);
  let general = false, s3ModeSignature = null;

  if (hasRepeatedName(r.query)) {
    const s3Canonical = signer.canonicalString();
    s3ModeSignature = signer.signature();
    // The general SigV4 query line, from aws4's non-S3 branch. Its
    // X-Amz-Credential scope must name s3, so lend it the S3 signer's.
    const other = new aws4.RequestSigner(options(r, 's3-general-query'), creds);
    other.credentialString = () => signer.credentialString();
    const queryLine = other.canonicalString().split('\n')[2];
    const lines = s3Canonical.split('\n');
    lines[2] = queryLine;
    const patched = lines.join('\n');
    signer.canonicalString = () => patched;
    general = true;
  }
  // Read these before sign(): a presigned request's query then holds
  // X-Amz-Signature too.
  const canonical = signer.canonicalString();
  const stringToSign = signer.stringToSign();
  const out = signer.sign();
  let signature;
  if (r.mode === 'query') {
    signature = signer.parsedPath.query['X-Amz-Signature'];
  } else {
    const m = /Signature=([0-9a-f]{64})$/.exec(out.headers.Authorization);
    signature = m ? m[1] : null;
  }
  return {
    id: r.id,
    signature,
    canonical_request: canonical,
    string_to_sign: stringToSign,
    general_query: general,
    s3_mode_signature: s3ModeSignature,
  };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
let lineno = 0, failed = false;
rl.on('line', (line) => {
  lineno++;
  if (failed || line === '') return;
  try {
    out.push(JSON.stringify(sign(JSON.parse(line))));
  } catch (err) {
    process.stderr.write('sigv4-aws4.js: line ' + lineno + ': ' + err.stack + '\n');
    failed = true;
  }
});
rl.on('close', () => {
  if (failed) process.exit(1);
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''), () => process.exit(0));
});
