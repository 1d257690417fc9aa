#!/usr/bin/env node
// tests/lib/prom_parse.js [families|samples]: the Prometheus text format on
// standard input, parsed by an independent parser (the pinned npm
// parse-prometheus-text-format, prom2json's shape), printed as JSON.
//   families (default): [{name, help, type, metrics}] as the parser gives it;
//            it throws on a malformed line, a TYPE line of two words, ...
//   samples: every sample line as {name, labels, value}. The parser folds a
//            histogram or summary with labels besides le/quantile into one
//            sample (all routes' buckets into one object, the labelled _sum
//            and _count dropped), so for these the text is parsed again
//            without its TYPE lines: each line is then a plain sample, its
//            name, labels and value still read by the parser.
// Exits 1 when the text does not parse.
'use strict';
const fs = require('node:fs');
const parse = require('parse-prometheus-text-format');

const mode = process.argv[2] || 'families';
try {
  const text = fs.readFileSync(0, 'utf8');
  if (mode === 'families') {
    process.stdout.write(JSON.stringify(parse(text)) + '\n');
  } else if (mode === 'samples') {
    const untyped = text.split('\n').filter((l) => !/^#\s*TYPE\s/.test(l)).join('\n');
    const out = [];
    for (const f of parse(untyped))
      for (const m of f.metrics) out.push({ name: f.name, labels: m.labels || {}, value: Number(m.value) });
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.error('usage: prom_parse.js [families|samples]');
    process.exit(2);
  }
} catch (e) {
  console.error(`prom_parse: ${e.message}`);
  process.exit(1);
}
