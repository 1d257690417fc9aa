/*
 * The Mustory web uploader and player. Plain script, no build step; served
 * by the API's own nginx site under /app/, so the API is same-origin and
 * storage (the presigned form POST, the HLS GETs) is cross-origin (CORS on
 * the bucket). The page only ever holds the user's bearer token.
 *
 * Flow, as the app does it: POST /tracks/upload/init, the presigned form
 * POST straight to storage (XMLHttpRequest, for upload progress), the
 * artwork's form if one was picked, POST /tracks/upload/complete, poll
 * /tracks/upload/status/{id}, then GET /tracks/{id} and play its hls_url
 * with hls.js (vendor/hls.min.js, from npm, pinned in package.json).
 */
'use strict';

(function () {
  const POLL_MS = 1000;
  const POLL_ERRORS_MAX = 20;
  const $ = id => document.getElementById(id);

  /* What the browser tests read: window.mustory. */
  const state = {
    phase: 'idle', phases: [], uploadPercents: [], processPercents: [],
    trackId: null, track: null, hls: null, levelLoaded: false, error: null,
  };
  window.mustory = state;

  function setPhase(phase) {
    state.phase = phase;
    state.phases.push(phase);
    document.body.dataset.phase = phase;
  }

  function showError(sentence) {
    state.error = sentence;
    $('error').textContent = sentence;
    $('error').hidden = false;
    setPhase('error');
    $('start').disabled = false;
  }

  function clearError() {
    state.error = null;
    $('error').hidden = true;
    $('error').textContent = '';
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KiB';
    return (bytes / 1048576).toFixed(1) + ' MiB';
  }

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) return '–';
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
    return (h > 0 ? h + ':' : '') + mm + ':' + String(r).padStart(2, '0');
  }

  function extension(name) {
    const dot = name.lastIndexOf('.');
    return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  }

  /* "Artist - Title.mp3" gives both, as mustory-upload reads names. */
  function fromName(name) {
    const dot = name.lastIndexOf('.');
    const stem = (dot > 0 ? name.slice(0, dot) : name).trim();
    const sep = stem.indexOf(' - ');
    if (sep > 0 && stem.slice(sep + 3).trim()) {
      return { artist: stem.slice(0, sep).trim(), title: stem.slice(sep + 3).trim() };
    }
    return { artist: 'Unknown artist', title: stem || 'Untitled' };
  }

  /* An Error whose message is the sentence to show. */
  function failure(step, status, detail) {
    const e = new Error(detail ? `${step}: ${detail}` : `${step} failed (HTTP ${status}).`);
    e.status = status;
    return e;
  }

  /* A call to our API: JSON both ways; a non-2xx answer throws its detail. */
  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + $('token').value.trim(), Accept: 'application/json' };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw failure(method + ' ' + path, 0, 'the API did not answer (' + e.message + ').');
    }
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      json = null;
    }
    if (!res.ok) {
      throw failure(stepName(path), res.status, json && typeof json.detail === 'string' ? json.detail : null);
    }
    if (json === null) throw failure(stepName(path), res.status, 'the API answered something that is not JSON.');
    return json;
  }

  function stepName(path) {
    if (path.endsWith('/init')) return 'Starting the upload';
    if (path.endsWith('/complete')) return 'Completing the upload';
    if (path.includes('/status/')) return 'Checking the processing';
    return 'Loading the track';
  }

  /* S3's error body is XML: <Error><Code/><Message/></Error>. */
  function storageMessage(xhr) {
    try {
      const doc = new DOMParser().parseFromString(xhr.responseText || '', 'application/xml');
      const m = doc.querySelector('Message');
      if (m && m.textContent) return m.textContent;
    } catch (e) { /* not XML */ }
    return xhr.status ? `storage answered HTTP ${xhr.status}.` : 'storage could not be reached (is its CORS rule set?).';
  }

  /*
   * The presigned form POST: every field as given, then the file last as
   * "file". onProgress(sent, total) from xhr.upload.onprogress.
   */
  function postForm(url, fields, file, onProgress) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.upload.onprogress = ev => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(failure('Uploading to storage', xhr.status, storageMessage(xhr)));
      };
      xhr.onerror = () => reject(failure('Uploading to storage', 0, storageMessage(xhr)));
      xhr.onabort = () => reject(failure('Uploading to storage', 0, 'the upload was stopped.'));
      xhr.send(form);
    });
  }

  function uploadProgress(label) {
    const t0 = performance.now();
    return (sent, total) => {
      const pct = total > 0 ? Math.min(100, Math.floor((sent * 100) / total)) : 0;
      const secs = (performance.now() - t0) / 1000;
      const rate = secs > 0.05 ? sent / secs : 0;
      const eta = rate > 0 && total > sent ? ', ' + clock((total - sent) / rate) + ' left' : '';
      $('upload-bar').value = pct;
      state.uploadPercents.push(pct);
      $('upload-text').textContent =
        `${label}: ${size(sent)} of ${size(total)} (${pct}%)` + (rate ? `, ${size(rate)}/s` : '') + eta;
    };
  }

  const sleep = ms => new Promise(r => setTimeout(r, ms));

  async function waitProcessed(id) {
    let errors = 0;
    for (;;) {
      let s;
      try {
        s = await api('GET', '/tracks/upload/status/' + id);
        errors = 0;
      } catch (e) {
        /* a 429 or 5xx passes; anything else (401, 404) is final */
        if ((e.status === 429 || e.status >= 500 || e.status === 0) && ++errors < POLL_ERRORS_MAX) {
          await sleep(POLL_MS);
          continue;
        }
        throw e;
      }
      $('process-bar').value = s.progress;
      state.processPercents.push(s.progress);
      $('process-text').textContent = `${s.status}, ${s.progress}%`;
      if (s.status === 'completed') return;
      if (s.status === 'failed') {
        throw failure('Processing failed', 200, (s.error || 'no reason was given') + '.');
      }
      await sleep(POLL_MS);
    }
  }

  function showTrack(track) {
    state.track = track;
    $('player').hidden = false;
    $('track-title').textContent = track.title;
    $('track-artist').textContent = track.artist_name;
    $('track-duration').textContent = clock(track.duration_seconds);
    showTags(track.tags);
    showLoudness(track.loudness);
    if (track.waveform_url) drawWaveform(track.waveform_url);
    const cover = $('cover');
    if (track.artwork_url) {
      cover.onload = () => { cover.hidden = false; $('cover-missing').hidden = true; };
      cover.onerror = () => { cover.hidden = true; $('cover-missing').hidden = false; $('cover-missing').textContent = 'artwork not available'; };
      cover.alt = 'Artwork of ' + track.title;
      cover.src = track.artwork_url;
    } else {
      cover.hidden = true;
      $('cover-missing').hidden = false;
    }
  }

  /* The file's own tags (album, track number, year...), beside what was typed. */
  function showTags(tags) {
    const el = $('track-tags');
    if (!tags) { el.hidden = true; return; }
    const parts = [];
    if (tags.album) parts.push(tags.album);
    if (tags.track && tags.track.number) {
      parts.push('track ' + tags.track.number + (tags.track.total ? '/' + tags.track.total : ''));
    }
    if (tags.year) parts.push(String(tags.year));
    if (tags.genre) parts.push(tags.genre);
    el.textContent = parts.join(' · ');
    el.hidden = parts.length === 0;
  }

  function showLoudness(l) {
    const el = $('track-loudness');
    if (!l) { el.hidden = true; return; }
    el.textContent = 'Loudness ' + l.integrated_lufs.toFixed(1) + ' LUFS, peak ' +
      l.true_peak_dbtp.toFixed(1) + ' dBTP, gain ' + (l.gain_db > 0 ? '+' : '') + l.gain_db.toFixed(1) + ' dB';
    el.hidden = false;
  }

  /* audiowaveform JSON v2 (one channel, min/max pairs) drawn as bars. */
  async function drawWaveform(url) {
    const canvas = $('waveform');
    try {
      const res = await fetch(url);
      if (!res.ok) return;
      const wf = await res.json();
      if (wf.version !== 2 || !Array.isArray(wf.data) || wf.length < 1) return;
      const ctx = canvas.getContext('2d');
      const w = canvas.width, h = canvas.height, range = wf.bits === 8 ? 128 : 32768;
      ctx.clearRect(0, 0, w, h);
      ctx.fillStyle = '#3b6ea5';
      for (let x = 0; x < w; x++) {
        const i = Math.floor(x * wf.length / w) * 2 * wf.channels;
        const lo = wf.data[i] / range, hi = wf.data[i + 1] / range;
        const top = (1 - hi) * h / 2, bottom = (1 - lo) * h / 2;
        ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
      }
      canvas.hidden = false;
      canvas.dataset.length = String(wf.length);
    } catch (e) {
      /* a player without a waveform still plays */
    }
  }

  function play(url) {
    const audio = $('audio-el');
    audio.addEventListener('playing', () => setPhase('playing'));
    audio.addEventListener('durationchange', () => {
      if (isFinite(audio.duration)) $('track-duration').textContent = clock(audio.duration);
    });
    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      state.hls = hls;
      hls.on(window.Hls.Events.LEVEL_LOADED, (ev, data) => {
        state.levelLoaded = true;
        const lvl = hls.levels[data.level];
        if (lvl) $('track-level').textContent = `HLS: ${Math.round(lvl.bitrate / 1000)} kbit/s of ${hls.levels.length} levels`;
      });
      hls.on(window.Hls.Events.ERROR, (ev, data) => {
        if (data.fatal) showError(`Playback failed: ${data.details}.`);
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
        audio.play().catch(() => { $('process-text').textContent += ' (press play)'; });
      });
      hls.loadSource(url);
      hls.attachMedia(audio);
    } else if (audio.canPlayType('application/vnd.apple.mpegurl')) {
      audio.src = url; /* Safari plays HLS itself */
      state.levelLoaded = true;
      audio.play().catch(() => {});
    } else {
      showError('This browser cannot play HLS.');
    }
  }

  async function run(ev) {
    ev.preventDefault();
    clearError();
    state.phases = [];
    state.uploadPercents = [];
    state.processPercents = [];
    const audioFile = $('audio').files[0];
    const artFile = $('artwork').files[0];
    if (!$('token').value.trim()) return showError('Paste an access token first.');
    if (!audioFile) return showError('Pick an audio file first.');
    if (audioFile.size === 0) return showError('The audio file is empty.');
    sessionStorage.setItem('mustory-token', $('token').value.trim());
    const guess = fromName(audioFile.name);
    const body = {
      title: $('title').value.trim() || guess.title,
      artist_name: $('artist').value.trim() || guess.artist,
      file_extension: extension(audioFile.name),
      file_size: audioFile.size,
    };
    if (artFile) body.artwork_extension = extension(artFile.name);

    $('start').disabled = true;
    $('progress').hidden = false;
    $('player').hidden = true;
    $('upload-bar').value = 0;
    $('process-bar').value = 0;
    try {
      setPhase('init');
      const init = await api('POST', '/tracks/upload/init', body);
      state.trackId = init.track_id;
      setPhase('uploading');
      await postForm(init.audio_upload_url, init.audio_upload_fields, audioFile, uploadProgress('Audio'));
      if (artFile) {
        await postForm(init.artwork_upload_url, init.artwork_upload_fields, artFile, uploadProgress('Artwork'));
      }
      $('upload-text').textContent = 'uploaded ' + size(audioFile.size) + (artFile ? ' and the artwork' : '');
      setPhase('processing');
      await api('POST', '/tracks/upload/complete', { track_id: init.track_id });
      $('process-text').textContent = 'queued';
      await waitProcessed(init.track_id);
      const track = await api('GET', '/tracks/' + init.track_id);
      setPhase('ready');
      showTrack(track);
      play(track.hls_url);
    } catch (e) {
      showError(e.message);
    } finally {
      $('start').disabled = false;
    }
  }

  function onAudioPicked() {
    const f = $('audio').files[0];
    if (!f) return;
    const guess = fromName(f.name);
    $('title').placeholder = guess.title;
    $('artist').placeholder = guess.artist;
  }

  $('token').value = sessionStorage.getItem('mustory-token') || '';
  $('audio').addEventListener('change', onAudioPicked);
  $('upload-form').addEventListener('submit', run);
})();
