// The history's summaries (web-console/js/logic/history.js): one row per conference that ran,
// per-site totals with the invited sites that never came, the counts of a conference, why an
// attendance ended, the audit entries about a conference.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { auditOf, conferenceCounts, reasonOf, siteTotals, summarize } from '../../web-console/js/logic/history.js';

const MIN = 60_000;

test('one row per conference that ran: running first, then the latest held', () => {
  const conferences = [
    { id: 'giao-ban', state: 'ended', start: '2026-11-20T08:00:00+07:00', invited: ['a', 'b'] },
    { id: 'dang-hop', state: 'open', start: '2026-11-23T08:00:00+07:00' },
    { id: 'sap-toi', state: 'scheduled', start: '2026-12-01T08:00:00+07:00' },
    { id: 'chua-ai-vao', state: 'ended', start: '2026-11-22T08:00:00+07:00' },
  ];
  const records = [
    { conference: 'giao-ban', site: 'a', joinedMs: 1000, alarms: 2 },
    { conference: 'giao-ban', site: 'a', joinedMs: 5000, alarms: 1 },
    { conference: 'giao-ban', site: 'b', joinedMs: 3000 },
    { conference: 'da-xoa', site: 'c', joinedMs: 2000 },
  ];
  const alarms = [{ conference: 'giao-ban' }, { conference: 'dang-hop' }];
  const rows = summarize(conferences, records, alarms);
  assert.deepEqual(rows.map((r) => r.id), ['dang-hop', 'chua-ai-vao', 'giao-ban', 'da-xoa']);
  const gb = rows.find((r) => r.id === 'giao-ban');
  assert.deepEqual([gb.sites.size, gb.sessions, gb.last, gb.alarms], [2, 3, 5000, 1]);
  assert.equal(rows.find((r) => r.id === 'da-xoa').conf, null, 'a deleted conference keeps its records');
  assert.equal(rows.find((r) => r.id === 'chua-ai-vao').last, Date.parse('2026-11-22T08:00:00+07:00'));
  // Without the alarms (not loaded), the records' counts.
  assert.equal(summarize(conferences, records, null).find((r) => r.id === 'giao-ban').alarms, 3);
});

test('totals per site: invited first in their order, the absent listed, a running one counted to now', () => {
  const now = 100 * MIN;
  const records = [
    { site: 'huyen-2', joinedMs: 10 * MIN, leftMs: 20 * MIN, alarms: 1 },
    { site: 'huyen-2', joinedMs: 30 * MIN, leftMs: 45 * MIN },
    { site: 'khach', joinedMs: 40 * MIN, leftMs: 41 * MIN },
    { site: 'tinh-1', joinedMs: 5 * MIN, alarms: 2 },
  ];
  const names = { 'tinh-1': 'Tỉnh', 'huyen-1': 'Huyện 1', 'huyen-2': 'Huyện 2', khach: 'Khách' };
  const totals = siteTotals(records, ['tinh-1', 'huyen-1', 'huyen-2'], (s) => names[s], now);
  assert.deepEqual(totals.map((s) => s.site), ['tinh-1', 'huyen-1', 'huyen-2', 'khach']);
  assert.deepEqual(totals[0], { site: 'tinh-1', n: 1, total: 95 * MIN, first: 5 * MIN, last: 0, stillIn: true, alarms: 2 });
  assert.deepEqual(totals[1], { site: 'huyen-1', absent: true });
  assert.deepEqual(totals[2], { site: 'huyen-2', n: 2, total: 25 * MIN, first: 10 * MIN, last: 45 * MIN, stillIn: false, alarms: 1 });
});

test('the counts of a conference', () => {
  const records = [{ site: 'a', leftMs: 1, alarms: 2 }, { site: 'a' }, { site: 'b', leftMs: 3, alarms: 1 }];
  assert.deepEqual(conferenceCounts(records, [{}, {}, {}, {}]), { sites: 2, sessions: 3, inNow: 1, alarms: 4 });
  assert.equal(conferenceCounts(records, null).alarms, 3);
});

test('why an attendance ended, as the key of its message', () => {
  assert.deepEqual(reasonOf('removed by the host'), { key: 'kicked' });
  assert.deepEqual(reasonOf('replaced by a new connection'), { key: 'replaced' });
  assert.deepEqual(reasonOf('media failed: DTLS handshake timed out'), { key: 'mediaFailed', detail: 'DTLS handshake timed out' });
  assert.deepEqual(reasonOf('something new'), { text: 'something new' });
  assert.equal(reasonOf(''), null);
});

test('the audit entries of a conference: its own and its sites\', not another with the same prefix', () => {
  const entries = [
    { id: 1, target: 'giao-ban' }, { id: 2, target: 'giao-ban/huyen-1' },
    { id: 3, target: 'giao-ban-2' }, { id: 4, target: null }, { id: 5, target: 'users/x' },
  ];
  assert.deepEqual(auditOf(entries, 'giao-ban').map((a) => a.id), [1, 2]);
  assert.deepEqual(auditOf(null, 'giao-ban'), []);
});
