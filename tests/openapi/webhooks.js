#!/usr/bin/env node
// Check webhook deliveries a test's receiver recorded (tests/lib/webhook_receiver.js)
// against docs/openapi.yaml: each body must match the spec's WebhookEvent (the
// event's type among `webhooks`, `data` the Track schema, nothing undocumented)
// and each header the pattern of its parameter.
//
// usage: node tests/openapi/webhooks.js SPEC RECORDS.jsonl
// Prints "webhooks: N deliveries match docs/openapi.yaml", or one line per problem (exit 1).
'use strict';
const fs = require('node:fs');
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [specPath, recordsPath] = process.argv.slice(2);
if (!specPath || !recordsPath) {
  console.error('usage: webhooks.js SPEC RECORDS.jsonl');
  process.exit(2);
}
const spec = YAML.parse(fs.readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'spec', components: spec.components }, 'spec');
const event = ajv.getSchema('spec#/components/schemas/WebhookEvent');
const headers = {
  id: ['webhook-id', 'WebhookId'],
  timestamp: ['webhook-timestamp', 'WebhookTimestamp'],
  signature: ['webhook-signature', 'WebhookSignature'],
};
const problems = [];
const records = fs.readFileSync(recordsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
for (const r of records) {
  let body;
  try {
    body = JSON.parse(r.body);
  } catch (err) {
    problems.push(`delivery ${r.n}: the body is not JSON`);
    continue;
  }
  if (!event(body)) problems.push(`delivery ${r.n}: ${ajv.errorsText(event.errors)}`);
  else if (!spec.webhooks[body.type]) problems.push(`delivery ${r.n}: type ${body.type} is not in webhooks`);
  for (const [field, [name, param]] of Object.entries(headers)) {
    const re = new RegExp(spec.components.parameters[param].schema.pattern);
    if (typeof r[field] !== 'string' || !re.test(r[field])) problems.push(`delivery ${r.n}: ${name} "${r[field]}"`);
  }
}
for (const p of problems) console.log(`webhooks: ${p}`);
if (problems.length) process.exit(1);
console.log(`webhooks: ${records.length} deliveries match ${specPath}`);
