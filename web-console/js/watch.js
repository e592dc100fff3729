// The watch page: a conference's live stream (GET /api/v1/conferences/<id>/stream/index.m3u8,
// WebM segments with an init segment) played through Media Source Extensions. The playlist is
// read again every second; each segment not yet appended is fetched and appended in order. A
// viewer never joins the conference: this page only reads what the MCU serves to a session.
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
    'watch.unsupported': 'Trình duyệt không phát được luồng WebM',
    'watch.note': 'Luồng phát trực tiếp của hội nghị, trễ vài giây. Người xem không tham gia hội nghị.',
  },
  en: {
    'watch.pageTitle': 'Live — MCU',
    'watch.heading': 'Live stream',
    'watch.waiting': 'Waiting for the stream',
    'watch.live': 'Live',
    'watch.login': 'Log in to the console, or use a valid viewer link',
    'watch.refused': 'The viewer link cannot be used: {reason}',
    'watch.unsupported': 'This browser cannot play the WebM stream',
    'watch.note': "The conference's live stream, a few seconds behind. Viewers do not join the conference.",
  },
};

const MIME = 'video/webm; codecs="vp8,opus"';
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

async function play() {
  if (!window.MediaSource || !MediaSource.isTypeSupported(MIME)) {
    setState('watch.unsupported', 'failed');
    return;
  }
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = source.addSourceBuffer(MIME);
  let next = -1;  // The next segment to append; -1 until the init segment is in.
  for (;;) {
    try {
      const text = await fetch(playlistUrl, { credentials: 'same-origin', cache: 'no-store' });
      const refused = await refusal(text);
      if (refused) throw refused;
      const list = text.ok ? parsePlaylist(await text.text()) : null;
      if (list && list.segments.length) {
        if (next < 0 || next < list.segments[0].sequence) {
          // Start (or fall back in) at the newest whole segment but one: a little margin.
          const init = await fetchBytes(list.init);
          if (init) {
            await appendTo(buffer, init);
            const start = list.segments[Math.max(0, list.segments.length - 2)];
            next = start.sequence;
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
      if (e.status === 401 && !token) {
        setState('watch.login', 'failed');
        return;
      }
      if (e.status === 401 || e.status === 403) {
        const badge = $('watch-state');
        badge.textContent = i18n.t('watch.refused', { reason: e.reason });
        badge.className = 'badge badge-failed';
        badge.dataset.state = 'refused';
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
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
