// End-to-end test of a classified ("Mật") conference in the web console: the real `mcu`
// (default configuration), one real `mcu-room` site that waits to be called, and Debian's
// Chromium driven by playwright-core, in Vietnam's time zone.
//
//   A host ticks "Hội nghị mật (Mật)" in the conference form: the request and the stored
//   conference say `classified: true`, and the form shows it ticked when edited again. The "Mật"
//   badge is on the list, the calendar, the live page's header and the history pages. The live
//   page asks for no preview (the MCU refuses one) and says why; the site called in shows how
//   its media is protected (the SRTP profile the MCU reports on the roll-call; a weaker one, fed
//   to the page, as a warning); the history names the audited join and media protection.
//
// Screenshots go to test-output/browser/classified-*.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Mcu, Room, chromiumBin, consoleLogin, outDir } from './support.mjs';

const CONFERENCE = 'hop-mat';
const TITLE = 'Họp mật thử nghiệm';
const SITE = { site: 'tinh-2', token: 'demo-tinh-2' };
const VIEWPORT = { width: 1366, height: 768 };
// The suites a classified conference admits, as the roll-call's badge names them.
const STRONG = { AEAD_AES_128_GCM: 'AES-128-GCM', AEAD_AES_256_GCM: 'AES-256-GCM', AES_CM_128_HMAC_SHA1_80: 'AES-128-CM/80' };

// "YYYY-MM-DDTHH:MM" in Vietnam (UTC+7, no summer time), `minutes` from now.
function vietnamLocal(minutes) {
  const d = new Date(Date.now() + minutes * 60_000 + 7 * 3600_000);
  return d.toISOString().slice(0, 16);
}

describe('a classified conference in the console', () => {
  const mcu = new Mcu('mcu-classified');
  let room;
  let browser;

  before(async () => {
    await mcu.start();
    room = new Room(`classified-room-${SITE.site}`, [
      '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', path.join(mcu.dir, 'data', 'tls-cert.pem'), '--token', SITE.token,
      '--ice-address', '127.0.0.1', '--tone', '440', '--color', 'ff0000', '--width', '320', '--height', '180', '--fps', '15',
    ]);
    browser = await chromium.launch({
      executablePath: chromiumBin,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--allow-loopback-in-peer-connection', '--ignore-certificate-errors'],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await room?.kill();
    await mcu.stop();
  });

  async function shot(page, name) {
    // caret: 'initial': Playwright's caret-hiding style would break the page's CSP (style-src 'self').
    await page.screenshot({ path: path.join(outDir, `classified-${name}.png`), fullPage: true, caret: 'initial' });
  }

  test('a host marks a conference classified: stored, badged on every page, never previewed; its site shows its media protection',
    { timeout: 90_000 }, async () => {
      const api = await mcu.login('chutri', 'chutri-demo');
      const context = await browser.newContext({
        ignoreHTTPSErrors: true, viewport: VIEWPORT, timezoneId: 'Asia/Ho_Chi_Minh', locale: 'vi-VN',
      });
      const page = await context.newPage();
      const problems = [];
      const previewSockets = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('websocket', (ws) => ws.url().includes('/preview') && previewSockets.push(ws.url()));
      try {
        await consoleLogin(page, mcu.origin, 'chutri', 'chutri-demo');
        problems.length = 0;  // Before the login, the console's "who am I" was a 401, as it should be.

        // The form: the box, its hint, sent as `classified`. Started five minutes ago: it opens
        // at once and calls its site in.
        await page.click('#new-conference');
        await page.waitForSelector('#conference-save');
        await page.locator('form [name="title"]').fill(TITLE);
        await page.locator('form [name="id"]').fill(CONFERENCE);
        await page.locator('form [name="start"]').fill(vietnamLocal(-5));
        await page.locator('form [name="end"]').fill(vietnamLocal(55));
        await page.locator(`form [name="invited"][value="${SITE.site}"]`).check();
        await page.locator('form [name="host"]').selectOption(SITE.site);
        const box = page.getByLabel('Hội nghị mật (Mật)');
        assert.equal(await box.isChecked(), false, 'not classified unless ticked');
        const hint = await page.locator(`#${await box.getAttribute('aria-describedby')}`).textContent();
        assert.match(hint, /không cho xem trước.*SIP qua TLS.*mã hóa mạnh nhất.*ghi nhật ký mọi lượt vào, ra/);
        // Recording whenever it opens and classified exclude each other: ticking the one
        // unticks and disables the other.
        const autoRecord = page.getByLabel('Ghi hình mỗi khi hội nghị mở');
        await autoRecord.check();
        await box.check();
        assert.equal(await autoRecord.isChecked(), false, 'a classified conference is not recorded');
        assert.equal(await autoRecord.isDisabled(), true);
        await shot(page, 'form');
        const [request] = await Promise.all([
          page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/conferences'),
          page.click('#conference-save'),
        ]);
        assert.equal(request.postDataJSON().classified, true, `the request: ${request.postData()}`);
        assert.equal(request.postDataJSON().autoRecord, false, `the request: ${request.postData()}`);

        // The list: the badge by its title, with its words as its accessible name.
        const row = page.locator(`tr[data-conference="${CONFERENCE}"]`);
        await row.waitFor();
        assert.equal(await row.getAttribute('data-classified'), 'true');
        const badge = row.locator('.classified-badge');
        assert.equal((await badge.textContent()).trim(), 'Mật');
        assert.match(await badge.getAttribute('title'), /^Hội nghị mật: không xem trước/);
        assert.equal(await page.locator('tr[data-conference="giao-ban"] .classified-badge').count(), 0, 'only the classified one');
        const stored = await api.get(`/conferences/${CONFERENCE}`);
        assert.equal(stored.classified, true, JSON.stringify(stored));
        assert.equal((await api.get('/conferences/giao-ban')).classified, false);
        await shot(page, 'list');

        // The calendar: its block says so in its accessible name.
        await page.getByRole('tab', { name: 'Lịch' }).click();
        const block = page.locator(`.cf-cal-col a[data-conference="${CONFERENCE}"]`).first();
        await block.waitFor();
        assert.equal(await block.getAttribute('data-classified'), 'true');
        assert.match(await block.getAttribute('aria-label'), new RegExp(`^${TITLE} \\(Mật\\), `));
        await shot(page, 'calendar');

        // Edited again: ticked, as stored.
        await page.goto(`${mcu.origin}/#/conferences/${CONFERENCE}/edit`);
        await page.waitForSelector('#conference-save');
        assert.equal(await page.getByLabel('Hội nghị mật (Mật)').isChecked(), true, 'the stored choice');

        // The live page: the badge in its header; no preview asked for, the reason shown, the
        // sound button disabled; the site called in with its media's protection beside its state.
        await page.goto(`${mcu.origin}/#/live/${CONFERENCE}`);
        const indicator = page.locator('#classified-indicator');
        await indicator.waitFor();
        assert.equal((await indicator.textContent()).trim(), 'Mật');
        const pvState = page.locator('#preview-state[data-state="classified"]');
        await pvState.waitFor();
        assert.equal((await pvState.textContent()).trim(), 'Hội nghị mật: không được xem trước hình và tiếng.');
        assert.ok(await page.locator('#preview-sound').isDisabled(), 'the sound button is disabled');
        const card = page.locator(`#roll-call li[data-site="${SITE.site}"]`);
        await page.waitForSelector(`#roll-call li[data-site="${SITE.site}"][data-state="video"] .site-protection:not([hidden])`,
          { timeout: 45_000 });
        const protection = card.locator('.site-protection');
        const reported = (await api.get(`/conferences/${CONFERENCE}/roll-call`)).sites.find((s) => s.site === SITE.site).protection;
        console.log(`  ${SITE.site}'s media: ${reported}`);
        assert.ok(Object.hasOwn(STRONG, reported), `the MCU admitted ${reported} in a classified conference`);
        assert.equal(await protection.getAttribute('data-protection'), reported);
        assert.equal(await protection.getAttribute('data-level'), 'strong');
        assert.equal((await protection.textContent()).trim(), STRONG[reported]);
        assert.equal(await protection.getAttribute('title'), `Hình và tiếng được mã hóa SRTP: ${reported}; khóa trao đổi qua DTLS`);
        assert.equal(await page.evaluate(() => window.mcuPreview.state), 'idle', 'the preview never started');
        assert.deepEqual(previewSockets, [], 'no preview socket was opened');
        await shot(page, 'live');

        // A weaker profile (as a conference that is not classified may have) is a warning: the
        // roll-call's answer, the real one, is given one for the site.
        await page.route(`**/api/v1/conferences/${CONFERENCE}/roll-call`, async (route) => {
          const res = await route.fetch();
          const roll = await res.json();
          for (const s of roll.sites) if (s.site === SITE.site) s.protection = 'AES_CM_128_HMAC_SHA1_32';
          await route.fulfill({ status: res.status(), contentType: 'application/json', body: JSON.stringify(roll) });
        });
        await page.reload();
        const weak = page.locator(`#roll-call li[data-site="${SITE.site}"] .site-protection[data-level="weak"]`);
        await weak.waitFor();
        assert.equal((await weak.textContent()).trim(), 'AES-128-CM/32 (yếu)');
        assert.match(await weak.getAttribute('title'), /^Mã hóa yếu: AES_CM_128_HMAC_SHA1_32, hội nghị mật không nhận mức này/);
        await page.unrouteAll({ behavior: 'ignoreErrors' });

        // In English: the same facts in its words.
        await page.click('#lang-switch');
        await page.waitForFunction(() => document.querySelector('#classified-indicator')?.textContent.trim() === 'Classified');
        assert.equal((await page.locator('#preview-state').textContent()).trim(), 'Classified meeting: it cannot be previewed.');
        await page.click('#lang-switch');

        // History: the list of conferences and the conference's own page.
        await page.goto(`${mcu.origin}/#/history`);
        await page.locator(`tr[data-conference="${CONFERENCE}"] .classified-badge`).waitFor();
        await page.goto(`${mcu.origin}/#/history/${CONFERENCE}`);
        await page.locator('.hist-meta .classified-badge').waitFor();
        await page.locator(`tr[data-site="${SITE.site}"]`).waitFor();
        // The MCU audited the site's join and its media's protection; the log names them.
        const audit = page.locator('table.hist-audit');
        await audit.locator('tr', { hasText: 'Điểm cầu vào hội nghị' }).waitFor();
        assert.match(await audit.locator('tr', { hasText: 'Hình và tiếng đã mã hóa' }).textContent(), new RegExp(reported));
        await shot(page, 'history');
        assert.deepEqual(previewSockets, [], 'no preview socket was opened');
        assert.deepEqual(problems, [], 'no console errors');
      } finally {
        await context.close();
      }
    });
});
