// End-to-end test of the room page: the real `mcu` binary, Debian's Chromium driven by
// playwright-core, the echo conference, and what Chromium's getStats() says arrived.
//
//   MCU_BIN          the mcu binary (default: <repo>/build/mcu/mcu)
//   CHROMIUM_BIN     the browser (default: /usr/bin/chromium)
//   MCU_LOG_LEVEL    the MCU's [log] level for the run (default: debug)
//   UPDATE_FIXTURES  1: rewrite tests/fixtures/chromium-answer.sdp even if it exists
//
// Output goes to <repo>/test-output/browser/: screenshots, the MCU's log, and on failure a JSON
// dump of the page's getStats() and protocol messages.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const mcuBin = process.env.MCU_BIN || path.join(repo, 'build', 'mcu', 'mcu');
const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const outDir = path.join(repo, 'test-output', 'browser');
const fixture = path.join(repo, 'tests', 'fixtures', 'chromium-answer.sdp');

const TOKEN = 'demo-browser'; // The demo site "trinh-duyet" of the default configuration.
const SITE = 'trinh-duyet';
const MEDIA_DEADLINE_MS = 45_000;

// Sets `key = value` inside `[section]` of a TOML text (the key must be there already).
function setTomlKey(text, section, key, value) {
  const lines = text.split('\n');
  let inSection = false;
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/.exec(lines[i]);
    if (header) {
      inSection = header[1].trim() === section;
      continue;
    }
    if (inSection && new RegExp(`^\\s*${key}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${value}`;
      return lines.join('\n');
    }
  }
  throw new Error(`no ${key} in [${section}] of the default configuration`);
}

async function waitFor(what, fn, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

class Mcu {
  async start() {
    assert.ok(fs.existsSync(mcuBin), `no MCU binary at ${mcuBin} (build it, or set MCU_BIN)`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcu-browser-'));
    let config = execFileSync(mcuBin, ['--print-default-config'], { encoding: 'utf8' });
    config = setTomlKey(config, 'media', 'ice_addresses', '["127.0.0.1"]');
    config = setTomlKey(config, 'log', 'level', JSON.stringify(process.env.MCU_LOG_LEVEL || 'debug'));
    const configPath = path.join(this.dir, 'mcu.toml');
    fs.writeFileSync(configPath, config);
    const readyPath = path.join(this.dir, 'ready.json');
    this.logPath = path.join(outDir, 'mcu.log');
    const log = fs.openSync(this.logPath, 'w');
    this.exited = null;
    this.process = spawn(
      mcuBin,
      ['--config', configPath, '--data-dir', path.join(this.dir, 'data'), '--port', '0',
        '--ready-file', readyPath],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.process.on('exit', (code, signal) => (this.exited = { code, signal }));
    const ready = await waitFor(
      'the MCU ready file',
      () => {
        if (this.exited) throw new Error(`mcu exited early (${JSON.stringify(this.exited)}):\n${this.logTail()}`);
        try {
          return JSON.parse(fs.readFileSync(readyPath, 'utf8'));
        } catch {
          return null; // Not written yet, or half written.
        }
      },
      15_000,
    );
    assert.ok(Number.isInteger(ready.port) && ready.port > 0, `bad ready file ${JSON.stringify(ready)}`);
    this.port = ready.port;
    this.origin = `https://127.0.0.1:${this.port}`;
  }

  logTail(lines = 60) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop() {
    if (!this.process) return;
    if (!this.exited) {
      this.process.kill('SIGTERM');
      const gone = await waitFor('the MCU to exit', () => this.exited, 5_000).catch(() => null);
      if (!gone) this.process.kill('SIGKILL');
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Runs in the page: a summary of the room's RTCPeerConnection statistics, with everything
// needed to tell where media stops (candidate pairs, DTLS, SRTP, RTP both ways).
async function pageStats() {
  const room = window.mcuRoom;
  const out = {
    state: room.state,
    media: room.media,
    lastError: room.lastError,
    connectionState: room.pc?.connectionState ?? null,
    iceConnectionState: room.pc?.iceConnectionState ?? null,
    transport: null,
    selectedPair: null,
    pairs: [],
    candidates: {},
    inbound: {},
    outbound: {},
    remoteInbound: {},
  };
  if (!room.pc) return out;
  const report = await room.pc.getStats();
  report.forEach((r) => {
    if (r.type === 'transport') out.transport = r;
    else if (r.type === 'candidate-pair') out.pairs.push(r);
    else if (r.type === 'local-candidate' || r.type === 'remote-candidate')
      out.candidates[r.id] = {
        type: r.type, candidateType: r.candidateType, address: r.address, port: r.port,
        protocol: r.protocol,
      };
    else if (r.type === 'inbound-rtp') out.inbound[r.kind] = r;
    else if (r.type === 'outbound-rtp') out.outbound[r.kind] = r;
    else if (r.type === 'remote-inbound-rtp')
      out.remoteInbound[r.kind] = {
        packetsLost: r.packetsLost, fractionLost: r.fractionLost, roundTripTime: r.roundTripTime,
        roundTripTimeMeasurements: r.roundTripTimeMeasurements, jitter: r.jitter,
      };
  });
  if (out.transport?.selectedCandidatePairId)
    out.selectedPair = report.get(out.transport.selectedCandidatePairId) || null;
  return out;
}

// An SRTP protection profile, whoever names it: Chromium reports the IANA names
// ("SRTP_AEAD_AES_128_GCM", "SRTP_AES128_CM_HMAC_SHA1_80"), the MCU OpenSSL's and libsrtp's
// ("AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80").
function srtpProfile(name) {
  const n = String(name ?? '').toUpperCase();
  if (/GCM/.test(n)) return /256/.test(n) ? 'aes-256-gcm' : /128/.test(n) ? 'aes-128-gcm' : null;
  if (/CM.*SHA1_80/.test(n)) return 'aes-128-cm-sha1-80';
  if (/CM.*SHA1_32/.test(n)) return 'aes-128-cm-sha1-32';
  return null;
}

function mediaFlows(s) {
  return (
    s.transport?.dtlsState === 'connected' &&
    !!s.transport?.srtpCipher &&
    (s.inbound.video?.framesDecoded ?? 0) > 0 &&
    (s.inbound.audio?.packetsReceived ?? 0) > 0
  );
}

// A short, readable account of the stats for the test log.
function describeStats(s) {
  const pair = s.selectedPair;
  const c = (id) => s.candidates[id];
  const lc = pair && c(pair.localCandidateId);
  const rc = pair && c(pair.remoteCandidateId);
  return [
    `page state=${s.state} pc=${s.connectionState} ice=${s.iceConnectionState}`,
    `transport: dtlsState=${s.transport?.dtlsState} dtlsRole=${s.transport?.dtlsRole} ` +
      `srtpCipher=${s.transport?.srtpCipher} dtlsCipher=${s.transport?.dtlsCipher} ` +
      `iceState=${s.transport?.iceState}`,
    `selected pair: ${pair ? `${pair.state} ${lc?.address}:${lc?.port} (${lc?.candidateType}) -> ` +
      `${rc?.address}:${rc?.port} (${rc?.candidateType}) rtt=${pair.currentRoundTripTime}` : 'none'}`,
    `pairs: ${s.pairs.map((p) => `${p.state}/nominated=${p.nominated}/req=${p.requestsSent}/resp=${p.responsesReceived}`).join(', ') || 'none'}`,
    `in video: packets=${s.inbound.video?.packetsReceived} framesDecoded=${s.inbound.video?.framesDecoded} ` +
      `${s.inbound.video?.frameWidth}x${s.inbound.video?.frameHeight} codec=${s.inbound.video?.codecId}`,
    `in audio: packets=${s.inbound.audio?.packetsReceived} lost=${s.inbound.audio?.packetsLost}`,
    `out: video packets=${s.outbound.video?.packetsSent} audio packets=${s.outbound.audio?.packetsSent}`,
    `MCU media event: ${JSON.stringify(s.media)}; last error: ${JSON.stringify(s.lastError)}`,
  ].join('\n  ');
}

describe('room page', () => {
  const mcu = new Mcu();
  let browser;

  before(async () => {
    fs.mkdirSync(outDir, { recursive: true });
    await mcu.start();
    browser = await chromium.launch({
      executablePath: chromiumBin,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--allow-loopback-in-peer-connection',
        '--ignore-certificate-errors',
      ],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await mcu.stop();
  });

  // A page in a fresh context, recording console errors (CSP violations land there).
  async function openRoom(query) {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${mcu.origin}/room${query}`);
    await page.waitForFunction(() => window.mcuRoom !== undefined);
    return { context, page, problems };
  }

  test('the echo conference returns our camera and microphone', { timeout: 80_000 }, async () => {
    const { context, page, problems } = await openRoom(`?token=${TOKEN}`);
    try {
      assert.equal(await page.inputValue('#token-input'), TOKEN, 'the token is taken from the URL');
      assert.ok(!page.url().includes('token='), 'the token is removed from the address bar');
      assert.equal(await page.inputValue('#conference-input'), 'echo');
      await page.click('#join-button');

      let stats;
      try {
        stats = await waitFor(
          'DTLS connected, SRTP, decoded video and received audio',
          async () => {
            stats = await page.evaluate(pageStats);
            if (stats.state === 'failed') return stats; // Stop early; asserted below.
            return mediaFlows(stats) ? stats : null;
          },
          MEDIA_DEADLINE_MS,
          500,
        );
      } catch (e) {
        e.message += `\n  ${stats ? describeStats(stats) : 'no stats'}`;
        throw e;
      } finally {
        const answer = await page.evaluate(() => window.mcuRoom.answerSdp);
        if (answer && (!fs.existsSync(fixture) || process.env.UPDATE_FIXTURES === '1'))
          fs.writeFileSync(fixture, answer);
        if (!stats || !mediaFlows(stats)) {
          const messages = await page.evaluate(() => window.mcuRoom.messages);
          fs.writeFileSync(path.join(outDir, 'echo-failure.json'), JSON.stringify({ stats, messages }, null, 2));
          await page.screenshot({ path: path.join(outDir, 'echo-failure.png'), fullPage: true });
          console.log(`MCU log tail:\n${mcu.logTail()}`);
        }
      }

      console.log(`  ${describeStats(stats)}`);
      assert.notEqual(stats.state, 'failed', `the page failed: ${JSON.stringify(stats.lastError)}`);
      assert.equal(stats.transport.dtlsState, 'connected');
      assert.ok(srtpProfile(stats.transport.srtpCipher), `a known SRTP profile: ${stats.transport.srtpCipher}`);
      assert.ok(stats.inbound.video.framesDecoded > 0, 'video frames decoded');
      assert.ok(stats.inbound.audio.packetsReceived > 0, 'audio packets received');
      console.log(
        `  RESULT srtpCipher=${stats.transport.srtpCipher} ` +
          `framesDecoded=${stats.inbound.video.framesDecoded} ` +
          `videoPacketsReceived=${stats.inbound.video.packetsReceived} ` +
          `audioPacketsReceived=${stats.inbound.audio.packetsReceived}`,
      );

      // Steady state: media keeps flowing both ways, and RTCP works (the MCU's receiver reports
      // give Chromium a round-trip time; the MCU counts what it received and echoed).
      await new Promise((r) => setTimeout(r, 3000));
      const later = await page.evaluate(pageStats);
      const mcuStats = await page.evaluate(() => window.mcuRoom.requestMcuStats());
      const vin = later.inbound.video;
      const ain = later.inbound.audio;
      const pick = (r, keys) => Object.fromEntries(keys.map((k) => [k, r?.[k]]));
      console.log(`  after 3 s: ${JSON.stringify({
        videoIn: pick(vin, ['packetsReceived', 'packetsLost', 'framesDecoded', 'keyFramesDecoded',
          'framesDropped', 'framesPerSecond', 'freezeCount', 'nackCount', 'pliCount', 'firCount', 'jitter']),
        audioIn: pick(ain, ['packetsReceived', 'packetsLost', 'jitter', 'concealedSamples', 'totalSamplesReceived']),
        videoOut: pick(later.outbound.video, ['packetsSent', 'framesEncoded', 'nackCount', 'pliCount', 'firCount',
          'retransmittedPacketsSent']),
        remoteInbound: later.remoteInbound,
      })}`);
      console.log(`  MCU getStats: ${JSON.stringify(mcuStats)}`);
      const trickled = await page.evaluate(() => window.mcuRoom.messages
        .filter((m) => m.direction === 'out' && m.message.type === 'candidate')
        .map((m) => m.message.candidate));
      console.log(`  candidates trickled to the MCU: ${JSON.stringify(trickled)}`);
      const timeline = await page.evaluate(() => {
        const m = window.mcuRoom.messages;
        const t0 = m[0]?.t ?? 0;
        return m.filter((e) => e.message.type !== 'candidate' && e.message.type !== 'stats' &&
          e.message.type !== 'getStats')
          .map((e) => `${e.t - t0}ms ${e.direction === 'in' ? '<' : '>'} ${e.message.type}` +
            `${e.message.state ? ` ${e.message.state}` : ''}`);
      });
      console.log(`  timeline: ${timeline.join(', ')}`);
      assert.ok(vin.framesDecoded > stats.inbound.video.framesDecoded, 'video keeps being decoded');
      assert.ok(ain.packetsReceived > stats.inbound.audio.packetsReceived, 'audio keeps arriving');
      assert.equal(mcuStats?.dtlsState, 'connected', 'the MCU reports DTLS connected');
      console.log(
        `  RESULT (steady) srtpCipher=${later.transport.srtpCipher} framesDecoded=${vin.framesDecoded} ` +
          `videoPacketsReceived=${vin.packetsReceived} audioPacketsReceived=${ain.packetsReceived} ` +
          `fps=${vin.framesPerSecond} freezes=${vin.freezeCount}`,
      );

      // The MCU says the same about the transport, and the page shows it.
      await page.waitForFunction(() => window.mcuRoom.state === 'connected', null, { timeout: 10_000 });
      const media = await page.evaluate(() => window.mcuRoom.media);
      assert.equal(media?.state, 'connected');
      assert.equal(srtpProfile(media.detail), srtpProfile(stats.transport.srtpCipher),
        `the MCU (${media.detail}) and Chromium (${stats.transport.srtpCipher}) agree on the SRTP profile`);
      await page.waitForFunction(
        (site) => [...document.querySelectorAll('#roster .roster-item')].some(
          (li) => li.dataset.site === site && li.querySelector('.pill-ok')),
        SITE,
        { timeout: 10_000 },
      );
      // The picture is on screen: the echoed video plays in the page.
      await page.waitForFunction(() => {
        const v = document.getElementById('remote-video');
        return v.videoWidth > 0 && !v.paused && document.getElementById('stage-placeholder').hidden;
      }, null, { timeout: 10_000 });
      await page.waitForFunction(() => document.getElementById('status-video').textContent !== '—',
        null, { timeout: 5_000 });
      await page.screenshot({ path: path.join(outDir, 'room-echo.png'), fullPage: true });

      // Leaving: the MCU confirms, the page goes back to the form.
      await page.click('#leave-button');
      await page.waitForFunction(() => window.mcuRoom.state === 'left', null, { timeout: 5_000 });
      assert.equal(await page.evaluate(() => window.mcuRoom.pc.connectionState), 'closed');
      assert.ok(await page.isEnabled('#join-button'));
      const left = await page.evaluate(() => window.mcuRoom.messages.some(
        (m) => m.direction === 'in' && m.message.type === 'left'));
      assert.ok(left, 'the MCU answered leave with left');
      assert.deepEqual(problems, [], 'no console errors (CSP violations, exceptions)');
    } finally {
      await context.close();
    }
  });

  test('the landing page links to the room page', { timeout: 20_000 }, async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 720 } });
    try {
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(`${mcu.origin}/`);
      await page.waitForSelector('#health[data-ok="true"]', { timeout: 5_000 });
      assert.equal(await page.getAttribute('a.btn-primary', 'href'), '/room');
      await page.screenshot({ path: path.join(outDir, 'index.png'), fullPage: true });
      await page.click('a.btn-primary');
      await page.waitForURL(/\/room$/);
      await page.waitForFunction(() => window.mcuRoom !== undefined);
      assert.deepEqual(problems, [], 'no console errors (CSP violations, exceptions)');
    } finally {
      await context.close();
    }
  });

  test('a wrong token shows the MCU\u2019s unauthorized error, in either language', { timeout: 30_000 }, async () => {
    const { context, page, problems } = await openRoom('?token=not-a-valid-token');
    try {
      assert.equal(await page.getAttribute('html', 'lang'), 'vi', 'Vietnamese first');
      assert.equal((await page.textContent('#join-button')).trim(), 'Tham gia');
      await page.click('#join-button');
      await page.waitForSelector('#error-banner:not([hidden])', { timeout: 10_000 });
      assert.equal(await page.getAttribute('#error-banner', 'data-code'), 'unauthorized');
      assert.match(await page.textContent('#error-text'), /Mã phòng không hợp lệ/);
      assert.match(await page.textContent('#error-detail'), /invalid token/);
      const room = await page.evaluate(() => ({ state: window.mcuRoom.state, error: window.mcuRoom.lastError }));
      assert.equal(room.state, 'failed');
      assert.equal(room.error.code, 'unauthorized');
      assert.ok(await page.isEnabled('#join-button'), 'the form can be used again');
      await page.screenshot({ path: path.join(outDir, 'room-unauthorized-vi.png'), fullPage: true });

      await page.click('#lang-switch');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal((await page.textContent('#join-button')).trim(), 'Join');
      assert.match(await page.textContent('#error-text'), /Invalid room token/);
      await page.screenshot({ path: path.join(outDir, 'room-unauthorized-en.png'), fullPage: true });
      assert.deepEqual(problems.filter((p) => !/WebSocket/.test(p)), [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('an unknown conference shows not_found, and the page can join again', { timeout: 30_000 }, async () => {
    const { context, page } = await openRoom(`?token=${TOKEN}&conference=khong-co&lang=en`);
    try {
      await page.click('#join-button');
      await page.waitForSelector('#error-banner:not([hidden])', { timeout: 10_000 });
      assert.equal(await page.getAttribute('#error-banner', 'data-code'), 'not_found');
      assert.match(await page.textContent('#error-text'), /No such conference/);
      assert.equal(await page.evaluate(() => window.mcuRoom.state), 'failed');
      // No camera was left open by the failed attempt.
      assert.equal(await page.evaluate(() => window.mcuRoom.localStream), null);

      // An empty token is refused before anything is sent.
      await page.fill('#token-input', '');
      await page.click('#join-button');
      assert.equal(await page.getAttribute('#error-banner', 'data-code'), 'no_token');
    } finally {
      await context.close();
    }
  });
});
