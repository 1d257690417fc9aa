#!/usr/bin/env node
// Check docs/openapi.yaml, then every API answer the integration tests
// recorded (tests/lib/flow.sh's api(): $STACK_DIR/api-answers.jsonl) against
// it: the status must be documented for the operation, the content type must
// be one the spec lists, and the body must match its schema (the schemas say
// additionalProperties: false, so an undocumented field fails). A path the
// spec does not list must answer a documented error (components/responses).
// A text/* body (GET /metrics) is checked as the string it is.
//
// usage: node tests/openapi/validate.js SPEC [ANSWERS.jsonl]
// Exit 0 when everything holds; prints one line per problem otherwise.
'use strict';
const fs = require('node:fs');
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

async function checkSpec(spec) {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const v = new Validator();
  const res = await v.validate(spec);
  if (!res.valid) {
    console.log('openapi: the spec is not valid OpenAPI 3.1:');
    console.log(JSON.stringify(res.errors, null, 2).slice(0, 4000));
    return false;
  }
  return true;
}

// "/tracks/upload/status/{track_id}" -> a regex and how specific it is
function compilePaths(spec) {
  return Object.keys(spec.paths).map((p) => {
    const re = new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{[^}]+\}/g, '[^/]+') + '$');
    const literal = p.replace(/\{[^}]+\}/g, '').length;
    return { path: p, re, literal };
  }).sort((a, b) => b.literal - a.literal);
}

function matchPath(paths, raw) {
  const path = raw.split('?')[0];
  // a path the client sent percent-encoded is matched as sent
  for (const p of paths) if (p.re.test(path)) return p.path;
  return null;
}

function resolve(spec, obj) {
  while (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, '').split('/');
    obj = parts.reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return obj;
}

// What the API and its web server may answer for a path or method the spec
// does not list (an unknown route, a probe, a malformed request line).
const UNLISTED_STATUSES = [400, 401, 403, 404, 405, 408, 411, 413, 414, 415, 422, 429, 501, 503, 504, 505];

function mediaType(ct) {
  return (ct || '').split(';')[0].trim().toLowerCase();
}

async function main() {
  const [specPath, answersPath] = process.argv.slice(2);
  if (!specPath) {
    console.error('usage: validate.js SPEC [ANSWERS.jsonl]');
    process.exit(2);
  }
  const spec = YAML.parse(fs.readFileSync(specPath, 'utf8'));
  if (!(await checkSpec(spec))) process.exit(1);
  if (!answersPath) {
    console.log('openapi: the spec is valid OpenAPI 3.1');
    return;
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // the spec's components, addressable as "spec#/components/..."
  ajv.addSchema({ $id: 'spec', components: spec.components }, 'spec');
  const schemaFor = (s) => JSON.parse(JSON.stringify(s).replace(/"#\/components\//g, '"spec#/components/'));
  const compiled = new Map();
  const validatorFor = (key, schema) => {
    if (!compiled.has(key)) compiled.set(key, ajv.compile(schemaFor(schema)));
    return compiled.get(key);
  };
  const paths = compilePaths(spec);
  const lines = fs.existsSync(answersPath)
    ? fs.readFileSync(answersPath, 'utf8').split('\n').filter(Boolean) : [];
  if (lines.length === 0) {
    console.log(`openapi: no API answers were recorded in ${answersPath}: nothing was checked`);
    process.exit(1);
  }
  let checked = 0, bad = 0;
  const seen = new Map();
  const fail = (a, why) => {
    bad++;
    if (bad <= 60)
      console.log(`openapi: ${a.test}: ${a.method} ${a.path} -> ${a.status}: ${why}`);
  };
  for (const line of lines) {
    let a;
    try { a = JSON.parse(line); } catch { continue; }
    if (a.status === 0) continue; // no answer at all (connection refused, timeout)
    checked++;
    const p = matchPath(paths, a.path);
    const op = p && spec.paths[p][a.method.toLowerCase()];
    let resp;
    let key;
    if (op) {
      resp = resolve(spec, op.responses[String(a.status)]);
      key = `${p} ${a.method} ${a.status}`;
      if (!resp) { fail(a, `status ${a.status} is not documented for ${a.method} ${p}`); continue; }
    } else {
      // an unlisted path or method: only an error in the Error shape may answer it
      resp = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      key = `unlisted ${a.status}`;
      if (!UNLISTED_STATUSES.includes(a.status)) {
        fail(a, `not a documented operation, and ${a.status} is not an error status`);
        continue;
      }
    }
    seen.set(key, (seen.get(key) || 0) + 1);
    const media = resp.content || {};
    const mt = mediaType(a.content_type);
    if (Object.keys(media).length === 0) {
      if (a.body.length > 0) fail(a, 'the spec documents no body but one came');
      continue;
    }
    if (!media[mt]) { fail(a, `content type "${a.content_type}" is not one of ${Object.keys(media).join(', ')}`); continue; }
    let body;
    if (mt.startsWith('text/')) body = a.body; // e.g. /metrics: its schema is a string's
    else try { body = JSON.parse(a.body); } catch { fail(a, 'the body is not JSON'); continue; }
    const validate = validatorFor(`${key} ${mt}`, media[mt].schema);
    if (!validate(body)) fail(a, `body does not match: ${ajv.errorsText(validate.errors)}; body ${a.body.slice(0, 200)}`);
  }
  const ops = new Set([...seen.keys()].map((k) => k.split(' ').slice(0, 2).join(' ')));
  console.log(`openapi: ${checked} answers checked against ${specPath} (${ops.size} operations, ${seen.size} operation/status pairs seen), ${bad} not matching`);
  process.exit(bad === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
