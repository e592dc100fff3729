// A cascade link set up from the console, end to end: two real MCUs on loopback (a central office
// and a province, each on its default configuration with one real `mcu-room` in its demo
// conference, a tone and a colour each) and Debian's Chromium driven by playwright-core.
//
//   central admin:   (REST) makes the province's link site, kind cascade: its credential, once;
//   province admin:  (the site form) a new site of kind cascade that dials the central MCU: its
//                    URL, the central conference, the credential, "Fetch" of the central
//                    certificate's fingerprint compared and taken, the central as the upper level;
//                    no token shown, the credential never read back;
//   province host:   invites the link to the demo conference: it dials, joins, and video flows both
//                    ways (both roll-calls say `video`);
//   both live pages: the link's badges: joined to the other conference, which level the other MCU
//                    is, and its roll-call summary ("1/1 sites connected, 1 with video").
//
// Screenshots go to test-output/browser/cascade-*.png.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Mcu, Room, chromiumBin, consoleLogin, outDir, waitFor } from './support.mjs';

const CONFERENCE = 'giao-ban';
const CONFERENCE_TITLE = 'Họp giao ban tỉnh – huyện (demo)';
const LINK_AT_CENTRAL = { id: 'tinh-lien-ket', name: 'Tỉnh (liên kết)' };
const LINK_AT_PROVINCE = { id: 'trung-uong', name: 'Trung ương' };

// A roll-call site's entry (null when absent).
async function rollCallSite(api, site) {
  const roll = await api.get(`/conferences/${CONFERENCE}/roll-call`);
  return roll.sites.find((s) => s.site === site) || null;
}

// Sets a form control by its name: text, number, checkbox or select.
async function setField(page, name, value) {
  const el = page.locator(`dialog[open] form [name="${name}"]`).first();
  const kind = await el.evaluate((e) => (e.tagName === 'SELECT' ? 'select' : e.type));
  if (kind === 'select') await el.selectOption(String(value));
  else if (kind === 'checkbox') await el.setChecked(Boolean(value));
  else await el.fill(String(value));
}

describe('cascade links in the console', () => {
  // Two MCUs on one machine: neither listens for SIP (its default port would be taken twice).
  const central = new Mcu('cascade-central', [['sip', 'tls_port', '0']]);
  const province = new Mcu('cascade-province', [['sip', 'tls_port', '0']]);
  const rooms = [];
  let browser;
  let credential = '';

  before(async () => {
    await central.start();
    await province.start();
    const admin = await central.login('quantri', 'quantri-demo');
    const made = await admin.post('/sites', { id: LINK_AT_CENTRAL.id, name: LINK_AT_CENTRAL.name, level: 'province', kind: 'cascade' });
    credential = made.token;
    assert.deepEqual(made.site.link, { role: 'parent' }, 'a link the central MCU accepts: it is the parent');
    // One room in each MCU's demo conference: red at the central office, green at the province.
    for (const [mcu, color, tone] of [[central, 'ff0000', '440'], [province, '00ff00', '660']])
      rooms.push(new Room(`cascade-room-${mcu.name}`, [
        '--url', `wss://127.0.0.1:${mcu.port}/ws`, '--ca', path.join(mcu.dir, 'data', 'tls-cert.pem'),
        '--token', 'demo-tinh-1', '--conference', CONFERENCE, '--ice-address', '127.0.0.1',
        '--tone', tone, '--color', color, '--width', '320', '--height', '180', '--fps', '15',
      ]));
    browser = await chromium.launch({
      executablePath: chromiumBin,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    for (const r of rooms) await r.kill();
    await province.stop();
    await central.stop();
  });

  async function openAs(mcu, login, password) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await consoleLogin(page, mcu.origin, login, password);
    problems.length = 0;
    return { context, page, problems };
  }

  const shot = (page, name) => page.screenshot({ path: path.join(outDir, `cascade-${name}.png`), fullPage: true, caret: 'initial' });

  test('an administrator links the province to the central MCU from the site form; it joins, carries video, and both live pages show it', { timeout: 150_000 }, async () => {
    const centralFingerprint = new crypto.X509Certificate(central.ca).fingerprint256;
    const url = `wss://127.0.0.1:${central.port}/ws`;
    const { context, page, problems } = await openAs(province, 'quantri', 'quantri-demo');
    const api = await province.login('quantri', 'quantri-demo');
    try {
      await page.goto(`${province.origin}/#/admin/sites`);
      await page.waitForSelector('[data-site="huyen-1"]');
      await page.click('#new-site');
      await page.waitForSelector('dialog[open] form [name="id"]');
      const link = page.locator('dialog[open] fieldset.adm-link');
      assert.ok(await link.isHidden(), 'a room has no link');
      await setField(page, 'id', LINK_AT_PROVINCE.id);
      await setField(page, 'name', LINK_AT_PROVINCE.name);
      await setField(page, 'level', 'central');
      await setField(page, 'kind', 'cascade');
      await link.waitFor({ state: 'visible' });
      assert.ok(await page.getByLabel('MCU này gọi tới MCU kia').isChecked(), 'a new link dials');
      assert.equal(await page.locator('dialog[open] select[name="linkRole"]').inputValue(), 'child',
        'the other MCU is the upper level, by default');
      await setField(page, 'linkUrl', url);
      await setField(page, 'linkConference', CONFERENCE);
      await setField(page, 'linkCredential', credential);
      // Without a fingerprint the form says what it needs and sends nothing.
      await page.click('dialog[open] form button[type="submit"]');
      await page.locator('dialog[open] .mg-field-error:not([hidden])', { hasText: '64 chữ số hệ 16' }).waitFor();
      // "Fetch": the certificate the central MCU presents, to compare, then taken.
      await page.click('#link-probe');
      const seen = page.locator('#link-probe-fingerprint');
      await seen.waitFor();
      assert.equal((await seen.textContent()).trim(), centralFingerprint, 'the central certificate, read with no pin');
      assert.match(await page.textContent('#link-probe-result'), /So từng nhóm ký tự/);
      await shot(page, 'form-probe');
      await page.click('#link-probe-use');
      assert.equal(await page.locator('dialog[open] [name="linkFingerprint"]').inputValue(), centralFingerprint);
      await page.click('dialog[open] form button[type="submit"]');
      // Saved: a link this MCU dials has no token to install; its row says where it goes.
      const row = page.locator(`tr[data-site="${LINK_AT_PROVINCE.id}"]`);
      await row.locator('.adm-link-url', { hasText: url }).waitFor();
      assert.equal(await page.locator('#token-secret').count(), 0, 'no token for a link this MCU dials');
      assert.equal(await row.locator('.adm-link-role').getAttribute('data-role'), 'child');
      await shot(page, 'sites');
      const stored = await api.get(`/sites/${LINK_AT_PROVINCE.id}`);
      assert.deepEqual(stored.link, {
        url, conference: CONFERENCE, fingerprint: centralFingerprint, maxKbps: 1500, role: 'child', credentialSet: true,
      }, 'the credential is stored, never read back');
      // Edited again, the credential field is empty, saying the stored one is kept.
      await row.locator('[data-action="edit"]').click();
      const cred = page.locator('dialog[open] [name="linkCredential"]');
      await cred.waitFor();
      assert.equal(await cred.inputValue(), '');
      assert.match(await cred.getAttribute('placeholder'), /Đã lưu/);
      await page.keyboard.press('Escape');

      // The province invites the link to its demo conference: it dials, joins, and video flows.
      await api.put(`/conferences/${CONFERENCE}`, { invited: [LINK_AT_PROVINCE.id, 'tinh-1'] });
      const centralApi = await central.login('kythuat', 'kythuat-demo');
      let up = null;
      let down = null;
      await waitFor('the link carrying video both ways', async () => {
        up = await rollCallSite(api, LINK_AT_PROVINCE.id);
        down = await rollCallSite(centralApi, LINK_AT_CENTRAL.id);
        return up?.state === 'video' && up.link?.state === 'joined' && down?.state === 'video' &&
          up.link.remote?.video === 1 && down.link?.remote?.video === 1;
      }, 60_000).catch((e) => {
        throw new Error(`${e.message}\nprovince: ${JSON.stringify(up)}\ncentral: ${JSON.stringify(down)}\n${province.logTail()}`);
      });
      assert.equal(up.link.remoteTitle, CONFERENCE_TITLE);
      assert.equal(up.link.role, 'child');
      assert.equal(down.link.role, 'parent');
      assert.equal(down.link.remote.title, CONFERENCE_TITLE);

      // The province's live page: joined to the central conference, the upper level, its summary.
      await page.goto(`${province.origin}/#/live/${CONFERENCE}`);
      const card = page.locator(`#roll-call li[data-site="${LINK_AT_PROVINCE.id}"]`);
      await card.locator('[data-link="joined"]', { hasText: `Liên kết tới: ${CONFERENCE_TITLE}` }).waitFor();
      await card.locator('[data-link-side="parent"]', { hasText: 'Cấp trên' }).waitFor();
      await card.locator('[data-link-side="summary"]', { hasText: `${CONFERENCE_TITLE}: 1/1 điểm cầu đã kết nối, 1 có hình` }).waitFor();
      await shot(page, 'province-live');
      assert.deepEqual(problems, [], 'no console errors');
    } finally {
      await context.close();
    }

    // The central live page: the province, a lower level, with its summary.
    const host = await openAs(central, 'chutri', 'chutri-demo');
    try {
      await host.page.goto(`${central.origin}/#/live/${CONFERENCE}`);
      const card = host.page.locator(`#roll-call li[data-site="${LINK_AT_CENTRAL.id}"]`);
      await card.locator('[data-link-side="child"]', { hasText: 'Cấp dưới' }).waitFor();
      await card.locator('[data-link-side="summary"]', { hasText: `${CONFERENCE_TITLE}: 1/1 điểm cầu đã kết nối, 1 có hình` }).waitFor();
      await shot(host.page, 'central-live');
      assert.deepEqual(host.problems, [], 'no console errors');
    } finally {
      await host.context.close();
    }
  });
});
