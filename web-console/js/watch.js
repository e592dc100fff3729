// The watch page: a conference's live stream (GET /api/v1/conferences/<id>/stream/index.m3u8)
// played through Media Source Extensions: WebM segments with an init segment, or MPEG-TS
// segments (the MCU's `[stream] format`; the playlist says which). The playlist is read again
// every second; each segment not yet appended is fetched and appended in order. A browser whose
// MSE takes no MPEG-TS but which plays HLS itself (Safari) is given the playlist. A viewer never
// joins the conference: this page only reads what the MCU serves to a session.
//
// ?c=<conference> names the conference; ?lang= the language; #token=<viewer link token> lets
// someone without a console login watch (the fragment never reaches the server with the page;
// the API requests carry it as ?token=, and the playlist's URLs carry it on).

import { I18n } from './i18n.js';
import { parsePlaylist } from './logic/playlist.js';

const STRINGS = {
  vi: {
    'watch.pageTitle': 'Xem trực tiếp — MCU',
    'watch.heading': 'Xem trực tiếp',
    'watch.waiting': 'Đang chờ luồng phát',
    'watch.live': 'Trực tiếp',
    'watch.login': 'Cần đăng nhập bảng điều khiển, hoặc một liên kết xem hợp lệ',
    'watch.refused': 'Liên kết xem không dùng được: {reason}',
    'watch.unsupported': 'Trình duyệt không phát được luồng này',
    'watch.note': 'Luồng phát trực tiếp của hội nghị, trễ vài giây. Người xem không tham gia hội nghị.',
  },
  en: {
    'watch.pageTitle': 'Live — MCU',
    'watch.heading': 'Live stream',
    'watch.waiting': 'Waiting for the stream',
    'watch.live': 'Live',
    'watch.login': 'Log in to the console, or use a valid viewer link',
    'watch.refused': 'The viewer link cannot be used: {reason}',
    'watch.unsupported': 'This browser cannot play this stream',
    'watch.note': "The conference's live stream, a few seconds behind. Viewers do not join the conference.",
  },
};

// The segments' types, as media/recorder.h muxes them (H.264 constrained baseline, AAC-LC).
const MIME = { webm: 'video/webm; codecs="vp8,opus"', ts: 'video/mp2t; codecs="avc1.42E01F,mp4a.40.2"' };
const i18n = new I18n(STRINGS);
const $ = (id) => document.getElementById(id);
const conference = new URLSearchParams(location.search).get('c') || '';
const base = `/api/v1/conferences/${encodeURIComponent(conference)}/stream/`;
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const playlistUrl = base + 'index.m3u8' + (token ? `?token=${encodeURIComponent(token)}` : '');
const video = $('watch-video');

function setState(key, kind) {
  const badge = $('watch-state');
  badge.dataset.i18n = key;
  badge.textContent = i18n.t(key);
  badge.className = `badge badge-${kind}`;
  badge.dataset.state = kind;
}

// A refusal the page cannot get past by asking again: not logged in (401), a revoked or expired
// link (403).
async function refusal(res) {
  if (res.status !== 401 && res.status !== 403) return null;
  const body = await res.json().catch(() => ({}));
  return Object.assign(new Error('refused'), { status: res.status, reason: body.error || '' });
}

async function fetchBytes(name) {
  const res = await fetch(base + name, { credentials: 'same-origin', cache: 'no-store' });
  const refused = await refusal(res);
  if (refused) throw refused;
  if (!res.ok) return null;
  return new Uint8Array(await res.arrayBuffer());
}

function appendTo(buffer, bytes) {
  return new Promise((resolve, reject) => {
    buffer.addEventListener('updateend', resolve, { once: true });
    buffer.addEventListener('error', reject, { once: true });
    buffer.appendBuffer(bytes);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The playlist; null if it cannot be read now. Throws a refusal.
async function readPlaylist() {
  const res = await fetch(playlistUrl, { credentials: 'same-origin', cache: 'no-store' });
  const refused = await refusal(res);
  if (refused) throw refused;
  return res.ok ? parsePlaylist(await res.text()) : null;
}

// Says why the page stops (true), or lets it try again (false).
function stopsOn(e) {
  if (e.status === 401 && !token) {
    setState('watch.login', 'failed');
    return true;
  }
  if (e.status === 401 || e.status === 403) {
    const badge = $('watch-state');
    badge.textContent = i18n.t('watch.refused', { reason: e.reason });
    badge.className = 'badge badge-failed';
    badge.dataset.state = 'refused';
    return true;
  }
  return false;
}

// Appends each new segment to a SourceBuffer of `mime`, starting from `list`.
async function playThroughMse(mime, list) {
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = source.addSourceBuffer(mime);
  let next = -1;  // The next segment to append; -1 until the first (and the init segment) is in.
  for (;;) {
    try {
      if (!list) list = await readPlaylist();
      if (list && list.segments.length) {
        if (next < 0 || next < list.segments[0].sequence) {
          // Start (or fall back in) at the newest whole segment but one: a little margin.
          const init = list.init ? await fetchBytes(list.init) : new Uint8Array(0);
          if (init) {
            if (init.length) await appendTo(buffer, init);
            next = list.segments[Math.max(0, list.segments.length - 2)].sequence;
          }
        }
        for (const seg of list.segments) {
          if (seg.sequence < next) continue;
          const bytes = await fetchBytes(seg.uri);
          if (!bytes) break;
          await appendTo(buffer, bytes);
          next = seg.sequence + 1;
          if (video.paused) video.play().catch(() => {});
          // Joined late or fallen behind: go to the newest data.
          if (buffer.buffered.length && buffer.buffered.start(0) > video.currentTime)
            video.currentTime = buffer.buffered.start(0);
          setState('watch.live', 'live');
        }
      }
    } catch (e) {
      if (stopsOn(e)) return;
    }
    list = null;
    await sleep(1000);
  }
}

// The browser's own HLS player; the playlist is still read, to tell a revoked link.
async function playNatively() {
  video.src = playlistUrl;
  video.addEventListener('playing', () => setState('watch.live', 'live'));
  video.play().catch(() => {});
  for (;;) {
    await sleep(5000);
    try {
      await readPlaylist();
    } catch (e) {
      if (stopsOn(e)) {
        video.removeAttribute('src');
        video.load();
        return;
      }
    }
  }
}

async function play() {
  // The playlist names the format once it lists a segment.
  let list = null;
  for (;;) {
    try {
      list = await readPlaylist();
      if (list && list.format) break;
    } catch (e) {
      if (stopsOn(e)) return;
    }
    await sleep(1000);
  }
  const mime = MIME[list.format];
  if (window.MediaSource && MediaSource.isTypeSupported(mime)) {
    video.dataset.player = 'mse';
    await playThroughMse(mime, list);
  } else if (list.format === 'ts' && video.canPlayType('application/vnd.apple.mpegurl')) {
    video.dataset.player = 'native';
    await playNatively();
  } else {
    setState('watch.unsupported', 'failed');
  }
}

document.title = i18n.t('watch.pageTitle');
$('watch-title').textContent = conference;
// The conference's title, once the MCU says it (the id until then, or if it cannot).
fetch(base + 'info.json' + (token ? `?token=${encodeURIComponent(token)}` : ''), { credentials: 'same-origin', cache: 'no-store' })
  .then((res) => (res.ok ? res.json() : null))
  .then((info) => {
    if (info && info.title) {
      $('watch-title').textContent = info.title;
      $('watch-title').dataset.conference = info.conference;
    }
  })
  .catch(() => {});
i18n.apply();
i18n.bindSwitch($('lang-switch'));
play();
