// The live page's roll-call without the DOM: a site's state and quality, the board's counters,
// whether "mute all" shows pressed, which sites the host may call in, the active speaker, the
// devices its room reported (missing ones among them), what the badge of a site's `link` says (a
// cascade link this MCU dials, or the call it places to a SIP site), how a SIP call is signalled
// (SIP/TLS), and the words for a SIP call's re-INVITE or session refresh from the feed.

import { worstAlarm } from './alarms.js';
import { gradeQuality, gradesStreams } from './quality.js';
import { IN_CONFERENCE } from './streams.js';

export { IN_CONFERENCE };
export const SITE_STATES = ['offline', 'online', 'joined', 'audio', 'video'];
// The states of a cascade link this MCU dials.
export const LINK_STATES = ['idle', 'connecting', 'authenticating', 'online', 'joining', 'joined', 'waiting', 'refused'];
// Stats older than this no longer grade a site.
export const STATS_STALE_MS = 5000;

// A roll-call site's state, 'offline' when the MCU sent one this console does not know.
export const siteState = (s) => (SITE_STATES.includes(s.state) ? s.state : 'offline');

// The states of the call this MCU places to a SIP site it calls (Site.sipDial): not called,
// ringing, answered and in the call, ended and to be called again (`detail` says why), refused
// by the far end (403/404/488/603 in `detail`).
export const SIP_CALL_STATES = ['idle', 'connecting', 'joined', 'waiting', 'refused'];
// The ends of a SIP call the MCU words itself, shown translated (the key's last part); a SIP
// status ("486 Busy Here") is shown as it is.
const SIP_REASONS = { 'no answer': 'noAnswer', BYE: 'bye' };
// Why a cascade link last failed (the roll-call's link.failure), each worded by the console.
export const LINK_FAILURES = ['credential', 'certificate', 'conference', 'refused', 'network', 'media', 'loop', 'role'];

// A link's state, 'idle' when unknown.
export const linkState = (l) => (LINK_STATES.includes(l.state) ? l.state : 'idle');

// What the badge of a roll-call site's `link` says, `kind` being the site's (from GET /sites;
// anything but 'sip', unknown included, reads it as a cascade link):
//   {sip, state, key, vars, reasonKey}
// `state` the known state (the badge's link-<state> class), `key` the i18n key of its text with
// `vars` {title, reason, attempts}: the other MCU's conference title; why a SIP call ended
// (waiting) or was refused, shown when there is one; the attempt a SIP call is at. A cascade
// link that is waiting or refused says why it failed (its `failure`) when the console knows it.
// `reasonKey`: the i18n key of that reason when the console words it itself ('' otherwise),
// to be put in vars.reason translated.
export function linkBadge(link, kind) {
  const l = link || {};
  if (kind !== 'sip') {
    const state = linkState(l);
    const why = (state === 'waiting' || state === 'refused') && LINK_FAILURES.includes(l.failure);
    return {
      sip: false, state, key: `live.link.${state}${why ? 'Why' : ''}`,
      vars: { title: l.remoteTitle || '', reason: '', attempts: 0 },
      reasonKey: why ? `live.link.failure.${l.failure}` : '',
    };
  }
  const state = SIP_CALL_STATES.includes(l.state) ? l.state : 'idle';
  const attempts = Number.isInteger(l.attempts) && l.attempts > 0 ? l.attempts : 0;
  const reason = state === 'waiting' || state === 'refused' ? String(l.detail ?? '').trim() : '';
  let key = `live.sip.${state}`;
  if (reason) key += 'Why';
  else if (state === 'connecting' && attempts > 1) key = 'live.sip.connectingAgain';
  return {
    sip: true, state, key, vars: { title: '', reason, attempts },
    reasonKey: Object.hasOwn(SIP_REASONS, reason) ? `live.sip.reason.${SIP_REASONS[reason]}` : '',
  };
}

// What the other end of a cascade link said of its side (the roll-call's link.remote), as badges
// {key, vars} in this order: which level it is (upper or lower, from this MCU's link.role); its
// roll-call summary ("Tỉnh X: 14 of 15 sites connected, 13 with video"); and, from an upper level,
// that it shows this conference to everyone (its spotlight) or does not show its picture (video
// muted; audio muted has its own badge). None while it said nothing.
export function linkSide(link) {
  const r = link && link.remote;
  if (!r || typeof r !== 'object') return [];
  const count = (n) => (Number.isInteger(n) && n >= 0 ? n : 0);
  const out = [];
  if (r.role === 'parent' || r.role === 'child') out.push({ key: `live.link.far.${r.role}`, vars: {} });
  out.push({
    key: 'live.link.summary',
    vars: { title: String(r.title || link.remoteTitle || ''), connected: count(r.connected), expected: count(r.expected), video: count(r.video) },
  });
  const c = r.role === 'parent' && r.control && typeof r.control === 'object' ? r.control : null;
  if (c && c.spotlight === true) out.push({ key: 'live.link.spotlit', vars: {} });
  if (c && c.mutedVideo === true) out.push({ key: 'live.link.mutedVideo', vars: {} });
  return out;
}

// The transports a SIP call's signalling may go by (the roll-call's `signalling`).
export const SIGNALLING = ['tls', 'tcp', 'udp'];

// How a site's SIP call is signalled, for the badge beside its state: null while it is in no SIP
// call (`signalling` null or missing), else {transport, text, secure, key, vars}: `text` "SIP/TLS"
// (the same in every language), `secure` only for TLS (over plain TCP or UDP the SRTP keys in the
// SDP cross readable: allowed for a closed line only), `key` and `vars` the i18n key of its
// explanation. A transport this console does not know is shown as it came and never as secure.
export function signallingBadge(s) {
  const raw = s && typeof s.signalling === 'string' ? s.signalling.trim().toLowerCase() : '';
  if (!raw) return null;
  const transport = SIGNALLING.includes(raw) ? raw : 'other';
  const secure = transport === 'tls';
  return {
    transport, secure, text: `SIP/${raw.toUpperCase()}`,
    key: secure ? 'live.sig.tls' : 'live.sig.plain', vars: { transport: raw.toUpperCase() },
  };
}

// What a feed event of type 'sip' says (a request within a site's SIP call that the MCU answered
// itself, changing nothing: {method: INVITE|UPDATE, offer, refresh, detail}): {key, vars}, the
// i18n key and its `method` ("re-INVITE" or "UPDATE"): a session refresh (either method), a
// re-INVITE with an offer or without SDP, or another UPDATE.
export function sipRequestWords(e) {
  const ev = e || {};
  const invite = ev.method === 'INVITE';
  const method = invite ? 're-INVITE' : String(ev.method || 'UPDATE');
  let key = 'live.sipEvent.update';
  if (ev.refresh) key = 'live.sipEvent.refresh';
  else if (invite) key = ev.offer ? 'live.sipEvent.reinviteOffer' : 'live.sipEvent.reinvite';
  return { key, vars: { method } };
}

// The board's counters: invited, online (any state but offline), in the conference, with video.
export function rollCounts(roll) {
  return {
    invited: roll.filter((s) => s.invited).length,
    online: roll.filter((s) => s.state && s.state !== 'offline').length,
    joined: roll.filter((s) => IN_CONFERENCE.has(s.state)).length,
    video: roll.filter((s) => s.state === 'video').length,
  };
}

// "Mute all but the host" shows pressed while every other site in the conference is muted; with
// no other site in it, as the last mute-all action seen (`last`: true/false/null) left it.
export function muteAllPressed(roll, host, last) {
  const others = roll.filter((s) => s.site !== host && IN_CONFERENCE.has(s.state));
  return others.length ? others.every((s) => s.mutedAudio) : Boolean(last);
}

// Whether the host may call a site into the open conference: one removed by the host, offline
// (dialled when it comes), or online and in no other conference.
export function callable(s, conferenceOpen) {
  const state = siteState(s);
  if (IN_CONFERENCE.has(state) || !conferenceOpen) return false;
  return Boolean(s.kicked || state === 'offline' || (state === 'online' && !s.elsewhere));
}

// A room's devices as the roll-call gives them (`devices`: null until the room reports, else
// {camera, microphone, speaker}, each ok, missing or none).
export const DEVICES = ['camera', 'microphone', 'speaker'];

// The devices a site's room reported missing (configured but absent, unplugged or refused), in
// the order of DEVICES; none when it reported nothing or is offline.
export function missingDevices(s) {
  const d = s && s.devices;
  return d && typeof d === 'object' ? DEVICES.filter((k) => d[k] === 'missing') : [];
}

// Each device of a site's room as it last reported it, in the order of DEVICES:
// [{device, state}], state ok (sending; playing for the loudspeaker), missing, none, or unknown
// (a word this console does not know); null when the room reported nothing or is offline.
export function deviceStates(s) {
  const d = s && s.devices;
  if (!d || typeof d !== 'object') return null;
  return DEVICES.map((device) => ({
    device,
    state: ['ok', 'missing', 'none'].includes(d[device]) ? d[device] : d[device] === undefined ? 'none' : 'unknown',
  }));
}

// The site speaking: the roll-call's (`speaking`), else `fallback` (the conference's), else ''.
export function speakerOf(roll, fallback) {
  const s = roll.find((x) => x.speaking);
  return s ? s.site : fallback || '';
}

// A site's quality on the board: graded from its stats while in the conference and the stats are
// fresh, raised by its worst active alarm about its streams (a `device` warning is not: the
// card's badges show a missing device). `stats`: Map site -> stats; `alarms`: the active ones.
// {level, loss, rtt, alarm (the worst, or null)}.
export function siteQuality(s, { stats, statsAt, alarms, now = Date.now() }) {
  const inConf = IN_CONFERENCE.has(siteState(s));
  const alarm = worstAlarm([...alarms].filter((a) => gradesStreams(a.kind)), s.site);
  const fresh = now - statsAt < STATS_STALE_MS;
  const q = gradeQuality(inConf && fresh ? stats.get(s.site) : null, alarm && inConf ? alarm.severity : null);
  return { ...q, alarm };
}
