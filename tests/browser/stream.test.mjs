// End-to-end test of a live stream in MPEG-TS (`[stream] format = "ts"`), the HLS a portal's
// player takes: the real `mcu`, one real `mcu-room` site (red, a 440 Hz tone) in the demo mixing
// conference, and Debian's Chromium driven by playwright-core.
//
//   A host starts the stream and makes a viewer link through the REST API. Someone without a
//   login follows the link: the watch page plays the MPEG-TS segments through Chromium's MPEG-TS
//   demuxer (Media Source Extensions, as hls.js plays HLS), 1280x720 with the site's red. The
//   stream is also to be pushed to a portal's RTMP server that is not there: the host's live
//   page says the push fails, and why.
//
// Chromium 156's own HLS player (`<video src=index.m3u8>`) is not used: it gives up on a live
// playlist whose segments it has all fetched before playback starts (HlsDemuxerStatus "Segment
// queue never had any data", in its live-resume path), as this stream's 2 s segments let it.
//
// Screenshots go to test-output/browser/stream-*.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Mcu, Room, chromiumBin, consoleLogin, outDir, videoColours, waitFor } from './support.mjs';

const CONFERENCE = 'giao-ban'; // The demo mixing conference of the default configuration.
const VIEWPORT = { width: 1366, height: 768 };

// Waits until `selector`'s video plays 1280x720 and its time has gone on `seconds` more.
async function playsOn(page, selector, seconds) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth === 1280 && v.videoHeight === 720 && v.readyState >= 2 && v.currentTime > 0;
  }, selector, { timeout: 40_000 });
  const t0 = await page.evaluate((sel) => document.querySelector(sel).currentTime, selector);
  await page.waitForFunction(({ sel, t }) => document.querySelector(sel).currentTime > t, { sel: selector, t: t0 + seconds },
    { timeout: 30_000 });
}

describe('a live stream in MPEG-TS', () => {
  // Port 9 (discard): nobody listens on this machine; the push is refused.
  const mcu = new Mcu('mcu-stream', [['stream', 'format', '"ts"'], ['stream', 'rtmp_url', '"rtmp://127.0.0.1:9/live/{conference}"']]);
  let room;
  let browser;

  before(async () => {
    await mcu.start();
    room = new Room('stream-room', [
      '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', path.join(mcu.dir, 'data', 'tls-cert.pem'),
      '--token', 'demo-huyen-1', '--conference', CONFERENCE, '--ice-address', '127.0.0.1',
      '--tone', '440', '--color', 'ff0000', '--width', '320', '--height', '180', '--fps', '15',
    ]);
    await waitFor('the site\u2019s media', () => {
      if (room.exited) throw new Error(`the room exited (${JSON.stringify(room.exited)}):\n${room.tail()}`);
      return room.mediaConnected;
    }, 20_000);
    browser = await chromium.launch({
      executablePath: chromiumBin,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await room?.kill();
    await mcu.stop();
  });

  test('a viewer link plays the MPEG-TS segments on the watch page', { timeout: 120_000 }, async () => {
    const host = await mcu.login('chutri', 'chutri-demo');
    await host.post(`/conferences/${CONFERENCE}/stream/start`);
    const made = await host.post(`/conferences/${CONFERENCE}/stream/links`, { label: 'cổng thông tin', maxViewers: 3 });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: VIEWPORT });
    const problems = [];
    try {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(`${mcu.origin}${made.url}`);
      await playsOn(page, '#watch-video', 3);
      assert.equal(await page.getAttribute('#watch-video', 'data-player'), 'mse', 'Chromium\u2019s MSE takes MPEG-TS');
      assert.equal(await page.getAttribute('#watch-state', 'data-state'), 'live');
      const { red } = await videoColours(page, '#watch-video');
      assert.ok(red > 160 * 90 * 0.3, `the site's red is missing from the watch page's picture (${red} pixels)`);
      const roll = await host.get(`/conferences/${CONFERENCE}/roll-call`);
      const playing = await page.evaluate(() => document.querySelector('#watch-video').currentTime);
      // mpegtsmux starts its clock at one hour.
      console.log(`  MPEG-TS on the watch page: ${(roll.stream.durationMs / 1000 - (playing - 3600)).toFixed(1)} s behind the composite; ${red} red pixels of 14400`);
      await page.screenshot({ path: path.join(outDir, 'stream-watch.png'), caret: 'initial' });

      assert.deepEqual(problems, [], 'no console errors');

      // The host's live page: the stream, and its push that fails.
      const live = await context.newPage();
      await consoleLogin(live, mcu.origin, 'chutri', 'chutri-demo');
      await live.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
      await live.waitForSelector('#stream-indicator:not([hidden]) #stream-rtmp[data-state="retrying"]', { timeout: 30_000 });
      assert.equal(await live.textContent('#stream-rtmp'), 'RTMP: lỗi, đang thử lại');
      assert.ok((await live.getAttribute('#stream-rtmp', 'title')).length > 0, 'the push\u2019s error in the title');
      await live.screenshot({ path: path.join(outDir, 'stream-live-rtmp.png'), caret: 'initial' });
    } finally {
      await context.close();
      await host.post(`/conferences/${CONFERENCE}/stream/stop`);
    }
  });
});
