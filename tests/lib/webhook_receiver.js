#!/usr/bin/env node
// tests/lib/webhook_receiver.js: a webhook endpoint for the integration
// tests. Every POST is verified with the standardwebhooks package (an
// implementation independent of ours: the reference library of the
// Standard Webhooks spec), recorded as one JSON line in --out, and
// answered:
//   a signature that does not verify: 400 (and "verified": false recorded)
//   the first --fail-first N verified deliveries: 500
//   then --status (default 204), with a Location header when --location
//
//   node tests/lib/webhook_receiver.js --port P --secret whsec_... --out FILE
//        [--fail-first N] [--status CODE] [--location URL]
//
// A line: {"n", "at" (ms since the epoch), "method", "path", "id",
// "timestamp", "signature", "content_type", "user_agent", "verified",
// "error", "answered", "body" (the raw text), "event" (the parsed body, or
// null)}. GET /ready answers 200 "ready" (not recorded). Stops on SIGTERM.
'use strict';
const fs = require('fs');
const http = require('http');
const { Webhook } = require('standardwebhooks');

function args(argv) {
	const a = { failFirst: 0, status: 204 };
	for (let i = 2; i < argv.length; i += 2) {
		const k = argv[i], v = argv[i + 1];
		if (v === undefined) throw new Error(`${k} needs a value`);
		if (k === '--port') a.port = Number(v);
		else if (k === '--secret') a.secret = v;
		else if (k === '--out') a.out = v;
		else if (k === '--fail-first') a.failFirst = Number(v);
		else if (k === '--status') a.status = Number(v);
		else if (k === '--location') a.location = v;
		else throw new Error(`unknown option ${k}`);
	}
	if (!a.port || !a.secret || !a.out) throw new Error('--port, --secret and --out are required');
	return a;
}

const opt = args(process.argv);
const wh = new Webhook(opt.secret);
let n = 0, verifiedCount = 0;

const server = http.createServer((req, res) => {
	if (req.method === 'GET' && req.url === '/ready') {
		res.writeHead(200, { 'Content-Type': 'text/plain' });
		res.end('ready');
		return;
	}
	const chunks = [];
	let size = 0;
	req.on('data', (c) => {
		size += c.length;
		if (size <= 1 << 20) chunks.push(c);
	});
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		const rec = {
			n: ++n, at: Date.now(), method: req.method, path: req.url,
			id: req.headers['webhook-id'] ?? null,
			timestamp: req.headers['webhook-timestamp'] ?? null,
			signature: req.headers['webhook-signature'] ?? null,
			content_type: req.headers['content-type'] ?? null,
			user_agent: req.headers['user-agent'] ?? null,
			verified: false, error: null, answered: 0, body: raw, event: null,
		};
		try {
			// verify() checks the signature over id.timestamp.body and that the
			// timestamp is within 5 minutes of now, and parses the body.
			rec.event = wh.verify(raw, {
				'webhook-id': rec.id, 'webhook-timestamp': rec.timestamp,
				'webhook-signature': rec.signature,
			});
			rec.verified = req.method === 'POST';
			if (!rec.verified) rec.error = `method ${req.method}`;
		} catch (err) {
			rec.error = String(err && err.message ? err.message : err);
		}
		if (!rec.verified) rec.answered = 400;
		else if (++verifiedCount <= opt.failFirst) rec.answered = 500;
		else rec.answered = opt.status;
		fs.appendFileSync(opt.out, JSON.stringify(rec) + '\n');
		const h = { 'Content-Type': 'text/plain' };
		if (opt.location && rec.answered === opt.status) h.Location = opt.location;
		res.writeHead(rec.answered, h);
		res.end(rec.verified ? 'thanks\n' : `refused: ${rec.error}\n`);
	});
});

server.listen(opt.port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
