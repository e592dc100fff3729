// The console's formats (web-console/js/logic/format.js): day first, Vietnamese units and
// decimal comma, the browser's UTC offset added to a datetime-local value.

import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.TZ = 'Asia/Ho_Chi_Minh';
const { fmtBytes, fmtDate, fmtDateTime, fmtDuration, fmtNum, fmtSeconds, fmtTime, formatNumber, sameDay, timeRange, toLocalInput, withOffset } =
  await import('../../web-console/js/logic/format.js');

// 23/11/2026 08:05:09 in Vietnam (UTC+7).
const AT = Date.parse('2026-11-23T08:05:09+07:00');

test('dates are day first, times in 24 hours', () => {
  assert.equal(fmtDate(AT), '23/11/2026');
  assert.equal(fmtTime(AT), '08:05');
  assert.equal(fmtTime(AT, true), '08:05:09');
  assert.equal(fmtDateTime(AT), '23/11/2026 08:05');
  assert.equal(fmtSeconds(AT), '23/11/2026 08:05:09');
  assert.equal(fmtDate(null), '—');
  assert.equal(fmtSeconds(0), '—');
});

test('a range on one day shows its date once; across midnight both', () => {
  const end = Date.parse('2026-11-23T10:00:00+07:00');
  assert.equal(timeRange(AT, end), '23/11/2026 08:05 – 10:00');
  const nextDay = Date.parse('2026-11-24T01:30:00+07:00');
  assert.equal(timeRange(AT, nextDay), '23/11/2026 08:05 – 24/11/2026 01:30');
  assert.ok(sameDay(Date.parse('2026-11-30T23:59:00+07:00'), Date.parse('2026-11-30T00:00:00+07:00')));
  assert.ok(!sameDay(Date.parse('2026-11-30T23:59:00+07:00'), Date.parse('2026-12-01T00:00:00+07:00')));
});

test('durations in the language\'s units', () => {
  assert.equal(fmtDuration(3_900_000, 'vi'), '1 g 05 ph');
  assert.equal(fmtDuration(303_000, 'vi'), '5 ph 03 giây');
  assert.equal(fmtDuration(42_000, 'vi'), '42 giây');
  assert.equal(fmtDuration(3_900_000, 'en'), '1 h 05 min');
  assert.equal(fmtDuration(303_000, 'en'), '5 min 03 s');
  assert.equal(fmtDuration(-1, 'vi'), '—');
});

test('numbers: Vietnamese decimal comma and thousands dot; not measured is a dash', () => {
  assert.equal(formatNumber(1540.25, 1, 'vi'), '1.540,3');
  assert.equal(formatNumber(0.2, 1, 'vi'), '0,2');
  assert.equal(formatNumber(1540.25, 1, 'en'), '1,540.3');
  assert.equal(formatNumber(-1, 0, 'vi'), '—');
  assert.equal(formatNumber(null, 0, 'vi'), '—');
  assert.equal(fmtNum(2.345, 1), '2.3');
  assert.equal(fmtNum(-1), '—');
});

test('a datetime-local value gets the browser\'s offset; milliseconds give the local value', () => {
  assert.equal(withOffset('2026-11-23T08:00'), '2026-11-23T08:00+07:00');
  assert.equal(withOffset(''), '');
  assert.equal(toLocalInput(AT), '2026-11-23T08:05');
});

test('the size of a recording is in B, KB, MB or GB', () => {
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(350251), '350 KB');
  assert.equal(fmtBytes(3_456_789), '3.5 MB');
  assert.equal(fmtBytes(2_000_000_000), '2.0 GB');
  assert.equal(fmtBytes(-1), '—');
  assert.equal(fmtBytes(undefined), '—');
});
