// What the conference pages decide without the DOM (web-console/js/logic/conferences.js): the id
// suggested from a Vietnamese title, the list's order, a new conference's default times, the
// checks of the times, when it opens.

import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.TZ = 'Asia/Ho_Chi_Minh';
const { ID_PATTERN, defaultTimes, opensAt, sortConferences, suggestId, timeProblems } =
  await import('../../web-console/js/logic/conferences.js');

test('an id from a Vietnamese title: no diacritics, đ as d, words joined by "-"', () => {
  assert.equal(suggestId('Giao ban trực tuyến Sở Y tế'), 'giao-ban-truc-tuyen-so-y-te');
  assert.equal(suggestId('Họp Đảng ủy tháng 11/2026'), 'hop-dang-uy-thang-11-2026');
  assert.equal(suggestId('  Điều hành — Ủy ban nhân dân huyện Đức Phổ!  '), 'dieu-hanh-uy-ban-nhan-dan-huyen-duc-pho');
  assert.equal(suggestId('Nghiệm thu “Đường dây 500kV”'), 'nghiem-thu-duong-day-500kv');
  assert.equal(suggestId('***'), '');
});

test('a suggested id is at most 64 characters, never ends with "-", and is a valid id', () => {
  const long = suggestId('Hội nghị trực tuyến tổng kết công tác năm 2026 và triển khai nhiệm vụ năm 2027 của tỉnh');
  assert.equal(long, 'hoi-nghi-truc-tuyen-tong-ket-cong-tac-nam-2026-va-trien-khai-nhi');
  assert.equal(long.length, 64);
  // Cut where a "-" falls 64th: the "-" goes.
  const id = suggestId('Hội nghị trực tuyến tổng kết công tác năm 2026 và triển khai Ủy ban tỉnh');
  assert.equal(id, 'hoi-nghi-truc-tuyen-tong-ket-cong-tac-nam-2026-va-trien-khai-uy');
  assert.match(id, ID_PATTERN);
  assert.doesNotMatch('Hop-thu', ID_PATTERN);
  assert.doesNotMatch('-hop', ID_PATTERN);
});

test('the list: running first (permanent rooms after meetings), then by start, ended last', () => {
  const list = [
    { id: 'e1', title: 'Ended early', state: 'ended', start: '2026-01-01T08:00:00+07:00' },
    { id: 's2', title: 'Later', state: 'scheduled', start: '2026-03-02T08:00:00+07:00' },
    { id: 'p', title: 'Phòng thường trực', state: 'open', permanent: true },
    { id: 'e2', title: 'Ended late', state: 'ended', start: '2026-02-01T08:00:00+07:00' },
    { id: 'o', title: 'Đang họp', state: 'open', start: '2026-02-20T08:00:00+07:00' },
    { id: 's1', title: 'Sooner', state: 'scheduled', start: '2026-03-01T08:00:00+07:00' },
  ];
  assert.deepEqual(sortConferences(list).map((c) => c.id), ['o', 'p', 's1', 's2', 'e2', 'e1']);
  assert.equal(list[0].id, 'e1', 'the given list is left as it was');
});

test('a new conference starts at the next half hour at least an hour ahead, for an hour', () => {
  const t = defaultTimes(Date.parse('2026-11-23T08:10:00+07:00'));
  assert.equal(new Date(t.start).toISOString(), '2026-11-23T02:30:00.000Z');  // 09:30 in Vietnam.
  assert.equal(t.end - t.start, 3600_000);
  const u = defaultTimes(Date.parse('2026-11-23T23:40:00+07:00'));
  assert.equal(new Date(u.start).toISOString(), '2026-11-23T18:00:00.000Z');  // 01:00 the next day.
});

test('the times\' problems, each the key of its message', () => {
  const now = Date.parse('2026-11-23T08:00:00+07:00');
  const at = (hm, d = 23) => Date.parse(`2026-11-${d}T${hm}:00+07:00`);
  const check = (o) => timeProblems({ lead: '30', recurring: false, now, ...o });
  assert.deepEqual(check({ start: at('09:00'), end: at('10:00') }), { start: '', end: '', lead: '' });
  assert.deepEqual(check({ start: NaN, end: NaN }), { start: 'conf.err.start', end: 'conf.err.end', lead: '' });
  assert.equal(check({ start: NaN, end: at('10:00') }).end, '');
  assert.equal(check({ start: at('10:00'), end: at('10:00') }).end, 'conf.err.endBefore');
  assert.equal(check({ start: at('10:00'), end: at('10:01', 24) }).end, 'conf.err.tooLong');
  assert.equal(check({ start: at('06:00'), end: at('07:00') }).end, 'conf.err.past');
  assert.equal(check({ start: at('06:00'), end: at('07:00'), recurring: true }).end, '');
  assert.equal(check({ start: at('06:00'), end: at('07:00'), unchanged: true }).end, '');
  for (const lead of ['', '-1', '1441', '2.5', 'abc']) assert.equal(check({ start: at('09:00'), end: at('10:00'), lead }).lead, 'conf.err.lead', lead);
  for (const lead of ['0', '1440']) assert.equal(check({ start: at('09:00'), end: at('10:00'), lead }).lead, '', lead);
});

test('a conference opens its lead time before its start', () => {
  const start = Date.parse('2026-11-23T09:00:00+07:00');
  assert.equal(opensAt(start, '30'), Date.parse('2026-11-23T08:30:00+07:00'));
  assert.equal(opensAt(start, ''), start);
  assert.equal(opensAt(NaN, '30'), null);
  assert.equal(opensAt(start, '-5'), null);
});
