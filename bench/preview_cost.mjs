// What the console's live preview costs the MCU: its CPU and memory with three rooms in the
// demo mixing conference, then with N consoles previewing it (Debian's Chromium, the host's
// live page), and what one console page loads. Prints numbers; asserts nothing.
//
//   node bench/preview_cost.mjs [previews=4] [seconds=15]
//
// Needs the build (build/mcu/mcu, build/mcu/mcu-room) and the browser tests' npm packages
// (bash tests/browser/run.sh installs them, or `npm ci` in tests/browser).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const { Mcu, Room, chromiumBin, waitFor } = await import('../tests/browser/support.mjs');

const PREVIEWS = Number(process.argv[2] || 4);
const SECONDS = Number(process.argv[3] || 15);
const TICK = 100;  // Clock ticks a second (getconf CLK_TCK on Linux).

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;  // utime + stime
}
function rssMb(pid) {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS'));
  return Number(line.split(/\s+/)[1]) / 1024;
}
async function measure(pid, seconds) {
  const c0 = cpuSeconds(pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return { cpuPct: (100 * (cpuSeconds(pid) - c0)) / ((Date.now() - t0) / 1000), rssMb: rssMb(pid) };
}

const mcu = new Mcu('mcu-bench-preview');
const rooms = [];
let browser;
try {
  await mcu.start();
  const pid = mcu.process.pid;
  const ca = path.join(mcu.dir, 'data', 'tls-cert.pem');
  for (const [i, token] of ['demo-tinh-1', 'demo-huyen-1', 'demo-huyen-2'].entries())
    rooms.push(new Room(`bench-room-${i}`, ['--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', ca, '--token', token,
      '--conference', 'giao-ban', '--ice-address', '127.0.0.1', '--tone', String(440 + 220 * i)]));
  await waitFor('the rooms\u2019 media', () => rooms.every((r) => r.mediaConnected), 30_000);
  await new Promise((r) => setTimeout(r, 15000));  // Past the encoders' first seconds.
  const base = await measure(pid, SECONDS);
  console.log(`3 rooms, no preview: MCU ${base.cpuPct.toFixed(1)} % of a core, ${base.rssMb.toFixed(0)} MB`);

  browser = await chromium.launch({ executablePath: chromiumBin, args: ['--headless=new', '--no-sandbox',
    '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--ignore-certificate-errors', '--allow-loopback-in-peer-connection'] });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 } });
  const pages = [];
  for (let i = 0; i < PREVIEWS; i++) {
    const page = await context.newPage();
    await page.goto(`${mcu.origin}/#/login`);
    if (i === 0) {
      await page.fill('input[name="login"]', 'chutri');
      await page.fill('input[name="password"]', 'chutri-demo');
      await page.click('button[type="submit"]');
      await page.waitForURL(/#\/conferences/);
    }
    await page.goto(`${mcu.origin}/#/live/giao-ban`);
    await page.waitForFunction(() => window.mcuPreview?.state === 'connected', null, { timeout: 30_000 });
    pages.push(page);
  }
  const loaded = await pages[0].evaluate(() => performance.getEntriesByType('resource')
    .concat(performance.getEntriesByType('navigation')).reduce((n, e) => n + (e.decodedBodySize || 0), 0));
  console.log(`the console (login, then the live page) loads ${(loaded / 1024).toFixed(0)} KB, every asset from the MCU`);
  await new Promise((r) => setTimeout(r, 5000));
  const bytes0 = await pages[0].evaluate(async () => {
    let b = 0;
    (await window.mcuPreview.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') b += s.bytesReceived; });
    return b;
  });
  const withPreviews = await measure(pid, SECONDS);
  const bytes1 = await pages[0].evaluate(async () => {
    let b = 0, w = 0, h = 0;
    (await window.mcuPreview.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp') b += s.bytesReceived;
      if (s.type === 'inbound-rtp' && s.kind === 'video') (w = s.frameWidth), (h = s.frameHeight);
    });
    return { b, w, h };
  });
  const kbps = ((bytes1.b - bytes0) * 8) / 1000 / SECONDS;
  console.log(`3 rooms, ${PREVIEWS} previews: MCU ${withPreviews.cpuPct.toFixed(1)} % of a core, ` +
    `${withPreviews.rssMb.toFixed(0)} MB; per preview ${((withPreviews.cpuPct - base.cpuPct) / PREVIEWS).toFixed(2)} % ` +
    `and ${((withPreviews.rssMb - base.rssMb) / PREVIEWS).toFixed(1)} MB; a preview receives ${bytes1.w}x${bytes1.h} ` +
    `at ~${kbps.toFixed(0)} kb/s`);
  await context.close();  // The previews leave.
  await new Promise((r) => setTimeout(r, 3000));
  const after = await measure(pid, SECONDS);
  console.log(`3 rooms, the previews gone: MCU ${after.cpuPct.toFixed(1)} % of a core, ${after.rssMb.toFixed(0)} MB`);
} finally {
  await browser?.close().catch(() => {});
  for (const r of rooms) await r.kill();
  await mcu.stop();
}
