// Quality grades of stream health (web-console/js/logic/quality.js): the roll-call's grade of a
// site's live stats, the history's grade of an attendance, the monitor's marks of a stream's
// figures and of a room's devices; which alarms speak of a site's streams.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cellLevel, gradeQuality, gradeRecord, gradesStreams } from '../../web-console/js/logic/quality.js';

// A site's stats as the feed sends them, with the given loss on its received video.
const site = (videoInLoss, rttMs, more = {}) => ({
  site: 'huyen-1', rttMs,
  audioIn: { lossPct: 0 }, audioOut: { lossPct: 0 }, videoIn: { lossPct: videoInLoss }, videoOut: { lossPct: 0 }, ...more,
});

test('a site\'s grade follows its worst stream\'s loss and its RTT', () => {
  assert.deepEqual(gradeQuality(site(0.4, 40), null), { level: 'good', loss: 0.4, rtt: 40 });
  assert.equal(gradeQuality(site(1, 40), null).level, 'fair');
  assert.equal(gradeQuality(site(4.9, 40), null).level, 'fair');
  assert.equal(gradeQuality(site(0.2, 150), null).level, 'fair');
  assert.equal(gradeQuality(site(5, 40), null).level, 'poor');
  assert.equal(gradeQuality(site(0, 300), null).level, 'poor');
  // The worst of the four streams counts: 6 % lost on the audio sent.
  const q = gradeQuality(site(0, 20, { audioOut: { lossPct: 6 } }), null);
  assert.equal(q.level, 'poor');
  assert.equal(q.loss, 6);
});

test('an unmeasured RTT or loss (-1) does not lower the grade', () => {
  assert.deepEqual(gradeQuality(site(-1, -1), null), { level: 'good', loss: 0, rtt: null });
  assert.equal(gradeQuality(site(2, -1), null).level, 'fair');
});

test('alarms raise the grade: critical is poor, warning at least fair', () => {
  assert.equal(gradeQuality(site(0, 20), 'critical').level, 'poor');
  assert.equal(gradeQuality(site(0, 20), 'warning').level, 'fair');
  assert.equal(gradeQuality(site(6, 20), 'warning').level, 'poor');
  assert.deepEqual(gradeQuality(null, 'critical'), { level: 'none', loss: null, rtt: null });
});

test('an attendance\'s grade from its summary', () => {
  assert.equal(gradeRecord(null), 'none');
  assert.equal(gradeRecord({ lossPctMean: 0.3, rttMsMean: 80, jitterMsMean: 50 }), 'good');
  assert.equal(gradeRecord({ lossPctMean: 2.5, rttMsMean: 80 }), 'fair');
  assert.equal(gradeRecord({ lossPctMean: 0.3, rttMsMean: 220 }), 'fair');
  assert.equal(gradeRecord({ lossPctMean: 7, rttMsMean: 80 }), 'poor');
  assert.equal(gradeRecord({ lossPctMean: 0, rttMsMean: -1 }), 'good');
  assert.equal(gradeRecord({ rttMsMean: 10 }), 'good');
});

test('the monitor marks loss, jitter, RTT, ICE and DTLS', () => {
  assert.equal(cellLevel('lossPct', 0.9), null);
  assert.equal(cellLevel('lossPct', 1), 'warning');
  assert.equal(cellLevel('lossPct', 4.99), 'warning');
  assert.equal(cellLevel('lossPct', 5), 'critical');
  assert.equal(cellLevel('lossPct', null), null);
  assert.equal(cellLevel('jitterMs', 30), null);
  assert.equal(cellLevel('jitterMs', 30.5), 'warning');
  assert.equal(cellLevel('jitterMs', null), null);
  assert.equal(cellLevel('rttMs', 300), null);
  assert.equal(cellLevel('rttMs', 301), 'warning');
  assert.equal(cellLevel('ice', 'disconnected'), 'critical');
  assert.equal(cellLevel('ice', 'connected'), null);
  assert.equal(cellLevel('dtls', 'failed'), 'critical');
  assert.equal(cellLevel('kbps', 0), null);
});

test('a room\'s missing device is a warning mark, as the MCU\'s device alarm is', () => {
  assert.equal(cellLevel('device', 'missing'), 'warning');
  assert.equal(cellLevel('device', 'ok'), null);
  assert.equal(cellLevel('device', 'none'), null, 'a room without the device lacks nothing');
  assert.equal(cellLevel('device', undefined), null);
});

test('every alarm kind grades a site\'s streams but a missing device', () => {
  for (const kind of ['loss', 'no-media', 'rtt', 'offline', 'dtls', 'encoder', 'a-new-kind'])
    assert.equal(gradesStreams(kind), true, kind);
  assert.equal(gradesStreams('device'), false);
});
