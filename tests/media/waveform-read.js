#!/usr/bin/env node
// Read an audiowaveform JSON file with an independent reader (the
// waveform-data npm package) and print what a test asserts on:
// "<version> <channels> <sample_rate> <samples_per_pixel> <length>
//  <largest |peak| of the first half> <of the second half> <duration_s>"
'use strict';
const fs = require('node:fs');
const WaveformData = require('waveform-data');

const json = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const wf = WaveformData.create(json);
const ch = wf.channel(0);
const half = Math.floor(wf.length / 2);
const peak = (from, to) => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(ch.min_sample(i)), Math.abs(ch.max_sample(i)));
  return m;
};
console.log([json.version, wf.channels, wf.sample_rate, wf.scale, wf.length,
  peak(0, half - 1), peak(half + 1, wf.length), wf.duration.toFixed(1)].join(' '));
