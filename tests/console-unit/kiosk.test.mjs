// The kiosk room's logic (web-console/js/logic/kiosk.js): the URL fragment, the reconnection
// schedule, the standby screen's lines in both languages and local time, the lines over the
// composite, the packet loss from getStats() snapshots, the `devices` report and the mute keys.

import assert from 'node:assert/strict';
import { test } from 'node:test';

process.env.TZ = 'Asia/Ho_Chi_Minh';
const {
  BACKOFF_MAX_MS, LossWindow, backoffDelayMs, conferenceLines, conferenceTime, deviceReport, inboundTotals,
  isMicKey, lossPercent, parseFragment, preferCodec, standbyLines,
} = await import('../../web-console/js/logic/kiosk.js');

// Monday 07/12/2026 09:41:30 in Vietnam (UTC+7).
const NOW = Date.parse('2026-12-07T09:41:30+07:00');
const at = (text) => Date.parse(text) / 1000;

test('the fragment gives the token, the kiosk flag and the language; the rest stays in the address bar', () => {
  assert.deepEqual(parseFragment('#token=abc-DEF_123&kiosk=1&lang=en'),
    { token: 'abc-DEF_123', kiosk: true, lang: 'en', conference: '', codec: null, rest: '#kiosk=1&lang=en' });
  assert.deepEqual(parseFragment('#kiosk=1&token=x%2By+z'),
    { token: 'x+y+z', kiosk: true, lang: null, conference: '', codec: null, rest: '#kiosk=1' }, '+ is not a space');
  assert.deepEqual(parseFragment('token=t&conference=giao-ban'),
    { token: 't', kiosk: false, lang: null, conference: 'giao-ban', codec: null, rest: '#conference=giao-ban' });
  assert.deepEqual(parseFragment(''), { token: '', kiosk: false, lang: null, conference: '', codec: null, rest: '' });
  assert.equal(parseFragment('#codec=H264').codec, 'h264');
  assert.equal(parseFragment('#codec=vp9').codec, null, 'only h264 is asked for');
  assert.equal(parseFragment('#token=a&lang=fr').lang, null, 'only vi and en');
  assert.equal(parseFragment('#kiosk=0&token=a').kiosk, false);
  assert.equal(parseFragment('#token=%E0%A4&kiosk=true').token, '%E0%A4', 'a bad escape is taken as it is');
  assert.equal(parseFragment('#token=a').rest, '', 'nothing left: no fragment');
});

test('a page that prefers H.264 puts constrained baseline, packetization mode 1 first', () => {
  const codecs = [
    { mimeType: 'video/VP8' },
    { mimeType: 'video/rtx', sdpFmtpLine: 'apt=96' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f' },
    { mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
    { mimeType: 'video/VP9' },
  ];
  assert.deepEqual(preferCodec(codecs, 'video/H264').map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim()), [
    'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'video/H264 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
    'video/VP8', 'video/rtx apt=96', 'video/VP9',
  ]);
  assert.deepEqual(preferCodec([{ mimeType: 'video/VP8' }], 'video/H264'), [{ mimeType: 'video/VP8' }],
    'no H.264: nothing changes');
});

test('reconnecting: 0.5 s doubling to 10 s, plus up to a quarter of jitter', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelayMs(n, 0)),
    [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.equal(backoffDelayMs(0, 0.999), 625);
  assert.equal(backoffDelayMs(9, 1), BACKOFF_MAX_MS * 1.25);
  assert.equal(backoffDelayMs(-3, 0), 500, 'never below the first wait');
  for (let i = 0; i < 200; i++) {
    const d = backoffDelayMs(2);
    assert.ok(d >= 2000 && d <= 2500, `${d}`);
  }
});

const NEXT = {
  conference: { id: 'giao-ban-t12', title: 'Giao ban tháng 12' },
  startsAt: at('2026-12-07T14:30:00+07:00'),
  endsAt: at('2026-12-07T16:00:00+07:00'),
  open: false,
};

test('the standby screen: site, clock, connection and the next conference in local time, in Vietnamese', () => {
  const lines = standbyLines({ state: 'standby', connected: true, next: NEXT, site: 'Huyện 1', now: NOW, lang: 'vi' });
  assert.deepEqual(lines, {
    site: 'Huyện 1',
    clock: '09:41',
    date: 'Thứ Hai, 07/12/2026',
    connection: 'Đã kết nối tới MCU',
    nextLabel: 'Hội nghị tiếp theo',
    nextTitle: 'Giao ban tháng 12',
    nextTime: '14:30 – 16:00 hôm nay',
  });
});

test('the standby screen in English; an open conference; joining; none', () => {
  const en = standbyLines({ state: 'standby', connected: true, next: NEXT, site: 'Huyện 1', now: NOW, lang: 'en' });
  assert.equal(en.date, 'Monday, 07/12/2026');
  assert.equal(en.connection, 'Connected to the MCU');
  assert.equal(en.nextLabel, 'Next conference');
  assert.equal(en.nextTime, '14:30 – 16:00 today');
  const open = { ...NEXT, open: true };
  assert.equal(standbyLines({ state: 'standby', connected: true, next: open, now: NOW }).nextLabel, 'Hội nghị đang diễn ra');
  assert.equal(standbyLines({ state: 'joining', connected: true, next: open, now: NOW, lang: 'en' }).nextLabel,
    'Joining the conference');
  const none = standbyLines({ state: 'standby', connected: true, next: null, site: 'X', now: NOW, lang: 'en' });
  assert.deepEqual([none.nextLabel, none.nextTitle, none.nextTime], ['No conference scheduled for this room', '', '']);
  const untitled = { ...NEXT, conference: { id: 'hop-1', title: '' } };
  assert.equal(standbyLines({ state: 'standby', connected: true, next: untitled, now: NOW }).nextTitle, 'hop-1');
});

test('the connection line: connecting the first time, lost later, a refused token, no token', () => {
  const line = (o) => standbyLines({ state: 'reconnecting', next: null, now: NOW, lang: 'vi', ...o }).connection;
  assert.equal(line({ connected: false, everConnected: false }), 'Đang kết nối tới MCU…');
  assert.equal(line({ connected: false, everConnected: true }), 'Mất kết nối tới MCU — đang kết nối lại…');
  assert.equal(line({ connected: false, refused: true }), 'MCU không nhận mã phòng — đang thử lại…');
  assert.match(line({ connected: false, noToken: true }), /^Thiếu mã phòng/);
  const unknown = standbyLines({ state: 'reconnecting', connected: false, next: null, now: NOW });
  assert.deepEqual([unknown.nextLabel, unknown.nextTitle, unknown.nextTime], ['', '', ''],
    'not connected: nothing said about the next conference');
  const known = standbyLines({ state: 'reconnecting', connected: false, next: NEXT, now: NOW });
  assert.equal(known.nextTitle, 'Giao ban tháng 12', 'the last one heard of stays on screen');
});

test('a conference\'s time: today, tomorrow, else its weekday and date; across midnight local time', () => {
  const s = (text) => Date.parse(text);
  assert.equal(conferenceTime(s('2026-12-08T08:00:00+07:00'), s('2026-12-08T09:30:00+07:00'), NOW, 'vi'),
    '08:00 – 09:30 ngày mai');
  assert.equal(conferenceTime(s('2026-12-08T08:00:00+07:00'), 0, NOW, 'en'), '08:00 tomorrow');
  assert.equal(conferenceTime(s('2026-12-10T08:00:00+07:00'), s('2026-12-10T09:00:00+07:00'), NOW, 'vi'),
    '08:00 – 09:00, Thứ Năm 10/12/2026');
  assert.equal(conferenceTime(s('2026-12-10T08:00:00+07:00'), s('2026-12-10T09:00:00+07:00'), NOW, 'en'),
    '08:00 – 09:00, Thursday 10/12/2026');
  // 23:30 UTC on the 7th is 06:30 on the 8th in Vietnam: tomorrow, not today.
  assert.equal(conferenceTime(s('2026-12-07T23:30:00Z'), 0, NOW, 'en'), '06:30 tomorrow');
});

test('the lines over the composite: loss above 2 %, an interrupted connection, the host\'s mute, our own mute', () => {
  const quiet = conferenceLines({ loss: 1.9, iceState: 'connected', hostMuted: { audio: false, video: false }, micMuted: false });
  assert.deepEqual(quiet, { network: '', hostMuted: '', micMuted: '' });
  assert.equal(conferenceLines({ loss: null, iceState: 'connected' }).network, '');
  assert.equal(conferenceLines({ loss: 3.46, lang: 'vi' }).network, 'Mạng chập chờn: mất 3,5 % gói tin');
  assert.equal(conferenceLines({ loss: 3.46, lang: 'en' }).network, 'Poor network: 3.5 % packet loss');
  assert.equal(conferenceLines({ loss: 0, iceState: 'disconnected', lang: 'en' }).network,
    'Connection interrupted — reconnecting…');
  assert.equal(conferenceLines({ hostMuted: { audio: true, video: false }, lang: 'vi' }).hostMuted, 'Chủ trì đã tắt tiếng phòng này');
  assert.equal(conferenceLines({ hostMuted: { audio: true, video: true }, lang: 'en' }).hostMuted,
    'The host muted this room · The host turned this room’s video off');
  assert.match(conferenceLines({ micMuted: true, lang: 'en' }).micMuted, /microphone is off/);
});

test('packet loss from two getStats() snapshots, audio and video summed', () => {
  const report = (a, al, v, vl) => [
    { type: 'inbound-rtp', kind: 'audio', packetsReceived: a, packetsLost: al },
    { type: 'inbound-rtp', kind: 'video', packetsReceived: v, packetsLost: vl },
    { type: 'outbound-rtp', kind: 'video', packetsSent: 999 },
    { type: 'transport' },
  ];
  const t0 = inboundTotals(report(100, 0, 900, 0), 0);
  assert.deepEqual(t0, { at: 0, received: 1000, lost: 0 });
  const t1 = inboundTotals(report(150, 2, 1140, 8), 5000);
  assert.equal(lossPercent(t0, t1), (100 * 10) / 300);
  assert.equal(lossPercent(t1, t1), null, 'nothing due: no figure');
  assert.equal(lossPercent(t1, { at: 6000, received: 20, lost: 0 }), null, 'a new connection');
  assert.equal(lossPercent(t1, { at: 6000, received: 1390, lost: 5 }), 0, 'late packets: never below 0');
  assert.equal(lossPercent(null, t1), null);
});

test('the loss window: over the last 5 s, forgetting older snapshots and a previous connection', () => {
  const w = new LossWindow(5000);
  assert.equal(w.push({ at: 0, received: 0, lost: 0 }), null);
  // 10 % lost in the first second, then none.
  assert.equal(w.push({ at: 1000, received: 90, lost: 10 }), 10);
  let loss = null;
  for (let s = 2; s <= 7; s++) loss = w.push({ at: s * 1000, received: 90 + (s - 1) * 100, lost: 10 });
  assert.equal(loss, 0, 'the lossy second is out of the window');
  assert.equal(w.push({ at: 8000, received: 50, lost: 50 }), null, 'a new connection starts over');
  assert.equal(w.push({ at: 9000, received: 100, lost: 50 }), 0);
  w.reset();
  assert.equal(w.push({ at: 10_000, received: 200, lost: 60 }), null);
});

test('devices: camera and microphone ok while their tracks are live, missing otherwise; the loudspeaker ok', () => {
  assert.deepEqual(deviceReport([{ kind: 'audio', readyState: 'live' }, { kind: 'video', readyState: 'live' }]),
    { camera: 'ok', microphone: 'ok', speaker: 'ok' });
  assert.deepEqual(deviceReport([{ kind: 'audio', readyState: 'live' }, { kind: 'video', readyState: 'ended' }]),
    { camera: 'missing', microphone: 'ok', speaker: 'ok' });
  assert.deepEqual(deviceReport([]), { camera: 'missing', microphone: 'missing', speaker: 'ok' });
  assert.deepEqual(deviceReport(null), { camera: 'missing', microphone: 'missing', speaker: 'ok' });
});

test('the microphone keys: M, and a presenter\'s black-screen button (B or "."), without modifiers', () => {
  for (const key of ['m', 'M', 'b', 'B', '.']) assert.equal(isMicKey({ key }), true, key);
  for (const key of ['PageDown', 'PageUp', 'F5', 'Escape', ' ', 'n']) assert.equal(isMicKey({ key }), false, key);
  assert.equal(isMicKey({ key: 'm', ctrlKey: true }), false);
  assert.equal(isMicKey({ key: 'm', repeat: true }), false, 'a key held down toggles once');
});
