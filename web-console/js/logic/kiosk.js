// The room page as a kiosk room, without the DOM: the URL fragment it starts from, when it
// reconnects, what its standby screen and its in-conference indicators say (Vietnamese and
// English), the packet loss it measures from two getStats() snapshots, and the `devices` report
// of its camera and microphone. Times are the runtime's local time, as in format.js.

import { fmtDate, fmtTime, formatNumber, sameDay } from './format.js';

export const LANGS = ['vi', 'en'];

// ---- The URL fragment -------------------------------------------------------------------------

// `#token=...&kiosk=1&lang=en` (also `conference=` for the form): a fragment never goes to the
// server, in the request line or anywhere else. Values are percent-decoded; `+` stays a plus.
// {token, kiosk, lang (null unless vi or en), conference, rest}: `rest` is the fragment to leave
// in the address bar, everything but the token ('' when nothing is left).
export function parseFragment(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  const values = new Map();
  const kept = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1));
    if (!values.has(name)) values.set(name, value);
    if (name !== 'token') kept.push(part);
  }
  const lang = values.get('lang');
  return {
    token: (values.get('token') ?? '').trim(),
    kiosk: ['1', 'true', 'yes', 'on'].includes(String(values.get('kiosk') ?? '').toLowerCase()),
    lang: LANGS.includes(lang) ? lang : null,
    conference: (values.get('conference') ?? '').trim(),
    // The composite's codec this page asks for: 'h264' (the MCU then sends the H.264 tier it
    // makes for SIP rooms), else the MCU's default (VP8).
    codec: String(values.get('codec') ?? '').toLowerCase() === 'h264' ? 'h264' : null,
    rest: kept.length ? `#${kept.join('&')}` : '',
  };
}

// `codecs` (RTCRtpReceiver.getCapabilities('video').codecs) with those of `mime` ("video/H264")
// first, constrained baseline with packetization-mode 1 (what the MCU sends) before the others,
// the rest in their order: what setCodecPreferences is given so that the answer prefers it.
export function preferCodec(codecs, mime) {
  const want = (c) => String(c.mimeType).toLowerCase() === String(mime).toLowerCase();
  const rank = (c) => {
    const f = String(c.sdpFmtpLine ?? '');
    return (/profile-level-id=42e0/i.test(f) ? 0 : 2) + (/packetization-mode=1/.test(f) ? 0 : 1);
  };
  const first = codecs.filter(want).sort((a, b) => rank(a) - rank(b));
  return [...first, ...codecs.filter((c) => !want(c))];
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // A stray '%': taken as it is.
  }
}

// ---- Reconnecting -----------------------------------------------------------------------------

export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
export const BACKOFF_JITTER = 0.25;

// The wait before reconnection attempt `attempt` (0: the first after a drop): 0.5 s doubling to
// 10 s, plus up to 25 % (`random` in [0, 1)) so that the rooms of a province do not all come
// back in the same instant after an MCU restart. The page resets `attempt` after a `welcome`.
export function backoffDelayMs(attempt, random = Math.random()) {
  const n = Math.min(Math.max(0, Math.floor(attempt) || 0), 30);
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** n);
  return Math.round(base * (1 + BACKOFF_JITTER * Math.min(Math.max(random, 0), 1)));
}

// ---- Packet loss from getStats() --------------------------------------------------------------

// A network worse than this (inbound packet loss over the window, in percent) is shown.
export const LOSS_DEGRADED_PCT = 2;
export const LOSS_WINDOW_MS = 5000;

// The inbound RTP totals of a getStats() report's entries (audio and video summed):
// {at (ms), received, lost}.
export function inboundTotals(entries, at) {
  const out = { at, received: 0, lost: 0 };
  for (const r of entries) {
    if (r?.type !== 'inbound-rtp') continue;
    out.received += Number(r.packetsReceived) || 0;
    out.lost += Number(r.packetsLost) || 0;
  }
  return out;
}

// The loss between two snapshots of inboundTotals (older first), in percent of the packets that
// were due in between: null when none were (or the newer is of another, newer connection).
// packetsLost may shrink when late packets arrive: never below 0.
export function lossPercent(older, newer) {
  if (!older || !newer) return null;
  const received = newer.received - older.received;
  if (received < 0) return null;
  const lost = Math.max(0, newer.lost - older.lost);
  const due = received + lost;
  return due > 0 ? (100 * lost) / due : null;
}

// Snapshots of the last `windowMs`: push() one a second, it returns the loss over the window
// (from the oldest snapshot still inside it to the newest), or null.
export class LossWindow {
  constructor(windowMs = LOSS_WINDOW_MS) {
    this.windowMs = windowMs;
    this.snapshots = [];
  }

  push(totals) {
    const last = this.snapshots[this.snapshots.length - 1];
    if (last && totals.received < last.received) this.snapshots = []; // A new connection.
    this.snapshots.push(totals);
    while (this.snapshots.length > 2 && totals.at - this.snapshots[1].at >= this.windowMs) this.snapshots.shift();
    return this.snapshots.length > 1 ? lossPercent(this.snapshots[0], totals) : null;
  }

  reset() {
    this.snapshots = [];
  }
}

// ---- Devices ----------------------------------------------------------------------------------

// The `devices` message's fields for the local tracks (each {kind, readyState}): camera and
// microphone `ok` while getUserMedia's track of that kind is live, `missing` when the device is
// absent, refused or gone (its track ended); the loudspeaker `ok` (the page plays to the
// system's output, and a page cannot tell whether anything is plugged into it).
export function deviceReport(tracks) {
  const live = (kind) => (tracks ?? []).some((t) => t && t.kind === kind && t.readyState === 'live');
  return {
    camera: live('video') ? 'ok' : 'missing',
    microphone: live('audio') ? 'ok' : 'missing',
    speaker: 'ok',
  };
}

// ---- What the screen says ---------------------------------------------------------------------

const TEXT = {
  vi: {
    weekdays: ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'],
    connected: 'Đã kết nối tới MCU',
    connecting: 'Đang kết nối tới MCU…',
    reconnecting: 'Mất kết nối tới MCU — đang kết nối lại…',
    refused: 'MCU không nhận mã phòng — đang thử lại…',
    noToken: 'Thiếu mã phòng: mở trang với #token=…&kiosk=1',
    next: 'Hội nghị tiếp theo',
    open: 'Hội nghị đang diễn ra',
    joining: 'Đang vào hội nghị',
    none: 'Chưa có hội nghị nào được mời',
    today: 'hôm nay',
    tomorrow: 'ngày mai',
    hint: 'Phím M (hoặc nút màn hình đen của bút trình chiếu): tắt/bật micrô',
    micMuted: 'Micrô của phòng đang tắt (phím M để bật)',
    hostMuted: 'Chủ trì đã tắt tiếng phòng này',
    hostMutedVideo: 'Chủ trì đã tắt hình phòng này',
    loss: 'Mạng chập chờn: mất {loss} % gói tin',
    interrupted: 'Mất tín hiệu — đang kết nối lại…',
  },
  en: {
    weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    connected: 'Connected to the MCU',
    connecting: 'Connecting to the MCU…',
    reconnecting: 'Connection to the MCU lost — reconnecting…',
    refused: 'The MCU refused the room token — retrying…',
    noToken: 'No room token: open the page with #token=…&kiosk=1',
    next: 'Next conference',
    open: 'Conference in progress',
    joining: 'Joining the conference',
    none: 'No conference scheduled for this room',
    today: 'today',
    tomorrow: 'tomorrow',
    hint: 'M key (or a presenter’s black-screen button): mute/unmute the microphone',
    micMuted: 'The room’s microphone is off (press M to turn it on)',
    hostMuted: 'The host muted this room',
    hostMutedVideo: 'The host turned this room’s video off',
    loss: 'Poor network: {loss} % packet loss',
    interrupted: 'Connection interrupted — reconnecting…',
  },
};

const textOf = (lang) => TEXT[LANGS.includes(lang) ? lang : 'vi'];

// "14:30 – 16:00 hôm nay" / "14:30 – 16:00 today", "… ngày mai", else with the weekday and date:
// "14:30 – 16:00, Thứ Ba 08/12/2026". Local time.
export function conferenceTime(startsAtMs, endsAtMs, nowMs, lang = 'vi') {
  const tx = textOf(lang);
  const range = endsAtMs ? `${fmtTime(startsAtMs)} – ${fmtTime(endsAtMs)}` : fmtTime(startsAtMs);
  if (sameDay(startsAtMs, nowMs)) return `${range} ${tx.today}`;
  const tomorrow = new Date(nowMs);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (sameDay(startsAtMs, tomorrow.getTime())) return `${range} ${tx.tomorrow}`;
  return `${range}, ${tx.weekdays[new Date(startsAtMs).getDay()]} ${fmtDate(startsAtMs)}`;
}

// The standby screen's lines, for
//   state      the kiosk's state: standby | joining | in-conference | reconnecting
//   connected  whether the page is authenticated with the MCU now
//   everConnected  whether it ever was (the first connection says "connecting", later "lost")
//   refused    the MCU refused the token on the last attempt; noToken: the page has none
//   next       the `standby` message's `next` ({conference: {id, title}, startsAt, endsAt, open}
//              in Unix seconds) or null
//   site       the site's name from `welcome` ('' before)
//   now        milliseconds; lang 'vi' | 'en'
// {site, clock, date, connection, nextLabel, nextTitle, nextTime}, each a string ('' when empty:
// the next conference's lines are empty while the page has no word from the MCU about it).
export function standbyLines({ state, connected, everConnected = true, refused = false, noToken = false, next, site, now, lang = 'vi' }) {
  const tx = textOf(lang);
  const d = new Date(now);
  let connection = tx.connected;
  if (noToken) connection = tx.noToken;
  else if (!connected) connection = refused ? tx.refused : everConnected ? tx.reconnecting : tx.connecting;
  const lines = {
    site: String(site ?? ''),
    clock: fmtTime(now),
    date: `${tx.weekdays[d.getDay()]}, ${fmtDate(now)}`,
    connection,
    nextLabel: '',
    nextTitle: '',
    nextTime: '',
  };
  const startsAt = Number(next?.startsAt) * 1000;
  if (!next || !next.conference || !(startsAt > 0)) {
    if (connected) lines.nextLabel = tx.none;
    return lines;
  }
  lines.nextLabel = state === 'joining' ? tx.joining : next.open ? tx.open : tx.next;
  lines.nextTitle = String(next.conference.title || next.conference.id || '');
  const endsAt = Number(next.endsAt) * 1000;
  lines.nextTime = conferenceTime(startsAt, endsAt > startsAt ? endsAt : 0, now, lang);
  return lines;
}

// The discreet lines shown over the composite while in a conference, '' when nothing to say:
//   network    packet loss over the window above LOSS_DEGRADED_PCT, or ICE interrupted
//   hostMuted  the host muted the room's audio (or video) (`muted`)
//   micMuted   the room's own microphone is off (the M key)
export function conferenceLines({ loss, iceState, hostMuted, micMuted, lang = 'vi' }) {
  const tx = textOf(lang);
  let network = '';
  if (iceState === 'disconnected') network = tx.interrupted;
  else if (loss !== null && loss !== undefined && loss > LOSS_DEGRADED_PCT)
    network = tx.loss.replace('{loss}', formatNumber(loss, 1, lang));
  const host = [hostMuted?.audio ? tx.hostMuted : '', hostMuted?.video ? tx.hostMutedVideo : ''].filter(Boolean);
  return {
    network,
    hostMuted: host.join(' · '),
    micMuted: micMuted ? tx.micMuted : '',
  };
}

// The hint of the local keys on the standby screen.
export const keyHint = (lang) => textOf(lang).hint;

// The keys that mute and unmute the room's microphone: M, and a USB presenter's black-screen
// button, which sends B or "." depending on the model (presenters have no M; their other
// buttons, Page Up/Down and F5/Escape, are too easily pressed while presenting).
export const MIC_KEYS = new Set(['m', 'M', 'b', 'B', '.']);

// Whether a keydown (its key and modifiers) toggles the microphone.
export function isMicKey({ key, ctrlKey, altKey, metaKey, repeat }) {
  return MIC_KEYS.has(key) && !ctrlKey && !altKey && !metaKey && !repeat;
}
