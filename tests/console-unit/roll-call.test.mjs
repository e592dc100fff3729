// The live page's roll-call and the monitor's stream figures without the DOM
// (web-console/js/logic/roll-call.js, streams.js): counters, "mute all", who may be called in,
// the speaker, a site's quality as stats go stale (a device warning apart), the devices its
// room reported (missing ones among them), what a link badge says (a cascade link, or the call
// the MCU places to a SIP site, with why it ended), how a SIP call is signalled, and the words
// for a re-INVITE or session refresh from the feed; running conferences, chart points.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  LINK_FAILURES, LINK_STATES, SIGNALLING, SIP_CALL_STATES, callable, deviceStates, linkBadge, linkSide, missingDevices, muteAllPressed, rollCounts,
  signallingBadge, sipRequestWords, siteQuality, siteState, speakerOf,
} from '../../web-console/js/logic/roll-call.js';
import { chartPoint, historyPoints, isRunning } from '../../web-console/js/logic/streams.js';
import { strings } from '../../web-console/js/pages/live/roll-call.js';

// A badge's text as the page makes it (web-console/js/pages/live/roll-call.js), in `lang`.
function badgeText(b, lang) {
  const tr = (key, vars = {}) => strings[lang][key].replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return tr(b.key, { ...b.vars, reason: b.reasonKey ? tr(b.reasonKey) : b.vars.reason });
}
const SIP_LINK = { detail: '', remoteTitle: '', remoteSpeaker: '', mutedAudio: false, mutedVideo: false, attempts: 1 };

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

test('a cascade link\'s badge: its state, the other MCU\'s title once joined; unknown states are idle', () => {
  const joined = linkBadge({ state: 'joined', remoteTitle: 'Giao ban tỉnh', detail: '' }, 'cascade');
  assert.deepEqual([joined.sip, joined.state, joined.key], [false, 'joined', 'live.link.joined']);
  assert.equal(badgeText(joined, 'vi'), 'Liên kết tới: Giao ban tỉnh');
  assert.equal(badgeText(linkBadge({ state: 'authenticating' }, 'cascade'), 'en'), 'Link: authenticating');
  assert.equal(linkBadge({ state: 'dialling' }, 'cascade').state, 'idle');
  // A site the console does not know the kind of: read as a link, as before.
  assert.equal(linkBadge({ state: 'waiting', detail: '486 Busy Here' }, undefined).key, 'live.link.waiting');
  for (const state of LINK_STATES)
    for (const lang of ['vi', 'en']) assert.ok(strings[lang][`live.link.${state}`], `${lang}: ${state}`);
});

test('a failed cascade link says why: wrong credential, certificate, conference, network', () => {
  const refused = linkBadge({ state: 'refused', failure: 'credential', detail: 'unauthorized: invalid token' }, 'cascade');
  assert.deepEqual([refused.key, refused.reasonKey], ['live.link.refusedWhy', 'live.link.failure.credential']);
  assert.equal(badgeText(refused, 'vi'), 'Liên kết bị từ chối (sai mã xác thực)');
  assert.equal(badgeText(linkBadge({ state: 'waiting', failure: 'certificate' }, 'cascade'), 'en'), 'Link lost (certificate mismatch), dialling again');
  // Joined again: the last failure no longer shows; an unknown one is not worded.
  assert.equal(linkBadge({ state: 'joined', failure: 'network' }, 'cascade').key, 'live.link.joined');
  assert.equal(linkBadge({ state: 'waiting', failure: 'cosmic rays' }, 'cascade').key, 'live.link.waiting');
  for (const failure of LINK_FAILURES)
    for (const lang of ['vi', 'en']) assert.ok(strings[lang][`live.link.failure.${failure}`], `${lang}: ${failure}`);
});

test('what the other end of a link says of its side: its level, its roll-call, an upper level\'s control', () => {
  assert.deepEqual(linkSide({ state: 'joined' }), [], 'nothing before it says');
  const child = linkSide({ role: 'parent', remote: { role: 'child', title: 'Giao ban tỉnh', expected: 15, connected: 14, video: 13, control: null } });
  const text = (b, lang) => strings[lang][b.key].replace(/\{(\w+)\}/g, (m, name) => String(b.vars[name]));
  assert.deepEqual(child.map((b) => text(b, 'en')), ['Lower level', 'Giao ban tỉnh: 14 of 15 sites connected, 13 with video']);
  assert.deepEqual(child.map((b) => text(b, 'vi')), ['Cấp dưới', 'Giao ban tỉnh: 14/15 điểm cầu đã kết nối, 13 có hình']);
  const parent = linkSide({ role: 'child', remoteTitle: 'Toàn quốc', remote: { role: 'parent', expected: 3, connected: 2, video: -1, control: { spotlight: true, mutedVideo: true } } });
  assert.deepEqual(parent.map((b) => b.key), ['live.link.far.parent', 'live.link.summary', 'live.link.spotlit', 'live.link.mutedVideo']);
  assert.equal(text(parent[1], 'vi'), 'Toàn quốc: 2/3 điểm cầu đã kết nối, 0 có hình', 'the title from the join; a bad count is 0');
  // A lower level's control, if it sent any, is not shown.
  assert.equal(linkSide({ remote: { role: 'child', control: { spotlight: true } } }).length, 2);
  for (const b of parent) assert.ok(strings.vi[b.key] && strings.en[b.key], b.key);
});

test('a SIP site\'s call: ringing, in the call, to be called again and why, refused and why', () => {
  const ringing = linkBadge({ ...SIP_LINK, state: 'connecting' }, 'sip');
  assert.deepEqual([ringing.sip, ringing.state, ringing.key], [true, 'connecting', 'live.sip.connecting']);
  assert.equal(badgeText(ringing, 'vi'), 'SIP: đang gọi');
  assert.equal(badgeText(ringing, 'en'), 'SIP: calling');
  const again = linkBadge({ ...SIP_LINK, state: 'connecting', attempts: 3 }, 'sip');
  assert.equal(badgeText(again, 'vi'), 'SIP: đang gọi lại (lần 3)');
  assert.equal(badgeText(again, 'en'), 'SIP: calling again (attempt 3)');
  const joined = linkBadge({ ...SIP_LINK, state: 'joined' }, 'sip');
  assert.equal(badgeText(joined, 'vi'), 'SIP: đang trong cuộc gọi');
  assert.equal(badgeText(joined, 'en'), 'SIP: in the call');
  const busy = linkBadge({ ...SIP_LINK, state: 'waiting', detail: '486 Busy Here', attempts: 2 }, 'sip');
  assert.deepEqual([busy.state, busy.key, busy.vars.reason, busy.reasonKey], ['waiting', 'live.sip.waitingWhy', '486 Busy Here', '']);
  assert.equal(badgeText(busy, 'vi'), 'SIP: chờ gọi lại (486 Busy Here)');
  assert.equal(badgeText(busy, 'en'), 'SIP: will call again (486 Busy Here)');
  assert.equal(badgeText(linkBadge({ ...SIP_LINK, state: 'waiting', detail: '408 Request Timeout' }, 'sip'), 'vi'),
    'SIP: chờ gọi lại (408 Request Timeout)');
  assert.equal(badgeText(linkBadge({ ...SIP_LINK, state: 'waiting' }, 'sip'), 'vi'), 'SIP: chờ gọi lại');
  const refused = linkBadge({ ...SIP_LINK, state: 'refused', detail: '603 Decline' }, 'sip');
  assert.equal(refused.state, 'refused');
  assert.equal(badgeText(refused, 'vi'), 'SIP: bị từ chối (603 Decline)');
  assert.equal(badgeText(refused, 'en'), 'SIP: refused (603 Decline)');
  assert.equal(badgeText(linkBadge({ ...SIP_LINK, state: 'refused', detail: ' ' }, 'sip'), 'vi'), 'SIP: bị từ chối');
});

test('the MCU\'s own words for why a SIP call ended are translated; a SIP status is shown as it is', () => {
  const noAnswer = linkBadge({ ...SIP_LINK, state: 'waiting', detail: 'no answer' }, 'sip');
  assert.equal(noAnswer.reasonKey, 'live.sip.reason.noAnswer');
  assert.equal(badgeText(noAnswer, 'vi'), 'SIP: chờ gọi lại (không trả lời)');
  assert.equal(badgeText(noAnswer, 'en'), 'SIP: will call again (no answer)');
  assert.equal(badgeText(linkBadge({ ...SIP_LINK, state: 'waiting', detail: 'BYE' }, 'sip'), 'vi'), 'SIP: chờ gọi lại (bên kia đã gác máy)');
  assert.equal(linkBadge({ ...SIP_LINK, state: 'waiting', detail: 'toString' }, 'sip').reasonKey, '', 'not an inherited key');
  // A detail is only the reason of an ended or refused call; a ringing call's is not shown.
  assert.equal(linkBadge({ ...SIP_LINK, state: 'connecting', detail: 'stale' }, 'sip').key, 'live.sip.connecting');
});

test('a SIP call in a state this console does not know is idle; every key has both languages', () => {
  assert.deepEqual(SIP_CALL_STATES, ['idle', 'connecting', 'joined', 'waiting', 'refused']);
  assert.equal(linkBadge({ ...SIP_LINK, state: 'authenticating' }, 'sip').state, 'idle');
  assert.equal(badgeText(linkBadge({ state: 'idle' }, 'sip'), 'vi'), 'SIP: chưa gọi');
  assert.equal(linkBadge(null, 'sip').state, 'idle');
  const keys = new Set();
  for (const state of [...SIP_CALL_STATES, 'nonsense'])
    for (const detail of ['', '486 Busy Here', 'no answer', 'BYE'])
      for (const attempts of [0, 1, 4]) {
        const b = linkBadge({ ...SIP_LINK, state, detail, attempts }, 'sip');
        keys.add(b.key);
        if (b.reasonKey) keys.add(b.reasonKey);
      }
  for (const lang of ['vi', 'en'])
    for (const k of keys) assert.ok(strings[lang][k], `${lang}: ${k}`);
});

// A string of the page's (web-console/js/pages/live/roll-call.js) in `lang`, filled in.
function say(lang, key, vars = {}) {
  assert.ok(strings[lang][key], `${lang}: ${key}`);
  return strings[lang][key].replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

test('a SIP call shows how it is signalled: TLS as secure, plain TCP or UDP marked', () => {
  assert.equal(signallingBadge({ site: 'tinh-1', signalling: null }), null, 'no SIP call');
  assert.equal(signallingBadge({ site: 'tinh-1' }), null, 'a roll-call without the field');
  assert.equal(signallingBadge({ signalling: '' }), null);
  const tls = signallingBadge({ signalling: 'tls' });
  assert.deepEqual([tls.transport, tls.text, tls.secure, tls.key], ['tls', 'SIP/TLS', true, 'live.sig.tls']);
  assert.equal(say('vi', tls.key, tls.vars), 'Báo hiệu SIP qua TLS: khóa SRTP được mã hóa trên đường truyền');
  assert.equal(say('en', tls.key, tls.vars), 'SIP signalling over TLS: the SRTP keys cross encrypted');
  const udp = signallingBadge({ signalling: 'udp' });
  assert.deepEqual([udp.transport, udp.text, udp.secure, udp.key], ['udp', 'SIP/UDP', false, 'live.sig.plain']);
  assert.equal(say('vi', udp.key, udp.vars),
    'Báo hiệu SIP không mã hóa (UDP): khóa SRTP đi dạng rõ, chỉ dùng cho đường truyền kín');
  assert.equal(say('en', udp.key, udp.vars), 'SIP signalling in clear (UDP): the SRTP keys cross readable; for a closed line only');
  assert.equal(signallingBadge({ signalling: 'tcp' }).text, 'SIP/TCP');
  // A transport this console does not know: shown as it came, never as secure.
  const odd = signallingBadge({ signalling: 'sctp' });
  assert.deepEqual([odd.transport, odd.text, odd.secure, odd.key], ['other', 'SIP/SCTP', false, 'live.sig.plain']);
  for (const t of SIGNALLING) assert.equal(signallingBadge({ signalling: t }).transport, t);
});

test('a re-INVITE or session refresh from the feed in words, both languages', () => {
  const words = (e, lang) => {
    const w = sipRequestWords(e);
    return say(lang, w.key, w.vars);
  };
  const refreshInvite = { type: 'sip', method: 'INVITE', offer: false, refresh: true, detail: 'session refresh (re-INVITE)' };
  assert.equal(words(refreshInvite, 'vi'), 'Làm mới phiên SIP (re-INVITE)');
  assert.equal(words(refreshInvite, 'en'), 'SIP session refresh (re-INVITE)');
  const refreshUpdate = { method: 'UPDATE', offer: false, refresh: true };
  assert.equal(words(refreshUpdate, 'vi'), 'Làm mới phiên SIP (UPDATE)');
  assert.equal(words(refreshUpdate, 'en'), 'SIP session refresh (UPDATE)');
  assert.equal(words({ method: 'INVITE', offer: true, refresh: false }, 'vi'), 're-INVITE kèm đề nghị SDP');
  assert.equal(words({ method: 'INVITE', offer: true, refresh: false }, 'en'), 're-INVITE with an offer');
  assert.equal(words({ method: 'INVITE', offer: false, refresh: false }, 'vi'), 're-INVITE không kèm SDP');
  assert.equal(words({ method: 'INVITE', offer: false, refresh: false }, 'en'), 're-INVITE without SDP');
  assert.equal(words({ method: 'UPDATE', offer: true, refresh: false }, 'vi'), 'UPDATE trong cuộc gọi');
  assert.equal(words({ method: 'UPDATE', offer: true, refresh: false }, 'en'), 'UPDATE within the call');
  assert.equal(sipRequestWords(null).key, 'live.sipEvent.update', 'an event without fields still has words');
  // With its time, as the card shows it.
  assert.equal(say('vi', 'live.sipEvent.at', { what: words(refreshUpdate, 'vi'), time: '10:02:03' }),
    'Làm mới phiên SIP (UPDATE) lúc 10:02:03');
  assert.equal(say('en', 'live.sipEvent.at', { what: words(refreshUpdate, 'en'), time: '10:02:03' }),
    'SIP session refresh (UPDATE) at 10:02:03');
  for (const lang of ['vi', 'en']) assert.ok(say(lang, 'live.sipEvent.title', { detail: 'x' }).includes('(x)'));
});
