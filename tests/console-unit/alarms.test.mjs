// Alarm bookkeeping (web-console/js/logic/alarms.js): one shape from GET /alarms and the feed,
// raised / changed / cleared, a site's worst severity, the periods the charts shade, the cleared
// list's length, the active ones after a feed gap, a device warning apart from the streams.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AlarmBook, CLEARED_KEPT, alarmKey, normAlarm, worstAlarm } from '../../web-console/js/logic/alarms.js';

test('an alarm from GET /alarms and one from the feed come in one shape', () => {
  assert.deepEqual(normAlarm({ conference: 'giao-ban', site: 'huyen-1', kind: 'loss', severity: 'critical', detail: 'mất 7 %', raisedMs: 1000 }),
    { conference: 'giao-ban', site: 'huyen-1', kind: 'loss', severity: 'critical', detail: 'mất 7 %', sinceMs: 1000, clearedMs: 0 });
  const whole = normAlarm({ conference: 'giao-ban', kind: 'encoder', severity: 'major', sinceMs: 5 });
  assert.equal(whole.site, '');
  assert.equal(whole.severity, 'warning');
  assert.equal(alarmKey(whole), 'giao-ban||encoder');
});

test('raised, changed, cleared; the worst severity of a site', () => {
  let now = 10_000;
  const book = new AlarmBook(() => now);
  const loss = { conference: 'c', site: 's1', kind: 'loss', severity: 'warning', sinceMs: 9_000 };
  assert.equal(book.apply(loss), 'raised');
  assert.equal(book.severity('c', 's1'), 'warning');
  now = 11_000;
  assert.equal(book.apply({ ...loss, severity: 'critical' }), 'changed');
  assert.equal(book.active.get('c|s1|loss').firstSeen, 10_000, 'first seen when raised');
  assert.equal(book.apply({ conference: 'c', site: 's1', kind: 'rtt', severity: 'warning', sinceMs: 10_500 }), 'raised');
  assert.equal(book.severity('c', 's1'), 'critical');
  assert.equal(book.severity('c', 's2'), null);
  now = 12_000;
  assert.equal(book.apply({ ...loss, state: 'cleared' }), 'cleared');
  assert.equal(book.severity('c', 's1'), 'warning');
  // Cleared while critical: it stays critical in the cleared list, closed now.
  assert.deepEqual(book.cleared.map((a) => [a.kind, a.severity, a.clearedMs]), [['loss', 'critical', 12_000]]);
  assert.deepEqual(book.activeList().map((a) => a.kind), ['rtt']);
});

test('the periods of a site: stored, cleared in the session, active (open-ended)', () => {
  const book = new AlarmBook(() => 50_000);
  book.remember([{ conference: 'c', site: 's1', kind: 'no-media', severity: 'critical', raisedMs: 1_000, clearedMs: 4_000 },
    { conference: 'c', site: 's2', kind: 'loss', severity: 'warning', raisedMs: 2_000, clearedMs: 3_000 }]);
  book.apply({ conference: 'c', site: 's1', kind: 'loss', severity: 'warning', sinceMs: 20_000 });
  book.apply({ conference: 'c', site: 's1', kind: 'rtt', severity: 'warning', sinceMs: 30_000 });
  book.apply({ conference: 'c', site: 's1', kind: 'rtt', state: 'cleared', sinceMs: 30_000, clearedMs: 40_000 });
  assert.deepEqual(book.bands('c', 's1'), [
    { fromMs: 1_000, toMs: 4_000, severity: 'critical' },
    { fromMs: 30_000, toMs: 40_000, severity: 'warning' },
    { fromMs: 20_000, toMs: null, severity: 'warning' },
  ]);
  assert.deepEqual(book.ofSite('s1').map((a) => [a.kind, a.sinceMs]), [['rtt', 30_000], ['loss', 20_000], ['no-media', 1_000]]);
});

test('only the latest cleared alarms are kept', () => {
  const book = new AlarmBook(() => 1);
  for (let i = 0; i < CLEARED_KEPT + 5; i++) {
    book.apply({ conference: 'c', site: `s${i}`, kind: 'loss', sinceMs: i + 1 });
    book.apply({ conference: 'c', site: `s${i}`, kind: 'loss', sinceMs: i + 1, state: 'cleared' });
  }
  assert.equal(book.cleared.length, CLEARED_KEPT);
  assert.equal(book.cleared[0].site, `s${CLEARED_KEPT + 4}`);
});

test('after a feed gap the active alarms are replaced, keeping when each was first seen', () => {
  const book = new AlarmBook(() => 7_000);
  book.apply({ conference: 'c', site: 's1', kind: 'loss', sinceMs: 1 });
  assert.equal(book.addActive({ conference: 'c', site: 's1', kind: 'loss' }, 9_000), false);
  assert.equal(book.addActive({ conference: 'c', site: 's2', kind: 'rtt', raisedMs: 5 }, 8_000), true);
  book.resetActive([{ conference: 'c', site: 's1', kind: 'loss', raisedMs: 1 }, { conference: 'c', site: 's3', kind: 'offline', raisedMs: 2 }]);
  assert.deepEqual([...book.active.keys()], ['c|s1|loss', 'c|s3|offline']);
  assert.equal(book.active.get('c|s1|loss').firstSeen, 7_000);
  assert.equal(book.active.get('c|s3|offline').firstSeen, 0);
  // Newest seen first; those seen before the page by when they were raised.
  assert.deepEqual(book.activeList().map((a) => a.site), ['s1', 's3']);
});

test('the worst alarm of a site: a critical one, else the first', () => {
  const alarms = [
    { site: 'a', kind: 'rtt', severity: 'warning' },
    { site: 'b', kind: 'loss', severity: 'warning' },
    { site: 'a', kind: 'loss', severity: 'critical' },
  ];
  assert.equal(worstAlarm(alarms, 'a').kind, 'loss');
  assert.equal(worstAlarm(alarms, 'b').kind, 'loss');
  assert.equal(worstAlarm(alarms, 'c'), null);
});

test('a device warning does not mark the site\'s streams nor shade their charts, but is listed', () => {
  const book = new AlarmBook(() => 5_000);
  const device = { conference: 'c', site: 's1', kind: 'device', severity: 'warning', detail: 'missing at the room: camera', sinceMs: 3_000 };
  assert.equal(book.apply(device), 'raised');
  assert.equal(book.severity('c', 's1'), null);
  assert.deepEqual(book.bands('c', 's1'), []);
  assert.deepEqual(book.activeList().map((a) => a.kind), ['device'], 'the alarm panel lists it');
  assert.deepEqual(book.ofSite('s1').map((a) => a.kind), ['device'], 'the site page lists it');
  book.apply({ conference: 'c', site: 's1', kind: 'rtt', severity: 'warning', sinceMs: 4_000 });
  assert.equal(book.severity('c', 's1'), 'warning');
  assert.deepEqual(book.bands('c', 's1'), [{ fromMs: 4_000, toMs: null, severity: 'warning' }]);
  assert.equal(book.apply({ ...device, state: 'cleared', clearedMs: 9_000 }), 'cleared');
  assert.deepEqual(book.cleared.map((a) => [a.kind, a.clearedMs]), [['device', 9_000]]);
});
