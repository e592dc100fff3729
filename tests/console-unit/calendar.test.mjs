// The conference calendar's arithmetic (web-console/js/logic/calendar.js): weeks from Monday,
// the occurrences of recurring conferences at the same local wall-clock time (across a month's
// end, across a change to summer time), and the lanes of overlapping meetings.

import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.TZ = 'Asia/Ho_Chi_Minh';
const { addDays, daySegments, occurrences, startOfDay, startOfWeek, weekdayIndex } = await import('../../web-console/js/logic/calendar.js');

// A local time as "YYYY-MM-DD HH:MM" in the process's time zone.
const pad = (n) => String(n).padStart(2, '0');
const local = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const conf = (id, start, end, recurrence = 'none', more = {}) => ({ id, title: id, start, end, recurrence, state: 'scheduled', ...more });

test('weeks start on Monday, also across a month boundary', () => {
  // Sunday 1 March 2026: its week began on Monday 23 February.
  assert.equal(local(startOfWeek(new Date('2026-03-01T15:00:00+07:00'))), '2026-02-23 00:00');
  assert.equal(weekdayIndex(new Date('2026-03-01T15:00:00+07:00')), 6);
  assert.equal(weekdayIndex(new Date('2026-02-23T00:00:00+07:00')), 0);
  assert.equal(local(addDays(new Date('2026-01-31T08:00:00+07:00'), 1)), '2026-02-01 08:00');
});

test('a daily meeting recurs on every day of a week that spans two months', () => {
  const daily = conf('giao-ban', '2026-01-05T07:30:00+07:00', '2026-01-05T08:30:00+07:00', 'daily');
  const from = startOfWeek(new Date('2026-01-28T12:00:00+07:00'));  // Monday 26 January.
  const occs = occurrences([daily], from, addDays(from, 7));
  assert.deepEqual(occs.map((o) => local(o.start)), [
    '2026-01-26 07:30', '2026-01-27 07:30', '2026-01-28 07:30', '2026-01-29 07:30',
    '2026-01-30 07:30', '2026-01-31 07:30', '2026-02-01 07:30',
  ]);
  assert.ok(occs.every((o) => o.end - o.start === 3600_000 && !o.first));
});

test('a weekly meeting falls on the same weekday in the next month; the first is marked', () => {
  const weekly = conf('hop-tuan', '2026-04-20T14:00:00+07:00', '2026-04-20T16:00:00+07:00', 'weekly');
  const from = startOfDay(new Date('2026-04-01T00:00:00+07:00'));
  const occs = occurrences([weekly], from, new Date('2026-05-15T00:00:00+07:00'));
  assert.deepEqual(occs.map((o) => local(o.start)), ['2026-04-20 14:00', '2026-04-27 14:00', '2026-05-04 14:00', '2026-05-11 14:00']);
  assert.deepEqual(occs.map((o) => o.first), [true, false, false, false]);
  assert.equal(local(occs[1].end), '2026-04-27 16:00');
});

test('a one-off meeting shows only where it overlaps the period; permanent rooms never', () => {
  const once = conf('mot-lan', '2026-03-31T23:00:00+07:00', '2026-04-01T01:00:00+07:00');
  const room = conf('phong', null, null, 'none', { permanent: true });
  const april = startOfDay(new Date('2026-04-01T00:00:00+07:00'));
  // It runs past midnight into 1 April: there it is.
  assert.deepEqual(occurrences([once, room], april, addDays(april, 1)).map((o) => o.c.id), ['mot-lan']);
  assert.deepEqual(occurrences([once], addDays(april, 1), addDays(april, 2)), []);
});

test('a weekly meeting keeps its wall-clock time across a change to summer time', () => {
  const before = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';  // Summer time from Sunday 29 March 2026.
  try {
    const weekly = conf('weekly', '2026-03-23T09:00:00+01:00', '2026-03-23T10:00:00+01:00', 'weekly');
    const from = startOfDay(new Date('2026-03-23T00:00:00+01:00'));
    const occs = occurrences([weekly], from, addDays(from, 14));
    assert.deepEqual(occs.map((o) => local(o.start)), ['2026-03-23 09:00', '2026-03-30 09:00']);
    assert.equal(occs[1].start - occs[0].start, 7 * 24 * 3600_000 - 3600_000);
  } finally {
    process.env.TZ = before;
  }
});

test('overlapping meetings share the day\'s column in lanes', () => {
  const day = startOfDay(new Date('2026-06-10T00:00:00+07:00'));
  const at = (hm) => Date.parse(`2026-06-10T${hm}:00+07:00`);
  const occs = [
    { c: { id: 'a' }, start: at('08:00'), end: at('10:00') },
    { c: { id: 'b' }, start: at('09:00'), end: at('09:30') },
    { c: { id: 'c' }, start: at('11:00'), end: at('11:10') },
  ];
  const segs = daySegments(occs, day, 36);
  assert.deepEqual(segs.map((s) => [s.o.c.id, s.lane, s.lanes]), [['a', 0, 2], ['b', 1, 2], ['c', 0, 1]]);
  assert.equal(segs[0].top, 8 * 36);
  assert.equal(segs[0].height, 2 * 36);
  assert.equal(segs[2].height, 20);  // Ten minutes would be 6 px: at least 20.
});

test('a meeting across midnight is cut at the day\'s end and starts the next at 00:00', () => {
  const at = (d, hm) => Date.parse(`2026-06-${d}T${hm}:00+07:00`);
  const occs = [{ c: { id: 'night' }, start: at('10', '22:00'), end: at('11', '02:00') }];
  const first = daySegments(occs, startOfDay(new Date(at('10', '00:00'))), 36)[0];
  const second = daySegments(occs, startOfDay(new Date(at('11', '00:00'))), 36)[0];
  assert.deepEqual([first.top, first.height], [22 * 36, 2 * 36]);
  assert.deepEqual([second.top, second.height], [0, 2 * 36]);
});
