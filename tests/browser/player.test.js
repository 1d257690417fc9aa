'use strict';
/*
 * The web uploader and player (web/, served under /app/) in a real browser:
 * Debian's chromium, headless, driven by puppeteer-core (pinned in
 * package.json). Used by tests/integration/82_web_player_plays_in_chromium.t.
 *
 *   node tests/browser/player.test.js
 *
 * Environment: APP_URL (the page), TOKEN (a good token), BAD_TOKEN (a
 * refused one), AUDIO and ARTWORK (files to pick), SCREENSHOT (where to save
 * the PNG), CHROMIUM (default /usr/bin/chromium), FLOW_TIMEOUT_MS.
 *
 * Runs the flow twice through the page: once with BAD_TOKEN (the API's
 * detail must be shown), then with TOKEN all the way to playback. Prints
 * one JSON document with what it saw on stdout; the .t file asserts on it.
 * Exits 0 whenever the browser ran (even if the page misbehaved), 1 if the
 * browser could not be driven at all.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const FLOW_TIMEOUT_MS = Number(process.env.FLOW_TIMEOUT_MS || 120000);

async function main() {
  const out = { console_errors: [], page_errors: [], failed_requests: [], bad_token: {}, flow: {} };
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mustory-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required', '--mute-audio', `--user-data-dir=${userDataDir}`,
    ],
    protocolTimeout: 60000,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 1200 });
    page.on('console', msg => {
      if (msg.type() === 'error') {
        out.console_errors.push({ text: msg.text(), url: (msg.location() || {}).url || '' });
      }
    });
    page.on('pageerror', err => out.page_errors.push(String(err && err.message || err)));
    page.on('requestfailed', req => out.failed_requests.push({ url: req.url(), error: (req.failure() || {}).errorText }));

    await page.goto(env('APP_URL'), { waitUntil: 'load', timeout: 30000 });
    out.hls_js_loaded = await page.evaluate(() => typeof window.Hls === 'function' && window.Hls.isSupported());
    out.hls_js_version = await page.evaluate(() => window.Hls && window.Hls.version);

    // 1. A refused token: the page shows the API's sentence.
    await page.type('#token', env('BAD_TOKEN'));
    const audioInput = await page.$('#audio');
    await audioInput.uploadFile(env('AUDIO'));
    const artInput = await page.$('#artwork');
    await artInput.uploadFile(env('ARTWORK'));
    await page.click('#start');
    await page.waitForFunction(() => ['error', 'playing'].includes(window.mustory.phase), { timeout: 30000 });
    out.bad_token = await page.evaluate(() => ({
      phase: window.mustory.phase,
      shown: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    }));
    // The 401 of that attempt is the one console error expected so far.
    out.bad_token.console_errors = out.console_errors.splice(0);

    // 2. The whole flow with a good token.
    await page.$eval('#token', el => { el.value = ''; });
    await page.type('#token', env('TOKEN'));
    await page.click('#start');
    await page.waitForFunction(() => ['error', 'playing'].includes(window.mustory.phase),
      { timeout: FLOW_TIMEOUT_MS, polling: 100 }).catch(() => {});
    Object.assign(out, await page.evaluate(() => ({
      phases: window.mustory.phases,
      upload_percents: window.mustory.uploadPercents,
      process_percents: window.mustory.processPercents,
    })));
    out.upload_text = await page.$eval('#upload-text', el => el.textContent);
    out.process_text = await page.$eval('#process-text', el => el.textContent);
    out.flow.phase = await page.evaluate(() => window.mustory.phase);
    out.flow.error = await page.evaluate(() => window.mustory.error);
    if (out.flow.phase === 'playing') {
      const a = await page.evaluate(() => document.getElementById('audio-el').currentTime);
      await new Promise(r => setTimeout(r, 3500));
      const b = await page.evaluate(() => document.getElementById('audio-el').currentTime);
      out.flow.current_time_start = a;
      out.flow.current_time_end = b;
      out.flow.advanced = b - a;
    }
    Object.assign(out.flow, await page.evaluate(() => {
      const m = window.mustory, audio = document.getElementById('audio-el'), img = document.getElementById('cover');
      return {
        paused: audio.paused,
        level_loaded: m.levelLoaded,
        levels: m.hls ? m.hls.levels.length : 0,
        track_id: m.trackId,
        hls_url: m.track && m.track.hls_url,
        artwork_url: m.track && m.track.artwork_url,
        artwork_shown: !img.hidden && img.complete && img.naturalWidth > 0,
        artwork_missing_text: document.getElementById('cover-missing').hidden ? null
          : document.getElementById('cover-missing').textContent,
        title: document.getElementById('track-title').textContent,
        artist: document.getElementById('track-artist').textContent,
        duration_text: document.getElementById('track-duration').textContent,
        duration_seconds: m.track && m.track.duration_seconds,
        level_text: document.getElementById('track-level').textContent,
        waveform_url: m.track && m.track.waveform_url,
        waveform_drawn: !document.getElementById('waveform').hidden &&
          Number(document.getElementById('waveform').dataset.length || 0),
        loudness_text: document.getElementById('track-loudness').hidden ? null
          : document.getElementById('track-loudness').textContent,
      };
    }));
    const shot = env('SCREENSHOT');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    out.screenshot = shot;
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(err => {
  process.stderr.write(`player.test.js: ${err && err.stack || err}\n`);
  process.exit(1);
});
