// The live page's roll-call and the monitor's stream figures without the DOM
// (web-console/js/logic/roll-call.js, streams.js): counters, "mute all", who may be called in,
// the speaker, a site's quality as stats go stale (a device warning apart), the devices its
// room reported (missing ones among them); running conferences, chart points.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { callable, deviceStates, missingDevices, muteAllPressed, rollCounts, siteQuality, siteState, speakerOf } from '../../web-console/js/logic/roll-call.js';
import { chartPoint, historyPoints, isRunning } from '../../web-console/js/logic/streams.js';

const ROLL = [
  { site: 'tinh-1', invited: true, state: 'video', mutedAudio: false },
  { site: 'huyen-1', invited: true, state: 'audio', mutedAudio: true },
  { site: 'huyen-2', invited: true, state: 'online', elsewhere: 'hop-khac' },
  { site: 'huyen-3', invited: true, state: 'offline' },
  { site: 'khach', invited: false, state: 'joined', mutedAudio: true, speaking: true },
];

test('the board\'s counters', () => {
  assert.deepEqual(rollCounts(ROLL), { invited: 4, online: 4, joined: 3, video: 1 });
  assert.equal(siteState({ state: 'dialling' }), 'offline');
});

test('"mute all but the host" is pressed when every other site in the conference is muted', () => {
  assert.equal(muteAllPressed(ROLL, 'tinh-1', null), true);
  assert.equal(muteAllPressed(ROLL, 'huyen-1', null), false);
  // No other site in the conference: as the last mute-all left it.
  const alone = [ROLL[0], ROLL[3]];
  assert.equal(muteAllPressed(alone, 'tinh-1', true), true);
  assert.equal(muteAllPressed(alone, 'tinh-1', null), false);
});

test('who may be called in: offline, removed, or online and free; only while open', () => {
  assert.equal(callable(ROLL[3], true), true);
  assert.equal(callable(ROLL[2], true), false, 'in another conference');
  assert.equal(callable({ site: 'x', state: 'online' }, true), true);
  assert.equal(callable({ site: 'x', state: 'online', kicked: true, elsewhere: 'y' }, true), true);
  assert.equal(callable(ROLL[0], true), false, 'already in');
  assert.equal(callable(ROLL[3], false), false, 'not open');
});

test('the speaker: the roll-call\'s, else the conference\'s', () => {
  assert.equal(speakerOf(ROLL, 'tinh-1'), 'khach');
  assert.equal(speakerOf(ROLL.slice(0, 2), 'tinh-1'), 'tinh-1');
  assert.equal(speakerOf([], undefined), '');
});

test('a site\'s quality on the board: from fresh stats, raised by its alarm, none once stale', () => {
  const stats = new Map([['huyen-1', { rttMs: 40, videoIn: { lossPct: 2.5 } }]]);
  const alarms = [{ site: 'huyen-1', kind: 'rtt', severity: 'critical', detail: 'RTT 900 ms' }];
  const fresh = siteQuality(ROLL[1], { stats, statsAt: 10_000, alarms: [], now: 12_000 });
  assert.deepEqual([fresh.level, fresh.loss, fresh.rtt, fresh.alarm], ['fair', 2.5, 40, null]);
  const alarmed = siteQuality(ROLL[1], { stats, statsAt: 10_000, alarms, now: 12_000 });
  assert.deepEqual([alarmed.level, alarmed.alarm.kind], ['poor', 'rtt']);
  assert.equal(siteQuality(ROLL[1], { stats, statsAt: 10_000, alarms: [], now: 15_000 }).level, 'none');
  assert.equal(siteQuality({ ...ROLL[1], state: 'online' }, { stats, statsAt: 10_000, alarms, now: 12_000 }).level, 'none');
});

test('the devices a room reported missing, in a fixed order; none before it reports', () => {
  assert.deepEqual(missingDevices({ devices: { camera: 'missing', microphone: 'ok', speaker: 'none' } }), ['camera']);
  assert.deepEqual(missingDevices({ devices: { camera: 'missing', microphone: 'missing', speaker: 'missing' } }),
    ['camera', 'microphone', 'speaker']);
  assert.deepEqual(missingDevices({ devices: { camera: 'ok', microphone: 'ok', speaker: 'ok' } }), []);
  assert.deepEqual(missingDevices({ devices: null }), [], 'not reported (or offline)');
  assert.deepEqual(missingDevices({}), []);
  assert.deepEqual(missingDevices(null), []);
});

test('a site\'s quality is not lowered by a device warning, which its badges show instead', () => {
  const stats = new Map([['huyen-1', { rttMs: 40, videoIn: { lossPct: 0.2 } }]]);
  const device = { site: 'huyen-1', kind: 'device', severity: 'warning', detail: 'missing at the room: camera' };
  const q = siteQuality(ROLL[1], { stats, statsAt: 10_000, alarms: [device], now: 11_000 });
  assert.deepEqual([q.level, q.alarm], ['good', null]);
  // With a stream alarm as well, that one grades it; an iterable (a Map's values) will do.
  const rtt = { site: 'huyen-1', kind: 'rtt', severity: 'warning', detail: 'RTT 350 ms' };
  const both = siteQuality(ROLL[1], { stats, statsAt: 10_000, alarms: new Map([[1, device], [2, rtt]]).values(), now: 11_000 });
  assert.deepEqual([both.level, both.alarm.kind], ['fair', 'rtt']);
});

test('each device of a room as it reported it; nothing before it reports', () => {
  assert.deepEqual(deviceStates({ devices: { camera: 'missing', microphone: 'ok', speaker: 'none' } }), [
    { device: 'camera', state: 'missing' },
    { device: 'microphone', state: 'ok' },
    { device: 'speaker', state: 'none' },
  ]);
  // Absent is none (the protocol's default); a word this console does not know is unknown.
  assert.deepEqual(deviceStates({ devices: { camera: 'ok', speaker: 'broken' } }).map((d) => d.state), ['ok', 'none', 'unknown']);
  assert.equal(deviceStates({ devices: null }), null);
  assert.equal(deviceStates({}), null);
  assert.equal(deviceStates(null), null);
});

test('running conferences: open ones; permanent rooms only with a site in them', () => {
  assert.equal(isRunning({ state: 'open' }), true);
  assert.equal(isRunning({ state: 'scheduled' }), false);
  assert.equal(isRunning({ state: 'open', permanent: true, sites: [{ state: 'online' }] }), false);
  assert.equal(isRunning({ state: 'open', permanent: true, sites: [{ state: 'online' }, { state: 'audio' }] }), true);
});

test('a chart point: kb/s in and out summed, the worst loss, RTT; unmeasured are gaps', () => {
  const s = { rttMs: 35, audioIn: { kbps: 40, lossPct: 0.5 }, videoIn: { kbps: 600, lossPct: 3 }, audioOut: { kbps: 42, lossPct: -1 }, videoOut: { kbps: -1 } };
  assert.deepEqual(chartPoint(s), [640, 42, 3, 35]);
  assert.deepEqual(chartPoint({ rttMs: -1 }), [null, null, null, null]);
  const hist = {
    atMs: [1000, 2000], rttMs: [30, -1],
    audioIn: { kbps: [40, 41], lossPct: [0, 0] }, videoIn: { kbps: [500, 510], lossPct: [1, 7] },
    audioOut: { kbps: [40, 40] }, videoOut: { kbps: [700, 690] },
  };
  assert.deepEqual(historyPoints(hist), { at: [1000, 2000], cols: [[540, 551], [740, 730], [1, 7], [30, null]] });
});
