// End-to-end test of the room page: the real `mcu` binary, Debian's Chromium driven by
// playwright-core, the echo and mixing conferences, and what Chromium's getStats() says arrived.
// In the mixing conference two `mcu-room` processes join with Chromium; Chromium's microphone
// is a generated 1300 Hz tone (a fake-capture WAV), so the rooms' recordings tell who they hear.
//
//   MCU_BIN          the mcu binary (default: <repo>/build/mcu/mcu)
//   MCU_ROOM_BIN     the mcu-room binary (default: mcu-room next to the mcu binary)
//   CHROMIUM_BIN     the browser (default: /usr/bin/chromium)
//   MCU_LOG_LEVEL    the MCU's [log] level for the run (default: debug)
//   UPDATE_FIXTURES  1: rewrite tests/fixtures/chromium-answer.sdp even if it exists
//
// Output goes to <repo>/test-output/browser/: screenshots, the MCU's log, and on failure a JSON
// dump of the page's getStats() and protocol messages.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import {
  AUDIO_RATE, Mcu, Room, chromiumBin, colourShare, consoleLogin, outDir, readWav, repo, roomBin, toneShare, waitFor, writeToneWav,
} from './support.mjs';

const fixture = path.join(repo, 'tests', 'fixtures', 'chromium-answer.sdp');

const TOKEN = 'demo-browser'; // The demo site "trinh-duyet" of the default configuration.
const SITE = 'trinh-duyet';
const MEDIA_DEADLINE_MS = 45_000;
const MIX_CONFERENCE = 'giao-ban'; // The demo mixing conference of the default configuration.
const CHROMIUM_TONE_HZ = 1300; // Chromium's fake microphone plays this (see writeToneWav).

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

  let micDir;

  before(async () => {
    fs.mkdirSync(outDir, { recursive: true });
    await mcu.start();
    // Chromium's microphone: a known tone, looped, that the mixing test listens for.
    micDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcu-browser-mic-'));
    const micWav = path.join(micDir, `tone-${CHROMIUM_TONE_HZ}hz.wav`);
    writeToneWav(micWav, CHROMIUM_TONE_HZ, 30);
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
        `--use-file-for-fake-audio-capture=${micWav}`,
        '--allow-loopback-in-peer-connection',
        '--ignore-certificate-errors',
      ],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await mcu.stop();
    if (micDir) fs.rmSync(micDir, { recursive: true, force: true });
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
      const later = await waitFor('more video frames decoded and audio packets received', async () => {
        const s = await page.evaluate(pageStats);
        return s.inbound.video?.framesDecoded > stats.inbound.video.framesDecoded + 25 &&
          s.inbound.audio?.packetsReceived > stats.inbound.audio.packetsReceived + 100 ? s : null;
      }, 15_000, 250);
      const mcuStats = await page.evaluate(() => window.mcuRoom.requestMcuStats());
      const vin = later.inbound.video;
      const ain = later.inbound.audio;
      const pick = (r, keys) => Object.fromEntries(keys.map((k) => [k, r?.[k]]));
      console.log(`  later: ${JSON.stringify({
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

  test('the mixing conference: Chromium sees the composite and the rooms hear Chromium', { timeout: 90_000 }, async () => {
    assert.ok(fs.existsSync(roomBin), `no mcu-room binary at ${roomBin} (build it, or set MCU_ROOM_BIN)`);
    // Two district rooms, each a tone and a colour; each records 3 s of what it hears once all
    // three sites are in, then leaves.
    const specs = [
      { name: 'mix-huyen-1', token: 'demo-huyen-1', tone: 660, color: 'e01010' },
      { name: 'mix-huyen-2', token: 'demo-huyen-2', tone: 880, color: '10e010' },
    ];
    const RECORD_AFTER_S = 6;
    const RECORD_SECONDS = 3;
    const EXIT_AFTER_S = 14;
    const { context, page, problems } = await openRoom(`?token=${TOKEN}&conference=${MIX_CONFERENCE}&lang=en`);
    const rooms = [];
    let stats;
    let ok = false;
    try {
      assert.equal(await page.inputValue('#conference-input'), MIX_CONFERENCE, 'the conference is taken from the URL');
      await page.click('#join-button');
      stats = await waitFor(
        'Chromium\u2019s media in the mixing conference',
        async () => {
          stats = await page.evaluate(pageStats);
          if (stats.state === 'failed') throw new Error(`the page failed: ${JSON.stringify(stats.lastError)}`);
          return mediaFlows(stats) ? stats : null;
        },
        MEDIA_DEADLINE_MS,
        500,
      );

      // The rooms join once Chromium's media flows, so that their recordings hear all three.
      const ca = path.join(mcu.dir, 'data', 'tls-cert.pem');
      for (const spec of specs) {
        spec.wav = path.join(outDir, `${spec.name}.wav`);
        fs.rmSync(spec.wav, { force: true });
        rooms.push(new Room(spec.name, [
          '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', ca, '--token', spec.token,
          '--conference', MIX_CONFERENCE, '--ice-address', '127.0.0.1',
          '--tone', String(spec.tone), '--color', spec.color,
          '--record', spec.wav, '--record-after', String(RECORD_AFTER_S),
          '--record-seconds', String(RECORD_SECONDS), '--exit-after', String(EXIT_AFTER_S),
        ]));
      }
      await waitFor('both rooms\u2019 media', () => {
        const gone = rooms.find((r) => r.exited);
        if (gone) throw new Error(`${gone.name} exited early (${JSON.stringify(gone.exited)}):\n${gone.tail()}`);
        return rooms.every((r) => r.mediaConnected);
      }, 20_000);

      // Three sites: the MCU tells Chromium its tile's size, and the page scales its camera to it.
      const layout = await waitFor('a layout of three tiles, applied', () => page.evaluate(() => {
        const l = window.mcuRoom.layout;
        return l && l.tiles === 3 && (l.applied || l.error) ? l : null;
      }), 10_000);
      console.log(`  layout: ${JSON.stringify(layout)}`);
      assert.equal(layout.error, null, `setParameters failed: ${layout.error}`);
      const layoutEvents = await page.evaluate(() => window.mcuRoom.messages
        .filter((m) => m.direction === 'in' && m.message.type === 'layout').map((m) => m.message));
      console.log(`  layout events: ${JSON.stringify(layoutEvents)}`);
      assert.ok(layoutEvents.length > 0, 'the page received a layout event');
      const expectedScale = Math.max(1, layout.trackWidth / layout.sendWidth, layout.trackHeight / layout.sendHeight);
      assert.equal(layout.scaleResolutionDownBy, expectedScale);
      const senderScale = await page.evaluate(() => window.mcuRoom.pc.getSenders()
        .find((s) => s.track?.kind === 'video')?.getParameters().encodings[0]?.scaleResolutionDownBy);
      assert.equal(senderScale, expectedScale, 'the video sender carries the layout\u2019s scale');

      // Steady state, while the rooms record: the composite at the 1280x720 tier, decoded at
      // 15 fps or more, with both rooms' colours in it (a tile of the 2x2 grid is a quarter of the
      // picture: measured 0.247-0.252). The rooms' colours: the share of the picture each takes.
      const compositeColours = async () => {
        const found = {};
        let width = 0;
        let height = 0;
        for (const spec of specs) {
          const c = await page.evaluate(colourShare, spec.color);
          found[spec.name] = c ? c.share : 0;
          if (c) ({ width, height } = c);
        }
        return { width, height, found };
      };
      let colours = null;
      const steady = await waitFor('the 1280x720 composite playing with both rooms in it', async () => {
        const now = await page.evaluate(pageStats);
        const v = now.inbound.video;
        if (!(v?.frameWidth === 1280 && v.framesPerSecond >= 15 &&
          v.framesDecoded > stats.inbound.video.framesDecoded)) return null;
        colours = await compositeColours();
        return specs.every((spec) => colours.found[spec.name] > 0.15) ? now : null;
      }, 20_000, 250).catch(async (e) => {
        console.log(`  ${e.message}`);
        colours = await compositeColours();
        return page.evaluate(pageStats);
      });
      const vin = steady.inbound.video;
      const vout = steady.outbound.video;
      console.log(
        `  RESULT (mix) composite=${vin?.frameWidth}x${vin?.frameHeight} framesDecoded=${vin?.framesDecoded} ` +
          `fps=${vin?.framesPerSecond} freezes=${vin?.freezeCount} lost=${vin?.packetsLost} ` +
          `audioPackets=${steady.inbound.audio?.packetsReceived} ` +
          `sent=${vout?.frameWidth}x${vout?.frameHeight}@${vout?.framesPerSecond} ` +
          `limitation=${vout?.qualityLimitationReason}`,
      );
      // Chromium's microphone after its audio processing (what the MCU mixes), and the MCU's
      // own account of Chromium's transport: what to look at when the rooms do not hear it.
      const micLevel = await page.evaluate(async () => {
        let level = null;
        (await window.mcuRoom.pc.getStats()).forEach((r) => {
          if (r.type === 'media-source' && r.kind === 'audio') level = r.audioLevel;
        });
        return level;
      });
      const mcuStats = await page.evaluate(() => window.mcuRoom.requestMcuStats());
      console.log(`  Chromium's microphone level=${micLevel}; MCU getStats: ${JSON.stringify(mcuStats)}`);

      console.log(`  composite colours (share of the picture): ${JSON.stringify(colours)}`);
      await page.screenshot({ path: path.join(outDir, 'room-mix.png'), fullPage: true });
      for (const spec of specs)
        assert.ok(colours.found[spec.name] > 0.15, `${spec.name}'s colour #${spec.color} is in the composite`);
      assert.ok(vin.framesDecoded > stats.inbound.video.framesDecoded, 'the composite keeps being decoded');
      assert.equal(vin.frameWidth, 1280, 'the composite\u2019s width (the 1280x720 tier)');
      assert.equal(vin.frameHeight, 720, 'the composite\u2019s height (the 1280x720 tier)');
      // The composite runs at 30 fps; measured 24-33 here with both cores busy.
      assert.ok(vin.framesPerSecond >= 15, `the composite plays smoothly (${vin.framesPerSecond} fps)`);
      assert.ok(vout.frameWidth > 0 && vout.frameWidth <= layout.sendWidth && vout.frameHeight <= layout.sendHeight,
        `Chromium sends at most its tile's size (${vout.frameWidth}x${vout.frameHeight} > ` +
          `${layout.sendWidth}x${layout.sendHeight})`);

      // The rooms finish on their own; each heard Chromium and the other room, never itself.
      await waitFor('the rooms to finish', () => rooms.every((r) => r.exited), 25_000, 200);
      for (const [i, room] of rooms.entries()) {
        const spec = specs[i];
        const other = specs[1 - i];
        const summary = room.summary;
        assert.ok(summary, `${room.name} printed no SUMMARY:\n${room.tail()}`);
        assert.equal(summary.mediaConnected, true, `${room.name}: media connected`);
        assert.equal(summary.recording, true, `${room.name}: the recording was made`);
        const wav = readWav(spec.wav);
        assert.equal(wav.rate, AUDIO_RATE);
        const shares = {
          chromium: toneShare(wav, CHROMIUM_TONE_HZ),
          other: toneShare(wav, other.tone),
          own: toneShare(wav, spec.tone),
        };
        console.log(
          `  RESULT ${room.name}: seconds=${(wav.samples.length / wav.rate).toFixed(2)} ` +
            `share ${CHROMIUM_TONE_HZ} Hz (Chromium)=${shares.chromium.toFixed(4)} ` +
            `${other.tone} Hz (${other.name})=${shares.other.toFixed(4)} ` +
            `${spec.tone} Hz (own)=${shares.own.toFixed(5)} ` +
            `composite=${summary.videoWidth}x${summary.videoHeight} frames=${summary.videoFrames} ` +
            `send=${summary.sendWidth}x${summary.sendHeight}`,
        );
        // Chromium's audio processing (AGC, noise suppression) brings its tone down to about
        // -26 dBFS while a room's tone is -10 dBFS: measured shares 0.008-0.012. Mix-minus is an
        // exact subtraction, so a site's own tone measures 0.00000.
        assert.ok(shares.chromium > 0.003, `${room.name} hears Chromium\u2019s ${CHROMIUM_TONE_HZ} Hz`);
        // The other room's tone alone measures ~0.48 (0.46 with a concealed frame in the
        // recording, see toneShare). Absent, it would measure ~0.
        assert.ok(shares.other > 0.1, `${room.name} hears ${other.name}\u2019s ${other.tone} Hz`);
        assert.ok(shares.own < 0.001, `${room.name} must not hear itself (${spec.tone} Hz)`);
      }
      assert.deepEqual(problems, [], 'no console errors (CSP violations, exceptions)');
      ok = true;
    } finally {
      await Promise.all(rooms.map((r) => r.kill()));
      if (!ok) {
        const messages = await page.evaluate(() => window.mcuRoom.messages).catch(() => null);
        const last = await page.evaluate(pageStats).catch(() => stats);
        fs.writeFileSync(path.join(outDir, 'mix-failure.json'), JSON.stringify({ stats: last, messages }, null, 2));
        await page.screenshot({ path: path.join(outDir, 'mix-failure.png'), fullPage: true }).catch(() => {});
        if (last) console.log(`  ${describeStats(last)}`);
        for (const r of rooms) console.log(`${r.name} output tail:\n${r.tail()}`);
        console.log(`MCU log tail:\n${mcu.logTail()}`);
      }
      await context.close();
    }
  });

  // The page shares a screen (Chromium's fake display capture) as `mcu-room --content` would: a
  // second connection with the site's token and role `content`. In the host's presenter layout the
  // composite shows the screen large and the room's tile small; the roll-call says the site
  // presents; the page's "stop sharing" takes it out again, and the grid comes back.
  test('the page shares its screen: the presenter layout shows it large, until it stops', { timeout: 100_000 }, async () => {
    const spec = { name: 'share-huyen-1', token: 'demo-huyen-1', tone: 660, color: 'e01010' };
    const { context, page, problems } = await openRoom(`?token=${TOKEN}&conference=${MIX_CONFERENCE}&lang=en`);
    const host = await mcu.login('chutri', 'chutri-demo');
    const rollCall = async () => (await host.get(`/conferences/${MIX_CONFERENCE}/roll-call`)).sites.find((x) => x.site === SITE);
    const shareState = async () => {
      const share = await page.evaluate(() => window.mcuRoom.share);
      if (share.error) throw new Error(`sharing failed: ${share.error}`);
      return share.state;
    };
    // The share of the composite that is the room's colour, and that is the screen's.
    const shares = async (screen) => ({
      room: (await page.evaluate(colourShare, spec.color))?.share ?? 0,
      screen: screen ? (await page.evaluate(colourShare, screen))?.share ?? 0 : 0,
    });
    let room = null;
    let console2 = null;
    let ok = false;
    try {
      await page.click('#join-button');
      await waitFor('Chromium\u2019s media in the mixing conference', async () => mediaFlows(await page.evaluate(pageStats)), MEDIA_DEADLINE_MS, 500);
      assert.equal(await page.isVisible('#share-toggle'), true, 'the share button shows during a call');
      const ca = path.join(mcu.dir, 'data', 'tls-cert.pem');
      room = new Room(spec.name, [
        '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', ca, '--token', spec.token,
        '--conference', MIX_CONFERENCE, '--ice-address', '127.0.0.1',
        '--tone', String(spec.tone), '--color', spec.color, '--exit-after', '90',
      ]);
      await waitFor('the room\u2019s media', () => {
        if (room.exited) throw new Error(`${room.name} exited early (${JSON.stringify(room.exited)}):\n${room.tail()}`);
        return room.mediaConnected;
      }, 20_000);
      await host.put(`/conferences/${MIX_CONFERENCE}/layout`, { layout: 'presenter' });
      // Chromium's fake camera draws what its fake screen does: the page's camera goes off (black
      // frames), so that the screen's colour can only come from the shared screen.
      await page.click('#cam-toggle');
      // Presenter without content is a grid: the room's tile is a quarter of the picture.
      const grid = await waitFor('the room\u2019s tile in the grid', async () => {
        const now = await shares(null);
        return now.room > 0.15 ? now : null;
      }, 20_000, 250);

      // What the fake screen looks like: its most common colour, from a capture of its own.
      const screen = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = stream;
        await video.play();
        while (!video.videoWidth) await new Promise((r) => setTimeout(r, 50));
        const canvas = document.createElement('canvas');
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        const g = canvas.getContext('2d', { willReadFrequently: true });
        g.drawImage(video, 0, 0);
        stream.getTracks().forEach((t) => t.stop());
        const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
        const buckets = new Map();
        for (let i = 0; i < data.length; i += 4 * 13) {
          const key = (data[i] >> 5) * 64 + (data[i + 1] >> 5) * 8 + (data[i + 2] >> 5);
          const b = buckets.get(key) ?? { n: 0, r: 0, g: 0, b: 0 };
          b.n++;
          b.r += data[i];
          b.g += data[i + 1];
          b.b += data[i + 2];
          buckets.set(key, b);
        }
        const top = [...buckets.values()].sort((x, y) => y.n - x.n)[0];
        const hex = (v) => Math.round(v / top.n).toString(16).padStart(2, '0');
        return `${hex(top.r)}${hex(top.g)}${hex(top.b)}`;
      });
      console.log(`  the fake screen's colour: #${screen}; grid: ${JSON.stringify(grid)}`);
      await waitFor('the screen\u2019s colour out of the composite (the camera off)', async () => ((await shares(screen)).screen < 0.05 ? true : null), 10_000, 250);

      await page.click('#share-toggle');
      await waitFor('the page sharing its screen', async () => (await shareState()) === 'sharing', 20_000, 200);
      assert.equal(await page.textContent('#share-toggle'), 'Stop sharing');
      const presenting = await waitFor('the roll-call showing the site presenting', async () => ((await rollCall())?.content ? true : null), 10_000, 250);
      assert.equal(presenting, true);
      // The screen large (the presenter's main tile), the room small.
      const shared = await waitFor('the screen large in the composite', async () => {
        const now = await shares(screen);
        return now.screen > 0.35 && now.room < grid.room / 2 ? now : null;
      }, 20_000, 250).catch(async (e) => {
        console.log(`  ${e.message}: ${JSON.stringify(await shares(screen))}`);
        throw e;
      });
      console.log(`  RESULT (share) sharing: ${JSON.stringify(shared)}`);
      await page.screenshot({ path: path.join(outDir, 'room-share.png'), fullPage: true });

      await page.click('#share-toggle');
      assert.equal(await shareState(), 'off');
      await waitFor('the roll-call without content', async () => ((await rollCall())?.content === false ? true : null), 10_000, 250);
      const after = await waitFor('the grid back', async () => {
        const now = await shares(screen);
        return now.room > 0.15 && now.screen < 0.05 ? now : null;
      }, 20_000, 250);
      console.log(`  RESULT (share) stopped: ${JSON.stringify(after)}`);
      assert.equal(await page.textContent('#share-toggle'), 'Share screen');

      // Shared again (a new content connection), then stopped by the host from the live page:
      // the site's card shows it presenting, and its "stop sharing" ends it on the page too.
      await page.click('#share-toggle');
      await waitFor('the page sharing again', async () => (await shareState()) === 'sharing', 20_000, 200);
      console2 = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
      const live = await console2.newPage();
      live.on('pageerror', (e) => problems.push(`live page error: ${e.message}`));
      await consoleLogin(live, mcu.origin, 'chutri', 'chutri-demo');
      await live.goto(`${mcu.origin}/#/live/${MIX_CONFERENCE}`);
      const stop = `[data-site="${SITE}"] [data-action="stop-content"]`;
      await live.waitForSelector(`${stop}:not([hidden])`, { timeout: 15_000 }).catch(async (e) => {
        console.log(`  roll-call row: ${JSON.stringify(await rollCall())}; card: ${await live.getAttribute(`[data-site="${SITE}"]`, 'data-state')}`);
        throw e;
      });
      assert.match(await live.textContent(`[data-site="${SITE}"] .site-badges`), /Đang trình chiếu/);
      await live.click(stop);
      await waitFor('the page told its sharing was stopped', async () => (await shareState()) === 'off', 10_000, 200);
      await live.waitForSelector(`${stop}[hidden]`, { state: 'attached', timeout: 10_000 });
      await waitFor('the grid back after the host\u2019s stop', async () => {
        const now = await shares(screen);
        return now.room > 0.15 && now.screen < 0.05 ? now : null;
      }, 20_000, 250);
      const rows = await host.get('/audit?limit=20');
      assert.ok(rows.some((r) => r.action === 'stop-content' && r.actor === 'chutri' && r.target === `${MIX_CONFERENCE}/${SITE}`),
        `the host's stop is audited: ${JSON.stringify(rows.slice(0, 5))}`);
      assert.deepEqual(problems, [], 'no console errors (CSP violations, exceptions)');
      ok = true;
    } finally {
      await console2?.close();
      await room?.kill();
      await host.put(`/conferences/${MIX_CONFERENCE}/layout`, { layout: 'grid' }).catch(() => {});
      if (!ok) {
        const messages = await page.evaluate(() => window.mcuRoom.messages).catch(() => null);
        fs.writeFileSync(path.join(outDir, 'share-failure.json'), JSON.stringify({ messages }, null, 2));
        await page.screenshot({ path: path.join(outDir, 'share-failure.png'), fullPage: true }).catch(() => {});
        if (room) console.log(`${room.name} output tail:\n${room.tail()}`);
        console.log(`MCU log tail:\n${mcu.logTail()}`);
      }
      await context.close();
    }
  });

  // A browser that prefers H.264 (#codec=h264: the page puts it first in its answer) gets the
  // composite as the H.264 tier the MCU makes for SIP rooms, and decodes it: the codec in its
  // statistics, the 1280x720 picture, and a room's colour in it.
  test('a page that prefers H.264 receives and decodes the H.264 composite', { timeout: 70_000 }, async () => {
    const spec = { name: 'h264-huyen-1', token: 'demo-huyen-1', tone: 660, color: 'e01010' };
    const { context, page, problems } = await openRoom(
      `?token=${TOKEN}&conference=${MIX_CONFERENCE}&lang=en#codec=h264`);
    const ca = path.join(mcu.dir, 'data', 'tls-cert.pem');
    let room = null;
    let ok = false;
    try {
      await page.click('#join-button');
      room = new Room(spec.name, [
        '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', ca, '--token', spec.token,
        '--conference', MIX_CONFERENCE, '--ice-address', '127.0.0.1',
        '--tone', String(spec.tone), '--color', spec.color, '--exit-after', '40',
      ]);
      const seen = await waitFor('the H.264 composite, decoded, with the room in it', async () => {
        const v = await page.evaluate(async () => {
          const report = await window.mcuRoom.pc?.getStats();
          if (!report) return null;
          let inbound = null;
          report.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') inbound = r; });
          if (!inbound) return null;
          const codec = report.get(inbound.codecId);
          return {
            mimeType: codec?.mimeType, fmtp: codec?.sdpFmtpLine, width: inbound.frameWidth,
            height: inbound.frameHeight, framesDecoded: inbound.framesDecoded,
            decoder: inbound.decoderImplementation,
          };
        });
        if (v) v.share = (await page.evaluate(colourShare, spec.color))?.share ?? 0;
        return v && v.mimeType === 'video/H264' && v.framesDecoded > 30 && v.width === 1280 && v.share > 0.15
          ? v : null;
      }, 45_000, 250);
      console.log(`  RESULT (H.264) ${JSON.stringify(seen)}`);
      assert.equal(seen.height, 720);
      assert.match(seen.fmtp, /packetization-mode=1/);
      assert.match(seen.fmtp, /profile-level-id=42e0/i, 'constrained baseline');
      const answer = await page.evaluate(() => window.mcuRoom.answerSdp);
      assert.match(answer, /m=video \d+ \S+ 102[ \r\n]/, 'the answer puts the MCU\u2019s H.264 (102) first');
      assert.deepEqual(problems, [], 'no console errors');
      ok = true;
    } finally {
      await room?.kill();
      if (!ok) {
        if (room) console.log(`${room.name} output tail:\n${room.tail()}`);
        console.log(`MCU log tail:\n${mcu.logTail()}`);
      }
      await context.close();
    }
  });

  test('the console\u2019s login page links to the room page', { timeout: 20_000 }, async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 720 } });
    try {
      const page = await context.newPage();
      const problems = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(`${mcu.origin}/`);
      await page.waitForURL(/#\/login/);
      await page.waitForSelector('.health[data-ok="true"]', { timeout: 5_000 });
      assert.equal(await page.getAttribute('a.login-room', 'href'), '/room');
      await page.click('a.login-room');
      await page.waitForURL(/\/room$/);
      await page.waitForFunction(() => window.mcuRoom !== undefined);
      // The console's "who am I" before a login is a 401, as it should be; nothing else.
      assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), [], 'no console errors (CSP violations, exceptions)');
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
