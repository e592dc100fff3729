// End-to-end tests of the web console: the real `mcu` (default configuration), three real
// `mcu-room` sites that wait to be called (each a tone and a colour), and Debian's Chromium
// driven by playwright-core, in Vietnam's time zone at an office laptop's 1366x768.
//
//   host:        logs in with the keyboard, schedules a conference in the form, watches the
//                sites join on the roll-call board, previews the composite over WebRTC (decoded
//                frames, the colours of the tiles and their geometry as the layout changes),
//                mutes a site (its badge changes, its tone leaves the mix the preview hears);
//   technician:  sees each stream's statistics move each second, the site's charts; the mute
//                buttons are disabled and the API refuses the mute (403);
//   admin:       sites (a new token shown once), users, settings; history with attendance; a
//                SIP room system added by its address (no token, how it calls in instead), and
//                an address the server refuses shown in the form, nothing created; whether the
//                MCU calls it (ticked for a new one) saved and read back through the server; its
//                call's state and reason on the roll-call board.
//   every page:  every control has an accessible name; Vietnamese first, English on request.
//
// Screenshots of every page go to test-output/browser/console-*.png.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Api, Mcu, Room, chromiumBin, consoleLogin, outDir, videoColours, waitFor } from './support.mjs';

const CONFERENCE = 'hop-thu';
// The sites: the host site first. Colours are pure so that the composite's tiles can be told apart.
const SITES = [
  { site: 'tinh-1', token: 'demo-tinh-1', tone: 440, color: 'ff0000', name: 'red' },
  { site: 'huyen-1', token: 'demo-huyen-1', tone: 660, color: '00ff00', name: 'green' },
  { site: 'huyen-2', token: 'demo-huyen-2', tone: 1000, color: '0000ff', name: 'blue' },
];
const NOISE_HZ = 2500;  // No site sends it: the floor the tones are compared with.
const VIEWPORT = { width: 1366, height: 768 };

// Runs in the page: the preview's picture, classified by colour. For red, green and blue: the
// share of the frame's pixels and their bounding box, as fractions of the frame.
function tilesInPreview() {
  const v = document.getElementById('preview');
  if (!v || !v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = v.videoWidth;
  c.height = v.videoHeight;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0);
  const { data } = g.getImageData(0, 0, c.width, c.height);
  const out = {};
  for (const name of ['red', 'green', 'blue']) out[name] = { count: 0, minX: 1, maxX: 0, minY: 1, maxY: 0 };
  for (let y = 0; y < c.height; y += 2)
    for (let x = 0; x < c.width; x += 2) {
      const i = (y * c.width + x) * 4;
      const [r, gr, b] = [data[i], data[i + 1], data[i + 2]];
      const name = r > 150 && gr < 90 && b < 90 ? 'red' : gr > 150 && r < 90 && b < 90 ? 'green'
        : b > 150 && r < 90 && gr < 90 ? 'blue' : null;
      if (!name) continue;
      const t = out[name];
      t.count++;
      t.minX = Math.min(t.minX, x / c.width);
      t.maxX = Math.max(t.maxX, x / c.width);
      t.minY = Math.min(t.minY, y / c.height);
      t.maxY = Math.max(t.maxY, y / c.height);
    }
  const total = (c.width / 2) * (c.height / 2);
  for (const t of Object.values(out)) {
    t.share = t.count / total;
    t.width = Math.max(0, t.maxX - t.minX);
    t.height = Math.max(0, t.maxY - t.minY);
  }
  return { width: c.width, height: c.height, frames: v.getVideoPlaybackQuality().totalVideoFrames, tiles: out };
}

// Runs in the page: the level (dB) of each frequency in what the preview hears, averaged over
// `ms` (an AnalyserNode on the preview's stream; 8192-point FFT at 48 kHz: 5.9 Hz a bin).
async function toneLevels({ freqs, ms }) {
  const v = document.getElementById('preview');
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(v.srcObject);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  source.connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const sum = new Float64Array(analyser.frequencyBinCount);
  let n = 0;
  for (const end = performance.now() + ms; performance.now() < end; n++) {
    await new Promise((r) => setTimeout(r, 60));
    analyser.getFloatFrequencyData(bins);
    for (let i = 0; i < bins.length; i++) sum[i] += 10 ** (bins[i] / 10);
  }
  const hzPerBin = ctx.sampleRate / analyser.fftSize;
  await ctx.close();
  return freqs.map((f) => {
    const b = Math.round(f / hzPerBin);
    let p = 0;
    for (let k = b - 2; k <= b + 2; k++) p = Math.max(p, sum[k] / n);
    return 10 * Math.log10(p + 1e-20);
  });
}

// Runs in the page: controls that have no accessible name (a label, aria-label(ledby), a title,
// or a button's text).
function unnamedControls() {
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea, button, [role="radio"], a[href]')) {
    if (el.type === 'hidden' || el.closest('[hidden]') || el.offsetParent === null) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label')?.trim() ||
      el.getAttribute('aria-labelledby') || el.getAttribute('title')?.trim() ||
      (['BUTTON', 'A'].includes(el.tagName) || el.getAttribute('role')) && el.textContent.trim();
    if (!named) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}

// Sets a form control by its name: text, datetime, select, a radio's value or a checkbox.
async function setField(page, name, value) {
  const el = page.locator(`form [name="${name}"]`).first();
  const kind = await el.evaluate((e) => (e.tagName === 'SELECT' ? 'select' : e.type));
  if (kind === 'select') await el.selectOption(String(value));
  else if (kind === 'radio') await page.locator(`form [name="${name}"][value="${value}"]`).check();
  else if (kind === 'checkbox') await el.setChecked(Boolean(value));
  else await el.fill(String(value));
}

// "YYYY-MM-DDTHH:MM" in Vietnam (UTC+7, no summer time), `minutes` from now.
function vietnamLocal(minutes) {
  const d = new Date(Date.now() + minutes * 60_000 + 7 * 3600_000);
  return d.toISOString().slice(0, 16);
}

describe('web console', () => {
  const mcu = new Mcu('mcu-console');
  const rooms = [];
  let browser;

  before(async () => {
    await mcu.start();
    const ca = path.join(mcu.dir, 'data', 'tls-cert.pem');
    // Rooms that run themselves: connected, idle, waiting for the MCU to call them in.
    for (const s of SITES)
      rooms.push(new Room(`console-room-${s.site}`, [
        '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', ca, '--token', s.token,
        '--ice-address', '127.0.0.1', '--tone', String(s.tone), '--color', s.color,
        '--width', '320', '--height', '180', '--fps', '15',
      ]));
    browser = await chromium.launch({
      executablePath: chromiumBin,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--allow-loopback-in-peer-connection', '--ignore-certificate-errors',
        '--autoplay-policy=no-user-gesture-required'],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    for (const r of rooms) await r.kill();
    await mcu.stop();
  });

  // A logged-in page in a fresh context (Vietnam's time zone), recording console errors.
  async function openAs(login, password) {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true, viewport: VIEWPORT, timezoneId: 'Asia/Ho_Chi_Minh', locale: 'vi-VN',
    });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await consoleLogin(page, mcu.origin, login, password);
    problems.length = 0;  // Before the login, the console's "who am I" was a 401, as it should be.
    return { context, page, problems };
  }

  async function shot(page, name) {
    // caret: 'initial': Playwright's caret-hiding style would break the page's CSP (style-src 'self').
    await page.screenshot({ path: path.join(outDir, `console-${name}.png`), fullPage: true, caret: 'initial' });
  }

  async function expectNamed(page, where) {
    assert.deepEqual(await page.evaluate(unnamedControls), [], `controls without a name on ${where}`);
  }

  test('log in with the keyboard; Vietnamese first, English on request', { timeout: 30_000 }, async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: VIEWPORT });
    const page = await context.newPage();
    try {
      await page.goto(`${mcu.origin}/`);
      await page.waitForURL(/#\/login/);
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
      await page.waitForSelector('.health[data-ok="true"]');
      await expectNamed(page, 'the login page');
      await shot(page, 'login');
      // The login field has the focus; Tab goes to the password, Enter submits.
      assert.equal(await page.evaluate(() => document.activeElement.name), 'login');
      await page.keyboard.type('chutri');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.name), 'password');
      await page.keyboard.type('sai-mat-khau');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.form-error:not([hidden])');
      assert.match(await page.textContent('.form-error'), /Sai tên đăng nhập hoặc mật khẩu/);
      await page.keyboard.type('chutri-demo');  // The password field has the focus again.
      await page.keyboard.press('Enter');
      await page.waitForURL(/#\/conferences/);
      assert.equal((await page.textContent('nav a[aria-current="page"]')).trim(), 'Hội nghị');
      await page.click('#lang-switch');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.waitForFunction(() => document.querySelector('nav a[aria-current="page"]')?.textContent.trim() === 'Conferences');
      await page.click('#lang-switch');
      assert.equal(await page.getAttribute('html', 'lang'), 'vi');
    } finally {
      await context.close();
    }
  });

  test('a host schedules a conference, the sites join, the preview follows the layout and a mute', { timeout: 180_000 }, async () => {
    const { context, page, problems } = await openAs('chutri', 'chutri-demo');
    try {
      await page.waitForSelector('[data-conference="giao-ban"]');
      await expectNamed(page, 'the conference list');
      await shot(page, 'conferences');

      await page.click('#new-conference');
      await page.waitForSelector('#conference-save');
      await setField(page, 'title', 'Họp thử bảng điều khiển');
      await setField(page, 'id', CONFERENCE);
      await setField(page, 'start', vietnamLocal(10));
      await setField(page, 'end', vietnamLocal(70));
      await setField(page, 'leadTimeMinutes', 30);  // Opens at once: the technical check has begun.
      for (const s of SITES) await page.locator(`form [name="invited"][value="${s.site}"]`).check();
      await setField(page, 'host', 'tinh-1');
      await setField(page, 'layout', 'grid');
      await expectNamed(page, 'the conference form');
      await shot(page, 'conference-form');
      await page.click('#conference-save');
      await page.waitForSelector(`[data-conference="${CONFERENCE}"]`);

      // The rooms are called in by themselves; the roll-call board shows them arrive.
      await page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      for (const s of SITES)
        await page.waitForSelector(`[data-site="${s.site}"][data-state="video"]`, { timeout: 60_000 });
      await page.waitForSelector(`[data-site="huyen-1"] .quality[data-quality="good"]`, { timeout: 10_000 });

      // The preview: decoded frames of the composite, every site's colour in a tile of the grid.
      await page.waitForFunction(() => window.mcuPreview?.state === 'connected', null, { timeout: 30_000 });
      // The host's own preview is shown to the conference: one console viewer, by login.
      await page.waitForSelector('#viewers[data-count="1"]:not([hidden])');
      assert.match(await page.textContent('#viewers'), /chutri/);
      const grid = await waitFor('the three tiles of the grid in the preview', async () => {
        const t = await page.evaluate(tilesInPreview);
        return t && t.frames > 10 && Object.values(t.tiles).every((x) => x.share > 0.05) ? t : null;
      }, 20_000, 500);
      console.log(`  preview ${grid.width}x${grid.height}, grid: ${JSON.stringify(grid.tiles)}`);
      for (const [name, t] of Object.entries(grid.tiles)) {
        assert.ok(t.width > 0.35 && t.width < 0.55, `${name}'s tile in the grid is ${t.width} of the width`);
        assert.ok(t.height > 0.35 && t.height < 0.55, `${name}'s tile in the grid is ${t.height} of the height`);
      }
      await expectNamed(page, 'the live page');
      await shot(page, 'live-grid');

      // Speaker layout with huyen-2 (blue) spotlighted: its tile is the large one.
      await page.click('[data-layout="speaker"]');
      await page.click('[data-site="huyen-2"] [data-action="spotlight"]');
      const speaker = await waitFor('blue large in the speaker layout', async () => {
        const t = await page.evaluate(tilesInPreview);
        return t && t.tiles.blue.width > 0.65 && t.tiles.red.width < 0.3 && t.tiles.green.width < 0.3 ? t : null;
      }, 15_000, 500);
      console.log(`  speaker layout: ${JSON.stringify(speaker.tiles)}`);
      assert.equal(await page.getAttribute('[data-layout="speaker"]', 'aria-checked'), 'true');
      await shot(page, 'live-speaker');

      // Muting huyen-1 (660 Hz): its badge changes and its tone leaves the mix; the others stay.
      const freqs = [440, 660, 1000, NOISE_HZ];
      const before = await page.evaluate(toneLevels, { freqs, ms: 1500 });
      console.log(`  levels before the mute (dB at ${freqs}): ${before.map((x) => x.toFixed(1))}`);
      for (let i = 0; i < 3; i++)
        assert.ok(before[i] > before[3] + 20, `${freqs[i]} Hz is not heard before the mute: ${before}`);
      await page.click('[data-site="huyen-1"] [data-action="mute-audio"]');
      await page.waitForSelector('[data-site="huyen-1"][data-muted-audio="true"]');
      assert.equal(await page.getAttribute('[data-site="huyen-1"] [data-action="mute-audio"]', 'aria-pressed'), 'true');
      // The mix settles within a few hundred milliseconds: listen until 660 Hz is gone (or 10 s).
      const muted = await waitFor('660 Hz to leave the mix', async () => {
        const levels = await page.evaluate(toneLevels, { freqs, ms: 1500 });
        return levels[1] < before[1] - 20 ? levels : null;
      }, 10_000, 0).catch(() => page.evaluate(toneLevels, { freqs, ms: 1500 }));
      console.log(`  levels after the mute: ${muted.map((x) => x.toFixed(1))}`);
      assert.ok(muted[1] < before[1] - 20, `660 Hz is still heard after the mute: ${muted}`);
      assert.ok(muted[0] > muted[3] + 20 && muted[2] > muted[3] + 20, `the other sites went quiet too: ${muted}`);
      await shot(page, 'live-muted');
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('a technician watches each stream move and may not mute', { timeout: 90_000 }, async () => {
    const { context, page, problems } = await openAs('kythuat', 'kythuat-demo');
    try {
      await page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      const mute = page.locator('[data-site="huyen-2"] [data-action="mute-audio"]');
      await mute.waitFor();
      assert.ok(await mute.isDisabled(), 'a technician\u2019s mute button is enabled');
      // A technician sees stream health, not content: no preview is asked for.
      await page.waitForSelector('#preview-state[data-state="not-allowed"]');
      assert.equal(await page.evaluate(() => window.mcuPreview?.state), 'idle');
      const refused = await page.evaluate(async (conf) => {
        const s = await (await fetch('/api/v1/session')).json();
        const r = await fetch(`/api/v1/conferences/${conf}/sites/huyen-2/mute`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrfToken },
          body: JSON.stringify({ audio: true }),
        });
        return { status: r.status, body: await r.json() };
      }, CONFERENCE);
      assert.equal(refused.status, 403, JSON.stringify(refused));
      await shot(page, 'live-technician');

      await page.goto(`${mcu.origin}/#/monitor`);
      const row = `#streams tr[data-conference="${CONFERENCE}"][data-site="huyen-2"][data-direction="videoIn"]`;
      await page.waitForSelector(row, { timeout: 15_000 });
      const read = () => page.evaluate((sel) => {
        const cells = {};
        for (const td of document.querySelectorAll(`${sel} [data-field]`)) cells[td.dataset.field] = td.textContent.trim();
        return cells;
      }, row);
      const first = await waitFor('a bitrate', async () => {
        const c = await read();
        return parseFloat(c.kbps) > 0 ? c : null;
      }, 10_000, 250);
      const later = await waitFor('the bitrate to move', async () => {
        const c = await read();
        return c.kbps !== first.kbps ? c : null;
      }, 10_000, 250);
      console.log(`  videoIn of huyen-2: ${JSON.stringify(first)} then ${JSON.stringify(later)}`);
      assert.equal(later.codec, 'VP8');
      assert.ok(parseFloat(later.fps) > 5, `fps ${later.fps}`);
      assert.match(later.resolution, /320\s*[x×]\s*180/);
      assert.match(later.srtp, /AES|GCM/);
      assert.match(later.ice, /connected|completed|đã kết nối|hoàn tất/i, `ICE ${later.ice}`);
      await expectNamed(page, 'the monitoring page');
      await shot(page, 'monitor');

      await page.goto(`${mcu.origin}/#/monitor/${CONFERENCE}/huyen-2`);
      await page.waitForSelector('canvas', { timeout: 15_000 });
      // The site's charts have their history: the bitrate chart's legend shows the time of its
      // last point (a clock) instead of "no data".
      await page.waitForFunction(() => /\d:\d\d/.test(
        document.querySelector('#site-charts [data-chart="bitrate"] .chart-time')?.textContent || ''),
      null, { timeout: 15_000 });
      await shot(page, 'monitor-site');
      assert.deepEqual(problems.filter((p) => !/403/.test(p)), [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('a host records the conference from the live page, then plays, downloads and deletes the recording', { timeout: 120_000 }, async () => {
    const { context, page, problems } = await openAs('chutri', 'chutri-demo');
    const api = new Api(mcu);
    await api.login('chutri', 'chutri-demo');
    try {
      await page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      for (const s of SITES)
        await page.waitForSelector(`[data-site="${s.site}"][data-state="video"]`, { timeout: 60_000 });
      await page.click('#record');
      await page.waitForSelector('#recording-indicator:not([hidden])');
      assert.equal(await page.getAttribute('#record', 'aria-pressed'), 'true');
      // About 4 s written (the roll-call's progress says so), then stopped from the page.
      await waitFor('4 s recorded', async () => {
        const r = await api.get(`/conferences/${CONFERENCE}/roll-call`);
        return r.recording && r.recording.durationMs >= 4000;
      }, 20_000, 250);
      await page.click('#record');
      await page.waitForSelector('#recording-indicator', { state: 'hidden' });

      // The history lists it, finished; the page plays it: the video advances, 1280x720, with
      // the sites' colours in the picture.
      await page.goto(`${mcu.origin}/#/history/${CONFERENCE}`);
      const row = page.locator('tr[data-recording][data-state="finished"]');
      await row.waitFor();
      await expectNamed(page, 'the history with a recording');
      await row.locator('.rec-play').click();
      await page.waitForFunction(() => {
        const v = document.querySelector('video.rec-player');
        return v && v.currentTime > 1.5 && v.videoWidth === 1280;
      }, null, { timeout: 20_000 });
      const colours = await videoColours(page, 'video.rec-player');
      console.log(`  recording played: pixels by colour ${JSON.stringify(colours)}`);
      // The layout the first test left: huyen-2 (blue) large, red and green small.
      for (const [name, count] of Object.entries(colours))
        assert.ok(count > 160 * 90 * 0.02, `${name} is missing from the recording's picture: ${JSON.stringify(colours)}`);
      await shot(page, 'history-recording');

      // Downloaded whole; then deleted, after a confirmation.
      const [listed] = await api.get(`/recordings?conference=${CONFERENCE}`);
      const [download] = await Promise.all([page.waitForEvent('download'), row.locator('.rec-download').click()]);
      assert.equal(download.suggestedFilename(), listed.file);
      assert.equal(fs.statSync(await download.path()).size, listed.bytes);
      await row.locator('.rec-delete').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Xóa' }).click();
      await page.waitForSelector('tr[data-recording]', { state: 'detached' });
      assert.deepEqual(await api.get(`/recordings?conference=${CONFERENCE}`), []);
      const actions = (await api.get('/audit?limit=20')).filter((a) => a.detail?.file === listed.file).map((a) => a.action);
      for (const a of ['record-start', 'record-stop', 'record-play', 'record-download', 'record-delete'])
        assert.ok(actions.includes(a), `${a} is not in the audit log: ${actions}`);

      // "Record whenever it opens" in the form: stored, and ticked when the form is opened again.
      await page.goto(`${mcu.origin}/#/conferences/${CONFERENCE}/edit`);
      await page.waitForSelector('#conference-save');
      const autoRecord = page.getByLabel('Ghi hình mỗi khi hội nghị mở');
      assert.equal(await autoRecord.isChecked(), false);
      await autoRecord.check();
      await page.click('#conference-save');
      await page.waitForURL(/#\/conferences$/);
      assert.equal((await api.get(`/conferences/${CONFERENCE}`)).autoRecord, true);
      await page.goto(`${mcu.origin}/#/conferences/${CONFERENCE}/edit`);
      await page.waitForSelector('#conference-save');
      assert.equal(await page.getByLabel('Ghi hình mỗi khi hội nghị mở').isChecked(), true);
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('a host goes live from the live page; a technician, then a viewer link, watch the stream on the watch page', { timeout: 150_000 }, async () => {
    const host = await openAs('chutri', 'chutri-demo');
    const api = new Api(mcu);
    await api.login('chutri', 'chutri-demo');
    let viewer;
    let guest;
    try {
      await host.page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      for (const s of SITES)
        await host.page.waitForSelector(`[data-site="${s.site}"][data-state="video"]`, { timeout: 60_000 });
      await host.page.click('#stream');
      await host.page.waitForSelector('#stream-indicator:not([hidden])');
      assert.equal(await host.page.getAttribute('#stream', 'aria-pressed'), 'true');
      const watchUrl = await host.page.getAttribute('#watch-link', 'href');
      assert.equal(watchUrl, `/watch.html?c=${CONFERENCE}`);
      await expectNamed(host.page, 'the live page while it streams');

      // Another console user (any role) opens the watch page: the video advances, 1280x720,
      // with the sites' colours, and its badge says it is live.
      viewer = await openAs('kythuat', 'kythuat-demo');
      await viewer.page.goto(`${mcu.origin}${watchUrl}`);
      await viewer.page.waitForFunction(() => {
        const v = document.querySelector('#watch-video');
        return v && v.videoWidth === 1280 && v.readyState >= 2 && !v.paused && v.currentTime > 0;
      }, null, { timeout: 40_000 });
      const t0 = await viewer.page.evaluate(() => document.querySelector('#watch-video').currentTime);
      await viewer.page.waitForFunction((t) => document.querySelector('#watch-video').currentTime > t + 3, t0,
        { timeout: 30_000 });
      assert.equal(await viewer.page.getAttribute('#watch-state', 'data-state'), 'live');
      await viewer.page.waitForSelector('#watch-title[data-conference]');
      assert.equal(await viewer.page.textContent('#watch-title'), 'Họp thử bảng điều khiển', 'the conference by its title');
      const colours = await videoColours(viewer.page, '#watch-video');
      for (const [name, count] of Object.entries(colours))
        assert.ok(count > 160 * 90 * 0.02, `${name} is missing from the stream's picture: ${JSON.stringify(colours)}`);
      // How far behind the composite the viewer plays: the stream's newest timestamp (the
      // roll-call's durationMs, the same time base as the video's) against the video's time.
      const roll = await api.get(`/conferences/${CONFERENCE}/roll-call`);
      const playing = await viewer.page.evaluate(() => document.querySelector('#watch-video').currentTime);
      console.log(`  live stream: the viewer plays ${(roll.stream.durationMs / 1000 - playing).toFixed(1)} s behind the composite; pixels by colour ${JSON.stringify(colours)}`);
      await shot(viewer.page, 'watch');
      assert.deepEqual(viewer.problems, [], 'no console errors on the watch page');

      // Someone without a login, through a viewer link the host made in the live page's dialog:
      // it plays; revoked there, the page says the link cannot be used.
      await host.page.click('#stream-links');
      await host.page.waitForSelector('#stream-links-none:not([hidden])');
      await host.page.fill('#stream-link-label', 'cổng thông tin');
      await host.page.selectOption('#stream-link-lifetime', '60');
      await host.page.fill('#stream-link-viewers', '0');
      await host.page.click('#stream-link-form button[type=submit]');
      assert.equal(await host.page.getAttribute('#stream-link-viewers', 'aria-invalid'), 'true', 'no link for 0 viewers');
      await host.page.fill('#stream-link-viewers', '2');
      await host.page.click('#stream-link-form button[type=submit]');
      const row = '#stream-links-list tr[data-link][data-state="active"]';
      await host.page.waitForSelector(row);
      assert.match(await host.page.textContent(row), /cổng thông tin/);
      const linkUrl = await host.page.inputValue('#stream-link-url');
      assert.match(linkUrl, new RegExp(`^${mcu.origin}/watch\\.html\\?c=${CONFERENCE}#token=.+`));
      const [made] = await api.get(`/conferences/${CONFERENCE}/stream/links`);
      assert.equal(made.maxViewers, 2);
      assert.ok(Math.abs(made.expiresMs - made.createdMs - 60 * 60_000) < 1000, 'valid for the hour chosen');
      await expectNamed(host.page, 'the viewer links dialog');
      await shot(host.page, 'stream-links');
      guest = await browser.newContext({ ignoreHTTPSErrors: true, viewport: VIEWPORT });
      const guestPage = await guest.newPage();
      await guestPage.goto(linkUrl);
      await guestPage.waitForFunction(() => {
        const v = document.querySelector('#watch-video');
        return v && v.videoWidth === 1280 && v.currentTime > 1;
      }, null, { timeout: 40_000 });
      await guestPage.waitForSelector('#watch-title[data-conference]');
      assert.equal(await guestPage.textContent('#watch-title'), 'Họp thử bảng điều khiển', 'the title through the link');
      await host.page.click(`${row} button[data-action=revoke]`);
      await host.page.waitForSelector('#stream-links-list tr[data-link][data-state="revoked"]');
      await guestPage.waitForSelector('#watch-state[data-state="refused"]', { timeout: 10_000 });
      await host.page.keyboard.press('Escape');
      const audited = (await api.get('/audit?limit=20')).map((a) => a.action);
      for (const a of ['stream-link-create', 'stream-link-view', 'stream-link-revoke'])
        assert.ok(audited.includes(a), `${a} is not in the audit log: ${audited}`);

      await host.page.click('#stream');
      await host.page.waitForSelector('#stream-indicator', { state: 'hidden' });
      const actions = (await api.get('/audit?limit=20')).map((a) => a.action);
      for (const a of ['stream-start', 'stream-stop'])
        assert.ok(actions.includes(a), `${a} is not in the audit log: ${actions}`);
      assert.deepEqual(host.problems, [], 'no console errors on the live page');
    } finally {
      await guest?.close();
      await viewer?.context.close();
      await host.context.close();
    }
  });

  test('an administrator creates a site, sees its token once, and reads users, settings and history', { timeout: 60_000 }, async () => {
    const { context, page, problems } = await openAs('quantri', 'quantri-demo');
    try {
      await page.goto(`${mcu.origin}/#/admin/sites`);
      await page.waitForSelector('[data-site="huyen-1"]');
      await shot(page, 'admin-sites');
      await expectNamed(page, 'the sites page');
      await page.click('[data-site="huyen-3"] [data-action="token"]');
      // A confirmation first, then the token, once.
      const confirm = page.locator('dialog[open] button.btn-danger, dialog[open] button.btn-primary').first();
      if (await confirm.isVisible().catch(() => false)) await confirm.click();
      await page.waitForSelector('#token-secret');
      const secret = (await page.textContent('#token-secret')).trim();
      assert.match(secret, /^[A-Za-z0-9_-]{20,}$/, `a token: ${secret}`);
      await shot(page, 'admin-token');
      await page.keyboard.press('Escape');

      await page.goto(`${mcu.origin}/#/admin/users`);
      await page.waitForSelector('[data-user="chutri"]');
      await shot(page, 'admin-users');
      // The host's API token, with its expiry, revoked by the administrator.
      const host = await mcu.login('chutri', 'chutri-demo');
      const made = await host.post('/tokens', { name: 'giam-sat', days: 30 });
      await page.click('[data-user="chutri"] [data-action="tokens"]');
      const row = `dialog[open] tr[data-token="${made.id}"]`;
      await page.waitForSelector(row);
      assert.match(await page.textContent(row), /giam-sat/);
      await shot(page, 'admin-user-tokens');
      await page.click(`${row} [data-action="revoke"]`);
      await page.click('dialog[open] button.btn-danger');
      await page.waitForSelector('dialog[open] p.empty');
      assert.deepEqual(await host.get('/tokens'), [], 'the token is gone');
      await page.keyboard.press('Escape');
      await page.goto(`${mcu.origin}/#/admin/settings`);
      await page.waitForFunction(() => document.body.textContent.includes('Asia/Ho_Chi_Minh'));
      await shot(page, 'admin-settings');

      await page.goto(`${mcu.origin}/#/history`);
      await page.waitForSelector(`a[href="#/history/${CONFERENCE}"]`);
      await shot(page, 'history');
      await page.goto(`${mcu.origin}/#/history/${CONFERENCE}`);
      for (const s of SITES) await page.waitForSelector(`[data-site="${s.site}"]`);
      assert.ok(await page.locator(`a[href*="format=csv"]`).count() > 0, 'a CSV export');
      await expectNamed(page, 'the history page');
      await shot(page, 'history-conference');
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('an administrator adds a SIP room system by its address; an address without a user part is refused', { timeout: 90_000 }, async () => {
    const SIP_SITE = { id: 'huyen-b-poly', name: 'Huyện B - Poly', uri: 'sip:phong1@10.20.3.5' };
    const { context, page, problems } = await openAs('quantri', 'quantri-demo');
    const api = await mcu.login('quantri', 'quantri-demo');
    try {
      await page.goto(`${mcu.origin}/#/admin/sites`);
      await page.waitForSelector('[data-site="huyen-1"]');
      await page.click('#new-site');
      const uri = page.locator('dialog[open] form [name="sipUri"]');
      const dial = page.locator('dialog[open] form [name="sipDial"]');
      await page.waitForSelector('dialog[open] form [name="id"]');
      assert.ok(await uri.isHidden(), 'a room is not asked for a SIP address');
      assert.ok(await dial.isHidden(), 'nor whether the MCU calls it');
      await setField(page, 'id', SIP_SITE.id);
      await setField(page, 'name', SIP_SITE.name);
      await setField(page, 'kind', 'sip');
      await uri.waitFor({ state: 'visible' });
      assert.equal(await uri.getAttribute('placeholder'), SIP_SITE.uri);
      assert.equal((await page.locator('dialog[open] form select[name="kind"] option:checked').textContent()).trim(),
        'Hệ thống SIP (Poly, Cisco…)');
      assert.match(await page.locator('label[for]', { hasText: 'Địa chỉ SIP' }).locator('..').textContent(),
        /phần tên \(trước “@”\) và địa chỉ nơi cuộc gọi xuất phát/);
      // A new SIP room system is called by the MCU unless the administrator says otherwise.
      await dial.waitFor({ state: 'visible' });
      assert.ok(await page.getByLabel('MCU gọi tới điểm cầu khi cuộc họp bắt đầu').isChecked(), 'ticked for a new one');
      await expectNamed(page, 'the site form');

      // No user part: the server refuses it, its reason is shown in the form, no site is made.
      await setField(page, 'sipUri', 'sip:10.0.0.1');
      await page.click('dialog[open] form button[type="submit"]');
      const error = page.locator('dialog[open] .form-error:not([hidden])');
      await error.waitFor();
      assert.match(await error.textContent(), /^Không thực hiện được: sipUri must be sip:user@host \(no user part\)/);
      await shot(page, 'admin-sip-refused');
      await assert.rejects(api.get(`/sites/${SIP_SITE.id}`), /404/, 'the refused site was not created');

      // Its address: created; instead of a token, how the room system calls in.
      await setField(page, 'sipUri', SIP_SITE.uri);
      await page.click('dialog[open] form button[type="submit"]');
      await page.waitForSelector('dialog[open] #sip-dial');
      assert.equal((await page.textContent('#sip-dial')).trim(), 'sips:<mã hội nghị>@127.0.0.1');
      const howTo = await page.textContent('dialog[open]');
      assert.match(howTo, /không dùng mã truy cập/);
      assert.match(howTo, /tên “phong1” và xuất phát từ 10\.20\.3\.5/);
      assert.equal(await page.locator('#token-secret').count(), 0, 'no token to install');
      await expectNamed(page, 'the call-in dialog');
      await shot(page, 'admin-sip-dialing');
      await page.click('dialog[open] .form-footer button');

      // The list shows its address; its row explains calling in rather than renewing a token.
      const row = page.locator(`tr[data-site="${SIP_SITE.id}"]`);
      await row.locator('.adm-sip-uri', { hasText: SIP_SITE.uri }).waitFor();
      assert.match(await row.locator('td.adm-kind').textContent(), /^Hệ thống SIP \(Poly, Cisco…\)/);
      assert.equal(await row.locator('[data-action="token"]').count(), 0);
      assert.equal(await row.locator('[data-action="dial"]').count(), 1);
      const stored = await api.get(`/sites/${SIP_SITE.id}`);
      assert.equal(stored.kind, 'sip');
      assert.equal(stored.sipUri, SIP_SITE.uri);
      assert.equal(stored.name, SIP_SITE.name);
      assert.equal(stored.sipDial, true, 'the MCU calls it');
      assert.equal(stored.sipPlainSignalling, false, 'SIP over TLS only unless ticked');
      assert.equal((await row.locator('.adm-sip-calling').textContent()).trim(), 'MCU gọi tới');
      assert.equal(await row.locator('.adm-sip-calling').getAttribute('data-sip-dial'), 'true');
      await shot(page, 'admin-sites-sip');

      // An edit shows the address and the choice, and keeps the address; unticked, the MCU no
      // longer calls it: it only calls in.
      await row.locator('[data-action="edit"]').click();
      await page.waitForSelector('dialog[open] form [name="sipUri"]');
      assert.equal(await uri.inputValue(), SIP_SITE.uri);
      assert.equal(await page.locator('dialog[open] form select[name="kind"]').inputValue(), 'sip');
      assert.ok(await dial.isChecked(), 'the stored choice');
      await setField(page, 'network', 'WAN huyện B');
      await setField(page, 'sipDial', false);
      await setField(page, 'sipPlain', true);
      await page.click('dialog[open] form button[type="submit"]');
      await waitFor('the edit to be saved', async () => (await api.get(`/sites/${SIP_SITE.id}`)).network === 'WAN huyện B', 10_000);
      const edited = await api.get(`/sites/${SIP_SITE.id}`);
      assert.equal(edited.sipUri, SIP_SITE.uri);
      assert.equal(edited.sipDial, false, 'it only calls in');
      assert.equal(edited.sipPlainSignalling, true, 'a closed line: plain SIP allowed');
      await row.locator('.adm-sip-calling[data-sip-dial="false"]', { hasText: 'Chỉ tự gọi vào' }).waitFor();
      // Opened again: unticked, as the server has it; ticked again, the MCU calls it again.
      await row.locator('[data-action="edit"]').click();
      await page.waitForSelector('dialog[open] form [name="sipUri"]');
      assert.equal(await dial.isChecked(), false, 'the stored choice');
      assert.ok(await page.locator('dialog[open] form [name="sipPlain"]').isChecked(), 'the stored allowance');
      await setField(page, 'sipDial', true);
      await page.click('dialog[open] form button[type="submit"]');
      await waitFor('the MCU to call it again', async () => (await api.get(`/sites/${SIP_SITE.id}`)).sipDial === true, 10_000);
      await row.locator('.adm-sip-calling[data-sip-dial="true"]').waitFor();

      // The roll-call board says where the MCU's call to it is. No SIP unit answers at its
      // address here, so the roll-call's answer (the real one) is given the site's call as the
      // bridge reports it: ended with the callee busy, to be called again; then in the call.
      let call = { state: 'waiting', detail: '486 Busy Here', remoteTitle: '', remoteSpeaker: '', mutedAudio: false, mutedVideo: false, attempts: 2 };
      await page.route(`**/api/v1/conferences/${CONFERENCE}/roll-call`, async (route) => {
        const res = await route.fetch();
        const roll = await res.json();
        roll.sites.push({
          site: SIP_SITE.id, name: SIP_SITE.name, state: 'offline', invited: true, mutedAudio: false, mutedVideo: false,
          kicked: false, speaking: false, content: false, elsewhere: '', participant: '', devices: null, link: call,
        });
        await route.fulfill({ status: res.status(), contentType: 'application/json', body: JSON.stringify(roll) });
      });
      await page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      const badge = page.locator(`#roll-call li[data-site="${SIP_SITE.id}"] .site-badge-link`);
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-link-kind'), 'sip');
      assert.equal(await badge.getAttribute('data-link'), 'waiting');
      assert.equal((await badge.textContent()).trim(), 'SIP: chờ gọi lại (486 Busy Here)');
      // The other sites (rooms) have no link badge.
      assert.equal(await page.locator('#roll-call li[data-site="huyen-1"] .site-badge-link').count(), 0);
      await shot(page, 'live-sip-waiting');
      call = { ...call, state: 'joined', detail: '', attempts: 3 };
      await page.click('#lang-switch');
      await page.waitForFunction((id) => document.querySelector(`#roll-call li[data-site="${id}"] .site-badge-link`)?.textContent.trim() ===
        'SIP: in the call', SIP_SITE.id, { timeout: 10_000 });
      assert.equal(await badge.getAttribute('data-link'), 'joined');
      await shot(page, 'live-sip-joined');
      await page.unrouteAll({ behavior: 'ignoreErrors' });
      // The refused creation's 400 is the browser's only complaint.
      assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), [], 'no console errors');
    } finally {
      await context.close();
    }
  });
});
